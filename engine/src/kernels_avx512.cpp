// AVX-512 (F, BW, VL, VNNI) kernels: the AVX2 table, with Q4_K and Q5_K on 512-bit maddubs and
// the 32-element types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL) moved to 512-bit
// vpdpbusd (u8 × s8 products summed into int32 in one instruction), two blocks per vector
// and the block scales of eight blocks converted at once, against activations in the split
// Q8_S layout (see kernels_impl.h).
#include "kernels_avx2.h"

#include "kmlm/quant.h"
#include "quant_blocks.h"
#include "sgemm_impl.h"

#include <immintrin.h>

#include <cstring>

// The build gives *_avx512.cpp AVX-512 F/BW/VL/DQ and VNNI (the dispatcher checks the CPU
// for it); the pragma says so to GCC as well, clang takes the flag alone.
#pragma GCC target("avx512vnni")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() values through, which its own
// uninitialized-use analysis then reports at every call (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace kmlm::avx512 {
namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline int hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// One prepared activation row (Q8_S): values, block scales, scaled block sums.
struct ActRow {
    const int8_t* qs;
    const float* d;
    const float* s;
};
inline ActRow act_row(const void* x, size_t stride, int j, int64_t n) {
    const auto* base = static_cast<const uint8_t*>(x) + size_t(j) * stride;
    const auto* d = reinterpret_cast<const float*>(base + n);
    return {reinterpret_cast<const int8_t*>(base), d, d + n / QK};
}

void quantize_q8_s(const float* x, void* yv, int64_t n) {
    const int64_t nb = n / QK;
    auto* qs = static_cast<int8_t*>(yv);
    auto* d = reinterpret_cast<float*>(qs + n);
    float* s = d + nb;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < nb; ++b, x += QK) {
        __m256 v[4];
        __m256 amax = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, v[k]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float db = _mm_cvtss_f32(m) / 127.f;
        const __m256 id = _mm256_set1_ps(db ? 1.0f / db : 0.0f);
        __m256i i[4];
        for (int k = 0; k < 4; ++k)
            i[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[k], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i[0], i[1]), _mm256_packs_epi32(i[2], i[3]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs + QK * b),
                            _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
        // The scale rounded through fp16 as Q8_0 stores it: results match the Q8_0 kernels.
        d[b] = _cvtsh_ss(_cvtss_sh(db, _MM_FROUND_TO_NEAREST_INT));
        s[b] = d[b] * float(hsum(_mm256_add_epi32(_mm256_add_epi32(i[0], i[1]), _mm256_add_epi32(i[2], i[3]))));
    }
}

// The fp16 scales of 8 consecutive blocks (stride bytes apart, d first) as floats.
inline __m256 block_scales8(const uint8_t* first_d, int stride) {
    const __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
    const __m256i raw = _mm256_i32gather_epi32(reinterpret_cast<const int*>(first_d), idx, 1);
    return _mm256_cvtph_ps(_mm256_cvtepi32_epi16(raw)); // keeps the low 16 bits: d
}

// The 32-element weight types with a VNNI kernel here.
enum class Kind { Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL };

template <Kind K>
constexpr int kBlockBytes = K == Kind::Q8_0   ? int(sizeof(BlockQ8_0))
                            : K == Kind::Q4_1 ? int(sizeof(BlockQ4_1))
                            : K == Kind::Q5_0 ? int(sizeof(BlockQ5_0))
                            : K == Kind::Q5_1 ? int(sizeof(BlockQ5_1))
                                              : int(sizeof(BlockQ4_0));
// Where the values start in a block (after d, and the minimum m and fifth bits qh if any).
template <Kind K>
constexpr int kValuesAt = K == Kind::Q5_1   ? 8
                          : K == Kind::Q5_0 ? 6
                          : K == Kind::Q4_1 ? 4
                                            : 2;
// Where the fifth bits (qh) are, or 0: none.
template <Kind K>
constexpr int kFifthBitsAt = K == Kind::Q5_1   ? 4
                             : K == Kind::Q5_0 ? 2
                                               : 0;
