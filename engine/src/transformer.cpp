// load_transformer(): hyperparameters and tensors of the GGUF decoders (llama, qwen2, qwen3,
// exaone, exaone4, gptneox, gemma2, gemma3, phi3), checked against each other before
// anything runs. Keys and tensor names are those llama.cpp's converter writes.
#include "loaders.h"
#include "transformer_model.h"

#include "kmlm/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace kmlm {
namespace {

struct ArchDesc {
    std::string_view name;
    Arch arch;
    bool rope_neox, layer_norm;
};
// Rope modes as llama.cpp's llama_rope_type(): llama keeps adjacent pairs (its converter
// permutes Q/K so that this matches the original); the others rotate halves.
// clang-format off
constexpr ArchDesc kArchs[] = {
    {"llama", Arch::Llama, false, false},
    {"qwen2", Arch::Qwen2, true, false},
    {"qwen3", Arch::Qwen3, true, false},
    {"exaone", Arch::Exaone, true, false},
    {"exaone4", Arch::Exaone4, true, false},
    {"gptneox", Arch::GptNeoX, true, true},
    {"gemma2", Arch::Gemma2, true, false},
    {"gemma3", Arch::Gemma3, true, false},
    {"phi3", Arch::Phi3, true, false},
};
// clang-format on

const ArchDesc* find_arch(std::string_view name) {
    for (const auto& a : kArchs)
        if (a.name == name) return &a;
    return nullptr;
}

uint32_t require_u32(const gguf::GgufFile& f, const std::string& key, uint32_t max) {
    const auto v = f.get_uint(key);
    if (!v) throw FormatError(f.source_name() + ": metadata key '" + key + "' is missing");
    if (*v == 0 || *v > max) throw FormatError(f.source_name() + ": metadata key '" + key + "' has an invalid value " + std::to_string(*v));
    return uint32_t(*v);
}

uint32_t optional_u32(const gguf::GgufFile& f, const std::string& key, uint32_t fallback, uint32_t max) {
    return f.has(key) ? require_u32(f, key, max) : fallback;
}

// A positive float key, or fallback when absent.
float optional_positive(const gguf::GgufFile& f, const std::string& key, float fallback) {
    const auto v = f.get_float(key);
    if (!v) return fallback;
    if (!(*v > 0) || !std::isfinite(*v)) throw FormatError(f.source_name() + ": metadata key '" + key + "' is out of range");
    return float(*v);
}

// Files that are GGUF but not a runnable decoder, named for what they are.
void refuse_non_models(const gguf::GgufFile& f) {
    const std::string name = f.architecture();
    bool vision = name == "clip";
    for (const auto& t : f.tensors())
        if (t.name.starts_with("v.") || t.name.starts_with("mm.")) vision = true;
    if (vision)
        throw FormatError(f.source_name() + ": this is a vision projector (mmproj) file, not a language model; "
                                            "only the text model file can be run");
    if (!f.find_tensor("token_embd.weight"))
        throw FormatError(f.source_name() + ": the file holds " +
                          (f.tensors().empty() ? std::string("only a tokenizer vocabulary (no weights)") : "no token_embd.weight tensor") +
                          "; it cannot be run as a model");
}

// <arch>.attention.sliding_window_pattern: one bool per layer, or (an integer n) every n-th
// layer full and the others sliding, as llama.cpp's set_swa_pattern().
std::vector<bool> swa_pattern(const gguf::GgufFile& f, const std::string& key, uint32_t n_layer, uint32_t fallback_period) {
    std::vector<bool> layers(n_layer, false);
    uint64_t period = fallback_period;
    if (const gguf::Value* v = f.find(key)) {
        if (const auto* bools = std::get_if<std::vector<uint8_t>>(&v->data)) {
            if (bools->size() != n_layer)
                throw FormatError(f.source_name() + ": metadata key '" + key + "' has " + std::to_string(bools->size()) + " entries for " +
                                  std::to_string(n_layer) + " layers");
            for (uint32_t i = 0; i < n_layer; ++i) layers[i] = (*bools)[i] != 0;
            return layers;
        }
        period = f.get_uint(key).value_or(0);
    }
    if (period == 0) return {};
    for (uint32_t i = 0; i < n_layer; ++i) layers[i] = i % period < period - 1;
    return layers;
}

void read_attention_layout(const gguf::GgufFile& f, TransformerHParams& hp) {
    const std::string p = hp.arch_name + ".";
    const Arch a = hp.arch;
    const bool gemma = a == Arch::Gemma2 || a == Arch::Gemma3;
    hp.fused_qkv = a == Arch::GptNeoX || (a == Arch::Phi3 && f.find_tensor("blk.0.attn_qkv.weight"));
    hp.fused_gate_up = a == Arch::Phi3;
    hp.qkv_bias = a == Arch::Qwen2;
    hp.qk_norm = a == Arch::Qwen3 || a == Arch::Gemma3 || a == Arch::Exaone4;
    hp.pre_norm = a != Arch::Exaone4;
    hp.post_norm = gemma || a == Arch::Exaone4;
    hp.gelu_gate = gemma;
    if (gemma) hp.embd_scale = std::sqrt(float(hp.n_embd));
    if (a == Arch::Gemma2) {
        hp.attn_softcap = optional_positive(f, p + "attn_logit_softcapping", 0.0f);
        hp.final_softcap = optional_positive(f, p + "final_logit_softcapping", 0.0f);
    }
    // Gemma scales queries by query_pre_attn_scalar^-1/2, which the converter does not
    // store: as llama.cpp, the head size, except the 27B models' n_embd / n_head.
    const bool gemma_27b = (a == Arch::Gemma2 && hp.n_layer == 46) || (a == Arch::Gemma3 && hp.n_layer == 62);
    hp.attn_scale = optional_positive(f, p + "attention.scale", 1.0f / std::sqrt(float(gemma_27b ? hp.n_embd / hp.n_head : hp.head_dim)));

    // Sliding windows: gemma2 every other layer (window 4096 unless set), gemma3 five of
    // six, exaone4 as its pattern key says (the 64-layer 32B: three of four, 4096); phi3's
    // window is ignored, as llama.cpp does.
    uint32_t period = 0, window = 0;
    if (a == Arch::Gemma2) period = 2, window = 4096;
    if (a == Arch::Gemma3) period = 6;
    if (a == Arch::Exaone4 && hp.n_layer == 64) period = 4, window = 4096;
    if (a == Arch::Phi3) return;
    hp.n_swa = optional_u32(f, p + "attention.sliding_window", window, 1u << 24);
    if (hp.n_swa == 0) return;
    hp.swa_layers = swa_pattern(f, p + "attention.sliding_window_pattern", hp.n_layer, period);
    if (a == Arch::Gemma3)
        hp.rope_base_swa = 10000.0f, hp.rope_scale_swa = 1.0f;
    else
        hp.rope_base_swa = hp.rope_base, hp.rope_scale_swa = hp.rope_scale;
    hp.rope_base_swa = optional_positive(f, p + "rope.freq_base_swa", hp.rope_base_swa);
    hp.nope_full_layers = a == Arch::Exaone4 && std::find(hp.swa_layers.begin(), hp.swa_layers.end(), true) != hp.swa_layers.end();
}

void read_rope_scaling(const gguf::GgufFile& f, TransformerHParams& hp) {
    const std::string p = hp.arch_name + ".";
    const std::string type = f.get_string(p + "rope.scaling.type").value_or("");
    const float factor = optional_positive(f, p + "rope.scaling.factor", 1.0f);
    if (type == "linear") hp.rope_scale = 1.0f / factor;
    hp.n_ctx_orig = optional_u32(f, p + "rope.scaling.original_context_length", hp.n_ctx_train, 1u << 24);
    hp.rope_attn_factor = optional_positive(f, p + "rope.scaling.attn_factor", 1.0f);
}

void check_tensor_types(const gguf::GgufFile& f) {
    for (const auto& t : f.tensors())
        if (!type_traits(t.type).computable)
            throw FormatError(f.source_name() + ": tensor '" + t.name + "' has type " + std::string(type_traits(t.type).name) +
                              ", which the engine cannot compute with");
}

} // namespace

