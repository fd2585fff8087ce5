// KvCache: F32, F16 or Q8_0 rows of keys and values per layer and position, rings for the
// sliding-window layers (see kv_cache.h).
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

size_t row_bytes_for(KvType type, uint32_t n_kv_embd) {
    if (type == KvType::F32) return size_t(n_kv_embd) * 4;
    return type == KvType::F16 ? size_t(n_kv_embd) * 2 : size_t(n_kv_embd / kQ8Block) * kQ8BlockBytes;
}

// One head is a short stretch of each long cache row, a stride the hardware prefetcher does
// not follow: converting a tile waited on memory row by row (23% of generation at depth 4096
// in fp16_to_fp32_row). The rows this far ahead are asked for while one converts.
constexpr uint32_t kRowsAhead = 8;
void prefetch_stretch(const uint8_t* p, size_t bytes) {
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(p + o);
    __builtin_prefetch(p + bytes - 1);
}

} // namespace

uint32_t KvCache::window_slots(uint32_t n_ctx, uint32_t window) {
    if (window == 0 || uint64_t(window) + kDecoderBatch - 1 >= n_ctx) return n_ctx;
    return window + kDecoderBatch - 1;
}

uint64_t KvCache::bytes_for(KvType type, uint32_t n_ctx, uint32_t n_kv_embd, const std::vector<uint32_t>& windows) {
    uint64_t rows = 0;
    for (uint32_t w : windows) rows += 2 * uint64_t(window_slots(n_ctx, w));
    return rows * row_bytes_for(type, n_kv_embd);
}

KvCache::KvCache(KvType type, uint32_t n_ctx, uint32_t n_kv_embd, uint32_t head_dim, std::vector<uint32_t> windows)
    : type_(type), n_ctx_(n_ctx), n_kv_embd_(n_kv_embd), head_dim_(head_dim) {
    if (type == KvType::Q8_0 && head_dim % kQ8Block != 0)
        throw FormatError("the 8-bit KV cache needs a head size that is a multiple of 32 (got " + std::to_string(head_dim) + ")");
    row_bytes_ = row_bytes_for(type, n_kv_embd);
    size_t offset = 0;
    for (uint32_t w : windows) {
        Layer l;
        l.offset = offset;
        l.window = w;
        l.n_slots = window_slots(n_ctx, w);
        l.ring = l.n_slots < n_ctx;
        offset += 2 * size_t(l.n_slots) * row_bytes_;
        layers_.push_back(l);
    }
    // Left uninitialised: the pages become resident only as the context fills.
    bytes_ = offset;
    data_ = std::make_unique_for_overwrite<uint8_t[]>(bytes_);
}

void KvCache::write_row(uint8_t* row, const float* x) const {
    if (type_ == KvType::F32)
        std::memcpy(row, x, size_t(n_kv_embd_) * 4);
    else if (type_ == KvType::F16)
        fp32_to_fp16_row(x, reinterpret_cast<uint16_t*>(row), n_kv_embd_);
    else
        quantize_row(GgmlType::Q8_0, x, row, n_kv_embd_);
}

// n elements of the cache's type at p, as floats (a whole row, or one head of it).
void KvCache::read_floats(const uint8_t* p, float* x, uint32_t n) const {
    if (type_ == KvType::F32)
        std::memcpy(x, p, size_t(n) * 4);
    else if (type_ == KvType::F16)
        fp16_to_fp32_row(reinterpret_cast<const uint16_t*>(p), x, n);
    else
        dequantize_row(GgmlType::Q8_0, p, x, n);
}

void KvCache::store(uint32_t layer, uint32_t pos, const float* k, const float* v) {
    write_row(k_row(layer, pos), k);
    write_row(v_row(layer, pos), v);
    Layer& l = layers_[layer];
    l.end = std::max(l.end, pos + 1);
}

uint32_t KvCache::first_visible(uint32_t layer, uint32_t pos) const {
    const Layer& l = layers_[layer];
    const uint32_t first = l.window && pos + 1 > l.window ? pos + 1 - l.window : 0;
    return l.ring ? std::max(first, lowest_held(l)) : first;
}

// Offset of kv head `head` inside a row: head_dim elements per head, whole Q8_0 blocks.
size_t KvCache::head_offset(uint32_t head) const {
    if (type_ == KvType::F32) return size_t(head) * head_dim_ * 4;
    return type_ == KvType::F16 ? size_t(head) * head_dim_ * 2 : size_t(head) * (head_dim_ / kQ8Block) * kQ8BlockBytes;
}

