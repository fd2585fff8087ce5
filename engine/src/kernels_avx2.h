// Internal: pieces of the AVX2 kernels that the AVX-512 table reuses (both files are built
// with AVX2 enabled; include only from *_avx2.cpp / *_avx512.cpp).
#pragma once
#include "kernels_impl.h"

#include <immintrin.h>

namespace kmlm::avx2 {

// Fills t with the AVX2 kernels (t starts as the scalar table).
void fill_table(KernelTable& t);
// exp(x) for 8 floats, about 2 ulp.
__m256 exp8(__m256 x);

} // namespace kmlm::avx2
