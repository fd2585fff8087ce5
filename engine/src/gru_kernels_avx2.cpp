// AVX2 + FMA build of the GRU GEMM.
#include "gru_kernels.h"
#include "gru_kernels_impl.h"

namespace kmlm::gru {
extern const Kernels kKernelsAvx2;
const Kernels kKernelsAvx2{"avx2", &gemm_impl};
} // namespace kmlm::gru
