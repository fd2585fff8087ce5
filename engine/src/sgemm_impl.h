// Internal: the float GEMM body C[M, N] += A[M, K] · B[K, N] (row-major, leading dimensions
// in elements), compiled once per instruction set: kernels_scalar.cpp, kernels_avx2.cpp and
// kernels_avx512.cpp include it, and the compiler vectorises it with each file's flags.
// Register-blocked: an MR x NR tile of C stays in registers while k runs over K. Every
// element of C sums its K products in the same order whatever the tile, so a block of rows
// gives the same result as the whole product.
#pragma once

namespace kmlm {
namespace {

constexpr int kSgemmNR = 32;

template <int MR>
inline void sgemm_tile(int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    float acc[MR][kSgemmNR] = {};
    for (int k = 0; k < K; ++k) {
        const float* b = B + long(k) * ldb;
        for (int r = 0; r < MR; ++r) {
            const float a = A[long(r) * lda + k];
            for (int c = 0; c < kSgemmNR; ++c) acc[r][c] += a * b[c];
        }
    }
    for (int r = 0; r < MR; ++r)
        for (int c = 0; c < kSgemmNR; ++c) C[long(r) * ldc + c] += acc[r][c];
}

// MR: rows of the main tile. 8 x 32 floats fill half the AVX-512 registers (and all 16 of
// AVX2's, with the compiler's scheduling still ahead of 4 x 32: 1.3-1.8x on the GRU's and the
// attention's shapes, one thread); SSE2 (the scalar build) spills at 8 and keeps 4.
template <int MR>
void sgemm_blocked(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    const int n_full = N - N % kSgemmNR;
    for (int j = 0; j < n_full; j += kSgemmNR) {
        int i = 0;
        for (; i + MR <= M; i += MR) sgemm_tile<MR>(K, A + long(i) * lda, lda, B + j, ldb, C + long(i) * ldc + j, ldc);
        if constexpr (MR > 4)
            for (; i + 4 <= M; i += 4) sgemm_tile<4>(K, A + long(i) * lda, lda, B + j, ldb, C + long(i) * ldc + j, ldc);
        for (; i < M; ++i) sgemm_tile<1>(K, A + long(i) * lda, lda, B + j, ldb, C + long(i) * ldc + j, ldc);
    }
    if (n_full == N) return;
    for (int i = 0; i < M; ++i) // the last N % kSgemmNR columns
        for (int k = 0; k < K; ++k) {
            const float a = A[long(i) * lda + k];
            const float* b = B + long(k) * ldb;
            float* c = C + long(i) * ldc;
            for (int j = n_full; j < N; ++j) c[j] += a * b[j];
        }
}

} // namespace
} // namespace kmlm
