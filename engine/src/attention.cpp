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

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace kmlm {
namespace {

constexpr uint32_t kTile = 256; // keys per tile: a tile of Kᵀ and one of V (256 x 128 floats each) stay in L2
constexpr uint32_t kRows = 16;  // query rows per block: two of the kernel's 8-row tiles reuse each key

// Kᵀ's rows are kTile + kKtPad floats apart: at 256 floats (1 KiB) the transpose's stores all
// fell into a few L1 sets and evicted each other (the transpose took 16% of generation at
// depth 4096).
constexpr uint32_t kKtPad = 16;
constexpr uint32_t kKtLd = kTile + kKtPad;

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
        v = kt + size_t(hd) * kKtLd;
    }
};

// kt[d][j] (rows kKtLd apart) = rows[j][d]ᵀ for j < n, zero in the padding columns n..np. In 4 x 4 blocks where
// SSE is there (every x86-64): one element at a time, this loop took about as long as the
// SGEMM it feeds (`perf record` at depth 4096: 10% of the time).
void transpose_keys(const float* rows, uint32_t n, uint32_t np, uint32_t hd, float* kt) {
    uint32_t j0 = 0; // keys before j0 are done in blocks
#if defined(__SSE__)
    if (hd % 4 == 0) {
        for (; j0 + 4 <= n; j0 += 4)
            for (uint32_t d = 0; d < hd; d += 4) {
                const float* in = rows + size_t(j0) * hd + d;
                __m128 r0 = _mm_loadu_ps(in), r1 = _mm_loadu_ps(in + hd), r2 = _mm_loadu_ps(in + 2 * hd), r3 = _mm_loadu_ps(in + 3 * hd);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                float* out = kt + size_t(d) * kKtLd + j0;
                _mm_storeu_ps(out, r0), _mm_storeu_ps(out + kKtLd, r1), _mm_storeu_ps(out + 2 * kKtLd, r2),
                    _mm_storeu_ps(out + 3 * kKtLd, r3);
            }
    }
#endif
    for (uint32_t d = 0; d < hd; ++d) {
        float* out = kt + size_t(d) * kKtLd;
        for (uint32_t j = j0; j < n; ++j) out[j] = rows[size_t(j) * hd + d];
        std::fill(out + n, out + np, 0.0f);
    }
}

} // namespace

uint32_t query_block_positions(uint32_t group) { return std::max(1u, kRows / std::max(1u, group)); }

size_t attend_block_scratch(uint32_t group, uint32_t head_dim, uint32_t n_ctx) {
    const size_t R = size_t(query_block_positions(group)) * group, hd = head_dim, hdp = pad32(head_dim);
    return R * hd + R * hdp + R * pad32(n_ctx) + kTile * hd + hd * kKtLd + kTile * hdp;
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
        sgemm(nullptr, int(R), int(np), int(hd), m.q, int(hd), m.kt, int(kKtLd), m.s + (j0 - begin), int(s_cols));
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
