// AVX-512 build of the GRU GEMM.
#include "gru_kernels.h"
#include "gru_kernels_impl.h"

namespace kmlm::gru {
extern const Kernels kKernelsAvx512;
const Kernels kKernelsAvx512{"avx512", &gemm_impl};
} // namespace kmlm::gru
