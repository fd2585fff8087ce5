// GRU kernels: run-time choice of the instruction set, transpose, threaded GEMM.
#include "gru_kernels.h"
#include "gru_kernels_impl.h"

#include "kmlm/kernels.h"

#include <algorithm>

namespace kmlm::gru {

extern const Kernels kKernelsAvx2;
extern const Kernels kKernelsAvx512;
namespace {
const Kernels kKernelsGeneric{"generic", &gemm_impl};
}

// Follows the engine's choice (cpu features capped by $KMLM_ISA): its AVX-512 level needs
// everything the GRU's AVX-512 file is built with, and its AVX2 level FMA too.
const Kernels& kernels() {
    switch (active_isa()) {
    case Isa::Avx512: return kKernelsAvx512;
    case Isa::Avx2: return kKernelsAvx2;
    case Isa::Scalar: break;
    }
    return kKernelsGeneric;
}

void transpose(const float* src, int rows, int cols, float* dst) {
    constexpr int kB = 32; // blocked so both sides stay in cache
    for (int i0 = 0; i0 < rows; i0 += kB)
        for (int j0 = 0; j0 < cols; j0 += kB)
            for (int i = i0; i < std::min(rows, i0 + kB); ++i)
                for (int j = j0; j < std::min(cols, j0 + kB); ++j) dst[long(j) * rows + i] = src[long(i) * cols + j];
}

void gemm(ThreadPool* pool, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    const GemmFn fn = kernels().gemm;
    const int n_threads = pool ? pool->size() : 1;
    const long work = long(M) * N * K;
    if (n_threads == 1 || work < 200'000) return fn(M, N, K, A, lda, B, ldb, C, ldc);
    // Split the longer side into one range per thread, on tile boundaries.
    if (M >= 8 * n_threads) {
        const int step = (M / n_threads + 3) / 4 * 4;
        pool->parallel_for(size_t(n_threads), [&](size_t task, int) {
            const int t = int(task);
            const int i0 = std::min(M, t * step), i1 = std::min(M, i0 + step);
            if (i1 > i0) fn(i1 - i0, N, K, A + long(i0) * lda, lda, B, ldb, C + long(i0) * ldc, ldc);
        });
    } else {
        const int step = (N / n_threads + kNR - 1) / kNR * kNR;
        pool->parallel_for(size_t(n_threads), [&](size_t task, int) {
            const int t = int(task);
            const int j0 = std::min(N, t * step), j1 = std::min(N, j0 + step);
            if (j1 > j0) fn(M, j1 - j0, K, A, lda, B + j0, ldb, C + j0, ldc);
        });
    }
}

} // namespace kmlm::gru
