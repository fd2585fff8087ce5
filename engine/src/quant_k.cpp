// The K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, and Q8_K for activations): super-blocks of 256 elements
// with per-sub-block scales. The scale search follows ggml's reference quantizers
// (make_qkx2_quants / make_qx_quants / make_q3_quants) so that our files match what llama.cpp writes.
#include "kmlm/quant.h"

#include "quant_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kmlm {
namespace {

constexpr float kGroupMaxEps = 1e-15f;

int nearest_int(float f) { return int(std::lrintf(f)); }

// Fits x[i] ~ scale * L[i] - min with L in 0..nmax, minimising the weighted squared error
// over a few candidate scales (absolute errors instead of squared ones with use_mad).
// Returns scale; *the_min receives min (>= 0).
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* the_min, uint8_t* Laux, float rmin,
                       float rdelta, int nstep, bool use_mad = false) {
    auto err = [use_mad](float diff) { return use_mad ? std::fabs(diff) : diff * diff; };
    float min = x[0], max = x[0];
    float sum_w = weights[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        sum_w += weights[i];
        sum_x += weights[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        std::fill(L, L + n, 0);
        *the_min = -min;
        return 0.0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = uint8_t(std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax));
        best_error += weights[i] * err(scale * L[i] + min - x[i]);
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = uint8_t(l);
            sum_l += weights[i] * l;
            sum_l2 += weights[i] * l * l;
            sum_xl += weights[i] * l * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D <= 0) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; ++i) error += weights[i] * err(this_scale * Laux[i] + this_min - x[i]);
        if (error < best_error) {
            std::copy(Laux, Laux + n, L);
            best_error = error;
            scale = this_scale;
            min = this_min;
        }
    }
    *the_min = -min;
    return scale;
}

// Symmetric fit x[i] ~ scale * (L[i] - nmax) with L in 0..2*nmax-1, weights x^2, trying
// scales around nmax / max. Returns scale.
float make_qx_quants(int n, int nmax, const float* x, int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, 0);
        return 0.0f;
    }
    auto fit = [&](float iscale, float& sumlx, float& suml2) {
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
    };
    auto assign = [&](float iscale) {
        for (int i = 0; i < n; ++i) L[i] = int8_t(nmax + std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1));
    };
    float iscale = -nmax / max;
    float sumlx, suml2;
    fit(iscale, sumlx, suml2);
    assign(iscale);
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / max;
        fit(iscale, sumlx, suml2);
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            assign(iscale);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Q3_K's symmetric fit x[i] ~ scale * L[i], L in -nmax..nmax-1, weights x^2: start from
// nmax / max, then move single elements while that lowers the weighted error (up to 5
// passes). Stores L + nmax; returns scale.
float make_q3_quants(int n, int nmax, const float* x, int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, 0);
        return 0.0f;
    }
    const float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = int8_t(l);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * L[i];
            if (slx <= 0) continue;
            float sl2 = suml2 - w * L[i] * L[i];
            const int l = std::clamp(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
            if (l == L[i]) continue;
            slx += w * x[i] * l;
            sl2 += w * l * l;
            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                L[i] = int8_t(l);
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = int8_t(L[i] + nmax);
    return suml2 > 0 ? sumlx / suml2 : 0.0f;
}

