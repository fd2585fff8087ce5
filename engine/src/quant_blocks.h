// ggml's block structs, byte for byte as stored in GGUF files (little-endian).
// fp16 fields are kept as raw uint16_t bits.
#pragma once
#include <cstdint>

namespace kmlm {

constexpr int QK = 32;    // elements per block of the 32-element types
constexpr int QK_K = 256; // elements per super-block of the K-quants
constexpr int K_SCALE_SIZE = 12;

// value = (q - 8) * d, q in 0..15: qs[i] low nibble = element i, high nibble = element i + 16.
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[QK / 2];
};
// value = q * d + m.
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[QK / 2];
};
// value = (q - 16) * d, q = 5 bits: low 4 as in Q4_0, bit 4 of element i in bit i of qh.
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[QK / 2];
};
// value = q * d + m, q = 5 bits stored as in Q5_0.
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[QK / 2];
};
// value = kIq4nlValues[q] * d, q in 0..15 packed as in Q4_0 (a non-uniform 4-bit grid).
struct BlockIQ4_NL {
    uint16_t d;
    uint8_t qs[QK / 2];
};
// value = q * d.
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[QK];
};

// 16 sub-blocks of 16: scales[j] = 4-bit scale | 4-bit min << 4, value = d * scale * q - dmin * min,
// q = 2 bits. qs: two 128-element halves of 32 bytes; element 32k + l of a half is bits 2k..2k+1
// of byte l.
struct BlockQ2_K {
    uint8_t scales[QK_K / 16];
    uint8_t qs[QK_K / 4];
    uint16_t d;
    uint16_t dmin;
};
// 16 sub-blocks of 16 with 6-bit signed scales (packed in 12 bytes, see unpack_scales_q3_K):
// value = d * (scale - 32) * (q - 4), q = 2 low bits laid out as in Q2_K plus a third bit,
// bit k of hmask[l] for element 32k + l.
struct BlockQ3_K {
    uint8_t hmask[QK_K / 8];
    uint8_t qs[QK_K / 4];
    uint8_t scales[12];
    uint16_t d;
};
// 8 sub-blocks of 32, each with a 6-bit scale and min packed in scales[12]:
// value = d * scale_j * q - dmin * min_j. qs: 64-element groups, low nibbles = first 32.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qs[QK_K / 2];
};
// As Q4_K with a fifth bit per element in qh (bit 2j / 2j+1 of qh[l] for group j).
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qh[QK_K / 8];
    uint8_t qs[QK_K / 2];
};
// 16 sub-blocks of 16 with int8 scales: value = d * scale * (q - 32), q = 6 bits
// (low 4 in ql, high 2 in qh).
struct BlockQ6_K {
    uint8_t ql[QK_K / 2];
    uint8_t qh[QK_K / 4];
    int8_t scales[QK_K / 16];
    uint16_t d;
};
// 8 sub-blocks of 32 on IQ4_NL's grid: value = d * (ls - 32) * kIq4nlValues[q], ls = 6 bits
// (low 4 in scales_l, nibble j for sub-block j; high 2 in scales_h, bits 2j..2j+1).
struct BlockIQ4_XS {
    uint16_t d;
    uint16_t scales_h;
    uint8_t scales_l[QK_K / 64];
    uint8_t qs[QK_K / 2];
};
// Activations for K-quant dot products: float scale, int8 values, sums of each 16.
struct BlockQ8_K {
    float d;
    int8_t qs[QK_K];
    int16_t bsums[QK_K / 16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockIQ4_XS) == 136);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

// IQ4_NL's and IQ4_XS's 16 levels (ggml's kvalues_iq4nl).
inline constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// The 16 scales of a Q3_K block, minus 32: the low 4 bits of scale j are nibble j % 8 of
// bytes 0..7 (low nibbles first), the high 2 bits are bits 2(j / 4) of byte 8 + j % 4.
inline void unpack_scales_q3_K(const uint8_t* packed, int8_t* out) {
    for (int j = 0; j < QK_K / 16; ++j) {
        const int lo = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
        const int hi = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
        out[j] = int8_t((lo | (hi << 4)) - 32);
    }
}

// The 6-bit scale of sub-block j (0..7) of an IQ4_XS block, minus 32.
inline int iq4_xs_scale(const BlockIQ4_XS& b, int j) {
    return (((b.scales_l[j / 2] >> (4 * (j % 2))) & 0xF) | (((b.scales_h >> (2 * j)) & 3) << 4)) - 32;
}

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
void quantize_row_q2_K(const float* x, BlockQ2_K* y, int64_t n);
void quantize_row_q3_K(const float* x, BlockQ3_K* y, int64_t n);
void quantize_row_q4_K(const float* x, BlockQ4_K* y, int64_t n);
void quantize_row_q5_K(const float* x, BlockQ5_K* y, int64_t n);
void quantize_row_q6_K(const float* x, BlockQ6_K* y, int64_t n);
void quantize_row_q8_K(const float* x, BlockQ8_K* y, int64_t n);
void dequantize_row_q2_K(const BlockQ2_K* x, float* y, int64_t n);
void dequantize_row_q3_K(const BlockQ3_K* x, float* y, int64_t n);
void dequantize_row_q4_K(const BlockQ4_K* x, float* y, int64_t n);
void dequantize_row_q5_K(const BlockQ5_K* x, float* y, int64_t n);
void dequantize_row_q6_K(const BlockQ6_K* x, float* y, int64_t n);
void dequantize_row_q8_K(const BlockQ8_K* x, float* y, int64_t n);
// IQ4_NL (n a multiple of 32) and IQ4_XS (of QK_K), with ggml's scale search (quant_iq4.cpp).
void quantize_row_iq4_nl(const float* x, BlockIQ4_NL* y, int64_t n);
void quantize_row_iq4_xs(const float* x, BlockIQ4_XS* y, int64_t n);
void dequantize_row_iq4_nl(const BlockIQ4_NL* x, float* y, int64_t n);
void dequantize_row_iq4_xs(const BlockIQ4_XS* x, float* y, int64_t n);

} // namespace kmlm
