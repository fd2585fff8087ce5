// fp16/bf16 conversion and the 32-element block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0), with the
// same rounding as ggml's reference quantizers so files written here quantize alike.
#include "kmlm/quant.h"

#include "kernels_impl.h"
#include "kmlm/error.h"
#include "kmlm/threadpool.h"
#include "quant_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace kmlm {
namespace {

float from_bits(uint32_t w) {
    float f;
    std::memcpy(&f, &w, 4);
    return f;
}
uint32_t to_bits(float f) {
    uint32_t w;
    std::memcpy(&w, &f, 4);
    return w;
}

} // namespace

// Branch-light conversions (after the FP16 library by Marat Dukhan): exponent rebiasing
// through float multiplications handles normals, subnormals, infinities and NaN.
float fp16_to_fp32(uint16_t h) {
    const uint32_t w = uint32_t(h) << 16;
    const uint32_t sign = w & 0x80000000u;
    const uint32_t two_w = w + w;
    const float normalized = from_bits((two_w >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
    const float denormalized = from_bits((two_w >> 17) | (126u << 23)) - 0.5f;
    const uint32_t result = sign | (two_w < (1u << 27) ? to_bits(denormalized) : to_bits(normalized));
    return from_bits(result);
}

uint16_t fp32_to_fp16(float f) {
    float base = (std::fabs(f) * 0x1.0p+112f) * 0x1.0p-110f;
    const uint32_t w = to_bits(f);
    const uint32_t shl1_w = w + w;
    const uint32_t sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = from_bits((bias >> 1) + 0x07800000u) + base;
    const uint32_t bits = to_bits(base);
    const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
    const uint32_t mantissa_bits = bits & 0x00000FFFu;
    const uint32_t nonsign = exp_bits + mantissa_bits;
    return uint16_t((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

uint16_t fp32_to_bf16(float f) {
    const uint32_t bits = to_bits(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 64); // quiet NaN
    return uint16_t((bits + (0x7fffu + ((bits >> 16) & 1))) >> 16);
}

void fp16_to_fp32_row(const uint16_t* x, float* y, size_t n) { active_kernels().fp16_to_fp32(x, y, n); }
void fp32_to_fp16_row(const float* x, uint16_t* y, size_t n) { active_kernels().fp32_to_fp16(x, y, n); }

namespace {

// The element of largest magnitude, with its sign.
float signed_absmax(const float* x, int n) {
    float amax = 0, max = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    return max;
}

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        // d = max / -8 maps the extreme value to q = 0 and spends the 16th level on the other side.
        const float d = signed_absmax(x, QK) / -8;
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        for (int j = 0; j < QK / 2; ++j) {
            const uint8_t q0 = std::min<uint8_t>(15, uint8_t(int8_t(x[j] * id + 8.5f)));
            const uint8_t q1 = std::min<uint8_t>(15, uint8_t(int8_t(x[j + QK / 2] * id + 8.5f)));
            y[b].qs[j] = uint8_t(q0 | (q1 << 4));
        }
    }
}

void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, y += QK) {
        const float d = fp16_to_fp32(x[b].d);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = float((x[b].qs[j] & 0x0F) - 8) * d;
            y[j + QK / 2] = float((x[b].qs[j] >> 4) - 8) * d;
        }
    }
}

void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        const auto [mn, mx] = std::minmax_element(x, x + QK);
        const float min = *mn, d = (*mx - min) / 15;
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        y[b].m = fp32_to_fp16(min);
        for (int j = 0; j < QK / 2; ++j) {
            const uint8_t q0 = std::min<uint8_t>(15, uint8_t(int8_t((x[j] - min) * id + 0.5f)));
            const uint8_t q1 = std::min<uint8_t>(15, uint8_t(int8_t((x[j + QK / 2] - min) * id + 0.5f)));
            y[b].qs[j] = uint8_t(q0 | (q1 << 4));
        }
    }
}

void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, y += QK) {
        const float d = fp16_to_fp32(x[b].d), m = fp16_to_fp32(x[b].m);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = float(x[b].qs[j] & 0x0F) * d + m;
            y[j + QK / 2] = float(x[b].qs[j] >> 4) * d + m;
        }
    }
}