// The vpdpbusd operand is u = value·(1/d) + offset; offset · d · Σy is subtracted through the
// activation sums (Q4_1 and Q5_1 add m · Σy the same way, from their own field).
template <Kind K>
constexpr float kOffset = K == Kind::Q4_0     ? 8.0f
                          : K == Kind::Q5_0   ? 16.0f
                          : K == Kind::IQ4_NL ? 128.0f
                                              : 0.0f;
template <Kind K>
constexpr bool kHasMin = K == Kind::Q4_1 || K == Kind::Q5_1;

// IQ4_NL's grid plus 128, as unsigned bytes in every 128-bit lane.
inline __m512i iq4nl_u8_table() {
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues));
    return _mm512_broadcast_i32x4(_mm_xor_si128(t, _mm_set1_epi8(char(0x80))));
}

// Two blocks' values as one vector: [block 0's 32 | block 1's 32], unsigned as above.
// Q8_0: magnitudes, with the signs moved onto the activations.
template <Kind K>
struct Pair {
    __m512i q;
    __mmask64 neg; // Q8_0: lanes whose weight is negative
};

template <Kind K>
inline Pair<K> load_pair(const uint8_t* w0, const uint8_t* w1) {
    if constexpr (K == Kind::Q8_0) {
        const __m512i q = _mm512_inserti64x4(_mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w0 + 2))),
                                             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w1 + 2)), 1);
        return {_mm512_abs_epi8(q), _mm512_movepi8_mask(q)};
    } else {
        const __m128i t0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w0 + kValuesAt<K>));
        const __m128i t1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w1 + kValuesAt<K>));
        const __m256i lo = _mm256_set_m128i(t1, t0); // [b0 | b1] bytes
        const __m512i both = _mm512_inserti64x4(_mm512_zextsi256_si512(lo), _mm256_srli_epi16(lo, 4), 1);
        // [b0 low | b1 low | b0 high | b1 high] -> [b0 low | b0 high | b1 low | b1 high]
        const __m512i shuffled = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(3, 1, 2, 0));
        __m512i q = _mm512_and_si512(shuffled, _mm512_set1_epi8(0x0F));
        if constexpr (kFifthBitsAt<K> != 0) { // bit j of qh is the fifth bit of element j
            uint32_t h0, h1;
            std::memcpy(&h0, w0 + kFifthBitsAt<K>, 4);
            std::memcpy(&h1, w1 + kFifthBitsAt<K>, 4);
            q = _mm512_mask_add_epi8(q, __mmask64(h0) | (__mmask64(h1) << 32), q, _mm512_set1_epi8(0x10));
        } else if constexpr (K == Kind::IQ4_NL) {
            q = _mm512_shuffle_epi8(iq4nl_u8_table(), q);
        }
        return {q, 0};
    }
}

template <Kind K>
inline __m512i pair_dot(const Pair<K>& p, const int8_t* y) {
    __m512i v = _mm512_loadu_si512(y);
    if constexpr (K == Kind::Q8_0) v = _mm512_mask_sub_epi8(v, p.neg, _mm512_setzero_si512(), v);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), p.q, v);
}

// One block's operand values u (signed values for Q8_0), for the blocks past the last 8.
template <Kind K>
inline void block_values(const uint8_t* wb, int* u) {
    if constexpr (K == Kind::Q8_0) {
        for (int l = 0; l < QK; ++l) u[l] = reinterpret_cast<const BlockQ8_0*>(wb)->qs[l];
    } else {
        const uint8_t* qs = wb + kValuesAt<K>;
        uint32_t qh = 0;
        if constexpr (kFifthBitsAt<K> != 0) std::memcpy(&qh, wb + kFifthBitsAt<K>, 4);
        for (int l = 0; l < QK; ++l) {
            const int nib = l < QK / 2 ? qs[l] & 0x0F : qs[l - QK / 2] >> 4;
            u[l] = K == Kind::IQ4_NL ? kIq4nlValues[nib] + 128 : nib | int((qh >> l) & 1) << 4;
        }
    }
}

