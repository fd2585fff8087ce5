// Conversions between float32 and the stored tensor types: fp16/bf16 scalars and rows, and
// quantize/dequantize of ggml's block formats (bit-exact layouts, see quant_blocks.h).
#pragma once
#include "kmlm/ggml_type.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kmlm {

class ThreadPool;

// IEEE half <-> float, round to nearest even (what F16C does).
float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);
// bfloat16 <-> float, round to nearest even; NaN stays NaN.
inline float bf16_to_fp32(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    __builtin_memcpy(&f, &bits, 4);
    return f;
}
uint16_t fp32_to_bf16(float f);

// Rows of fp16 (F16C when the CPU has it).
void fp16_to_fp32_row(const uint16_t* x, float* y, size_t n);
void fp32_to_fp16_row(const float* x, uint16_t* y, size_t n);

// True for the types quantize_row() can write: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q8_0,
// Q4_K, Q5_K, Q6_K, Q8_K.
bool can_quantize(GgmlType type);
// True for the types dequantize_row() can read (the same list).
bool can_dequantize(GgmlType type);

// x[n] -> n / block_size blocks at y. n must be a multiple of the block size
// (FormatError otherwise). The rounding follows ggml's reference quantizers.
void quantize_row(GgmlType type, const float* x, void* y, uint64_t n);
// blocks at x -> y[n]. InvalidArgument for a type it cannot read.
void dequantize_row(GgmlType type, const void* x, float* y, uint64_t n);

// A whole [rows][n] tensor, rows quantized in parallel when a pool is given.
std::vector<uint8_t> quantize_tensor(GgmlType type, const float* x, uint64_t rows, uint64_t n,
                                     ThreadPool* pool = nullptr);

} // namespace kmlm