// Packs 2-bit values L[256] as Q2_K/Q3_K store them (see BlockQ2_K).
void pack_2bit(const uint8_t* L, uint8_t* qs) {
    for (int j = 0; j < QK_K; j += 128)
        for (int l = 0; l < 32; ++l) qs[j / 4 + l] = uint8_t(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}

// Packs 8 six-bit scales and mins into Q4_K/Q5_K's 12 bytes (inverse of get_scale_min_k4).
void pack_scales_k4(const uint8_t* ls, const uint8_t* lm, uint8_t* scales) {
    std::memset(scales, 0, K_SCALE_SIZE);
    for (int j = 0; j < QK_K / 32; ++j) {
        if (j < 4) {
            scales[j] = ls[j];
            scales[j + 4] = lm[j];
        } else {
            scales[j + 4] = uint8_t((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            scales[j - 4] |= uint8_t((ls[j] >> 4) << 6);
            scales[j - 0] |= uint8_t((lm[j] >> 4) << 6);
        }
    }
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): sub-block scales and mins to 6 bits, then
// every element re-quantized against the rounded scales. Fills L[256] with 0..nmax.
void quantize_k4_block(const float* x, int nmax, float rmin, int nstep, uint16_t& d_out, uint16_t& dmin_out, uint8_t* scales_out,
                       uint8_t* L) {
    float weights[32], mins[QK_K / 32], scales[QK_K / 32];
    uint8_t Laux[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < QK_K / 32; ++j) {
        const float* xj = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xj[l] * xj[l];
        const float av_x = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xj[l]);
        scales[j] = make_qkx2_quants(32, nmax, xj, weights, L + 32 * j, &mins[j], Laux, rmin, 0.1f, nstep);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    uint8_t ls[QK_K / 32], lm[QK_K / 32];
    for (int j = 0; j < QK_K / 32; ++j) {
        ls[j] = uint8_t(std::min(63, nearest_int(inv_scale * scales[j])));
        lm[j] = uint8_t(std::min(63, nearest_int(inv_min * mins[j])));
    }
    pack_scales_k4(ls, lm, scales_out);
    d_out = fp32_to_fp16(max_scale / 63.f);
    dmin_out = fp32_to_fp16(max_min / 63.f);
    const float d = fp16_to_fp32(d_out), dmin = fp16_to_fp32(dmin_out);
    for (int j = 0; j < QK_K / 32; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, scales_out, sc, m);
        const float dj = d * sc;
        if (!dj) continue;
        const float dm = dmin * m;
        for (int ii = 0; ii < 32; ++ii) L[32 * j + ii] = uint8_t(std::clamp(nearest_int((x[32 * j + ii] + dm) / dj), 0, nmax));
    }
}

} // namespace

void quantize_row_q2_K(const float* x, BlockQ2_K* y, int64_t n) {
    constexpr float kQ4Scale = 15.f;
    uint8_t L[QK_K], Laux[16];
    float weights[16], mins[QK_K / 16], scales[QK_K / 16];
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < QK_K / 16; ++j) {
            for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
            scales[j] = make_qkx2_quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, true);
            max_scale = std::max(max_scale, scales[j]);
            max_min = std::max(max_min, mins[j]);
        }
        // 4-bit sub-block scales and mins against the block's fp16 d and dmin.
        for (int j = 0; j < QK_K / 16; ++j) {
            const int ls = max_scale > 0 ? nearest_int(kQ4Scale / max_scale * scales[j]) : 0;
            const int lm = max_min > 0 ? nearest_int(kQ4Scale / max_min * mins[j]) : 0;
            y[b].scales[j] = uint8_t(ls | (lm << 4));
        }
        y[b].d = fp32_to_fp16(max_scale > 0 ? max_scale / kQ4Scale : 0.f);
        y[b].dmin = fp32_to_fp16(max_min > 0 ? max_min / kQ4Scale : 0.f);
        const float d = fp16_to_fp32(y[b].d), dmin = fp16_to_fp32(y[b].dmin);
        for (int j = 0; j < QK_K / 16; ++j) {
            const float dj = d * (y[b].scales[j] & 0xF);
            if (!dj) continue;
            const float dm = dmin * (y[b].scales[j] >> 4);
            for (int ii = 0; ii < 16; ++ii) L[16 * j + ii] = uint8_t(std::clamp(nearest_int((x[16 * j + ii] + dm) / dj), 0, 3));
        }
        pack_2bit(L, y[b].qs);
    }
}

void dequantize_row_q2_K(const BlockQ2_K* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float d = fp16_to_fp32(x[b].d), min = fp16_to_fp32(x[b].dmin);
        const uint8_t* q = x[b].qs;
        int is = 0;
        for (int half = 0; half < 2; ++half, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int k = 0; k < 2; ++k) {
                    const uint8_t sc = x[b].scales[is++];
                    const float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                    for (int l = 0; l < 16; ++l) *y++ = dl * float((q[16 * k + l] >> shift) & 3) - ml;
                }
            }
        }
    }
}

