// AVX2 + FMA + F16C kernels (compiled with those flags, used only when the CPU has them).
// Integer dot products: 4-bit/6-bit weights are unpacked to bytes once per block and
// multiplied with the int8 activations of up to kMaxNx rows (maddubs: u8 × s8 → s16 pairs).
#include "kernels_avx2.h"

#include "kmlm/quant.h"
#include "quant_blocks.h"
#include "sgemm_impl.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>

namespace kmlm::avx2 {

// Sum of 8 floats.
static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __m256i ones16() { return _mm256_set1_epi16(1); }

// 32 unsigned 4-bit values: bytes 0..15 = low nibbles, 16..31 = high nibbles.
static inline __m256i unpack_nibbles(const uint8_t* p) {
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

// Σ x·y over pairs, as 8 int32, for signed int8 x and y (sign moved onto y for maddubs).
static inline __m256i dot_i8(__m256i ax, __m256i x, __m256i y) {
    const __m256i sy = _mm256_sign_epi8(y, x);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), ones16());
}

static inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

template <class X>
static inline const X* row_at(const void* x, size_t stride, int j) {
    return reinterpret_cast<const X*>(static_cast<const uint8_t*>(x) + size_t(j) * stride);
}

// ---- 32-element blocks against Q8_0 activations ----

// The 32 values of a block as signed bytes (value / d).
static inline __m256i signed_values(const BlockQ8_0& w) { return load256(w.qs); }
static inline __m256i signed_values(const BlockQ4_0& w) { return _mm256_sub_epi8(unpack_nibbles(w.qs), _mm256_set1_epi8(8)); }
// Byte j: 0xFF when bit j of the 32 bits at qh is set (the fifth bits of Q5_0/Q5_1).
static inline __m256i fifth_bits(const uint8_t* qh4) {
    uint32_t qh;
    std::memcpy(&qh, qh4, 4);
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(int(qh)), _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
    return _mm256_cmpeq_epi8(_mm256_or_si256(spread, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe)), _mm256_set1_epi64x(-1));
}
// Q5_0: the nibble, minus 16 unless its fifth bit is set.
static inline __m256i signed_values(const BlockQ5_0& w) {
    return _mm256_or_si256(unpack_nibbles(w.qs), _mm256_andnot_si256(fifth_bits(w.qh), _mm256_set1_epi8(char(0xF0))));
}
// IQ4_NL's 16 levels in both 128-bit lanes, for _mm256_shuffle_epi8 lookups of nibbles.
static inline __m256i iq4nl_table() { return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues))); }
static inline __m256i signed_values(const BlockIQ4_NL& w) { return _mm256_shuffle_epi8(iq4nl_table(), unpack_nibbles(w.qs)); }

// Unsigned values of the blocks with a minimum (value = q * d + m).
static inline __m256i unsigned_values(const BlockQ4_1& w) { return unpack_nibbles(w.qs); }
static inline __m256i unsigned_values(const BlockQ5_1& w) {
    return _mm256_or_si256(unpack_nibbles(w.qs), _mm256_and_si256(fifth_bits(w.qh), _mm256_set1_epi8(0x10)));
}

// Q4_0 / Q5_0 / Q8_0 / IQ4_NL weights (signed values times d) against Q8_0 activations.
template <int NX, class W>
static void dot_signed_q8_0_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX];
    for (int j = 0; j < NX; ++j) acc[j] = _mm256_setzero_ps();
    const BlockQ8_0* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<BlockQ8_0>(x, xs, j);
    const auto* w = static_cast<const W*>(wv);
    for (int64_t b = 0; b < n / QK; ++b) {
        prefetch_ahead(w + b, sizeof(W));
        const __m256i q = signed_values(w[b]);
        const float dw = _cvtsh_ss(w[b].d);
        const __m256i aq = _mm256_sign_epi8(q, q);
        for (int j = 0; j < NX; ++j) {
            const __m256 d = _mm256_set1_ps(dw * _cvtsh_ss(xr[j][b].d));
            const __m256i p = dot_i8(aq, q, load256(xr[j][b].qs));
            acc[j] = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc[j]);
        }
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]);
}

