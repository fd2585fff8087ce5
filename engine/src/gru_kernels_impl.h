// Internal: the GEMM body, compiled once per instruction set (see gru_kernels*.cpp).
// Register-blocked: an MR x NR tile of C stays in registers while k runs over K.
#pragma once

namespace {

constexpr int kNR = 32;

template <int MR>
inline void tile(int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    float acc[MR][kNR] = {};
    for (int k = 0; k < K; ++k) {
        const float* b = B + long(k) * ldb;
        for (int r = 0; r < MR; ++r) {
            const float a = A[long(r) * lda + k];
            for (int c = 0; c < kNR; ++c) acc[r][c] += a * b[c];
        }
    }
    for (int r = 0; r < MR; ++r)
        for (int c = 0; c < kNR; ++c) C[long(r) * ldc + c] += acc[r][c];
}

void gemm_impl(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    const int n_full = N - N % kNR;
    for (int j = 0; j < n_full; j += kNR) {
        int i = 0;
        for (; i + 4 <= M; i += 4) tile<4>(K, A + long(i) * lda, lda, B + j, ldb, C + long(i) * ldc + j, ldc);
        for (; i < M; ++i) tile<1>(K, A + long(i) * lda, lda, B + j, ldb, C + long(i) * ldc + j, ldc);
    }
    if (n_full == N) return;
    for (int i = 0; i < M; ++i) // the last N % kNR columns
        for (int k = 0; k < K; ++k) {
            const float a = A[long(i) * lda + k];
            const float* b = B + long(k) * ldb;
            float* c = C + long(i) * ldc;
            for (int j = n_full; j < N; ++j) c[j] += a * b[j];
        }
}

} // namespace