// W (blocks of one of the Kinds) · NX activation rows in Q8_S.
template <int NX, Kind K>
void dot_q_q8_s(int64_t n, const void* wv, const void* x, size_t xs, float* out) {
    constexpr int kBytes = kBlockBytes<K>;
    constexpr bool kCorr = K != Kind::Q8_0;
    // The field whose fp16 value times s_x is subtracted (offset · d) or added (the minimum m).
    constexpr int kCorrAt = kHasMin<K> ? 2 : 0;
    constexpr float kCorrScale = kHasMin<K> ? 1.0f : -kOffset<K>;
    const auto* w = static_cast<const uint8_t*>(wv);
    const int64_t nb = n / QK;
    ActRow xr[NX];
    __m512 acc[NX];
    __m256 corr[NX]; // Σ over blocks of that field · s_x
    for (int j = 0; j < NX; ++j) {
        xr[j] = act_row(x, xs, j, n);
        acc[j] = _mm512_setzero_ps();
        corr[j] = _mm256_setzero_ps();
    }
    // Lanes 0..7 take the scale of block 2k, lanes 8..15 that of block 2k + 1.
    __m512i spread[4];
    for (int k = 0; k < 4; ++k) spread[k] = _mm512_inserti64x4(_mm512_set1_epi32(2 * k), _mm256_set1_epi32(2 * k + 1), 1);

    int64_t b = 0;
    // Q4_0 against one row (matrix times vector): one block per 256-bit vpdpbusd, which
    // cores that split 512-bit operations in two run at full rate; two sums in flight.
    __m256 acc1[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    if constexpr (NX == 1 && K == Kind::Q4_0) {
        const __m256i m4 = _mm256_set1_epi8(0x0F);
        // Lane 0 keeps the low nibbles, lane 1 takes the high ones: a 32-bit shift (one uop,
        // no shuffle port) of the 16 bytes broadcast by the load itself.
        const __m256i shift = _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4);
        alignas(32) float sc[8];
        for (; b + 8 <= nb; b += 8) {
            const uint8_t* wb = w + b * kBytes;
            prefetch_ahead(wb, 8 * kBytes);
            const __m256 dw = block_scales8(wb, kBytes);
            // The scales go through memory so that each block's comes back as a broadcast
            // load rather than a cross-lane permute.
            _mm256_store_ps(sc, _mm256_mul_ps(dw, _mm256_loadu_ps(xr[0].d + b)));
            for (int k = 0; k < 8; ++k) {
                const __m256i t = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb + k * kBytes + 2)));
                const __m256i q = _mm256_and_si256(_mm256_srlv_epi32(t, shift), m4);
                const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[0].qs + (b + k) * QK));
                const __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), q, y);
                acc1[k % 2] = _mm256_fmadd_ps(_mm256_broadcast_ss(sc + k), _mm256_cvtepi32_ps(p), acc1[k % 2]);
            }
            corr[0] = _mm256_fmadd_ps(dw, _mm256_loadu_ps(xr[0].s + b), corr[0]);
        }
    }
    for (; b + 8 <= nb; b += 8) {
        const uint8_t* wb = w + b * kBytes;
        prefetch_ahead(wb, 8 * kBytes);
        const __m256 dw = block_scales8(wb, kBytes);
        const __m256 cw = kCorrAt ? block_scales8(wb + kCorrAt, kBytes) : dw;
        Pair<K> pr[4];
        for (int k = 0; k < 4; ++k) pr[k] = load_pair<K>(wb + 2 * k * kBytes, wb + (2 * k + 1) * kBytes);
        for (int j = 0; j < NX; ++j) {
            const __m512 sc = _mm512_zextps256_ps512(_mm256_mul_ps(dw, _mm256_loadu_ps(xr[j].d + b)));
            for (int k = 0; k < 4; ++k) {
                const __m512i p = pair_dot<K>(pr[k], xr[j].qs + (b + 2 * k) * QK);
                acc[j] = _mm512_fmadd_ps(_mm512_permutexvar_ps(spread[k], sc), _mm512_cvtepi32_ps(p), acc[j]);
            }
            if constexpr (kCorr) corr[j] = _mm256_fmadd_ps(cw, _mm256_loadu_ps(xr[j].s + b), corr[j]);
        }
    }
    float tail[NX] = {};
    for (; b < nb; ++b) { // fewer than 8 blocks left
        const uint8_t* wb = w + b * kBytes;
        int u[QK];
        block_values<K>(wb, u);
        uint16_t d16, c16;
        std::memcpy(&d16, wb, 2);
        std::memcpy(&c16, wb + kCorrAt, 2);
        const float dw = _cvtsh_ss(d16), cw = _cvtsh_ss(c16);
        for (int j = 0; j < NX; ++j) {
            const int8_t* y = xr[j].qs + b * QK;
            int sum = 0;
            for (int l = 0; l < QK; ++l) sum += u[l] * y[l];
            tail[j] += dw * xr[j].d[b] * float(sum) + (kCorr ? kCorrScale * cw * xr[j].s[b] : 0.0f);
        }
    }
    for (int j = 0; j < NX; ++j) out[j] = _mm512_reduce_add_ps(acc[j]) + kCorrScale * hsum(corr[j]) + tail[j];
    if constexpr (NX == 1 && K == Kind::Q4_0) out[0] += hsum(_mm256_add_ps(acc1[0], acc1[1]));
}