void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        const float d = signed_absmax(x, QK) / -16;
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        uint32_t qh = 0;
        for (int j = 0; j < QK / 2; ++j) {
            const uint8_t q0 = std::min<uint8_t>(31, uint8_t(int8_t(x[j] * id + 16.5f)));
            const uint8_t q1 = std::min<uint8_t>(31, uint8_t(int8_t(x[j + QK / 2] * id + 16.5f)));
            y[b].qs[j] = uint8_t((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= uint32_t(q0 >> 4) << j;
            qh |= uint32_t(q1 >> 4) << (j + QK / 2);
        }
        std::memcpy(y[b].qh, &qh, 4);
    }
}

void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, y += QK) {
        const float d = fp16_to_fp32(x[b].d);
        uint32_t qh;
        std::memcpy(&qh, x[b].qh, 4);
        for (int j = 0; j < QK / 2; ++j) {
            const int q0 = (x[b].qs[j] & 0x0F) | (((qh >> j) & 1) << 4);
            const int q1 = (x[b].qs[j] >> 4) | (((qh >> (j + QK / 2)) & 1) << 4);
            y[j] = float(q0 - 16) * d;
            y[j + QK / 2] = float(q1 - 16) * d;
        }
    }
}

// Q5_1 as ggml rounds it: (x - min) / d + 0.5 truncated, no clamp (the top value lands on 31).
void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        const auto [mn, mx] = std::minmax_element(x, x + QK);
        const float min = *mn, d = (*mx - min) / 31;
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        y[b].m = fp32_to_fp16(min);
        uint32_t qh = 0;
        for (int j = 0; j < QK / 2; ++j) {
            const auto q0 = uint8_t((x[j] - min) * id + 0.5f);
            const auto q1 = uint8_t((x[j + QK / 2] - min) * id + 0.5f);
            y[b].qs[j] = uint8_t((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= uint32_t((q0 >> 4) & 1) << j;
            qh |= uint32_t((q1 >> 4) & 1) << (j + QK / 2);
        }
        std::memcpy(y[b].qh, &qh, 4);
    }
}

void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, y += QK) {
        const float d = fp16_to_fp32(x[b].d), m = fp16_to_fp32(x[b].m);
        uint32_t qh;
        std::memcpy(&qh, x[b].qh, 4);
        for (int j = 0; j < QK / 2; ++j) {
            const int q0 = (x[b].qs[j] & 0x0F) | (((qh >> j) & 1) << 4);
            const int q1 = (x[b].qs[j] >> 4) | (((qh >> (j + QK / 2)) & 1) << 4);
            y[j] = float(q0) * d + m;
            y[j + QK / 2] = float(q1) * d + m;
        }
    }
}

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        float amax = 0;
        for (int j = 0; j < QK; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        for (int j = 0; j < QK; ++j) y[b].qs[j] = int8_t(std::round(x[j] * id));
    }
}

void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, y += QK) {
        const float d = fp16_to_fp32(x[b].d);
        for (int j = 0; j < QK; ++j) y[j] = float(x[b].qs[j]) * d;
    }
}

[[noreturn]] void unsupported(GgmlType type, const char* what) {
    throw InvalidArgument(std::string("cannot ") + what + " tensor type " + std::string(type_traits(type).name));
}

} // namespace

bool can_quantize(GgmlType type) {
    switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::Q8_K:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS: return true;
    default: return false;
    }
}

bool can_dequantize(GgmlType type) { return can_quantize(type); }

