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
constexpr int kMaxNx = 4;
constexpr int kTypeSlots = 32;

// s[j] = W_row · X_j for j < nx: w is one weight row of n elements, X_j is the activation
// row at x + j * x_stride bytes, in activation_type(weight type).
using DotFn = void (*)(int64_t n, const void* w, const void* x, size_t x_stride, int nx, float* s);

struct KernelTable {
    Isa isa = Isa::Scalar;
    DotFn dot[kTypeSlots] = {}; // by ggml type id; null: no kernel
    void (*quantize_q8_0)(const float* x, void* y, int64_t n) = nullptr;
    void (*quantize_q8_K)(const float* x, void* y, int64_t n) = nullptr;
    void (*fp16_to_fp32)(const uint16_t* x, float* y, size_t n) = nullptr;
    void (*fp32_to_fp16)(const float* x, uint16_t* y, size_t n) = nullptr;
    float (*dot_f32)(const float* a, const float* b, size_t n) = nullptr;
    float (*dot_f16)(const uint16_t* a, const float* b, size_t n) = nullptr;
    float (*dot_q8_0)(const void* a, const float* b, size_t n) = nullptr;
    void (*axpy_f32)(float alpha, const float* x, float* y, size_t n) = nullptr;
    void (*axpy_f16)(float alpha, const uint16_t* x, float* y, size_t n) = nullptr;
    void (*axpy_q8_0)(float alpha, const void* x, float* y, size_t n) = nullptr;
    void (*softmax)(float* x, size_t n) = nullptr;
    void (*silu)(float* x, size_t n) = nullptr;
    void (*swiglu)(float* y, const float* gate, size_t n) = nullptr;
    void (*gelu)(float* x, size_t n) = nullptr;
};

// The format X is quantized to for weights of type w: F32 (no quantization), Q8_0 or Q8_K.
GgmlType activation_type(GgmlType w);

const KernelTable& scalar_kernel_table();
// Null when the compiler could not build them.
const KernelTable* avx2_kernel_table();
const KernelTable* avx512_kernel_table();
// The table in use (see set_isa / $KMLM_ISA).
const KernelTable& active_kernels();

} // namespace kmlm
