// Compute kernels of the decoder: matrix products straight on quantized weight blocks, and
// the vectorised float helpers around them. SIMD code is picked once at run time from the
// CPU (scalar, AVX2+FMA+F16C, AVX-512 VNNI); every kernel has a portable scalar reference.
#pragma once
#include "kmlm/ggml_type.h"

#include <cstddef>
#include <cstdint>

namespace kmlm {

class ThreadPool;

enum class Isa { Scalar, Avx2, Avx512 };

// The instruction set the kernels use: the best the CPU has, or $KMLM_ISA
// (scalar/avx2/avx512) when that asks for less.
Isa active_isa();
const char* isa_name(Isa isa);
// Switches the kernels (tests and benchmarks). Returns false, changing nothing, when the CPU
// lacks the instruction set or it was not compiled in. Not thread-safe against running kernels.
bool set_isa(Isa isa);

// True when matmul() has a kernel for weights of this type.
bool has_matmul(GgmlType type);

// Y[m][rows] = X[m][n] · Wᵀ
//   W: rows × n in `type`'s block layout, row_bytes(type, n) bytes per row
//   X: m × n floats, Y: m × rows floats (must not overlap X)
// Rows of W are split over the pool's threads; X is first quantized to 8-bit blocks (Q8_0
// for the 32-element types, Q8_K for the K-quants) so the inner loops are integer dot
// products, and each weight block is used for several rows of X at once.
// Throws InvalidArgument for a type without kernel, FormatError when n is not whole blocks.
void matmul(ThreadPool& pool, GgmlType type, const void* w, uint64_t rows, uint64_t n, const float* x, uint64_t m, float* y);
// y[rows] = W[rows × n] · x[n]
inline void matvec(ThreadPool& pool, GgmlType type, const void* w, uint64_t rows, uint64_t n, const float* x, float* y) {
    matmul(pool, type, w, rows, n, x, 1, y);
}

// C[M, N] += A[M, K] · B[K, N]: dense floats, row-major, leading dimensions in elements (the
// GRU's products). pool may be null (one thread); with one, rows (or columns when M is small)
// are cut into one fixed range per thread, and the result is the same for any thread count.
void sgemm(ThreadPool* pool, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);
// dst[cols, rows] = src[rows, cols]ᵀ
void transpose(const float* src, int rows, int cols, float* dst);

// Attention over KV-cache rows.
float dot_f32(const float* a, const float* b, size_t n);        // Σ a[i] b[i]
float dot_f16(const uint16_t* a, const float* b, size_t n);     // a: fp16 bits
float dot_q8_0(const void* a, const float* b, size_t n);        // a: n/32 Q8_0 blocks
void axpy_f32(float alpha, const float* x, float* y, size_t n); // y[i] += alpha x[i]
void axpy_f16(float alpha, const uint16_t* x, float* y, size_t n);
void axpy_q8_0(float alpha, const void* x, float* y, size_t n); // x: n/32 Q8_0 blocks

// The same over a stretch of cache rows of one head, several keys per pass (the SIMD tables
// keep q, or a slice of out, in registers while the rows go by):
//   row j (j < n_rows) at rows + j * stride bytes: head_dim elements of `type`, which is
//   F32, F16 or Q8_0 (head_dim a multiple of 32 for Q8_0); InvalidArgument for another type.
// scores[j] = row_j · q                          q: head_dim floats, scores: n_rows floats
void dot_rows(GgmlType type, const void* rows, size_t stride, size_t n_rows, const float* q, size_t head_dim, float* scores);
// out[head_dim] += Σ_j weights[j] · row_j        weights: n_rows floats
void axpy_rows(GgmlType type, const void* rows, size_t stride, size_t n_rows, const float* weights, size_t head_dim, float* out);

// out[n] = x / sqrt(mean(x²) + eps) * w                 (w may be null: no weight)
void rms_norm(const float* x, const float* w, float* out, size_t n, float eps);
// out[n] = (x - mean) / sqrt(var + eps) * w + b          (w, b may be null)
void layer_norm(const float* x, const float* w, const float* b, float* out, size_t n, float eps);
// x[n] = exp(x - max) / Σ exp(x - max)
void softmax(float* x, size_t n);
// x[n] = x * sigmoid(x)
void silu(float* x, size_t n);
// y[n] *= silu(gate[n])                                 (SwiGLU feed-forward)
void swiglu(float* y, const float* gate, size_t n);
// x[n] = gelu(x), the tanh approximation (ggml, GPT-NeoX)
void gelu(float* x, size_t n);
// Rotates the first n_rot dims of one head x[head_dim] by angles with cos/sin [n_rot/2].
// neox = false: pairs (2i, 2i+1); neox = true: pairs (i, i + n_rot/2).
void rope_rotate(float* x, size_t n_rot, bool neox, const float* cos, const float* sin);

} // namespace kmlm
