// Internal: the dense float kernels of the GRU (inference and training) and its thread pool.
// The kernels come in generic, AVX2 and AVX-512 builds (gru_kernels_impl.h compiled three
// times); the best one the CPU supports is chosen at run time.
#pragma once
#include "kmlm/threadpool.h"
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace kmlm::gru {


// C[M, N] += A[M, K] · B[K, N], row-major with leading dimensions (elements).
using GemmFn = void (*)(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);

struct Kernels {
    const char* name;
    GemmFn gemm;
};
const Kernels& kernels(); // the best for this CPU

// dst[cols, rows] = src[rows, cols]ᵀ
void transpose(const float* src, int rows, int cols, float* dst);

// The engine's thread pool. Tasks write disjoint outputs over fixed ranges, so which
// thread runs one never changes a result.
using ThreadPool = kmlm::ThreadPool;

// C += A·B split over the pool by blocks of rows (or columns when M is small).
void gemm(ThreadPool* pool, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);

} // namespace kmlm::gru
