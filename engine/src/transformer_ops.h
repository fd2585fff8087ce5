// Internal: the element-wise pieces of the transformer forward pass (norms, RoPE,
// activations). Matrix products come from the shared kernels (kmlm/kernels.h).
#pragma once
#include "kmlm/gguf.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace kmlm {

// out = x / rms(x) * w                                    x, w, out: [n]
inline void rms_norm(const float* x, const float* w, float* out, uint32_t n, float eps) {
    double sum = 0;
    for (uint32_t i = 0; i < n; ++i) sum += double(x[i]) * x[i];
    const float scale = float(1.0 / std::sqrt(sum / n + eps));
    for (uint32_t i = 0; i < n; ++i) out[i] = x[i] * scale * w[i];
}

// out = (x - mean) / sqrt(var + eps) * w + b              x, w, b, out: [n]
inline void layer_norm(const float* x, const float* w, const float* b, float* out, uint32_t n, float eps) {
    double mean = 0, var = 0;
    for (uint32_t i = 0; i < n; ++i) mean += x[i];
    mean /= n;
    for (uint32_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
    const float scale = float(1.0 / std::sqrt(var / n + eps));
    for (uint32_t i = 0; i < n; ++i) out[i] = float(x[i] - mean) * scale * w[i] + b[i];
}

// Rotates the first n_rot dims of one head by the angles whose cos/sin are given ([n_rot/2]).
// Normal mode pairs (2i, 2i+1); neox mode pairs (i, i + n_rot/2). The rest is unchanged.
inline void rope_rotate(float* x, uint32_t n_rot, bool neox, const float* cos, const float* sin) {
    const uint32_t half = n_rot / 2;
    for (uint32_t i = 0; i < half; ++i) {
        float* a = neox ? x + i : x + 2 * i;
        float* b = neox ? x + i + half : x + 2 * i + 1;
        const float x0 = *a, x1 = *b;
        *a = x0 * cos[i] - x1 * sin[i];
        *b = x0 * sin[i] + x1 * cos[i];
    }
}

inline void add(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] += x[i];
}
inline float silu(float x) { return x / (1.0f + std::exp(-x)); }
// The tanh approximation, as ggml_gelu (and GPT-NeoX's checkpoints) use.
inline float gelu(float x) {
    constexpr float kSqrt2OverPi = 0.7978845608028654f;
    return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + 0.044715f * x * x)));
}

// "Q4_K_M"-style name of a file's quantization: general.file_type when present, else the
// most common type among its 2-D tensors.
std::string quantization_name(const gguf::GgufFile& file);

} // namespace kmlm
