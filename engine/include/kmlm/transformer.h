// Hyperparameters of the GGUF transformer decoders (llama, qwen2, qwen3, exaone, exaone4,
// gptneox, gemma2, gemma3, phi3), read
// from the `<arch>.*` metadata keys as llama.cpp writes them. The model itself is opened
// with load_model() and used through LanguageModel.
#pragma once
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kmlm {

enum class Arch { Llama, Qwen2, Qwen3, Exaone, Exaone4, GptNeoX, Gemma2, Gemma3, Phi3 };

struct TransformerHParams {
    Arch arch = Arch::Llama;
    std::string arch_name; // "llama", ...
    uint32_t n_vocab = 0;
    uint32_t n_ctx_train = 0;       // <arch>.context_length
    uint32_t n_embd = 0;            // <arch>.embedding_length
    uint32_t n_layer = 0;           // <arch>.block_count
    uint32_t n_ff = 0;              // <arch>.feed_forward_length
    uint32_t n_head = 0;            // <arch>.attention.head_count
    uint32_t n_head_kv = 0;         // <arch>.attention.head_count_kv (default: n_head)
    uint32_t head_dim = 0;          // <arch>.attention.key_length (default: n_embd / n_head)
    uint32_t n_rot = 0;             // <arch>.rope.dimension_count (default: head_dim)
    float norm_eps = 1e-5f;         // layer_norm_rms_epsilon (RMSNorm) or layer_norm_epsilon
    float rope_base = 10000.0f;     // <arch>.rope.freq_base
    float rope_scale = 1.0f;        // position multiplier: 1 / rope.scaling.factor for linear scaling
    bool rope_neox = false;         // rotate pairs (i, i + n_rot/2) instead of (2i, 2i + 1)
    bool layer_norm = false;        // LayerNorm with bias (gptneox) instead of RMSNorm
    bool parallel_residual = false; // gptneox: x + attn(ln1(x)) + ffn(ln2(x))

    // Block layout.
    bool fused_qkv = false;     // one attn_qkv matrix [Q | K | V] (gptneox, phi3)
    bool fused_gate_up = false; // ffn_up holds [gate | up], 2 * n_ff rows (phi3)
    bool qkv_bias = false;      // qwen2
    bool qk_norm = false;       // per-head RMSNorm of Q and K before RoPE (qwen3, gemma3, exaone4)
    bool pre_norm = true;       // attn_norm / ffn_norm on the blocks' inputs (all but exaone4)
    bool post_norm = false;     // post_attention_norm / post_ffw_norm on the blocks' outputs (gemma, exaone4)
    bool gelu_gate = false;     // GELU (tanh) instead of SiLU on the FFN gate (gemma)
    float embd_scale = 1.0f;    // token embeddings times this (gemma: sqrt(n_embd))
    float attn_scale = 0.0f;    // query scale: <arch>.attention.scale, else 1/sqrt(head_dim) (see read_hparams)
    float attn_softcap = 0.0f;  // <arch>.attn_logit_softcapping: scores = c * tanh(scores / c); 0: none
    float final_softcap = 0.0f; // <arch>.final_logit_softcapping, the same on the logits

    // Sliding-window attention: a query at i sees keys j with 0 <= i - j < n_swa in the
    // layers marked in swa_layers (empty: none).
    uint32_t n_swa = 0; // <arch>.attention.sliding_window
    std::vector<bool> swa_layers;
    float rope_base_swa = 10000.0f; // RoPE of the sliding-window layers (gemma3: 10000, unscaled)
    float rope_scale_swa = 1.0f;
    bool nope_full_layers = false; // exaone4 hybrid: the full-attention layers have no RoPE

    // LongRoPE (phi3): rope_factors_long/short tensors divide the frequencies, the long ones
    // when the context exceeds n_ctx_orig; cos and sin are scaled by rope_attn_factor.
    uint32_t n_ctx_orig = 0;       // <arch>.rope.scaling.original_context_length
    float rope_attn_factor = 1.0f; // <arch>.rope.scaling.attn_factor

    uint32_t n_q_embd() const { return n_head * head_dim; } // n_embd unless heads were pruned (or qwen3, gemma)
    uint32_t n_kv_embd() const { return n_head_kv * head_dim; }
    bool is_swa(uint32_t layer) const { return layer < swa_layers.size() && swa_layers[layer]; }
    uint32_t window(uint32_t layer) const { return is_swa(layer) ? n_swa : 0; }
    bool uses_rope(uint32_t layer) const { return !(nope_full_layers && !is_swa(layer)); }
    std::vector<uint32_t> windows() const; // window(layer) of every layer
};

// Reads and checks the hyperparameters, without touching the weights. Throws FormatError
// saying why the file cannot be run: an architecture other than those above, a vision
// projector (mmproj) file, a vocabulary-only file, a tensor type the engine cannot compute
// with, or a missing or inconsistent key (named).
TransformerHParams read_hparams(const gguf::GgufFile& file);
bool is_transformer_arch(std::string_view arch);
// "llama, qwen2, ...": the decoder architectures this engine runs.
std::string supported_architectures();

// Transformer models also return the logits of every position of a batch (perplexity).
class BatchLogits {
public:
    virtual ~BatchLogits() = default;
    // Like LanguageModel::eval(), but returns the logits of positions from.. of the batch:
    // [tokens.size() - from][vocab]. (Those of the last token are not kept for eval.)
    virtual std::span<const float> eval_all(std::span<const int32_t> tokens, size_t from = 0) = 0;
};

// "Q4_K_M"-style name of a file's quantization: general.file_type when present, else the
// most common type among its 2-D tensors.
std::string quantization_name(const gguf::GgufFile& file);

} // namespace kmlm