// Q4_1 / Q5_1 weights (unsigned values times d, plus m) against Q8_0 activations.
template <int NX, class W>
static void dot_min_q8_0_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX], accm[NX];
    for (int j = 0; j < NX; ++j) acc[j] = accm[j] = _mm256_setzero_ps();
    const BlockQ8_0* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<BlockQ8_0>(x, xs, j);
    const auto* w = static_cast<const W*>(wv);
    const __m256i ones8 = _mm256_set1_epi8(1);
    for (int64_t b = 0; b < n / QK; ++b) {
        prefetch_ahead(w + b, sizeof(W));
        const __m256i q = unsigned_values(w[b]); // unsigned: maddubs takes it as is
        const float dw = _cvtsh_ss(w[b].d), mw = _cvtsh_ss(w[b].m);
        for (int j = 0; j < NX; ++j) {
            const float dx = _cvtsh_ss(xr[j][b].d);
            const __m256i y = load256(xr[j][b].qs);
            const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(q, y), ones16());
            const __m256i sy = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, y), ones16());
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx), _mm256_cvtepi32_ps(p), acc[j]);
            accm[j] = _mm256_fmadd_ps(_mm256_set1_ps(mw * dx), _mm256_cvtepi32_ps(sy), accm[j]);
        }
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(_mm256_add_ps(acc[j], accm[j]));
}

// ---- K-quants against Q8_K activations ----

// Word k of every 128-bit lane, as the byte indices _mm256_shuffle_epi8 takes.
static inline __m256i word_index(int k) { return _mm256_set1_epi16(short(0x0100 * (2 * k + 1) + 2 * k)); }

template <int NX, bool Q5>
static void dot_q45_K_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX];
    __m128 accm[NX];
    for (int j = 0; j < NX; ++j) acc[j] = _mm256_setzero_ps(), accm[j] = _mm_setzero_ps();
    const BlockQ8_K* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<BlockQ8_K>(x, xs, j);
    const __m256i m4 = _mm256_set1_epi8(0xF), m1 = _mm256_set1_epi8(1);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        uint16_t d16, dmin16;
        __m256i hbits = _mm256_setzero_si256();
        if constexpr (Q5) {
            const auto* w = static_cast<const BlockQ5_K*>(wv) + b;
            prefetch_ahead(w, sizeof *w);
            scales = w->scales, qs = w->qs, d16 = w->d, dmin16 = w->dmin;
            hbits = load256(w->qh);
        } else {
            const auto* w = static_cast<const BlockQ4_K*>(wv) + b;
            prefetch_ahead(w, sizeof *w);
            scales = w->scales, qs = w->qs, d16 = w->d, dmin16 = w->dmin;
        }
        const __m128i scm = unpack_scales_k4(scales);
        const __m128i min16 = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scm, scm));
        // The 8 scales as words in both lanes; each group broadcasts its two with a shuffle.
        const __m256i sc16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scm));
        __m256i sumi[NX];
        for (int j = 0; j < NX; ++j) sumi[j] = _mm256_setzero_si256();
        for (int g = 0; g < QK_K / 64; ++g) {
            const __m256i bits = load256(qs + 32 * g);
            __m256i ql = _mm256_and_si256(bits, m4);
            __m256i qh = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
            if constexpr (Q5) {
                ql = _mm256_or_si256(ql, _mm256_slli_epi16(_mm256_and_si256(hbits, m1), 4));
                qh = _mm256_or_si256(qh, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 1), m1), 4));
                hbits = _mm256_srli_epi16(hbits, 2);
            }
            const __m256i s1 = _mm256_shuffle_epi8(sc16, word_index(2 * g)), s2 = _mm256_shuffle_epi8(sc16, word_index(2 * g + 1));
            for (int j = 0; j < NX; ++j) {
                const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(ql, load256(xr[j][b].qs + 64 * g)), s1);
                const __m256i p2 = _mm256_madd_epi16(_mm256_maddubs_epi16(qh, load256(xr[j][b].qs + 64 * g + 32)), s2);
                sumi[j] = _mm256_add_epi32(sumi[j], _mm256_add_epi32(p1, p2));
            }
        }
        const float d = _cvtsh_ss(d16), dmin = _cvtsh_ss(dmin16);
        for (int j = 0; j < NX; ++j) {
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * xr[j][b].d), _mm256_cvtepi32_ps(sumi[j]), acc[j]);
            accm[j] = _mm_fmadd_ps(_mm_set1_ps(dmin * xr[j][b].d), _mm_cvtepi32_ps(mins_dot_bsums(min16, xr[j][b].bsums)), accm[j]);
        }
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]) - hsum(_mm256_zextps128_ps256(accm[j]));
}

