// Portable reference kernels: plain loops over ggml's blocks. The SIMD tables must agree
// with these (tests/engine/tst_kernels.cpp).
#include "kernels_impl.h"
#include "kmlm/quant.h"
#include "quant_blocks.h"
#include "sgemm_impl.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kmlm {
namespace {

// One weight row against one activation row; multi() runs it for each of the nx rows.
template <class W, class X, float (*Row)(int64_t, const W*, const X*)>
void multi(int64_t n, const void* w, const void* x, size_t x_stride, int nx, float* s) {
    for (int j = 0; j < nx; ++j)
        s[j] = Row(n, static_cast<const W*>(w), reinterpret_cast<const X*>(static_cast<const uint8_t*>(x) + j * x_stride));
}

float row_f32(int64_t n, const float* w, const float* x) {
    float s = 0;
    for (int64_t i = 0; i < n; ++i) s += w[i] * x[i];
    return s;
}

float row_f16(int64_t n, const uint16_t* w, const float* x) {
    float s = 0;
    for (int64_t i = 0; i < n; ++i) s += fp16_to_fp32(w[i]) * x[i];
    return s;
}

float row_bf16(int64_t n, const uint16_t* w, const float* x) {
    float s = 0;
    for (int64_t i = 0; i < n; ++i) s += bf16_to_fp32(w[i]) * x[i];
    return s;
}

float row_q4_0(int64_t n, const BlockQ4_0* w, const BlockQ8_0* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK; ++b) {
        int sum = 0;
        for (int j = 0; j < QK / 2; ++j) {
            sum += ((w[b].qs[j] & 0x0F) - 8) * x[b].qs[j];
            sum += ((w[b].qs[j] >> 4) - 8) * x[b].qs[j + QK / 2];
        }
        s += fp16_to_fp32(w[b].d) * fp16_to_fp32(x[b].d) * float(sum);
    }
    return s;
}

float row_q4_1(int64_t n, const BlockQ4_1* w, const BlockQ8_0* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK; ++b) {
        int sum = 0, sum_x = 0;
        for (int j = 0; j < QK / 2; ++j) {
            sum += (w[b].qs[j] & 0x0F) * x[b].qs[j] + (w[b].qs[j] >> 4) * x[b].qs[j + QK / 2];
            sum_x += x[b].qs[j] + x[b].qs[j + QK / 2];
        }
        const float dx = fp16_to_fp32(x[b].d);
        s += fp16_to_fp32(w[b].d) * dx * float(sum) + fp16_to_fp32(w[b].m) * dx * float(sum_x);
    }
    return s;
}

float row_q5_0(int64_t n, const BlockQ5_0* w, const BlockQ8_0* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK; ++b) {
        uint32_t qh;
        std::memcpy(&qh, w[b].qh, 4);
        int sum = 0;
        for (int j = 0; j < QK / 2; ++j) {
            const int q0 = ((w[b].qs[j] & 0x0F) | (((qh >> j) & 1) << 4)) - 16;
            const int q1 = ((w[b].qs[j] >> 4) | (((qh >> (j + QK / 2)) & 1) << 4)) - 16;
            sum += q0 * x[b].qs[j] + q1 * x[b].qs[j + QK / 2];
        }
        s += fp16_to_fp32(w[b].d) * fp16_to_fp32(x[b].d) * float(sum);
    }
    return s;
}

// Q5_1: d·Σ q·x + m·Σ x per block, like Q4_1 with 5-bit q.
float row_q5_1(int64_t n, const BlockQ5_1* w, const BlockQ8_0* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK; ++b) {
        uint32_t qh;
        std::memcpy(&qh, w[b].qh, 4);
        int sum = 0, sum_x = 0;
        for (int j = 0; j < QK / 2; ++j) {
            const int q0 = (w[b].qs[j] & 0x0F) | (((qh >> j) & 1) << 4);
            const int q1 = (w[b].qs[j] >> 4) | (((qh >> (j + QK / 2)) & 1) << 4);
            sum += q0 * x[b].qs[j] + q1 * x[b].qs[j + QK / 2];
            sum_x += x[b].qs[j] + x[b].qs[j + QK / 2];
        }
        const float dx = fp16_to_fp32(x[b].d);
        s += fp16_to_fp32(w[b].d) * dx * float(sum) + fp16_to_fp32(w[b].m) * dx * float(sum_x);
    }
    return s;
}

