// IQ4_NL and IQ4_XS: 4-bit indices into a fixed non-uniform grid (kIq4nlValues), with one
// fp16 scale per 32 elements (IQ4_NL) or a super-block scale and 6-bit sub-block scales
// (IQ4_XS). The scale search is ggml's quantize_row_iq4_nl_impl without an importance
// matrix (weights x², 15 trial scales), so files match what llama.cpp writes.
#include "kmlm/quant.h"

#include "quant_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kmlm {
namespace {

constexpr float kGroupMaxEps = 1e-15f;
constexpr int kTrials = 7; // ggml's ntry: scales (values[0] + t) / max for t in -7..7

// The grid index nearest to v (ties to the lower one, as ggml's best_index_int8).
int nearest_level(float v) {
    const int8_t* q = kIq4nlValues;
    if (v <= q[0]) return 0;
    if (v >= q[15]) return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        (v < q[mid] ? hi : lo) = mid;
    }
    return v - q[hi - 1] < q[hi] - v ? hi - 1 : hi;
}

// The best scale for 32 values on the grid, minimising Σ x² (x - d q)²; 0 for an all-zero block.
float fit_block(const float* x) {
    float amax = 0, max = 0;
    for (int j = 0; j < QK; ++j) {
        if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    if (amax < kGroupMaxEps) return 0.0f;
    // Σ w q x and Σ w q² for the indices that the inverse scale id gives.
    auto sums = [&](float id, float& sqx, float& sq2) {
        sqx = sq2 = 0;
        for (int j = 0; j < QK; ++j) {
            const float q = kIq4nlValues[nearest_level(id * x[j])], w = x[j] * x[j];
            sqx += w * q * x[j];
            sq2 += w * q * q;
        }
    };
    float sqx, sq2;
    sums(1 / (-max / kIq4nlValues[0]), sqx, sq2); // ggml's order of operations, for equal roundings
    float d = sqx / sq2, best = d * sqx;
    for (int t = -kTrials; t <= kTrials; ++t) {
        sums((t + kIq4nlValues[0]) / max, sqx, sq2);
        if (sq2 > 0 && sqx * sqx > best * sq2) {
            d = sqx / sq2;
            best = d * sqx;
        }
    }
    return d;
}

// 32 values as indices for scale d, packed: low nibbles elements 0..15, high 16..31.
void pack_block(const float* x, float d, uint8_t* qs) {
    const float id = d ? 1 / d : 0.0f;
    for (int j = 0; j < QK / 2; ++j) qs[j] = uint8_t(nearest_level(id * x[j]) | (nearest_level(id * x[j + QK / 2]) << 4));
}

void unpack_block(const uint8_t* qs, float d, float* y) {
    for (int j = 0; j < QK / 2; ++j) {
        y[j] = d * kIq4nlValues[qs[j] & 0xF];
        y[j + QK / 2] = d * kIq4nlValues[qs[j] >> 4];
    }
}

} // namespace

void quantize_row_iq4_nl(const float* x, BlockIQ4_NL* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, x += QK) {
        const float d = fit_block(x);
        y[b].d = fp32_to_fp16(d);
        pack_block(x, d, y[b].qs); // against the float scale, before its fp16 rounding, as ggml
    }
}

void dequantize_row_iq4_nl(const BlockIQ4_NL* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK; ++b, y += QK) unpack_block(x[b].qs, fp16_to_fp32(x[b].d), y);
}

void quantize_row_iq4_xs(const float* x, BlockIQ4_XS* y, int64_t n) {
    constexpr int kSub = QK_K / QK;
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        float scales[kSub], max_scale = 0, amax_scale = 0;
        for (int j = 0; j < kSub; ++j) {
            scales[j] = fit_block(x + QK * j);
            if (std::fabs(scales[j]) > amax_scale) {
                amax_scale = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        // Sub-block scales as 6-bit multiples of d = -max / 32, each block re-packed against its own.
        const float d = -max_scale / 32;
        const float id = d ? 1 / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        y[b].scales_h = 0;
        std::memset(y[b].scales_l, 0, sizeof(y[b].scales_l));
        for (int j = 0; j < kSub; ++j) {
            const int l = std::clamp(int(std::lrintf(id * scales[j])), -32, 31);
            pack_block(x + QK * j, d * float(l), y[b].qs + QK / 2 * j);
            const int u = l + 32;
            y[b].scales_l[j / 2] |= uint8_t((u & 0xF) << (4 * (j % 2)));
            y[b].scales_h |= uint16_t((u >> 4) << (2 * j));
        }
    }
}

void dequantize_row_iq4_xs(const BlockIQ4_XS* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float d = fp16_to_fp32(x[b].d);
        for (int j = 0; j < QK_K / QK; ++j, y += QK) unpack_block(x[b].qs + QK / 2 * j, d * float(iq4_xs_scale(x[b], j)), y);
    }
}

} // namespace kmlm
