// Internal: the AVX2 table, which the AVX-512 table starts from (include only from
// *_avx2.cpp / *_avx512.cpp, which are built with AVX2 enabled).
#pragma once
#include "kernels_impl.h"

#include <immintrin.h>

#include <cstring>

namespace kmlm::avx2 {

// Shared with the AVX-512 kernels of the same blocks.

// The 8 six-bit scales (bytes 0..7) and mins (bytes 8..15) of a Q4_K/Q5_K block. Built in
// registers: loading bytes just stored as words would stall on store forwarding every block.
inline __m128i unpack_scales_k4(const uint8_t* scales) {
    constexpr uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
    uint32_t u[3];
    std::memcpy(u, scales, 12);
    const uint32_t sc47 = (u[2] & kmask2) | (((u[0] >> 6) & kmask3) << 4);
    const uint32_t min47 = ((u[2] >> 4) & kmask2) | (((u[1] >> 6) & kmask3) << 4);
    return _mm_set_epi32(int(min47), int(u[1] & kmask1), int(sc47), int(u[0] & kmask1));
}

// Σ_j min16[j] · (bsums[2j] + bsums[2j+1]) as 4 int32 (min16: the 8 mins as words).
inline __m128i mins_dot_bsums(__m128i min16, const int16_t* bsums) {
    const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums));
    const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums + 8));
    return _mm_madd_epi16(min16, _mm_hadd_epi16(b0, b1));
}

// Fills t with the AVX2 kernels (t starts as the scalar table).
void fill_table(KernelTable& t);

} // namespace kmlm::avx2
