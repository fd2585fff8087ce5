// ggml's block structs, byte for byte as stored in GGUF files (little-endian).
// fp16 fields are kept as raw uint16_t bits.
#pragma once
#include <cstdint>

namespace kmlm {

constexpr int QK = 32;   // elements per block of the 32-element types
constexpr int QK_K = 256; // elements per super-block of the K-quants
constexpr int K_SCALE_SIZE = 12;

// value = (q - 8) * d, q in 0..15: qs[i] low nibble = element i, high nibble = element i + 16.
struct BlockQ4_0 { uint16_t d; uint8_t qs[QK / 2]; };
// value = q * d + m.
struct BlockQ4_1 { uint16_t d; uint16_t m; uint8_t qs[QK / 2]; };
// value = (q - 16) * d, q = 5 bits: low 4 as in Q4_0, bit 4 of element i in bit i of qh.
struct BlockQ5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[QK / 2]; };
// value = q * d.
struct BlockQ8_0 { uint16_t d; int8_t qs[QK]; };

// 8 sub-blocks of 32, each with a 6-bit scale and min packed in scales[12]:
// value = d * scale_j * q - dmin * min_j. qs: 64-element groups, low nibbles = first 32.
struct BlockQ4_K { uint16_t d; uint16_t dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K / 2]; };
// As Q4_K with a fifth bit per element in qh (bit 2j / 2j+1 of qh[l] for group j).
struct BlockQ5_K { uint16_t d; uint16_t dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; };
// 16 sub-blocks of 16 with int8 scales: value = d * scale * (q - 32), q = 6 bits
// (low 4 in ql, high 2 in qh).
struct BlockQ6_K { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; uint16_t d; };
// Activations for K-quant dot products: float scale, int8 values, sums of each 16.
struct BlockQ8_K { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; };

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block.
inline void get_scale_min_k4(int j, const uint8_t* q, uint8_t& d, uint8_t& m) {
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}

} // namespace kmlm

namespace kmlm {

// Reference quantizers of the K-quants (quant_k.cpp); n is a multiple of QK_K.
void quantize_row_q4_K(const float* x, BlockQ4_K* y, int64_t n);
void quantize_row_q5_K(const float* x, BlockQ5_K* y, int64_t n);
void quantize_row_q6_K(const float* x, BlockQ6_K* y, int64_t n);
void quantize_row_q8_K(const float* x, BlockQ8_K* y, int64_t n);
void dequantize_row_q4_K(const BlockQ4_K* x, float* y, int64_t n);
void dequantize_row_q5_K(const BlockQ5_K* x, float* y, int64_t n);
void dequantize_row_q6_K(const BlockQ6_K* x, float* y, int64_t n);
void dequantize_row_q8_K(const BlockQ8_K* x, float* y, int64_t n);

} // namespace kmlm
