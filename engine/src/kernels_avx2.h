// Internal: the AVX2 table, which the AVX-512 table starts from (include only from
// *_avx2.cpp / *_avx512.cpp, which are built with AVX2 enabled).
#pragma once
#include "kernels_impl.h"

namespace kmlm::avx2 {

// Fills t with the AVX2 kernels (t starts as the scalar table).
void fill_table(KernelTable& t);

} // namespace kmlm::avx2
