// The key/value cache of a transformer decoder: one row of n_kv_embd (= n_head_kv * head_dim)
// keys and one of values per layer and cached token, stored as F16 or as Q8_0 blocks (32
// int8 values sharing one F16 scale: half the memory of F16 at a small loss).
//
// Keys are stored AFTER RoPE, rotated for the position equal to their slot index. When the
// window slides, the kept tokens move down and their keys are re-rotated once by the shift
// (shift_keys). The alternative, storing keys before RoPE and rotating every cached key at
// every step, would cost a rotation per cached key per generated token; re-rotating on a
// shift costs one rotation per kept key per slide, and slides are rare (half the window
// goes at once).
#pragma once
#include "kmlm/language_model.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace kmlm {

class KvCache {
public:
    // n_kv_embd must be a multiple of 32 for Q8_0 (FormatError otherwise).
    KvCache(KvType type, uint32_t n_layer, uint32_t n_ctx, uint32_t n_kv_embd, uint32_t head_dim);

    KvType type() const { return type_; }
    uint32_t n_ctx() const { return n_ctx_; }
    uint64_t bytes() const { return bytes_; }

    // k, v: [n_kv_embd] floats of the token in slot pos.
    void store(uint32_t layer, uint32_t pos, const float* k, const float* v);
    // Dot products of q (head_dim floats) with the keys of kv head `head` in slots [0, n).
    void dot_keys(uint32_t layer, uint32_t head, const float* q, uint32_t n, float* scores) const;
    // out[head_dim] += sum_j weights[j] * value_j for kv head `head`, slots [0, n).
    void add_values(uint32_t layer, uint32_t head, const float* weights, uint32_t n, float* out) const;

    // Moves slots [from, from + n) to [to, to + n) (to < from) in every layer.
    void move(uint32_t from, uint32_t to, uint32_t n);
    // Rewrites the keys of slots [begin, end) in every layer through rotate(key, slot), which
    // gets the n_kv_embd floats of one slot's keys.
    void update_keys(uint32_t begin, uint32_t end, const std::function<void(float* key, uint32_t slot)>& rotate);

private:
    size_t head_offset(uint32_t head) const;
    uint8_t* k_row(uint32_t layer, uint32_t pos) { return data_.get() + ((size_t(layer) * 2) * n_ctx_ + pos) * row_bytes_; }
    uint8_t* v_row(uint32_t layer, uint32_t pos) { return data_.get() + ((size_t(layer) * 2 + 1) * n_ctx_ + pos) * row_bytes_; }
    const uint8_t* k_row(uint32_t layer, uint32_t pos) const { return const_cast<KvCache*>(this)->k_row(layer, pos); }
    const uint8_t* v_row(uint32_t layer, uint32_t pos) const { return const_cast<KvCache*>(this)->v_row(layer, pos); }
    void write_row(uint8_t* row, const float* x) const;
    void read_row(const uint8_t* row, float* x) const;

    KvType type_;
    uint32_t n_layer_, n_ctx_, n_kv_embd_, head_dim_;
    size_t row_bytes_;
    size_t bytes_;
    std::unique_ptr<uint8_t[]> data_; // [n_layer][K, V][n_ctx][row_bytes]
};

} // namespace kmlm
