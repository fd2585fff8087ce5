// KvCache: F16 or Q8_0 rows of keys and values per layer and slot (see kv_cache.h).
#include "kmlm/kv_cache.h"

#include "kmlm/error.h"
#include "kmlm/kernels.h"
#include "kmlm/quant.h"

#include <cstring>
#include <memory>

namespace kmlm {
namespace {

constexpr uint32_t kQ8Block = 32;
constexpr size_t kQ8BlockBytes = 34; // ggml's block_q8_0: fp16 scale + 32 int8

} // namespace

KvCache::KvCache(KvType type, uint32_t n_layer, uint32_t n_ctx, uint32_t n_kv_embd, uint32_t head_dim)
    : type_(type), n_layer_(n_layer), n_ctx_(n_ctx), n_kv_embd_(n_kv_embd), head_dim_(head_dim) {
    if (type == KvType::Q8_0 && head_dim % kQ8Block != 0)
        throw FormatError("the 8-bit KV cache needs a head size that is a multiple of 32 (got " + std::to_string(head_dim) + ")");
    row_bytes_ = type == KvType::F16 ? size_t(n_kv_embd) * 2 : size_t(n_kv_embd / kQ8Block) * kQ8BlockBytes;
    // Left uninitialised: the pages become resident only as the context fills.
    bytes_ = size_t(n_layer) * 2 * n_ctx * row_bytes_;
    data_ = std::make_unique_for_overwrite<uint8_t[]>(bytes_);
}

void KvCache::write_row(uint8_t* row, const float* x) const {
    if (type_ == KvType::F16) fp32_to_fp16_row(x, reinterpret_cast<uint16_t*>(row), n_kv_embd_);
    else quantize_row(GgmlType::Q8_0, x, row, n_kv_embd_);
}

void KvCache::read_row(const uint8_t* row, float* x) const {
    if (type_ == KvType::F16) fp16_to_fp32_row(reinterpret_cast<const uint16_t*>(row), x, n_kv_embd_);
    else dequantize_row(GgmlType::Q8_0, row, x, n_kv_embd_);
}

void KvCache::store(uint32_t layer, uint32_t pos, const float* k, const float* v) {
    write_row(k_row(layer, pos), k);
    write_row(v_row(layer, pos), v);
}

// Offset of kv head `head` inside a row: head_dim elements per head, whole Q8_0 blocks.
size_t KvCache::head_offset(uint32_t head) const {
    return type_ == KvType::F16 ? size_t(head) * head_dim_ * 2 : size_t(head) * (head_dim_ / kQ8Block) * kQ8BlockBytes;
}

void KvCache::dot_keys(uint32_t layer, uint32_t head, const float* q, uint32_t n, float* scores) const {
    const size_t off = head_offset(head);
    for (uint32_t j = 0; j < n; ++j) {
        const uint8_t* k = k_row(layer, j) + off;
        scores[j] = type_ == KvType::F16 ? dot_f16(reinterpret_cast<const uint16_t*>(k), q, head_dim_)
                                         : dot_q8_0(k, q, head_dim_);
    }
}

void KvCache::add_values(uint32_t layer, uint32_t head, const float* weights, uint32_t n, float* out) const {
    const size_t off = head_offset(head);
    for (uint32_t j = 0; j < n; ++j) {
        const uint8_t* v = v_row(layer, j) + off;
        if (type_ == KvType::F16) axpy_f16(weights[j], reinterpret_cast<const uint16_t*>(v), out, head_dim_);
        else axpy_q8_0(weights[j], v, out, head_dim_);
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
