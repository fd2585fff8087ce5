// KvCache: F16 or Q8_0 rows of keys and values per layer and slot (see kv_cache.h).
#include "kmlm/kv_cache.h"

#include "kmlm/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kmlm {
namespace {

constexpr uint32_t kQ8Block = 32;
struct BlockQ8 { uint16_t d; int8_t q[kQ8Block]; }; // ggml's block_q8_0
static_assert(sizeof(BlockQ8) == 34);

uint16_t to_f16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff) return uint16_t(sign | 0x7c00u | (mant ? 0x200u : 0)); // inf/nan
    if (exp >= 31) return uint16_t(sign | 0x7c00u);
    if (exp <= 0) { // subnormal or zero
        if (exp < -10) return uint16_t(sign);
        mant |= 0x800000u;
        const uint32_t shift = uint32_t(14 - exp);
        uint32_t h = mant >> shift;
        const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) ++h;
        return uint16_t(sign | h);
    }
    uint32_t h = (uint32_t(exp) << 10) | (mant >> 13);
    const uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h; // round to nearest even
    return uint16_t(sign | h);
}

// F16 -> F32 through a table: 256 KiB, built once, faster than bit twiddling per element.
const float* f16_table() {
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (uint32_t h = 0; h < 65536; ++h) {
            const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
            float v;
            if (exp == 0) v = std::ldexp(float(mant), -24);
            else if (exp == 31) v = mant ? NAN : INFINITY;
            else v = std::ldexp(float(mant | 0x400u), int(exp) - 25);
            uint32_t bits;
            std::memcpy(&bits, &v, 4);
            bits |= sign;
            std::memcpy(&v, &bits, 4);
            t[h] = v;
        }
        return t;
    }();
    return table.data();
}

} // namespace

KvCache::KvCache(KvType type, uint32_t n_layer, uint32_t n_ctx, uint32_t n_kv_embd, uint32_t head_dim)
    : type_(type), n_layer_(n_layer), n_ctx_(n_ctx), n_kv_embd_(n_kv_embd), head_dim_(head_dim) {
    if (type == KvType::Q8_0 && head_dim % kQ8Block != 0)
        throw FormatError("the 8-bit KV cache needs a head size that is a multiple of 32 (got " + std::to_string(head_dim) + ")");
    row_bytes_ = type == KvType::F16 ? size_t(n_kv_embd) * 2 : size_t(n_kv_embd / kQ8Block) * sizeof(BlockQ8);
    data_.assign(size_t(n_layer) * 2 * n_ctx * row_bytes_, 0);
}

void KvCache::write_row(uint8_t* row, const float* x) const {
    if (type_ == KvType::F16) {
        auto* h = reinterpret_cast<uint16_t*>(row);
        for (uint32_t i = 0; i < n_kv_embd_; ++i) h[i] = to_f16(x[i]);
        return;
    }
    auto* blocks = reinterpret_cast<BlockQ8*>(row);
    for (uint32_t b = 0; b < n_kv_embd_ / kQ8Block; ++b) {
        const float* xb = x + b * kQ8Block;
        float amax = 0;
        for (uint32_t i = 0; i < kQ8Block; ++i) amax = std::max(amax, std::fabs(xb[i]));
        const float d = amax / 127.0f, id = d > 0 ? 1.0f / d : 0.0f;
        blocks[b].d = to_f16(d);
        for (uint32_t i = 0; i < kQ8Block; ++i) blocks[b].q[i] = int8_t(std::lround(xb[i] * id));
    }
}

void KvCache::read_row(const uint8_t* row, float* x) const {
    const float* f16 = f16_table();
    if (type_ == KvType::F16) {
        const auto* h = reinterpret_cast<const uint16_t*>(row);
        for (uint32_t i = 0; i < n_kv_embd_; ++i) x[i] = f16[h[i]];
        return;
    }
    const auto* blocks = reinterpret_cast<const BlockQ8*>(row);
    for (uint32_t b = 0; b < n_kv_embd_ / kQ8Block; ++b) {
        const float d = f16[blocks[b].d];
        for (uint32_t i = 0; i < kQ8Block; ++i) x[b * kQ8Block + i] = d * float(blocks[b].q[i]);
    }
}

void KvCache::store(uint32_t layer, uint32_t pos, const float* k, const float* v) {
    write_row(k_row(layer, pos), k);
    write_row(v_row(layer, pos), v);
}

void KvCache::dot_keys(uint32_t layer, uint32_t head, const float* q, uint32_t n, float* scores) const {
    const float* f16 = f16_table();
    for (uint32_t j = 0; j < n; ++j) {
        const uint8_t* row = k_row(layer, j);
        float sum = 0;
        if (type_ == KvType::F16) {
            const auto* h = reinterpret_cast<const uint16_t*>(row) + size_t(head) * head_dim_;
            for (uint32_t i = 0; i < head_dim_; ++i) sum += q[i] * f16[h[i]];
        } else {
            const auto* blocks = reinterpret_cast<const BlockQ8*>(row) + head * (head_dim_ / kQ8Block);
            for (uint32_t b = 0; b < head_dim_ / kQ8Block; ++b) {
                float s = 0;
                for (uint32_t i = 0; i < kQ8Block; ++i) s += q[b * kQ8Block + i] * float(blocks[b].q[i]);
                sum += s * f16[blocks[b].d];
            }
        }
        scores[j] = sum;
    }
}

void KvCache::add_values(uint32_t layer, uint32_t head, const float* weights, uint32_t n, float* out) const {
    const float* f16 = f16_table();
    for (uint32_t j = 0; j < n; ++j) {
        const uint8_t* row = v_row(layer, j);
        const float w = weights[j];
        if (type_ == KvType::F16) {
            const auto* h = reinterpret_cast<const uint16_t*>(row) + size_t(head) * head_dim_;
            for (uint32_t i = 0; i < head_dim_; ++i) out[i] += w * f16[h[i]];
        } else {
            const auto* blocks = reinterpret_cast<const BlockQ8*>(row) + head * (head_dim_ / kQ8Block);
            for (uint32_t b = 0; b < head_dim_ / kQ8Block; ++b) {
                const float wd = w * f16[blocks[b].d];
                for (uint32_t i = 0; i < kQ8Block; ++i) out[b * kQ8Block + i] += wd * float(blocks[b].q[i]);
            }
        }
    }
}

void KvCache::move(uint32_t from, uint32_t to, uint32_t n) {
    for (uint32_t l = 0; l < n_layer_; ++l) {
        std::memmove(k_row(l, to), k_row(l, from), size_t(n) * row_bytes_);
        std::memmove(v_row(l, to), v_row(l, from), size_t(n) * row_bytes_);
    }
}

void KvCache::update_keys(uint32_t begin, uint32_t end, const std::function<void(float*, uint32_t)>& rotate) {
    std::vector<float> key(n_kv_embd_);
    for (uint32_t l = 0; l < n_layer_; ++l)
        for (uint32_t pos = begin; pos < end; ++pos) {
            read_row(k_row(l, pos), key.data());
            rotate(key.data(), pos);
            write_row(k_row(l, pos), key.data());
        }
}

} // namespace kmlm
