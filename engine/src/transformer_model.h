// Internal: the transformer decoder's weights (views into the mapped GGUF file) and the
// model class that runs them.
#pragma once
#include "kmlm/gguf.h"
#include "kmlm/kv_cache.h"
#include "kmlm/language_model.h"
#include "kmlm/transformer.h"

#include <memory>
#include <string>
#include <vector>

namespace kmlm {

// A 1-D or 2-D tensor used in place from the mapping: rows of `cols` elements.
struct Weight {
    GgmlType type = GgmlType::F32;
    const uint8_t* data = nullptr;
    uint32_t cols = 0; // ne0
    uint32_t rows = 0; // ne1 (1 for vectors)
    explicit operator bool() const { return data != nullptr; }
    const float* f32() const { return reinterpret_cast<const float*>(data); }
};

struct LayerWeights {
    Weight attn_norm, attn_norm_b; // [n_embd]
    Weight wq, wk, wv;             // [n_embd] -> [n_q_embd], [n_kv_embd], [n_kv_embd]
    Weight bq, bk, bv;             // qwen2 biases
    Weight wqkv, bqkv;             // gptneox, phi3: [n_embd] -> [Q | K | V]
    Weight q_norm, k_norm;         // [head_dim], per head before RoPE
    Weight wo, bo;                 // [n_q_embd] -> [n_embd]
    Weight attn_post_norm;         // [n_embd] on the attention's output
    Weight ffn_norm, ffn_norm_b;   // [n_embd]
    Weight w_gate, w_up, b_up;     // [n_embd] -> [n_ff] (phi3: w_up -> [gate | up])
    Weight w_down, b_down;         // [n_ff] -> [n_embd]
    Weight ffn_post_norm;          // [n_embd] on the FFN's output
};

struct TransformerWeights {
    Weight tok_embd;              // [n_vocab][n_embd]
    Weight out_norm, out_norm_b;  // [n_embd]
    Weight output;                // [n_vocab][n_embd]; token_embd when tied
    Weight rope_freqs;            // [n_rot/2] divisors of the RoPE frequencies (Llama 3.1+ scaling), optional
    Weight rope_long, rope_short; // [n_rot/2] LongRoPE divisors (phi3), optional
    std::vector<LayerWeights> layers;
};

// The decoder's activation buffers (floats) for a batch of B = min(kDecoderBatch, n_ctx)
// tokens (a batch never exceeds the context), a context of n_ctx and n_threads attention threads. The decoder allocates exactly these and the
// memory estimate counts them, so the two cannot drift apart.
struct DecoderBuffers {
    size_t batch = 0;              // B
    size_t x = 0, xn = 0, tmp = 0; // [B][n_embd] each
    size_t attn = 0;               // [B][max(n_embd, n_q_embd)]
    size_t q = 0;                  // [B][n_q_embd + 2 n_kv_embd]: q, with room for k and v
    size_t k = 0, v = 0;           // [B][n_kv_embd]
    size_t ff_a = 0, ff_b = 0;     // [B][n_ff] (ff_b: [B][2 n_ff] for a fused gate/up)
    size_t scores = 0;             // per thread: [n_ctx] scores, or a query block's (attention.h)
    size_t logits = 0;             // [n_vocab]
    size_t rope = 0;               // cos and sin: 2 x [n_ctx][n_rot / 2] per RoPE variant
    size_t floats() const { return x + xn + attn + tmp + q + k + v + ff_a + ff_b + scores + logits + rope; }
};
DecoderBuffers decoder_buffers(const TransformerHParams& hp, uint32_t n_ctx, uint32_t n_threads);
// The KV cache type a decoder uses when asked for `wanted`: Q8_0 blocks must not straddle heads.
KvType decoder_kv_type(const TransformerHParams& hp, KvType wanted);
// The context a decoder runs with when asked for n_ctx (0: the model's; at least 16 tokens).
uint32_t decoder_context(const TransformerHParams& hp, uint32_t n_ctx);

// Finds and checks every tensor the architecture needs: presence, type, shape. FormatError
// names the tensor.
TransformerWeights bind_weights(const gguf::GgufFile& file, const TransformerHParams& hp);

} // namespace kmlm

namespace kmlm {
// Builds the model over an opened file (transformer_eval.cpp).
std::unique_ptr<LanguageModel> make_transformer(std::unique_ptr<gguf::GgufFile> file, TransformerHParams hp, TransformerWeights weights,
                                                const LoadOptions& options);

} // namespace kmlm
