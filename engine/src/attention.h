// Internal: attention over the KV cache for a block of queries that share one kv head, as
// matrix products over tiles of keys (see attention.cpp).
#pragma once
#include "kmlm/kv_cache.h"

#include <cstddef>
#include <cstdint>

namespace kmlm {

// Queries of n_pos consecutive positions from pos0, `group` query heads each, all reading kv
// head kv_head of `layer`: query head g of position pos0 + i is head_dim floats at
// q + i * stride + g * head_dim, and its output goes to the same place in out.
struct QueryBlock {
    const float* q = nullptr;
    float* out = nullptr;
    size_t stride = 0;
    uint32_t layer = 0, kv_head = 0, pos0 = 0, n_pos = 0, group = 1, head_dim = 0;
    float scale = 1.0f, softcap = 0.0f; // scores = scale q·k, or softcap tanh(scale q·k / softcap)
};

// Positions per block: about 16 query rows (positions x group) per matrix product.
uint32_t query_block_positions(uint32_t group);
// Floats of scratch one attend_block() call needs for blocks of query_block_positions(group)
// positions in a context of n_ctx.
size_t attend_block_scratch(uint32_t group, uint32_t head_dim, uint32_t n_ctx);

// out = softmax(scores) V for every query of the block over the positions it sees
// (cache.first_visible .. its own). Reads each key and value once for the whole block.
void attend_block(const KvCache& cache, const QueryBlock& b, float* scratch);

// scores[n] = scale s, or softcap tanh(scale s / softcap), then their softmax.
void attention_weights(float* scores, size_t n, float scale, float softcap);

} // namespace kmlm