template <int NX>
static void dot_q6_K_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX];
    for (int j = 0; j < NX; ++j) acc[j] = _mm256_setzero_ps();
    const BlockQ8_K* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<BlockQ8_K>(x, xs, j);
    const auto* w = static_cast<const BlockQ6_K*>(wv);
    const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(3);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        prefetch_ahead(w + b, sizeof *w);
        // (q - 32)·y = q·y - 32·y: q·y with maddubs on unsigned q, the 32·Σy from bsums.
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].scales)));
        __m256i sumi[NX];
        for (int j = 0; j < NX; ++j) {
            const __m256i bs = load256(xr[j][b].bsums);
            sumi[j] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs), 5));
        }
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = w[b].ql + 64 * half;
            const __m256i l1 = load256(ql), l2 = load256(ql + 32), h = load256(w[b].qh + 32 * half);
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(h, m2), 4)),
                _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m2), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m2), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m2), 4)),
            };
            // This half's 8 scales as words in both lanes.
            const __m256i scw =
                _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(w[b].scales + 8 * half))));
            for (int c = 0; c < 4; ++c) {
                // Bytes 0..15 of chunk c use scale 2c (low lane), bytes 16..31 scale 2c+1.
                const __m256i scv = _mm256_shuffle_epi8(scw, _mm256_set_m128i(_mm_set1_epi16(short(0x0100 * (4 * c + 3) + 4 * c + 2)),
                                                                              _mm_set1_epi16(short(0x0100 * (4 * c + 1) + 4 * c))));
                for (int j = 0; j < NX; ++j) {
                    const __m256i y = load256(xr[j][b].qs + 128 * half + 32 * c);
                    sumi[j] = _mm256_add_epi32(sumi[j], _mm256_madd_epi16(_mm256_maddubs_epi16(q[c], y), scv));
                }
            }
        }
        const float d = _cvtsh_ss(w[b].d);
        for (int j = 0; j < NX; ++j) acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * xr[j][b].d), _mm256_cvtepi32_ps(sumi[j]), acc[j]);
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]);
}

// Words 2c (low lane) and 2c + 1 (high lane) of v, which holds 8 words in both lanes: the
// scales of a 32-byte chunk whose two 16-element halves have their own scale.
static inline __m256i chunk_scales(__m256i v, int c) {
    return _mm256_shuffle_epi8(
        v, _mm256_set_m128i(_mm_set1_epi16(short(0x0100 * (4 * c + 3) + 4 * c + 2)), _mm_set1_epi16(short(0x0100 * (4 * c + 1) + 4 * c))));
}

// Q3_K's 16 scales as signed bytes (minus 32), ggml's bit shuffle of the 12 packed bytes.
static inline __m128i unpack_scales_q3(const uint8_t* packed) {
    constexpr uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    uint32_t a[4];
    std::memcpy(a, packed, 12);
    const uint32_t t = a[2];
    a[2] = ((a[0] >> 4) & kmask2) | (((t >> 4) & kmask1) << 4);
    a[3] = ((a[1] >> 4) & kmask2) | (((t >> 6) & kmask1) << 4);
    a[0] = (a[0] & kmask2) | (((t >> 0) & kmask1) << 4);
    a[1] = (a[1] & kmask2) | (((t >> 2) & kmask1) << 4);
    // Built from registers: a 16-byte load of the four words just stored would stall on
    // store forwarding once per block.
    return _mm_sub_epi8(_mm_set_epi32(int(a[3]), int(a[2]), int(a[1]), int(a[0])), _mm_set1_epi8(32));
}