template <Kind K>
void dot_nx(int64_t n, const void* w, const void* x, size_t xs, int nx, float* s) {
    switch (nx) {
    case 1: dot_q_q8_s<1, K>(n, w, x, xs, s); break;
    case 2: dot_q_q8_s<2, K>(n, w, x, xs, s); break;
    case 3: dot_q_q8_s<3, K>(n, w, x, xs, s); break;
    case 4: dot_q_q8_s<4, K>(n, w, x, xs, s); break;
    case 5: dot_q_q8_s<5, K>(n, w, x, xs, s); break;
    case 6: dot_q_q8_s<6, K>(n, w, x, xs, s); break;
    case 7: dot_q_q8_s<7, K>(n, w, x, xs, s); break;
    default: dot_q_q8_s<8, K>(n, w, x, xs, s); break;
    }
}

// ---- Q4_K / Q5_K against Q8_K activations ----
// As the AVX2 kernel, two 32-element sub-blocks per 512-bit step: a group's 32 bytes hold
// sub-block 2g in their low nibbles and 2g + 1 in their high ones, and the activations of both
// are the 64 bytes at 64g. maddubs (u8 × s8 pairs into words) then madd with the sub-block
// scales (words) gives int32 sums; the mins come in through the activations' block sums.
template <int NX, bool Q5>
void dot_q45_K(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m512 acc[NX];
    __m128 accm[NX];
    const BlockQ8_K* xr[NX];
    for (int j = 0; j < NX; ++j) {
        acc[j] = _mm512_setzero_ps(), accm[j] = _mm_setzero_ps();
        xr[j] = reinterpret_cast<const BlockQ8_K*>(static_cast<const uint8_t*>(x) + size_t(j) * xs);
    }
    const __m512i m4 = _mm512_set1_epi8(0xF), m1 = _mm512_set1_epi8(1);
    // Group g's scale words: sub-block 2g in the low 256 bits, 2g + 1 in the high.
    __m512i scale_index[QK_K / 64];
    for (int g = 0; g < QK_K / 64; ++g)
        scale_index[g] = _mm512_inserti64x4(_mm512_set1_epi16(short(0x0100 * (4 * g + 1) + 4 * g)),
                                            _mm256_set1_epi16(short(0x0100 * (4 * g + 3) + 4 * g + 2)), 1);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        uint16_t d16, dmin16;
        __m512i hbits = _mm512_setzero_si512(); // Q5_K: [qh | qh >> 1], bit 0 of each byte next
        if constexpr (Q5) {
            const auto* w = static_cast<const BlockQ5_K*>(wv) + b;
            prefetch_ahead(w, sizeof *w);
            scales = w->scales, qs = w->qs, d16 = w->d, dmin16 = w->dmin;
            const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w->qh));
            hbits = _mm512_inserti64x4(_mm512_castsi256_si512(h), _mm256_srli_epi16(h, 1), 1);
        } else {
            const auto* w = static_cast<const BlockQ4_K*>(wv) + b;
            prefetch_ahead(w, sizeof *w);
            scales = w->scales, qs = w->qs, d16 = w->d, dmin16 = w->dmin;
        }
        const __m128i scm = avx2::unpack_scales_k4(scales);
        const __m128i min16 = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scm, scm));
        const __m512i sc16 = _mm512_broadcast_i32x4(_mm_cvtepu8_epi16(scm)); // 8 scale words per lane
        __m512i sumi[NX];
        for (int j = 0; j < NX; ++j) sumi[j] = _mm512_setzero_si512();
        for (int g = 0; g < QK_K / 64; ++g) {
            const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * g));
            __m512i q = _mm512_and_si512(_mm512_inserti64x4(_mm512_castsi256_si512(bits), _mm256_srli_epi16(bits, 4), 1), m4);
            if constexpr (Q5) {
                q = _mm512_or_si512(q, _mm512_slli_epi16(_mm512_and_si512(hbits, m1), 4));
                hbits = _mm512_srli_epi16(hbits, 2);
            }
            const __m512i scv = _mm512_shuffle_epi8(sc16, scale_index[g]);
            for (int j = 0; j < NX; ++j) {
                const __m512i y = _mm512_loadu_si512(xr[j][b].qs + 64 * g);
                sumi[j] = _mm512_add_epi32(sumi[j], _mm512_madd_epi16(_mm512_maddubs_epi16(q, y), scv));
            }
        }
        const float d = _cvtsh_ss(d16), dmin = _cvtsh_ss(dmin16);
        for (int j = 0; j < NX; ++j) {
            acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(d * xr[j][b].d), _mm512_cvtepi32_ps(sumi[j]), acc[j]);
            accm[j] = _mm_fmadd_ps(_mm_set1_ps(dmin * xr[j][b].d), _mm_cvtepi32_ps(avx2::mins_dot_bsums(min16, xr[j][b].bsums)), accm[j]);
        }
    }
    for (int j = 0; j < NX; ++j) {
        __m128 m = _mm_add_ps(accm[j], _mm_movehl_ps(accm[j], accm[j]));
        m = _mm_add_ss(m, _mm_movehdup_ps(m));
        s[j] = _mm512_reduce_add_ps(acc[j]) - _mm_cvtss_f32(m);
    }
}