GgmlType KvCache::row_type() const { return type_ == KvType::F32 ? GgmlType::F32 : type_ == KvType::F16 ? GgmlType::F16 : GgmlType::Q8_0; }

// Positions pos.. (before end) in consecutive slots: all of them, or up to a ring's wrap.
uint32_t KvCache::run_length(const Layer& l, uint32_t pos, uint32_t end) const {
    return l.ring ? std::min(end - pos, l.n_slots - slot(l, pos)) : end - pos;
}

void KvCache::dot_keys(uint32_t layer, uint32_t head, const float* q, uint32_t begin, uint32_t end, float* scores) const {
    const size_t off = head_offset(head);
    for (uint32_t j = begin; j < end;) {
        const uint32_t n = run_length(layers_[layer], j, end);
        dot_rows(row_type(), k_row(layer, j) + off, row_bytes_, n, q, head_dim_, scores + (j - begin));
        j += n;
    }
}

void KvCache::add_values(uint32_t layer, uint32_t head, const float* weights, uint32_t begin, uint32_t end, float* out) const {
    const size_t off = head_offset(head);
    for (uint32_t j = begin; j < end;) {
        const uint32_t n = run_length(layers_[layer], j, end);
        axpy_rows(row_type(), v_row(layer, j) + off, row_bytes_, n, weights + (j - begin), head_dim_, out);
        j += n;
    }
}

void KvCache::keys_f32(uint32_t layer, uint32_t head, uint32_t begin, uint32_t end, float* out, size_t ld) const {
    const size_t off = head_offset(head), bytes = head_offset(1);
    for (uint32_t j = begin; j < end; ++j) {
        if (j + kRowsAhead < end) prefetch_stretch(k_row(layer, j + kRowsAhead) + off, bytes);
        read_floats(k_row(layer, j) + off, out + (j - begin) * ld, head_dim_);
    }
}

void KvCache::values_f32(uint32_t layer, uint32_t head, uint32_t begin, uint32_t end, float* out, size_t ld) const {
    const size_t off = head_offset(head), bytes = head_offset(1);
    for (uint32_t j = begin; j < end; ++j) {
        if (j + kRowsAhead < end) prefetch_stretch(v_row(layer, j + kRowsAhead) + off, bytes);
        read_floats(v_row(layer, j) + off, out + (j - begin) * ld, head_dim_);
    }
}

void KvCache::drop(uint32_t n_sink, uint32_t discard, uint32_t n_past) {
    const uint32_t kept = n_past - n_sink - discard;
    for (Layer& l : layers_) {
        if (!l.ring) {
            uint8_t* k = data_.get() + l.offset;
            uint8_t* v = k + size_t(l.n_slots) * row_bytes_;
            std::memmove(k + size_t(n_sink) * row_bytes_, k + size_t(n_sink + discard) * row_bytes_, size_t(kept) * row_bytes_);
            std::memmove(v + size_t(n_sink) * row_bytes_, v + size_t(n_sink + discard) * row_bytes_, size_t(kept) * row_bytes_);
            continue;
        }
        // The kept positions stay in their slots: only the numbering moves.
        const uint32_t lo = lowest_held(l);
        l.valid_from = lo >= n_sink + discard ? lo - discard : n_sink;
        l.shift = uint32_t((uint64_t(l.shift) + discard) % l.n_slots);
        l.end = n_past - discard;
    }
}

bool KvCache::truncate(uint32_t n) {
    if (n == 0) {
        clear();
        return true;
    }
    bool complete = true;
    for (Layer& l : layers_) {
        if (!l.ring || l.end <= n) continue;
        l.valid_from = lowest_held(l);
        l.end = n;
        const uint32_t needed = l.window && n + 1 > l.window ? n + 1 - l.window : 0;
        if (l.valid_from > needed) complete = false;
    }
    return complete;
}

void KvCache::clear() {
    for (Layer& l : layers_) l.shift = l.valid_from = l.end = 0;
}

void KvCache::update_keys(uint32_t begin, uint32_t end, const std::function<void(float*, uint32_t)>& rotate) {
    std::vector<float> key(n_kv_embd_);
    for (uint32_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        const uint32_t from = l.ring ? std::max(begin, lowest_held(l)) : begin;
        const uint32_t to = l.ring ? std::min(end, l.end) : end;
        for (uint32_t pos = from; pos < to; ++pos) {
            read_floats(k_row(i, pos), key.data(), n_kv_embd_);
            rotate(key.data(), i);
            write_row(k_row(i, pos), key.data());
        }
    }
}

} // namespace kmlm