float row_iq4_nl(int64_t n, const BlockIQ4_NL* w, const BlockQ8_0* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK; ++b) {
        int sum = 0;
        for (int j = 0; j < QK / 2; ++j)
            sum += kIq4nlValues[w[b].qs[j] & 0xF] * x[b].qs[j] + kIq4nlValues[w[b].qs[j] >> 4] * x[b].qs[j + QK / 2];
        s += fp16_to_fp32(w[b].d) * fp16_to_fp32(x[b].d) * float(sum);
    }
    return s;
}

float row_q8_0(int64_t n, const BlockQ8_0* w, const BlockQ8_0* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK; ++b) {
        int sum = 0;
        for (int j = 0; j < QK; ++j) sum += w[b].qs[j] * x[b].qs[j];
        s += fp16_to_fp32(w[b].d) * fp16_to_fp32(x[b].d) * float(sum);
    }
    return s;
}

// The 2-bit values of a Q2_K/Q3_K block in element order (see BlockQ2_K).
void unpack_2bit(const uint8_t* qs, uint8_t* q) {
    for (int half = 0; half < 2; ++half, qs += 32)
        for (int shift = 0; shift < 8; shift += 2)
            for (int l = 0; l < 32; ++l) *q++ = uint8_t((qs[l] >> shift) & 3);
}

// Q2_K: Σ_j d·sc_j·Σ q·x − dmin·m_j·Σ x over the 16 sub-blocks of 16.
float row_q2_K(int64_t n, const BlockQ2_K* w, const BlockQ8_K* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        uint8_t q[QK_K];
        unpack_2bit(w[b].qs, q);
        int sum = 0, sum_min = 0;
        for (int g = 0; g < QK_K / 16; ++g) {
            int sg = 0;
            for (int l = 0; l < 16; ++l) sg += q[16 * g + l] * x[b].qs[16 * g + l];
            sum += (w[b].scales[g] & 0xF) * sg;
            sum_min += (w[b].scales[g] >> 4) * x[b].bsums[g];
        }
        s += x[b].d * (fp16_to_fp32(w[b].d) * float(sum) - fp16_to_fp32(w[b].dmin) * float(sum_min));
    }
    return s;
}

// Q3_K: d·Σ_j sc_j·Σ (q − 4)·x, the third bit of q from hmask.
float row_q3_K(int64_t n, const BlockQ3_K* w, const BlockQ8_K* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        uint8_t q[QK_K];
        unpack_2bit(w[b].qs, q);
        int8_t sc[QK_K / 16];
        unpack_scales_q3_K(w[b].scales, sc);
        int sum = 0;
        for (int g = 0; g < QK_K / 16; ++g) {
            int sg = 0;
            for (int l = 0; l < 16; ++l) {
                const int i = 16 * g + l;
                const int v = q[i] - ((w[b].hmask[i % 32] >> (i / 32)) & 1 ? 0 : 4);
                sg += v * x[b].qs[i];
            }
            sum += sc[g] * sg;
        }
        s += fp16_to_fp32(w[b].d) * x[b].d * float(sum);
    }
    return s;
}

float row_iq4_xs(int64_t n, const BlockIQ4_XS* w, const BlockQ8_K* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int sum = 0;
        for (int j = 0; j < QK_K / 32; ++j) {
            const uint8_t* q = w[b].qs + 16 * j;
            const int8_t* qx = x[b].qs + 32 * j;
            int sj = 0;
            for (int l = 0; l < 16; ++l) sj += kIq4nlValues[q[l] & 0xF] * qx[l] + kIq4nlValues[q[l] >> 4] * qx[l + 16];
            sum += iq4_xs_scale(w[b], j) * sj;
        }
        s += fp16_to_fp32(w[b].d) * x[b].d * float(sum);
    }
    return s;
}

// Q4_K: Σ_j d·sc_j·Σ q·x − dmin·m_j·Σ x over the 8 sub-blocks of 32; Σ x comes from bsums.
float row_q4_K(int64_t n, const BlockQ4_K* w, const BlockQ8_K* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* q = w[b].qs;
        const int8_t* qx = x[b].qs;
        int sum = 0, sum_min = 0;
        for (int j = 0; j < QK_K / 64; ++j, q += 32, qx += 64) {
            uint8_t sc1, m1, sc2, m2;
            get_scale_min_k4(2 * j, w[b].scales, sc1, m1);
            get_scale_min_k4(2 * j + 1, w[b].scales, sc2, m2);
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; ++l) {
                s1 += (q[l] & 0xF) * qx[l];
                s2 += (q[l] >> 4) * qx[l + 32];
            }
            sum += sc1 * s1 + sc2 * s2;
            sum_min += m1 * (x[b].bsums[4 * j] + x[b].bsums[4 * j + 1]) + m2 * (x[b].bsums[4 * j + 2] + x[b].bsums[4 * j + 3]);
        }
        s += x[b].d * (fp16_to_fp32(w[b].d) * float(sum) - fp16_to_fp32(w[b].dmin) * float(sum_min));
    }
    return s;
}