void quantize_row_q3_K(const float* x, BlockQ3_K* y, int64_t n) {
    int8_t L[QK_K];
    float scales[QK_K / 16];
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        float max_scale = 0, amax = 0;
        for (int j = 0; j < QK_K / 16; ++j) {
            scales[j] = make_q3_quants(16, 4, x + 16 * j, L + 16 * j);
            if (std::fabs(scales[j]) > amax) {
                amax = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        std::memset(y[b].scales, 0, sizeof(y[b].scales));
        if (max_scale) {
            const float iscale = -32.f / max_scale;
            for (int j = 0; j < QK_K / 16; ++j) {
                const int l = std::clamp(nearest_int(iscale * scales[j]), -32, 31) + 32;
                if (j < 8)
                    y[b].scales[j] = uint8_t(l & 0xF);
                else
                    y[b].scales[j - 8] |= uint8_t((l & 0xF) << 4);
                y[b].scales[j % 4 + 8] |= uint8_t((l >> 4) << (2 * (j / 4)));
            }
            y[b].d = fp32_to_fp16(1 / iscale);
        } else {
            y[b].d = fp32_to_fp16(0.f);
        }
        int8_t sc[QK_K / 16];
        unpack_scales_q3_K(y[b].scales, sc);
        for (int j = 0; j < QK_K / 16; ++j) {
            const float d = fp16_to_fp32(y[b].d) * sc[j];
            if (!d) continue;
            for (int ii = 0; ii < 16; ++ii) L[16 * j + ii] = int8_t(std::clamp(nearest_int(x[16 * j + ii] / d), -4, 3) + 4);
        }
        // The third bit of element i goes to bit i / 32 of hmask[i % 32].
        std::memset(y[b].hmask, 0, sizeof(y[b].hmask));
        uint8_t low[QK_K];
        for (int i = 0; i < QK_K; ++i) {
            if (L[i] > 3) y[b].hmask[i % 32] |= uint8_t(1 << (i / 32));
            low[i] = uint8_t(L[i] & 3);
        }
        pack_2bit(low, y[b].qs);
    }
}

void dequantize_row_q3_K(const BlockQ3_K* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float d = fp16_to_fp32(x[b].d);
        int8_t sc[QK_K / 16];
        unpack_scales_q3_K(x[b].scales, sc);
        const uint8_t* q = x[b].qs;
        int is = 0;
        uint8_t m = 1;
        for (int half = 0; half < 2; ++half, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                for (int k = 0; k < 2; ++k) {
                    const float dl = d * sc[is++];
                    for (int l = 0; l < 16; ++l) {
                        const int v = ((q[16 * k + l] >> shift) & 3) - (x[b].hmask[16 * k + l] & m ? 0 : 4);
                        *y++ = dl * float(v);
                    }
                }
            }
        }
    }
}

void quantize_row_q4_K(const float* x, BlockQ4_K* y, int64_t n) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        quantize_k4_block(x, 15, -1.f, 20, y[b].d, y[b].dmin, y[b].scales, L);
        uint8_t* q = y[b].qs;
        for (int j = 0; j < QK_K; j += 64, q += 32)
            for (int l = 0; l < 32; ++l) q[l] = uint8_t(L[j + l] | (L[j + l + 32] << 4));
    }
}

void dequantize_row_q4_K(const BlockQ4_K* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float d = fp16_to_fp32(x[b].d), min = fp16_to_fp32(x[b].dmin);
        const uint8_t* q = x[b].qs;
        for (int j = 0, is = 0; j < QK_K; j += 64, q += 32, is += 2) {
            uint8_t sc, m;
            get_scale_min_k4(is, x[b].scales, sc, m);
            const float d1 = d * sc, m1 = min * m;
            get_scale_min_k4(is + 1, x[b].scales, sc, m);
            const float d2 = d * sc, m2 = min * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

void quantize_row_q5_K(const float* x, BlockQ5_K* y, int64_t n) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        quantize_k4_block(x, 31, -0.5f, 15, y[b].d, y[b].dmin, y[b].scales, L);
        std::memset(y[b].qh, 0, sizeof(y[b].qh));
        uint8_t* ql = y[b].qs;
        uint8_t m1 = 1, m2 = 2;
        for (int j = 0; j < QK_K; j += 64, ql += 32, m1 <<= 2, m2 <<= 2) {
            for (int l = 0; l < 32; ++l) {
                int l1 = L[j + l], l2 = L[j + l + 32];
                if (l1 > 15) {
                    l1 -= 16;
                    y[b].qh[l] |= m1;
                }
                if (l2 > 15) {
                    l2 -= 16;
                    y[b].qh[l] |= m2;
                }
                ql[l] = uint8_t(l1 | (l2 << 4));
            }
        }
    }
}