template <bool Q5>
void dot_q45_K_nx(int64_t n, const void* w, const void* x, size_t xs, int nx, float* s) {
    // At most 4 rows at a time: 4 sums and their activations stay in registers.
    for (; nx > 4; nx -= 4, x = static_cast<const uint8_t*>(x) + 4 * xs, s += 4) dot_q45_K<4, Q5>(n, w, x, xs, s);
    switch (nx) {
    case 1: dot_q45_K<1, Q5>(n, w, x, xs, s); break;
    case 2: dot_q45_K<2, Q5>(n, w, x, xs, s); break;
    case 3: dot_q45_K<3, Q5>(n, w, x, xs, s); break;
    default: dot_q45_K<4, Q5>(n, w, x, xs, s); break;
    }
}

} // namespace
} // namespace kmlm::avx512

namespace kmlm {

const KernelTable* avx512_kernel_table() {
    static const KernelTable table = [] {
        KernelTable t = scalar_kernel_table();
        avx2::fill_table(t);
        t.isa = Isa::Avx512;
        t.quantize_q8_s = avx512::quantize_q8_s;
        using avx512::Kind;
        t.dot[int(GgmlType::Q4_0)] = avx512::dot_nx<Kind::Q4_0>;
        t.dot[int(GgmlType::Q4_1)] = avx512::dot_nx<Kind::Q4_1>;
        t.dot[int(GgmlType::Q5_0)] = avx512::dot_nx<Kind::Q5_0>;
        t.dot[int(GgmlType::Q5_1)] = avx512::dot_nx<Kind::Q5_1>;
        t.dot[int(GgmlType::Q8_0)] = avx512::dot_nx<Kind::Q8_0>;
        t.dot[int(GgmlType::IQ4_NL)] = avx512::dot_nx<Kind::IQ4_NL>;
        t.dot[int(GgmlType::Q4_K)] = avx512::dot_q45_K_nx<false>;
        t.dot[int(GgmlType::Q5_K)] = avx512::dot_q45_K_nx<true>;
        for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::IQ4_NL})
            t.act[int(type)] = ActFormat::Q8_S;
        t.sgemm = sgemm_blocked<8>;
        return t;
    }();
    return &table;
}

} // namespace kmlm
