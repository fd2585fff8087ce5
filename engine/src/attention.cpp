// Attention of a block of queries over the KV cache as matrix products. The R = positions x
// group query rows of a block read the same keys (the query heads that share a kv head, and
// neighbouring positions): a tile of keys is converted to floats once and multiplied with all
// R queries by the SGEMM kernel, instead of R passes of one query over the whole cache.
//
// Shapes of one block (hd: head_dim, rounded up to 32 where it is a row of the output):
//   Q [R][hd]  ·  Kᵀ tile [hd][kTile]  ->  S [R][keys]       (scores, then weights)
//   S tile [R][kTile]  ·  V tile [kTile][hd]  ->  O [R][hd]  (accumulated over the tiles)
#include "attention.h"

#include "kmlm/kernels.h"

#include <algorithm>
#include <cmath>

namespace kmlm {
namespace {

constexpr uint32_t kTile = 256; // keys per tile: a tile of Kᵀ and one of V (256 x 128 floats each) stay in L2
constexpr uint32_t kRows = 16;  // query rows per block: two of the kernel's 8-row tiles reuse each key

// The SGEMM kernel works in 32-column tiles: rows of S and O are padded to whole tiles.
uint32_t pad32(uint32_t n) { return (n + 31) / 32 * 32; }

// The parts of one block's scratch (see attend_block_scratch).
struct Buffers {
    float *q, *o, *s, *rows, *kt, *v;
    Buffers(float* p, uint32_t R, uint32_t hd, uint32_t s_cols) {
        const size_t hdp = pad32(hd);
        q = p;
        o = q + size_t(R) * hd;
        s = o + size_t(R) * hdp;
        rows = s + size_t(R) * s_cols;
        kt = rows + size_t(kTile) * hd;
        v = kt + size_t(hd) * kTile;
    }
};

// kt[d][np] = rows[j][d]ᵀ for j < n, zero in the padding columns n..np.
void transpose_keys(const float* rows, uint32_t n, uint32_t np, uint32_t hd, float* kt) {
    for (uint32_t d = 0; d < hd; ++d) {
        float* out = kt + size_t(d) * np;
        for (uint32_t j = 0; j < n; ++j) out[j] = rows[size_t(j) * hd + d];
        std::fill(out + n, out + np, 0.0f);
    }
}

} // namespace

uint32_t query_block_positions(uint32_t group) { return std::max(1u, kRows / std::max(1u, group)); }

size_t attend_block_scratch(uint32_t group, uint32_t head_dim, uint32_t n_ctx) {
    const size_t R = size_t(query_block_positions(group)) * group, hd = head_dim, hdp = pad32(head_dim);
    return R * hd + R * hdp + R * pad32(n_ctx) + kTile * hd + hd * kTile + kTile * hdp;
}

void attention_weights(float* scores, size_t n, float scale, float softcap) {
    if (softcap > 0)
        for (size_t j = 0; j < n; ++j) scores[j] = softcap * std::tanh(scores[j] * scale / softcap);
    else
        for (size_t j = 0; j < n; ++j) scores[j] *= scale;
    softmax(scores, n);
}

void attend_block(const KvCache& cache, const QueryBlock& b, float* scratch) {
    const uint32_t hd = b.head_dim, hdp = pad32(hd), R = b.n_pos * b.group;
    // Positions are consecutive, so the first one sees the earliest key and the last the latest.
    const uint32_t begin = cache.first_visible(b.layer, b.pos0), end = b.pos0 + b.n_pos;
    const uint32_t n_keys = end - begin, s_cols = pad32(n_keys);
    Buffers m(scratch, R, hd, s_cols);
    for (uint32_t r = 0; r < R; ++r) {
        const float* src = b.q + size_t(r / b.group) * b.stride + size_t(r % b.group) * hd;
        std::copy(src, src + hd, m.q + size_t(r) * hd);
    }

    std::fill(m.s, m.s + size_t(R) * s_cols, 0.0f);
    for (uint32_t j0 = begin; j0 < end; j0 += kTile) {
        const uint32_t n = std::min(kTile, end - j0), np = pad32(n);
        cache.keys_f32(b.layer, b.kv_head, j0, j0 + n, m.rows, hd);
        transpose_keys(m.rows, n, np, hd, m.kt);
        sgemm(nullptr, int(R), int(np), int(hd), m.q, int(hd), m.kt, int(np), m.s + (j0 - begin), int(s_cols));
    }

    // Each row's weights over the keys its position sees; zero for the others.
    for (uint32_t r = 0; r < R; ++r) {
        const uint32_t pos = b.pos0 + r / b.group;
        const uint32_t from = cache.first_visible(b.layer, pos) - begin, to = pos + 1 - begin;
        float* row = m.s + size_t(r) * s_cols;
        attention_weights(row + from, to - from, b.scale, b.softcap);
        std::fill(row, row + from, 0.0f);
        std::fill(row + to, row + n_keys, 0.0f);
    }

    std::fill(m.o, m.o + size_t(R) * hdp, 0.0f);
    for (uint32_t j = 0; j < kTile; ++j) std::fill(m.v + size_t(j) * hdp + hd, m.v + size_t(j + 1) * hdp, 0.0f);
    for (uint32_t j0 = begin; j0 < end; j0 += kTile) {
        const uint32_t n = std::min(kTile, end - j0);
        cache.values_f32(b.layer, b.kv_head, j0, j0 + n, m.v, hdp);
        sgemm(nullptr, int(R), int(hdp), int(n), m.s + (j0 - begin), int(s_cols), m.v, int(hdp), m.o, int(hdp));
    }
    for (uint32_t r = 0; r < R; ++r) {
        const float* src = m.o + size_t(r) * hdp;
        std::copy(src, src + hd, b.out + size_t(r / b.group) * b.stride + size_t(r % b.group) * hd);
    }
}

} // namespace kmlm