// Q2_K and Q3_K: 2-bit values (plus Q3_K's third bit from hmask) unpacked to unsigned bytes,
// 16 sub-block scales. Q2_K subtracts dmin·Σ min_j·bsum_j; Q3_K's (q - 4) is q·y minus 4·Σ sc·bsum.
template <int NX, bool Q3>
static void dot_q23_K_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX], accm[NX];
    for (int j = 0; j < NX; ++j) acc[j] = accm[j] = _mm256_setzero_ps();
    const BlockQ8_K* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<BlockQ8_K>(x, xs, j);
    const __m256i m3 = _mm256_set1_epi8(3), m1 = _mm256_set1_epi8(1);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* qs;
        float d;
        __m256i sc16, hbits = _mm256_setzero_si256();
        __m256i sumi[NX];
        if constexpr (Q3) {
            const auto* w = static_cast<const BlockQ3_K*>(wv) + b;
            prefetch_ahead(w, sizeof *w);
            qs = w->qs, d = _cvtsh_ss(w->d);
            hbits = load256(w->hmask);
            sc16 = _mm256_cvtepi8_epi16(unpack_scales_q3(w->scales));
            for (int j = 0; j < NX; ++j)
                sumi[j] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(sc16, load256(xr[j][b].bsums)), 2));
        } else {
            const auto* w = static_cast<const BlockQ2_K*>(wv) + b;
            prefetch_ahead(w, sizeof *w);
            qs = w->qs, d = _cvtsh_ss(w->d);
            const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w->scales));
            sc16 = _mm256_cvtepu8_epi16(_mm_and_si128(packed, _mm_set1_epi8(0xF)));
            const __m256i min16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0xF)));
            const float dmin = _cvtsh_ss(w->dmin);
            for (int j = 0; j < NX; ++j) {
                sumi[j] = _mm256_setzero_si256();
                const __m256 m = _mm256_cvtepi32_ps(_mm256_madd_epi16(min16, load256(xr[j][b].bsums)));
                accm[j] = _mm256_fmadd_ps(_mm256_set1_ps(dmin * xr[j][b].d), m, accm[j]);
            }
        }
        for (int half = 0; half < 2; ++half) {
            const __m256i bits = load256(qs + 32 * half);
            // Two immediates, not one chosen at run time: the sanitizers' builds do not fold `half`.
            const __m256i scw = half ? _mm256_permute2x128_si256(sc16, sc16, 0x11) : _mm256_permute2x128_si256(sc16, sc16, 0x00);
            for (int c = 0; c < 4; ++c) {
                __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * c), m3);
                if constexpr (Q3)
                    q = _mm256_or_si256(q, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 4 * half + c), m1), 2));
                const __m256i scv = chunk_scales(scw, c);
                for (int j = 0; j < NX; ++j) {
                    const __m256i y = load256(xr[j][b].qs + 128 * half + 32 * c);
                    sumi[j] = _mm256_add_epi32(sumi[j], _mm256_madd_epi16(_mm256_maddubs_epi16(q, y), scv));
                }
            }
        }
        for (int j = 0; j < NX; ++j) acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * xr[j][b].d), _mm256_cvtepi32_ps(sumi[j]), acc[j]);
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]) - hsum(accm[j]);
}

// IQ4_XS: nibbles looked up in the IQ4_NL grid, 8 sub-blocks of 32 with 6-bit scales.
template <int NX>
static void dot_iq4_xs_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX];
    for (int j = 0; j < NX; ++j) acc[j] = _mm256_setzero_ps();
    const BlockQ8_K* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<BlockQ8_K>(x, xs, j);
    const auto* w = static_cast<const BlockIQ4_XS*>(wv);
    const __m256i table = iq4nl_table();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        prefetch_ahead(w + b, sizeof *w);
        __m256i sumi[NX];
        for (int j = 0; j < NX; ++j) sumi[j] = _mm256_setzero_si256();
        for (int g = 0; g < QK_K / 32; ++g) {
            const __m256i q = _mm256_shuffle_epi8(table, unpack_nibbles(w[b].qs + 16 * g));
            const __m256i aq = _mm256_sign_epi8(q, q);
            const __m256i sc = _mm256_set1_epi16(short(iq4_xs_scale(w[b], g)));
            for (int j = 0; j < NX; ++j) {
                const __m256i sy = _mm256_sign_epi8(load256(xr[j][b].qs + 32 * g), q);
                sumi[j] = _mm256_add_epi32(sumi[j], _mm256_madd_epi16(_mm256_maddubs_epi16(aq, sy), sc));
            }
        }
        const float d = _cvtsh_ss(w[b].d);
        for (int j = 0; j < NX; ++j) acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * xr[j][b].d), _mm256_cvtepi32_ps(sumi[j]), acc[j]);
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]);
}

// ---- float weights ----

enum class FloatW { F32, F16, BF16 };

