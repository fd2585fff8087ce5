// Internal: one table of kernel functions per instruction set, chosen once at startup
// (kernels.cpp). An ISA's table starts as a copy of the scalar one and replaces what it
// has faster versions of.
#pragma once
#include "kmlm/ggml_type.h"
#include "kmlm/kernels.h"

#include <cstddef>
#include <cstdint>

namespace kmlm {

// Activation rows handled per weight row by one dot call (weights decoded once for all).
constexpr int kMaxNx = 8;
constexpr int kTypeSlots = 32;

// Generation reads each weight once, from memory rather than cache. The dot kernels ask for
// the lines this far ahead of the block they decode; the hardware prefetcher alone left them
// waiting on memory between blocks (Q4_0 generation at 55% of the bandwidth bound). The hint
// asks for L2 only (prefetcht2). Against prefetcht0 2048 bytes ahead (the best distance for
// it of 512-8192), prefetcht2 gave Q4_0 generation 1.08x at 2048 bytes and 1.12x at 4096 in
// an alternated `kmlm bench`; 6144 was no better. Why L2 beats L1 here is not measured.
constexpr uintptr_t kPrefetchBytes = 4096;
inline void prefetch_ahead(const void* block, size_t bytes) {
    // Integer arithmetic: the address may lie past the end of the weights, and a prefetch
    // of it never faults.
    const uintptr_t at = reinterpret_cast<uintptr_t>(block) + kPrefetchBytes;
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(reinterpret_cast<const void*>(at + o), 0, 1); // 1: prefetcht2
}

// How the rows of X are prepared for a weight type's dot kernel.
enum class ActFormat : uint8_t {
    F32,  // as they are
    Q8_0, // ggml's Q8_0 blocks
    Q8_K, // ggml's Q8_K blocks (K-quant weights)
    Q8_S, // split Q8: int8 qs[n], then float d[n/32], then float s[n/32] = d·Σqs of the block
          // (contiguous values for 512-bit loads, sums for the unsigned-weight correction)
};
// Bytes of one prepared row of n elements.
size_t act_row_bytes(ActFormat f, uint64_t n);

// s[j] = W_row · X_j for j < nx: w is one weight row of n elements, X_j is the prepared
// activation row at x + j * x_stride bytes (KernelTable::act of the weight type).
using DotFn = void (*)(int64_t n, const void* w, const void* x, size_t x_stride, int nx, float* s);
// C[M, N] += A[M, K] · B[K, N], one thread (sgemm_impl.h; kmlm::sgemm splits it over a pool).
using SgemmFn = void (*)(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);

// Attention over a stretch of KV-cache rows (see dot_rows / axpy_rows in kmlm/kernels.h):
// row j at rows + j * stride bytes, hd elements each.
using DotRowsFn = void (*)(const uint8_t* rows, size_t stride, size_t n_rows, const float* q, size_t hd, float* scores);
using AxpyRowsFn = void (*)(const uint8_t* rows, size_t stride, size_t n_rows, const float* w, size_t hd, float* out);

struct KernelTable {
    Isa isa = Isa::Scalar;
    DotFn dot[kTypeSlots] = {};     // by ggml type id; null: no kernel
    ActFormat act[kTypeSlots] = {}; // what dot[type] wants X as
    void (*quantize_q8_0)(const float* x, void* y, int64_t n) = nullptr;
    void (*quantize_q8_K)(const float* x, void* y, int64_t n) = nullptr;
    void (*quantize_q8_s)(const float* x, void* y, int64_t n) = nullptr;
    void (*fp16_to_fp32)(const uint16_t* x, float* y, size_t n) = nullptr;
    void (*fp32_to_fp16)(const float* x, uint16_t* y, size_t n) = nullptr;
    float (*dot_f32)(const float* a, const float* b, size_t n) = nullptr;
    float (*dot_f16)(const uint16_t* a, const float* b, size_t n) = nullptr;
    float (*dot_q8_0)(const void* a, const float* b, size_t n) = nullptr;
    void (*axpy_f32)(float alpha, const float* x, float* y, size_t n) = nullptr;
    void (*axpy_f16)(float alpha, const uint16_t* x, float* y, size_t n) = nullptr;
    void (*axpy_q8_0)(float alpha, const void* x, float* y, size_t n) = nullptr;
    DotRowsFn dot_rows_f32 = nullptr, dot_rows_f16 = nullptr, dot_rows_q8_0 = nullptr;
    AxpyRowsFn axpy_rows_f32 = nullptr, axpy_rows_f16 = nullptr, axpy_rows_q8_0 = nullptr;
    void (*softmax)(float* x, size_t n) = nullptr;
    void (*silu)(float* x, size_t n) = nullptr;
    void (*swiglu)(float* y, const float* gate, size_t n) = nullptr;
    void (*gelu)(float* x, size_t n) = nullptr;
    SgemmFn sgemm = nullptr;
};

const KernelTable& scalar_kernel_table();
// Null when the compiler could not build them.
const KernelTable* avx2_kernel_table();
const KernelTable* avx512_kernel_table();
// The table in use (see set_isa / $KMLM_ISA).
const KernelTable& active_kernels();

} // namespace kmlm
