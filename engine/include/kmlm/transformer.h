// Hyperparameters of the GGUF transformer decoders (llama, qwen2, exaone, gptneox), read
// from the `<arch>.*` metadata keys as llama.cpp writes them. The model itself is opened
// with load_model() and used through LanguageModel.
#pragma once
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"

#include <cstdint>
#include <span>
#include <string>

namespace kmlm {

enum class Arch { Llama, Qwen2, Exaone, GptNeoX };

struct TransformerHParams {
    Arch arch = Arch::Llama;
    std::string arch_name;      // "llama", ...
    uint32_t n_vocab = 0;
    uint32_t n_ctx_train = 0;   // <arch>.context_length
    uint32_t n_embd = 0;        // <arch>.embedding_length
    uint32_t n_layer = 0;       // <arch>.block_count
    uint32_t n_ff = 0;          // <arch>.feed_forward_length
    uint32_t n_head = 0;        // <arch>.attention.head_count
    uint32_t n_head_kv = 0;     // <arch>.attention.head_count_kv (default: n_head)
    uint32_t head_dim = 0;      // <arch>.attention.key_length (default: n_embd / n_head)
    uint32_t n_rot = 0;         // <arch>.rope.dimension_count (default: head_dim)
    float norm_eps = 1e-5f;     // layer_norm_rms_epsilon (RMSNorm) or layer_norm_epsilon
    float rope_base = 10000.0f; // <arch>.rope.freq_base
    bool rope_neox = false;     // rotate pairs (i, i + n_rot/2) instead of (2i, 2i + 1)
    bool layer_norm = false;    // LayerNorm with bias (gptneox) instead of RMSNorm
    bool parallel_residual = false; // gptneox: x + attn(ln1(x)) + ffn(ln2(x))

    uint32_t n_kv_embd() const { return n_head_kv * head_dim; }
    uint32_t n_q_embd() const { return n_head * head_dim; } // n_embd unless heads were pruned
};

// Reads and checks the hyperparameters. Throws FormatError naming the key for a missing or
// inconsistent value, and for an architecture other than the four above.
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