// 8 weights as floats.
template <FloatW T>
static inline __m256 load_w8(const void* w, int64_t i) {
    if constexpr (T == FloatW::F16)
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(w) + i)));
    else if constexpr (T == FloatW::BF16) // bf16 is the top half of an f32
        return _mm256_castsi256_ps(_mm256_slli_epi32(
            _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(w) + i))), 16));
    else
        return _mm256_loadu_ps(static_cast<const float*>(w) + i);
}

template <FloatW T>
static inline float load_w1(const void* w, int64_t i) {
    if constexpr (T == FloatW::F16)
        return _cvtsh_ss(static_cast<const uint16_t*>(w)[i]);
    else if constexpr (T == FloatW::BF16)
        return bf16_to_fp32(static_cast<const uint16_t*>(w)[i]);
    else
        return static_cast<const float*>(w)[i];
}

// s[j] = w · x_j for NX rows x_j at x + j * xs bytes; w[n] in type T, the rows in type TX
// (matmul: float rows of X against a weight row; attention: cache rows against a float q).
template <int NX, FloatW T, FloatW TX = FloatW::F32>
static void dot_float_nx(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX];
    for (int j = 0; j < NX; ++j) acc[j] = _mm256_setzero_ps();
    const void* xr[NX];
    for (int j = 0; j < NX; ++j) xr[j] = row_at<uint8_t>(x, xs, j);
    int64_t i = 0;
    constexpr size_t kWeightBytes = T == FloatW::F32 ? 4 : 2;
    for (; i + 8 <= n; i += 8) {
        if (i % 64 == 0) prefetch_ahead(static_cast<const uint8_t*>(wv) + i * kWeightBytes, 64 * kWeightBytes); // once per 64 weights
        const __m256 w = load_w8<T>(wv, i);
        for (int j = 0; j < NX; ++j) acc[j] = _mm256_fmadd_ps(w, load_w8<TX>(xr[j], i), acc[j]);
    }
    for (int j = 0; j < NX; ++j) {
        float t = hsum(acc[j]);
        for (int64_t k = i; k < n; ++k) t += load_w1<T>(wv, k) * load_w1<TX>(xr[j], k);
        s[j] = t;
    }
}

// Runs the NX-row template for nx = 1..kMaxNx, at most 4 rows at a time (16 ymm registers).
template <template <int> class K>
static void by_nx(int64_t n, const void* w, const void* x, size_t xs, int nx, float* s) {
    for (; nx > 4; nx -= 4, x = static_cast<const uint8_t*>(x) + 4 * xs, s += 4) K<4>::run(n, w, x, xs, s);
    switch (nx) {
    case 1: K<1>::run(n, w, x, xs, s); break;
    case 2: K<2>::run(n, w, x, xs, s); break;
    case 3: K<3>::run(n, w, x, xs, s); break;
    default: K<4>::run(n, w, x, xs, s); break;
    }
}
template <int NX>
struct Q4_0 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_signed_q8_0_nx<NX, BlockQ4_0>(n, w, x, xs, s); }
};
template <int NX>
struct Q5_0 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_signed_q8_0_nx<NX, BlockQ5_0>(n, w, x, xs, s); }
};
template <int NX>
struct Q8_0 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_signed_q8_0_nx<NX, BlockQ8_0>(n, w, x, xs, s); }
};
template <int NX>
struct IQ4_NL {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_signed_q8_0_nx<NX, BlockIQ4_NL>(n, w, x, xs, s); }
};
template <int NX>
struct Q4_1 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_min_q8_0_nx<NX, BlockQ4_1>(n, w, x, xs, s); }
};
template <int NX>
struct Q5_1 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_min_q8_0_nx<NX, BlockQ5_1>(n, w, x, xs, s); }
};
template <int NX>
struct Q2_K {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_q23_K_nx<NX, false>(n, w, x, xs, s); }
};
template <int NX>
struct Q3_K {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_q23_K_nx<NX, true>(n, w, x, xs, s); }
};
template <int NX>
struct IQ4_XS {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_iq4_xs_nx<NX>(n, w, x, xs, s); }
};
template <int NX>
struct Q4_K {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_q45_K_nx<NX, false>(n, w, x, xs, s); }
};
template <int NX>
struct Q5_K {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_q45_K_nx<NX, true>(n, w, x, xs, s); }
};
template <int NX>
struct Q6_K {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_q6_K_nx<NX>(n, w, x, xs, s); }
};
template <int NX>
struct F16 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_float_nx<NX, FloatW::F16>(n, w, x, xs, s); }
};
template <int NX>
struct BF16 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_float_nx<NX, FloatW::BF16>(n, w, x, xs, s); }
};
template <int NX>
struct F32 {
    static void run(int64_t n, const void* w, const void* x, size_t xs, float* s) { dot_float_nx<NX, FloatW::F32>(n, w, x, xs, s); }
};