bool is_transformer_arch(std::string_view arch) { return find_arch(arch) != nullptr; }

std::vector<uint32_t> TransformerHParams::windows() const {
    std::vector<uint32_t> w(n_layer);
    for (uint32_t i = 0; i < n_layer; ++i) w[i] = window(i);
    return w;
}

std::string supported_architectures() {
    std::string names;
    for (const auto& a : kArchs) names += (names.empty() ? "" : ", ") + std::string(a.name);
    return names;
}

TransformerHParams read_hparams(const gguf::GgufFile& f) {
    refuse_non_models(f);
    const std::string name = f.architecture();
    const ArchDesc* desc = find_arch(name);
    if (!desc)
        throw FormatError(f.source_name() + ": architecture '" + name + "' is not supported (" + supported_architectures() + " are)");
    check_tensor_types(f);
    TransformerHParams hp;
    hp.arch = desc->arch;
    hp.arch_name = name;
    hp.rope_neox = desc->rope_neox;
    hp.layer_norm = desc->layer_norm;
    const std::string p = name + ".";
    hp.n_ctx_train = require_u32(f, p + "context_length", 1u << 24);
    hp.n_embd = require_u32(f, p + "embedding_length", 1u << 16);
    hp.n_layer = require_u32(f, p + "block_count", 1024);
    hp.n_ff = require_u32(f, p + "feed_forward_length", 1u << 18);
    hp.n_head = require_u32(f, p + "attention.head_count", 1024);
    hp.n_head_kv = f.has(p + "attention.head_count_kv") ? require_u32(f, p + "attention.head_count_kv", hp.n_head) : hp.n_head;
    if (!f.has(p + "attention.key_length") && hp.n_embd % hp.n_head != 0)
        throw FormatError(f.source_name() + ": embedding_length " + std::to_string(hp.n_embd) + " is not a multiple of head_count " +
                          std::to_string(hp.n_head));
    if (hp.n_head % hp.n_head_kv != 0)
        throw FormatError(f.source_name() + ": head_count " + std::to_string(hp.n_head) + " is not a multiple of head_count_kv " +
                          std::to_string(hp.n_head_kv));
    // The query width may differ from the hidden width (qwen3, gemma): the head size is
    // attention.key_length when present.
    hp.head_dim = optional_u32(f, p + "attention.key_length", hp.n_embd / hp.n_head, 1u << 12);
    if (optional_u32(f, p + "attention.value_length", hp.head_dim, 1u << 12) != hp.head_dim)
        throw FormatError(f.source_name() + ": attention.value_length differs from attention.key_length");
    hp.n_rot = optional_u32(f, p + "rope.dimension_count", hp.head_dim, hp.head_dim);
    if (hp.n_rot % 2 != 0) throw FormatError(f.source_name() + ": rope.dimension_count must be even");
    const std::string eps_key = p + (hp.layer_norm ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon");
    const auto eps = f.get_float(eps_key);
    if (!eps) throw FormatError(f.source_name() + ": metadata key '" + eps_key + "' is missing");
    if (!(*eps > 0 && *eps < 1)) throw FormatError(f.source_name() + ": metadata key '" + eps_key + "' is out of range");
    hp.norm_eps = float(*eps);
    if (const auto base = f.get_float(p + "rope.freq_base")) {
        if (!(*base > 1)) throw FormatError(f.source_name() + ": metadata key '" + p + "rope.freq_base' is out of range");
        hp.rope_base = float(*base);
    }
    hp.parallel_residual = hp.arch == Arch::GptNeoX && f.get_bool(p + "use_parallel_residual").value_or(true);
    read_rope_scaling(f, hp);
    read_attention_layout(f, hp);
    const auto& embd = f.tensor("token_embd.weight");
    if (embd.dims.size() != 2 || embd.dims[1] == 0 || embd.dims[1] > (1u << 22))
        throw FormatError(f.source_name() + ": tensor 'token_embd.weight' has an invalid shape");
    hp.n_vocab = uint32_t(embd.dims[1]);
    return hp;
}

namespace {

// Looks up one tensor and checks its shape ({cols} or {cols, rows}) and type.
class Binder {
public:
    Binder(const gguf::GgufFile& f) : f_(f) {}

    Weight matrix(const std::string& name, uint64_t cols, uint64_t rows, bool required = true) const {
        return bind(name, {cols, rows}, required, false);
    }
    Weight vector(const std::string& name, uint64_t n, bool required = true) const { return bind(name, {n}, required, true); }

private:
    Weight bind(const std::string& name, std::vector<uint64_t> dims, bool required, bool f32_only) const {
        const gguf::TensorInfo* t = f_.find_tensor(name);
        if (!t) {
            if (required) throw FormatError(f_.source_name() + ": tensor '" + name + "' is missing");
            return {};
        }
        auto shape = [](const std::vector<uint64_t>& d) {
            std::string s = "[";
            for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
            return s + "]";
        };
        std::vector<uint64_t> got = t->dims;
        while (got.size() > dims.size() && got.back() == 1) got.pop_back();
        if (got != dims)
            throw FormatError(f_.source_name() + ": tensor '" + name + "' has shape " + shape(t->dims) + ", expected " + shape(dims));
        const TypeTraits& traits = type_traits(t->type);
        if (f32_only ? t->type != GgmlType::F32 : !traits.computable)
            throw FormatError(f_.source_name() + ": tensor '" + name + "' has type " + std::string(traits.name) +
                              (f32_only ? ", expected F32" : ", which the engine cannot compute with"));
        Weight w;
        w.type = t->type;
        w.data = f_.tensor_data(*t);
        w.cols = uint32_t(dims[0]);
        w.rows = dims.size() > 1 ? uint32_t(dims[1]) : 1;
        return w;
    }
    const gguf::GgufFile& f_;
};

} // namespace

TransformerWeights bind_weights(const gguf::GgufFile& f, const TransformerHParams& hp) {
    const Binder b(f);
    const uint32_t d = hp.n_embd, q = hp.n_q_embd(), kv = hp.n_kv_embd(), ff = hp.n_ff, hd = hp.head_dim;
    const bool neox = hp.arch == Arch::GptNeoX;
    TransformerWeights w;
    w.tok_embd = b.matrix("token_embd.weight", d, hp.n_vocab);
    w.out_norm = b.vector("output_norm.weight", d);
    if (neox) w.out_norm_b = b.vector("output_norm.bias", d);
    w.output = b.matrix("output.weight", d, hp.n_vocab, false);
    if (!w.output) w.output = w.tok_embd; // tied embeddings
    w.rope_freqs = b.vector("rope_freqs.weight", hp.n_rot / 2, false);
    w.rope_long = b.vector("rope_factors_long.weight", hp.n_rot / 2, false);
    w.rope_short = b.vector("rope_factors_short.weight", hp.n_rot / 2, false);
    for (uint32_t i = 0; i < hp.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        LayerWeights l;
        if (hp.pre_norm) {
            l.attn_norm = b.vector(p + "attn_norm.weight", d);
            l.ffn_norm = b.vector(p + "ffn_norm.weight", d);
        }
        if (hp.post_norm) {
            l.attn_post_norm = b.vector(p + "post_attention_norm.weight", d);
            l.ffn_post_norm = b.vector(p + "post_ffw_norm.weight", d);
        }
        if (hp.layer_norm) {
            l.attn_norm_b = b.vector(p + "attn_norm.bias", d);
            l.ffn_norm_b = b.vector(p + "ffn_norm.bias", d);
        }
        if (hp.fused_qkv) {
            l.wqkv = b.matrix(p + "attn_qkv.weight", d, q + 2 * kv);
            if (neox) l.bqkv = b.vector(p + "attn_qkv.bias", q + 2 * kv);
        } else {
            l.wq = b.matrix(p + "attn_q.weight", d, q);
            l.wk = b.matrix(p + "attn_k.weight", d, kv);
            l.wv = b.matrix(p + "attn_v.weight", d, kv);
        }
        if (hp.qkv_bias) {
            l.bq = b.vector(p + "attn_q.bias", q);
            l.bk = b.vector(p + "attn_k.bias", kv);
            l.bv = b.vector(p + "attn_v.bias", kv);
        }
        if (hp.qk_norm) {
            l.q_norm = b.vector(p + "attn_q_norm.weight", hd);
            l.k_norm = b.vector(p + "attn_k_norm.weight", hd);
        }
        l.wo = b.matrix(p + "attn_output.weight", q, d);
        if (neox) l.bo = b.vector(p + "attn_output.bias", d);
        l.w_up = b.matrix(p + "ffn_up.weight", d, hp.fused_gate_up ? 2 * ff : ff);
        l.w_down = b.matrix(p + "ffn_down.weight", ff, d);
        if (neox) {
            l.b_up = b.vector(p + "ffn_up.bias", ff);
            l.b_down = b.vector(p + "ffn_down.bias", d);
        } else if (!hp.fused_gate_up) {
            l.w_gate = b.matrix(p + "ffn_gate.weight", d, ff);
        }
        w.layers.push_back(l);
    }
    return w;
}

std::unique_ptr<LanguageModel> load_transformer(std::unique_ptr<gguf::GgufFile> file, const LoadOptions& options) {
    TransformerHParams hp = read_hparams(*file);
    TransformerWeights weights = bind_weights(*file, hp);
    return make_transformer(std::move(file), std::move(hp), std::move(weights), options);
}

} // namespace kmlm

namespace kmlm {

std::string quantization_name(const gguf::GgufFile& file) {
    // llama.cpp's llama_ftype numbering.
    static const std::map<uint64_t, std::string_view> kFileTypes = {
        {0, "F32"},     {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},    {8, "Q5_0"},
        {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"},
        {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"},   {32, "BF16"},
    };
    if (const auto ft = file.get_uint("general.file_type"))
        if (auto it = kFileTypes.find(*ft); it != kFileTypes.end()) return std::string(it->second);
    std::map<GgmlType, uint64_t> count;
    for (const auto& t : file.tensors())
        if (t.dims.size() >= 2) count[t.type] += t.n_elements;
    if (count.empty()) return "F32";
    const auto best = std::max_element(count.begin(), count.end(), [](auto& a, auto& b) { return a.second < b.second; });
    return std::string(type_traits(best->first).name);
}

} // namespace kmlm
