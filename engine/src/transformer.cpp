// load_transformer(): hyperparameters and tensors of the GGUF decoders (llama, qwen2,
// exaone, gptneox), checked against each other before anything runs.
#include "loaders.h"
#include "transformer_model.h"

#include "kmlm/error.h"

#include <algorithm>
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
// permutes Q/K so that this matches the original); qwen2, exaone and gptneox rotate halves.
constexpr ArchDesc kArchs[] = {
    {"llama", Arch::Llama, false, false},
    {"qwen2", Arch::Qwen2, true, false},
    {"exaone", Arch::Exaone, true, false},
    {"gptneox", Arch::GptNeoX, true, true},
};

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

} // namespace

bool is_transformer_arch(std::string_view arch) { return find_arch(arch) != nullptr; }

std::string supported_architectures() {
    std::string names;
    for (const auto& a : kArchs) names += (names.empty() ? "" : ", ") + std::string(a.name);
    return names;
}

TransformerHParams read_hparams(const gguf::GgufFile& f) {
    const std::string name = f.architecture();
    const ArchDesc* desc = find_arch(name);
    if (!desc) throw FormatError(f.source_name() + ": architecture '" + name + "' is not supported (" + supported_architectures() + " are)");
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
        throw FormatError(f.source_name() + ": embedding_length " + std::to_string(hp.n_embd) + " is not a multiple of head_count " + std::to_string(hp.n_head));
    if (hp.n_head % hp.n_head_kv != 0)
        throw FormatError(f.source_name() + ": head_count " + std::to_string(hp.n_head) + " is not a multiple of head_count_kv " + std::to_string(hp.n_head_kv));
    hp.head_dim = hp.n_embd / hp.n_head;
    // An explicit head size (a file whose heads were pruned: the query width is then
    // n_head * head_dim, not n_embd); keys and values of the same size.
    if (f.has(p + "attention.key_length")) {
        hp.head_dim = require_u32(f, p + "attention.key_length", 1u << 12);
        if (f.has(p + "attention.value_length") && require_u32(f, p + "attention.value_length", 1u << 12) != hp.head_dim)
            throw FormatError(f.source_name() + ": attention.value_length differs from attention.key_length, which is not supported");
    }
    hp.n_rot = f.has(p + "rope.dimension_count") ? require_u32(f, p + "rope.dimension_count", hp.head_dim) : hp.head_dim;
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
    Weight vector(const std::string& name, uint64_t n, bool required = true) const {
        return bind(name, {n}, required, true);
    }

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
    const uint32_t d = hp.n_embd, q = hp.n_q_embd(), kv = hp.n_kv_embd(), ff = hp.n_ff;
    const bool neox = hp.arch == Arch::GptNeoX;
    TransformerWeights w;
    w.tok_embd = b.matrix("token_embd.weight", d, hp.n_vocab);
    w.out_norm = b.vector("output_norm.weight", d);
    if (neox) w.out_norm_b = b.vector("output_norm.bias", d);
    w.output = b.matrix("output.weight", d, hp.n_vocab, false);
    if (!w.output) w.output = w.tok_embd; // tied embeddings
    w.rope_freqs = b.vector("rope_freqs.weight", hp.n_rot / 2, false);
    for (uint32_t i = 0; i < hp.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        LayerWeights l;
        l.attn_norm = b.vector(p + "attn_norm.weight", d);
        l.wo = b.matrix(p + "attn_output.weight", q, d);
        l.w_up = b.matrix(p + "ffn_up.weight", d, ff);
        l.w_down = b.matrix(p + "ffn_down.weight", ff, d);
        if (neox) {
            l.attn_norm_b = b.vector(p + "attn_norm.bias", d);
            l.wqkv = b.matrix(p + "attn_qkv.weight", d, q + 2 * kv);
            l.bqkv = b.vector(p + "attn_qkv.bias", q + 2 * kv);
            l.bo = b.vector(p + "attn_output.bias", d);
            l.ffn_norm = b.vector(p + "ffn_norm.weight", d);
            l.ffn_norm_b = b.vector(p + "ffn_norm.bias", d);
            l.b_up = b.vector(p + "ffn_up.bias", ff);
            l.b_down = b.vector(p + "ffn_down.bias", d);
        } else {
            l.wq = b.matrix(p + "attn_q.weight", d, q);
            l.wk = b.matrix(p + "attn_k.weight", d, kv);
            l.wv = b.matrix(p + "attn_v.weight", d, kv);
            if (hp.arch == Arch::Qwen2) {
                l.bq = b.vector(p + "attn_q.bias", q);
                l.bk = b.vector(p + "attn_k.bias", kv);
                l.bv = b.vector(p + "attn_v.bias", kv);
            }
            l.ffn_norm = b.vector(p + "ffn_norm.weight", d);
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
        {0, "F32"}, {1, "F16"}, {2, "Q4_0"}, {3, "Q4_1"}, {7, "Q8_0"}, {8, "Q5_0"}, {9, "Q5_1"},
        {10, "Q2_K"}, {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"}, {15, "Q4_K_M"},
        {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"}, {32, "BF16"},
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