// ---- attention over KV-cache rows ----

// 8 int8 values as floats.
static inline __m256 load_i8x8(const int8_t* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// s[j] = q · k_j for NX rows of Q8_0 blocks k_j at k + j * ks bytes, q[n] floats: each
// block of q is loaded once for all NX rows.
template <int NX>
static void dot_q8_0_keys_nx(int64_t n, const void* qv, const void* k, size_t ks, float* s) {
    const float* q = static_cast<const float*>(qv);
    __m256 acc[NX];
    for (int j = 0; j < NX; ++j) acc[j] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK; ++b, q += QK) {
        const __m256 q0 = _mm256_loadu_ps(q), q1 = _mm256_loadu_ps(q + 8), q2 = _mm256_loadu_ps(q + 16), q3 = _mm256_loadu_ps(q + 24);
        for (int j = 0; j < NX; ++j) {
            const BlockQ8_0& blk = row_at<BlockQ8_0>(k, ks, j)[b];
            __m256 sb = _mm256_mul_ps(load_i8x8(blk.qs), q0);
            sb = _mm256_fmadd_ps(load_i8x8(blk.qs + 8), q1, sb);
            sb = _mm256_fmadd_ps(load_i8x8(blk.qs + 16), q2, sb);
            sb = _mm256_fmadd_ps(load_i8x8(blk.qs + 24), q3, sb);
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(blk.d)), sb, acc[j]);
        }
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]);
}

template <int NX>
struct KeysF32 {
    static void run(int64_t n, const void* q, const void* k, size_t ks, float* s) {
        dot_float_nx<NX, FloatW::F32, FloatW::F32>(n, q, k, ks, s);
    }
};
template <int NX>
struct KeysF16 {
    static void run(int64_t n, const void* q, const void* k, size_t ks, float* s) {
        dot_float_nx<NX, FloatW::F32, FloatW::F16>(n, q, k, ks, s);
    }
};
template <int NX>
struct KeysQ8_0 {
    static void run(int64_t n, const void* q, const void* k, size_t ks, float* s) { dot_q8_0_keys_nx<NX>(n, q, k, ks, s); }
};

// scores[j] = q · row_j, four rows per pass (n_rows is at most a context, well within int).
template <template <int> class K>
static void dot_rows(const uint8_t* rows, size_t stride, size_t n_rows, const float* q, size_t hd, float* scores) {
    if (n_rows > 0) by_nx<K>(int64_t(hd), q, rows, stride, int(n_rows), scores);
}

// out[i0 .. i0 + 8V) += Σ_j w[j] row_j[i0 .. i0 + 8V): the V vectors of out stay in
// registers while the rows go by.
template <int V, FloatW T>
static void axpy_rows_float_v(const uint8_t* rows, size_t stride, size_t n_rows, const float* w, size_t i0, float* out) {
    __m256 acc[V];
    for (int v = 0; v < V; ++v) acc[v] = _mm256_loadu_ps(out + i0 + 8 * v);
    for (size_t j = 0; j < n_rows; ++j) {
        const __m256 wj = _mm256_set1_ps(w[j]);
        for (int v = 0; v < V; ++v) acc[v] = _mm256_fmadd_ps(wj, load_w8<T>(rows + j * stride, int64_t(i0 + 8 * v)), acc[v]);
    }
    for (int v = 0; v < V; ++v) _mm256_storeu_ps(out + i0 + 8 * v, acc[v]);
}

// out[hd] += Σ_j w[j] row_j over float or F16 rows: 64 outputs at a time, then 8, then one.
template <FloatW T>
static void axpy_rows_float(const uint8_t* rows, size_t stride, size_t n_rows, const float* w, size_t hd, float* out) {
    size_t i = 0;
    for (; i + 64 <= hd; i += 64) axpy_rows_float_v<8, T>(rows, stride, n_rows, w, i, out);
    for (; i + 8 <= hd; i += 8) axpy_rows_float_v<1, T>(rows, stride, n_rows, w, i, out);
    for (; i < hd; ++i)
        for (size_t j = 0; j < n_rows; ++j) out[i] += w[j] * load_w1<T>(rows + j * stride, int64_t(i));
}

