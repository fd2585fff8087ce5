// The key/value cache of a transformer decoder: one row of n_kv_embd (= n_head_kv * head_dim)
// keys and one of values per layer and cached token, stored as F16 or as Q8_0 blocks (32
// int8 values sharing one F16 scale: half the memory of F16 at a small loss), or as F32 for
// exact reference checks.
//
// Keys are stored AFTER RoPE, rotated for their position. When the context slides, the kept
// tokens move down and their keys are re-rotated once by the shift (update_keys). The
// alternative, storing keys before RoPE and rotating every cached key at every step, would
// cost a rotation per cached key per generated token; re-rotating on a shift costs one
// rotation per kept key per slide, and slides are rare (half the window goes at once).
//
// A sliding-window layer (a query at position i sees keys j with 0 <= i - j < W) keeps only
// window_slots(n_ctx, W) rows, used as a ring: position p lives in slot (p + offset) % slots.
// After the context slides, such a layer no longer sees the sink tokens (they are far outside
// its window anyway unless the window nearly spans the context).
#pragma once
#include "kmlm/ggml_type.h"
#include "kmlm/language_model.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace kmlm {

// Tokens per forward pass of the decoder: large enough for the matrix-matrix kernels to reuse
// each weight row across the batch, small enough to keep the activations in a few MiB.
constexpr uint32_t kDecoderBatch = 128;

class KvCache {
public:
    // windows[layer]: 0 for a layer that sees the whole context, else its sliding window.
    // head_dim must be a multiple of 32 for Q8_0 (FormatError otherwise).
    KvCache(KvType type, uint32_t n_ctx, uint32_t n_kv_embd, uint32_t head_dim, std::vector<uint32_t> windows);

    // Rows a layer with sliding window W keeps: the window plus one batch written before it
    // is read, at most the context.
    static uint32_t window_slots(uint32_t n_ctx, uint32_t window);
    // Bytes of a cache of these dimensions (the memory estimate uses it without building one).
    static uint64_t bytes_for(KvType type, uint32_t n_ctx, uint32_t n_kv_embd, const std::vector<uint32_t>& windows);

    KvType type() const { return type_; }
    uint32_t n_ctx() const { return n_ctx_; }
    uint64_t bytes() const { return bytes_; }

    // k, v: [n_kv_embd] floats of the token at position pos.
    void store(uint32_t layer, uint32_t pos, const float* k, const float* v);
    // First position a query at pos sees in this layer (its window, and what the ring holds).
    uint32_t first_visible(uint32_t layer, uint32_t pos) const;
    // Dot products of q (head_dim floats) with the keys of kv head `head` at positions
    // [begin, end): scores[end - begin].
    void dot_keys(uint32_t layer, uint32_t head, const float* q, uint32_t begin, uint32_t end, float* scores) const;
    // out[head_dim] += sum_j weights[j - begin] * value_j for kv head `head`, positions [begin, end).
    void add_values(uint32_t layer, uint32_t head, const float* weights, uint32_t begin, uint32_t end, float* out) const;
    // The keys (values) of kv head `head` at positions [begin, end) as float rows,
    // out[(j - begin) * ld + d], for matrix products over a tile of the cache.
    void keys_f32(uint32_t layer, uint32_t head, uint32_t begin, uint32_t end, float* out, size_t ld) const;
    void values_f32(uint32_t layer, uint32_t head, uint32_t begin, uint32_t end, float* out, size_t ld) const;

    // The context slides: of n_past positions, [n_sink, n_sink + discard) are dropped and the
    // later ones move down by discard, in every layer.
    void drop(uint32_t n_sink, uint32_t discard, uint32_t n_past);
    // Positions n.. are forgotten. False when a sliding-window layer no longer holds the
    // window a query at n needs (the positions were overwritten): the caller starts over.
    bool truncate(uint32_t n);
    void clear();
    // Rewrites the keys at positions [begin, end) of every layer (that still holds them)
    // through rotate(key, layer), which gets the n_kv_embd floats of one position's keys.
    void update_keys(uint32_t begin, uint32_t end, const std::function<void(float* key, uint32_t layer)>& rotate);

private:
    struct Layer {
        size_t offset = 0;       // of its first K row in data_
        uint32_t n_slots = 0;    // rows of K (and of V)
        uint32_t window = 0;     // 0: whole context
        bool ring = false;       // n_slots < n_ctx: positions wrap around
        uint32_t shift = 0;      // ring: position p is in slot (p + shift) % n_slots
        uint32_t valid_from = 0; // ring: positions before this are gone
        uint32_t end = 0;        // ring: one past the highest position written
    };
    uint32_t slot(const Layer& l, uint32_t pos) const { return l.ring ? (pos + l.shift) % l.n_slots : pos; }
    uint8_t* k_row(uint32_t layer, uint32_t pos) {
        return data_.get() + layers_[layer].offset + size_t(slot(layers_[layer], pos)) * row_bytes_;
    }
    uint8_t* v_row(uint32_t layer, uint32_t pos) {
        const Layer& l = layers_[layer];
        return data_.get() + l.offset + (size_t(l.n_slots) + slot(l, pos)) * row_bytes_;
    }
    const uint8_t* k_row(uint32_t layer, uint32_t pos) const { return const_cast<KvCache*>(this)->k_row(layer, pos); }
    const uint8_t* v_row(uint32_t layer, uint32_t pos) const { return const_cast<KvCache*>(this)->v_row(layer, pos); }
    uint32_t lowest_held(const Layer& l) const { return std::max(l.valid_from, l.end > l.n_slots ? l.end - l.n_slots : 0u); }
    size_t head_offset(uint32_t head) const;
    GgmlType row_type() const;
    uint32_t run_length(const Layer& l, uint32_t pos, uint32_t end) const;
    void write_row(uint8_t* row, const float* x) const;
    void read_floats(const uint8_t* p, float* x, uint32_t n) const;

    KvType type_;
    uint32_t n_ctx_, n_kv_embd_, head_dim_;
    size_t row_bytes_;
    size_t bytes_;
    std::vector<Layer> layers_;
    std::unique_ptr<uint8_t[]> data_; // per layer: [K, V][slots][row_bytes]
};

} // namespace kmlm