float row_q5_K(int64_t n, const BlockQ5_K* w, const BlockQ8_K* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* q = w[b].qs;
        const int8_t* qx = x[b].qs;
        int sum = 0, sum_min = 0;
        for (int j = 0; j < QK_K / 64; ++j, q += 32, qx += 64) {
            uint8_t sc1, m1, sc2, m2;
            get_scale_min_k4(2 * j, w[b].scales, sc1, m1);
            get_scale_min_k4(2 * j + 1, w[b].scales, sc2, m2);
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; ++l) {
                s1 += ((q[l] & 0xF) | (((w[b].qh[l] >> (2 * j)) & 1) << 4)) * qx[l];
                s2 += ((q[l] >> 4) | (((w[b].qh[l] >> (2 * j + 1)) & 1) << 4)) * qx[l + 32];
            }
            sum += sc1 * s1 + sc2 * s2;
            sum_min += m1 * (x[b].bsums[4 * j] + x[b].bsums[4 * j + 1]) + m2 * (x[b].bsums[4 * j + 2] + x[b].bsums[4 * j + 3]);
        }
        s += x[b].d * (fp16_to_fp32(w[b].d) * float(sum) - fp16_to_fp32(w[b].dmin) * float(sum_min));
    }
    return s;
}

float row_q6_K(int64_t n, const BlockQ6_K* w, const BlockQ8_K* x) {
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int8_t q[QK_K];
        const uint8_t* ql = w[b].ql;
        const uint8_t* qh = w[b].qh;
        for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                q[j + l] = int8_t(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                q[j + l + 32] = int8_t(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                q[j + l + 64] = int8_t(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                q[j + l + 96] = int8_t(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        int sum = 0;
        for (int g = 0; g < QK_K / 16; ++g) {
            int sg = 0;
            for (int l = 0; l < 16; ++l) sg += q[16 * g + l] * x[b].qs[16 * g + l];
            sum += w[b].scales[g] * sg;
        }
        s += fp16_to_fp32(w[b].d) * x[b].d * float(sum);
    }
    return s;
}

void quantize_q8_0(const float* x, void* y, int64_t n) { quantize_row(GgmlType::Q8_0, x, y, uint64_t(n)); }
void quantize_q8_K(const float* x, void* y, int64_t n) { quantize_row_q8_K(x, static_cast<BlockQ8_K*>(y), n); }

void fp16_to_fp32(const uint16_t* x, float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = kmlm::fp16_to_fp32(x[i]);
}
void fp32_to_fp16(const float* x, uint16_t* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = kmlm::fp32_to_fp16(x[i]);
}

float dot_f32(const float* a, const float* b, size_t n) { return row_f32(int64_t(n), a, b); }
float dot_f16(const uint16_t* a, const float* b, size_t n) { return row_f16(int64_t(n), a, b); }
float dot_q8_0(const void* a, const float* b, size_t n) {
    const auto* blocks = static_cast<const BlockQ8_0*>(a);
    float s = 0;
    for (size_t k = 0; k < n / QK; ++k) {
        float sb = 0;
        for (int j = 0; j < QK; ++j) sb += float(blocks[k].qs[j]) * b[k * QK + j];
        s += kmlm::fp16_to_fp32(blocks[k].d) * sb;
    }
    return s;
}
void axpy_f32(float alpha, const float* x, float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}
void axpy_f16(float alpha, const uint16_t* x, float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] += alpha * kmlm::fp16_to_fp32(x[i]);
}
void axpy_q8_0(float alpha, const void* x, float* y, size_t n) {
    const auto* blocks = static_cast<const BlockQ8_0*>(x);
    for (size_t k = 0; k < n / QK; ++k) {
        const float a = alpha * kmlm::fp16_to_fp32(blocks[k].d);
        for (int j = 0; j < QK; ++j) y[k * QK + j] += a * float(blocks[k].qs[j]);
    }
}

// The attention rows one at a time through the single-row kernels above.
template <class T, float (*Dot)(const T*, const float*, size_t)>
void dot_rows(const uint8_t* rows, size_t stride, size_t n_rows, const float* q, size_t hd, float* scores) {
    for (size_t j = 0; j < n_rows; ++j) scores[j] = Dot(reinterpret_cast<const T*>(rows + j * stride), q, hd);
}
template <class T, void (*Axpy)(float, const T*, float*, size_t)>
void axpy_rows(const uint8_t* rows, size_t stride, size_t n_rows, const float* w, size_t hd, float* out) {
    for (size_t j = 0; j < n_rows; ++j) Axpy(w[j], reinterpret_cast<const T*>(rows + j * stride), out, hd);
}

void softmax(float* x, size_t n) {
    if (n == 0) return;
    const float max = *std::max_element(x, x + n);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += x[i] = std::exp(x[i] - max);
    const float inv = float(1.0 / sum);
    for (size_t i = 0; i < n; ++i) x[i] *= inv;
}
float silu1(float v) { return v / (1.0f + std::exp(-v)); }
void silu(float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) x[i] = silu1(x[i]);
}
void swiglu(float* y, const float* gate, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] *= silu1(gate[i]);
}
void gelu(float* x, size_t n) {
    constexpr float kSqrt2OverPi = 0.7978845608028654f;
    for (size_t i = 0; i < n; ++i) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * v * (1.0f + 0.044715f * v * v)));
    }
}