// out[32 b0 .. 32 (b0 + NB)) += Σ_j w[j] row_j over those NB Q8_0 blocks of each row.
template <int NB>
static void axpy_rows_q8_0_nb(const uint8_t* rows, size_t stride, size_t n_rows, const float* w, size_t b0, float* out) {
    out += b0 * QK;
    __m256 acc[4 * NB];
    for (int v = 0; v < 4 * NB; ++v) acc[v] = _mm256_loadu_ps(out + 8 * v);
    for (size_t j = 0; j < n_rows; ++j) {
        const BlockQ8_0* blk = row_at<BlockQ8_0>(rows, stride, int(j)) + b0;
        for (int b = 0; b < NB; ++b) {
            const __m256 a = _mm256_set1_ps(w[j] * _cvtsh_ss(blk[b].d));
            for (int q = 0; q < 4; ++q) acc[4 * b + q] = _mm256_fmadd_ps(a, load_i8x8(blk[b].qs + 8 * q), acc[4 * b + q]);
        }
    }
    for (int v = 0; v < 4 * NB; ++v) _mm256_storeu_ps(out + 8 * v, acc[v]);
}

static void axpy_rows_q8_0(const uint8_t* rows, size_t stride, size_t n_rows, const float* w, size_t hd, float* out) {
    const size_t nb = hd / QK;
    size_t b = 0;
    for (; b + 2 <= nb; b += 2) axpy_rows_q8_0_nb<2>(rows, stride, n_rows, w, b, out);
    if (b < nb) axpy_rows_q8_0_nb<1>(rows, stride, n_rows, w, b, out);
}

// ---- activations ----

static void quantize_q8_0(const float* x, void* yv, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(yv);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        __m256 v[4];
        __m256 amax = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, v[k]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float d = _mm_cvtss_f32(m) / 127.f;
        y[b].d = fp32_to_fp16(d);
        const __m256 id = _mm256_set1_ps(d ? 1.0f / d : 0.0f);
        __m256i i[4];
        for (int k = 0; k < 4; ++k)
            i[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[k], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        // packs works within 128-bit lanes: restore element order with a permute.
        const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i[0], i[1]), _mm256_packs_epi32(i[2], i[3]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[b].qs), _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    }
}

static void fp16_to_fp32_row(const uint16_t* x, float* y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))));
    for (; i < n; ++i) y[i] = _cvtsh_ss(x[i]);
}

static void fp32_to_fp16_row(const float* x, uint16_t* y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) y[i] = fp32_to_fp16(x[i]);
}

static float dot_f32(const float* a, const float* b, size_t n) {
    float s;
    dot_float_nx<1, FloatW::F32>(int64_t(n), a, b, 0, &s);
    return s;
}

static float dot_f16(const uint16_t* a, const float* b, size_t n) {
    float s;
    dot_float_nx<1, FloatW::F16>(int64_t(n), a, b, 0, &s);
    return s;
}

static float dot_q8_0(const void* a, const float* b, size_t n) {
    float s;
    dot_q8_0_keys_nx<1>(int64_t(n), b, a, 0, &s);
    return s;
}

// y[n] += alpha x: one row of the row kernels.
static void axpy_f32(float alpha, const float* x, float* y, size_t n) {
    axpy_rows_float<FloatW::F32>(reinterpret_cast<const uint8_t*>(x), 0, 1, &alpha, n, y);
}

static void axpy_f16(float alpha, const uint16_t* x, float* y, size_t n) {
    axpy_rows_float<FloatW::F16>(reinterpret_cast<const uint8_t*>(x), 0, 1, &alpha, n, y);
}

static void axpy_q8_0(float alpha, const void* x, float* y, size_t n) {
    axpy_rows_q8_0(static_cast<const uint8_t*>(x), 0, 1, &alpha, n, y);
}