void dequantize_row_q5_K(const BlockQ5_K* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float d = fp16_to_fp32(x[b].d), min = fp16_to_fp32(x[b].dmin);
        const uint8_t* ql = x[b].qs;
        const uint8_t* qh = x[b].qh;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0, is = 0; j < QK_K; j += 64, ql += 32, is += 2, u1 <<= 2, u2 <<= 2) {
            uint8_t sc, m;
            get_scale_min_k4(is, x[b].scales, sc, m);
            const float d1 = d * sc, m1 = min * m;
            get_scale_min_k4(is + 1, x[b].scales, sc, m);
            const float d2 = d * sc, m2 = min * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        }
    }
}

void quantize_row_q6_K(const float* x, BlockQ6_K* y, int64_t n) {
    int8_t L[QK_K];
    float scales[QK_K / 16];
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < QK_K / 16; ++ib) {
            scales[ib] = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib);
            if (std::fabs(scales[ib]) > max_abs_scale) {
                max_abs_scale = std::fabs(scales[ib]);
                max_scale = scales[ib];
            }
        }
        if (max_abs_scale < kGroupMaxEps) {
            std::memset(&y[b], 0, sizeof(BlockQ6_K));
            continue;
        }
        const float iscale = -128.f / max_scale;
        y[b].d = fp32_to_fp16(1 / iscale);
        for (int ib = 0; ib < QK_K / 16; ++ib) y[b].scales[ib] = int8_t(std::min(127, nearest_int(iscale * scales[ib])));
        for (int j = 0; j < QK_K / 16; ++j) {
            const float d = fp16_to_fp32(y[b].d) * y[b].scales[j];
            if (!d) continue;
            for (int ii = 0; ii < 16; ++ii) L[16 * j + ii] = int8_t(std::clamp(nearest_int(x[16 * j + ii] / d), -32, 31) + 32);
        }
        uint8_t* ql = y[b].ql;
        uint8_t* qh = y[b].qh;
        for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const uint8_t q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF;
                const uint8_t q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                ql[l] = uint8_t(q1 | (q3 << 4));
                ql[l + 32] = uint8_t(q2 | (q4 << 4));
                qh[l] = uint8_t((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
            }
        }
    }
}

void dequantize_row_q6_K(const BlockQ6_K* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float d = fp16_to_fp32(x[b].d);
        const uint8_t* ql = x[b].ql;
        const uint8_t* qh = x[b].qh;
        const int8_t* sc = x[b].scales;
        for (int j = 0; j < QK_K; j += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * sc[is + 0] * q1;
                y[l + 32] = d * sc[is + 2] * q2;
                y[l + 64] = d * sc[is + 4] * q3;
                y[l + 96] = d * sc[is + 6] * q4;
            }
        }
    }
}

void quantize_row_q8_K(const float* x, BlockQ8_K* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < QK_K; ++j) {
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        }
        if (!amax) {
            std::memset(&y[b], 0, sizeof(BlockQ8_K));
            continue;
        }
        // -127/max puts the extreme value at -127 whatever its sign; the other side may reach 127.
        const float iscale = -127.f / max;
        for (int j = 0; j < QK_K; ++j) y[b].qs[j] = int8_t(std::min(127, nearest_int(iscale * x[j])));
        for (int j = 0; j < QK_K / 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += y[b].qs[j * 16 + ii];
            y[b].bsums[j] = int16_t(sum);
        }
        y[b].d = 1 / iscale;
    }
}

void dequantize_row_q8_K(const BlockQ8_K* x, float* y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b)
        for (int j = 0; j < QK_K; ++j) *y++ = x[b].d * x[b].qs[j];
}

} // namespace kmlm