KernelTable make_table() {
    KernelTable t;
    t.isa = Isa::Scalar;
    auto set = [&](GgmlType type, DotFn fn) {
        t.dot[int(type)] = fn;
        const bool k = type_traits(type).block_size == QK_K;
        const bool f = type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
        t.act[int(type)] = f ? ActFormat::F32 : k ? ActFormat::Q8_K : ActFormat::Q8_0;
    };
    set(GgmlType::F32, multi<float, float, row_f32>);
    set(GgmlType::F16, multi<uint16_t, float, row_f16>);
    set(GgmlType::BF16, multi<uint16_t, float, row_bf16>);
    set(GgmlType::Q4_0, multi<BlockQ4_0, BlockQ8_0, row_q4_0>);
    set(GgmlType::Q4_1, multi<BlockQ4_1, BlockQ8_0, row_q4_1>);
    set(GgmlType::Q5_0, multi<BlockQ5_0, BlockQ8_0, row_q5_0>);
    set(GgmlType::Q5_1, multi<BlockQ5_1, BlockQ8_0, row_q5_1>);
    set(GgmlType::Q8_0, multi<BlockQ8_0, BlockQ8_0, row_q8_0>);
    set(GgmlType::IQ4_NL, multi<BlockIQ4_NL, BlockQ8_0, row_iq4_nl>);
    set(GgmlType::Q2_K, multi<BlockQ2_K, BlockQ8_K, row_q2_K>);
    set(GgmlType::Q3_K, multi<BlockQ3_K, BlockQ8_K, row_q3_K>);
    set(GgmlType::IQ4_XS, multi<BlockIQ4_XS, BlockQ8_K, row_iq4_xs>);
    set(GgmlType::Q4_K, multi<BlockQ4_K, BlockQ8_K, row_q4_K>);
    set(GgmlType::Q5_K, multi<BlockQ5_K, BlockQ8_K, row_q5_K>);
    set(GgmlType::Q6_K, multi<BlockQ6_K, BlockQ8_K, row_q6_K>);
    t.quantize_q8_0 = quantize_q8_0;
    t.quantize_q8_K = quantize_q8_K;
    t.fp16_to_fp32 = fp16_to_fp32;
    t.fp32_to_fp16 = fp32_to_fp16;
    t.dot_f32 = dot_f32;
    t.dot_f16 = dot_f16;
    t.dot_q8_0 = dot_q8_0;
    t.axpy_f32 = axpy_f32;
    t.axpy_f16 = axpy_f16;
    t.axpy_q8_0 = axpy_q8_0;
    t.dot_rows_f32 = dot_rows<float, dot_f32>;
    t.dot_rows_f16 = dot_rows<uint16_t, dot_f16>;
    t.dot_rows_q8_0 = dot_rows<void, dot_q8_0>;
    t.axpy_rows_f32 = axpy_rows<float, axpy_f32>;
    t.axpy_rows_f16 = axpy_rows<uint16_t, axpy_f16>;
    t.axpy_rows_q8_0 = axpy_rows<void, axpy_q8_0>;
    t.softmax = softmax;
    t.silu = silu;
    t.swiglu = swiglu;
    t.gelu = gelu;
    t.sgemm = sgemm_blocked<4>;
    return t;
}

} // namespace

const KernelTable& scalar_kernel_table() {
    static const KernelTable table = make_table();
    return table;
}

} // namespace kmlm