static __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 fx =
        _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 p = _mm256_set1_ps(1.9875691500E-4f);
    p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.3981999507E-3f));
    p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(8.3334519073E-3f));
    p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(4.1665795894E-2f));
    p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.6666665459E-1f));
    p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(5.0000001201E-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

static inline __m256 silu8(__m256 x) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

static inline __m256 gelu8(__m256 x) {
    // 0.5 x (1 + tanh(u)) = x - x / (exp(2u) + 1)
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 u = _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.7978845608028654f)),
                                   _mm256_fmadd_ps(x2, _mm256_set1_ps(0.044715f), _mm256_set1_ps(1.0f)));
    const __m256 e = exp8(_mm256_add_ps(u, u));
    return _mm256_sub_ps(x, _mm256_div_ps(x, _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
}

static void silu(float* x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, silu8(_mm256_loadu_ps(x + i)));
    for (; i < n; ++i) x[i] = x[i] / (1.0f + std::exp(-x[i]));
}

static void swiglu(float* y, const float* gate, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), silu8(_mm256_loadu_ps(gate + i))));
    for (; i < n; ++i) y[i] *= gate[i] / (1.0f + std::exp(-gate[i]));
}

static void gelu(float* x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, gelu8(_mm256_loadu_ps(x + i)));
    for (; i < n; ++i) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + std::tanh(0.7978845608028654f * v * (1.0f + 0.044715f * v * v)));
    }
}

static void softmax(float* x, size_t n) {
    if (n == 0) return;
    float max = x[0];
    for (size_t i = 1; i < n; ++i) max = std::max(max, x[i]);
    const __m256 vmax = _mm256_set1_ps(max);
    __m256 vsum = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(x + i, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum(vsum);
    for (; i < n; ++i) sum += x[i] = std::exp(x[i] - max);
    const float inv = 1.0f / sum;
    const __m256 vinv = _mm256_set1_ps(inv);
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vinv));
    for (; i < n; ++i) x[i] *= inv;
}

void fill_table(KernelTable& t) {
    t.isa = Isa::Avx2;
    t.dot[int(GgmlType::F32)] = by_nx<F32>;
    t.dot[int(GgmlType::F16)] = by_nx<F16>;
    t.dot[int(GgmlType::BF16)] = by_nx<BF16>;
    t.dot[int(GgmlType::Q4_0)] = by_nx<Q4_0>;
    t.dot[int(GgmlType::Q4_1)] = by_nx<Q4_1>;
    t.dot[int(GgmlType::Q5_0)] = by_nx<Q5_0>;
    t.dot[int(GgmlType::Q5_1)] = by_nx<Q5_1>;
    t.dot[int(GgmlType::Q8_0)] = by_nx<Q8_0>;
    t.dot[int(GgmlType::IQ4_NL)] = by_nx<IQ4_NL>;
    t.dot[int(GgmlType::Q2_K)] = by_nx<Q2_K>;
    t.dot[int(GgmlType::Q3_K)] = by_nx<Q3_K>;
    t.dot[int(GgmlType::IQ4_XS)] = by_nx<IQ4_XS>;
    t.dot[int(GgmlType::Q4_K)] = by_nx<Q4_K>;
    t.dot[int(GgmlType::Q5_K)] = by_nx<Q5_K>;
    t.dot[int(GgmlType::Q6_K)] = by_nx<Q6_K>;
    t.quantize_q8_0 = quantize_q8_0;
    t.fp16_to_fp32 = fp16_to_fp32_row;
    t.fp32_to_fp16 = fp32_to_fp16_row;
    t.dot_f32 = dot_f32;
    t.dot_f16 = dot_f16;
    t.dot_q8_0 = dot_q8_0;
    t.axpy_f32 = axpy_f32;
    t.axpy_f16 = axpy_f16;
    t.axpy_q8_0 = axpy_q8_0;
    t.dot_rows_f32 = dot_rows<KeysF32>;
    t.dot_rows_f16 = dot_rows<KeysF16>;
    t.dot_rows_q8_0 = dot_rows<KeysQ8_0>;
    t.axpy_rows_f32 = axpy_rows_float<FloatW::F32>;
    t.axpy_rows_f16 = axpy_rows_float<FloatW::F16>;
    t.axpy_rows_q8_0 = axpy_rows_q8_0;
    t.softmax = softmax;
    t.silu = silu;
    t.swiglu = swiglu;
    t.gelu = gelu;
    t.sgemm = sgemm_blocked<8>;
}

} // namespace kmlm::avx2

namespace kmlm {

const KernelTable* avx2_kernel_table() {
    static const KernelTable table = [] {
        KernelTable t = scalar_kernel_table();
        avx2::fill_table(t);
        return t;
    }();
    return &table;
}

} // namespace kmlm