void quantize_row(GgmlType type, const float* x, void* y, uint64_t n) {
    row_bytes(type, n); // FormatError unless n is whole blocks
    const auto ni = int64_t(n);
    switch (type) {
    case GgmlType::F32: std::memcpy(y, x, n * 4); break;
    case GgmlType::F16: fp32_to_fp16_row(x, static_cast<uint16_t*>(y), n); break;
    case GgmlType::BF16:
        for (uint64_t i = 0; i < n; ++i) static_cast<uint16_t*>(y)[i] = fp32_to_bf16(x[i]);
        break;
    case GgmlType::Q4_0: quantize_q4_0(x, static_cast<BlockQ4_0*>(y), ni); break;
    case GgmlType::Q4_1: quantize_q4_1(x, static_cast<BlockQ4_1*>(y), ni); break;
    case GgmlType::Q5_0: quantize_q5_0(x, static_cast<BlockQ5_0*>(y), ni); break;
    case GgmlType::Q5_1: quantize_q5_1(x, static_cast<BlockQ5_1*>(y), ni); break;
    case GgmlType::Q8_0: quantize_q8_0(x, static_cast<BlockQ8_0*>(y), ni); break;
    case GgmlType::IQ4_NL: quantize_row_iq4_nl(x, static_cast<BlockIQ4_NL*>(y), ni); break;
    case GgmlType::Q2_K: quantize_row_q2_K(x, static_cast<BlockQ2_K*>(y), ni); break;
    case GgmlType::Q3_K: quantize_row_q3_K(x, static_cast<BlockQ3_K*>(y), ni); break;
    case GgmlType::IQ4_XS: quantize_row_iq4_xs(x, static_cast<BlockIQ4_XS*>(y), ni); break;
    case GgmlType::Q4_K: quantize_row_q4_K(x, static_cast<BlockQ4_K*>(y), ni); break;
    case GgmlType::Q5_K: quantize_row_q5_K(x, static_cast<BlockQ5_K*>(y), ni); break;
    case GgmlType::Q6_K: quantize_row_q6_K(x, static_cast<BlockQ6_K*>(y), ni); break;
    case GgmlType::Q8_K: quantize_row_q8_K(x, static_cast<BlockQ8_K*>(y), ni); break;
    default: unsupported(type, "quantize to");
    }
}

void dequantize_row(GgmlType type, const void* x, float* y, uint64_t n) {
    row_bytes(type, n);
    const auto ni = int64_t(n);
    switch (type) {
    case GgmlType::F32: std::memcpy(y, x, n * 4); break;
    case GgmlType::F16: fp16_to_fp32_row(static_cast<const uint16_t*>(x), y, n); break;
    case GgmlType::BF16:
        for (uint64_t i = 0; i < n; ++i) y[i] = bf16_to_fp32(static_cast<const uint16_t*>(x)[i]);
        break;
    case GgmlType::Q4_0: dequantize_q4_0(static_cast<const BlockQ4_0*>(x), y, ni); break;
    case GgmlType::Q4_1: dequantize_q4_1(static_cast<const BlockQ4_1*>(x), y, ni); break;
    case GgmlType::Q5_0: dequantize_q5_0(static_cast<const BlockQ5_0*>(x), y, ni); break;
    case GgmlType::Q5_1: dequantize_q5_1(static_cast<const BlockQ5_1*>(x), y, ni); break;
    case GgmlType::Q8_0: dequantize_q8_0(static_cast<const BlockQ8_0*>(x), y, ni); break;
    case GgmlType::IQ4_NL: dequantize_row_iq4_nl(static_cast<const BlockIQ4_NL*>(x), y, ni); break;
    case GgmlType::Q2_K: dequantize_row_q2_K(static_cast<const BlockQ2_K*>(x), y, ni); break;
    case GgmlType::Q3_K: dequantize_row_q3_K(static_cast<const BlockQ3_K*>(x), y, ni); break;
    case GgmlType::IQ4_XS: dequantize_row_iq4_xs(static_cast<const BlockIQ4_XS*>(x), y, ni); break;
    case GgmlType::Q4_K: dequantize_row_q4_K(static_cast<const BlockQ4_K*>(x), y, ni); break;
    case GgmlType::Q5_K: dequantize_row_q5_K(static_cast<const BlockQ5_K*>(x), y, ni); break;
    case GgmlType::Q6_K: dequantize_row_q6_K(static_cast<const BlockQ6_K*>(x), y, ni); break;
    case GgmlType::Q8_K: dequantize_row_q8_K(static_cast<const BlockQ8_K*>(x), y, ni); break;
    default: unsupported(type, "dequantize");
    }
}

std::vector<uint8_t> quantize_tensor(GgmlType type, const float* x, uint64_t rows, uint64_t n, ThreadPool* pool) {
    if (!can_quantize(type)) unsupported(type, "quantize to");
    const uint64_t rb = row_bytes(type, n);
    std::vector<uint8_t> out(rb * rows);
    auto one = [&](size_t r, int) { quantize_row(type, x + r * n, out.data() + r * rb, n); };
    if (pool)
        pool->parallel_for(rows, one);
    else
        for (uint64_t r = 0; r < rows; ++r) one(r, 0);
    return out;
}

} // namespace kmlm
