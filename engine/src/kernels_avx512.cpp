// AVX-512 (VL, BW, VNNI) kernels: the AVX2 table with the 32-element block products moved
// to vpdpbusd, which multiplies u8 × s8 and accumulates into int32 in one instruction.
#include "kernels_avx2.h"

#include "kmlm/quant.h"
#include "quant_blocks.h"

#include <immintrin.h>

// The build gives *_avx512.cpp AVX-512 F/BW/VL/DQ; VNNI is enabled here for this file only
// (the dispatcher checks the CPU for it).
#pragma GCC target("avx512vnni")

namespace kmlm::avx512 {
namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Q4_0 / Q8_0 weights × Q8_0 activations for NX rows.
template <int NX, bool Q8> void dot_q_q8_0(int64_t n, const void* wv, const void* x, size_t xs, float* s) {
    __m256 acc[NX];
    const BlockQ8_0* xr[NX];
    for (int j = 0; j < NX; ++j) {
        acc[j] = _mm256_setzero_ps();
        xr[j] = reinterpret_cast<const BlockQ8_0*>(static_cast<const uint8_t*>(x) + j * xs);
    }
    const __m256i m4 = _mm256_set1_epi8(0x0F), eight = _mm256_set1_epi8(8);
    for (int64_t b = 0; b < n / QK; ++b) {
        __m256i q;
        float dw;
        if constexpr (Q8) {
            const auto* w = static_cast<const BlockQ8_0*>(wv) + b;
            q = load256(w->qs);
            dw = _cvtsh_ss(w->d);
        } else {
            const auto* w = static_cast<const BlockQ4_0*>(wv) + b;
            const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w->qs));
            q = _mm256_sub_epi8(_mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), m4), eight);
            dw = _cvtsh_ss(w->d);
        }
        const __m256i aq = _mm256_abs_epi8(q);
        for (int j = 0; j < NX; ++j) {
            const __m256i y = _mm256_sign_epi8(load256(xr[j][b].qs), q);
            const __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), aq, y);
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(dw * _cvtsh_ss(xr[j][b].d)), _mm256_cvtepi32_ps(p), acc[j]);
        }
    }
    for (int j = 0; j < NX; ++j) s[j] = hsum(acc[j]);
}

template <bool Q8> void dot_nx(int64_t n, const void* w, const void* x, size_t xs, int nx, float* s) {
    switch (nx) {
    case 1: dot_q_q8_0<1, Q8>(n, w, x, xs, s); break;
    case 2: dot_q_q8_0<2, Q8>(n, w, x, xs, s); break;
    case 3: dot_q_q8_0<3, Q8>(n, w, x, xs, s); break;
    default: dot_q_q8_0<4, Q8>(n, w, x, xs, s); break;
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
        t.dot[int(GgmlType::Q4_0)] = avx512::dot_nx<false>;
        t.dot[int(GgmlType::Q8_0)] = avx512::dot_nx<true>;
        return t;
    }();
    return &table;
}

} // namespace kmlm
