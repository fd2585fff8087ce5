// Random-weight transformer GGUF files (kmlm/model_random.h): weights drawn from a seeded
// generator, a byte-level BPE vocabulary built from Hangul syllables and English letters.
#include "kmlm/model_random.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"
#include "kmlm/transformer.h"

#include <cmath>
#include <set>
#include <unordered_set>

namespace kmlm {
namespace {

constexpr const char* kChatTemplate =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
constexpr const char* kControlTokens[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};

// GPT-2's byte -> printable code point table (bytes_to_unicode in the reference encoder).
std::vector<std::string> byte_symbols() {
    std::vector<char32_t> cp(256, 0);
    std::vector<bool> direct(256, false);
    for (int b = '!'; b <= '~'; ++b) direct[b] = true;
    for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
    for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) cp[b] = direct[b] ? char32_t(b) : next++;
    std::vector<std::string> out(256);
    for (int b = 0; b < 256; ++b) {
        const char32_t c = cp[b];
        std::string& s = out[b];
        if (c < 0x80)
            s += char(c);
        else {
            s += char(0xC0 | (c >> 6));
            s += char(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// Vocabulary: 256 byte tokens, merges of whole Hangul syllables (common ones first), of
// English letter pairs and of syllable pairs, then the control tokens.
struct Vocab {
    std::vector<std::string> tokens, merges;
    std::vector<int32_t> types;
};

Vocab make_vocab(uint32_t n_vocab) {
    const uint32_t n_control = std::size(kControlTokens);
    if (n_vocab < 256 + n_control) throw InvalidArgument("random model: the vocabulary needs at least 259 tokens");
    const uint32_t n_merges = n_vocab - 256 - n_control;
    const auto sym = byte_symbols();
    Vocab v;
    std::unordered_set<std::string> have;
    std::vector<std::string> raw; // the bytes of each token
    for (int b = 0; b < 256; ++b) {
        v.tokens.push_back(sym[b]);
        raw.push_back(std::string(1, char(b)));
        have.insert(sym[b]);
    }
    auto mapped = [&](const std::string& bytes) {
        std::string s;
        for (unsigned char c : bytes) s += sym[c];
        return s;
    };
    auto merge = [&](const std::string& a, const std::string& b) {
        if (v.merges.size() >= n_merges) return;
        const std::string ma = mapped(a), mb = mapped(b), m = ma + mb;
        if (!have.count(ma) || !have.count(mb) || have.count(m)) return;
        v.merges.push_back(ma + " " + mb);
        v.tokens.push_back(m);
        raw.push_back(a + b);
        have.insert(m);
    };
    auto utf8 = [](char32_t c) {
        std::string s;
        s += char(0xE0 | (c >> 12));
        s += char(0x80 | ((c >> 6) & 0x3F));
        s += char(0x80 | (c & 0x3F));
        return s;
    };
    const std::u32string common = U"이다는의에가을를고서한하지기로도자사리대수시인것들그어나게있정보요아면해일으";
    std::vector<char32_t> order(common.begin(), common.end());
    for (char32_t c = 0xAC00; c <= 0xD7A3; ++c) order.push_back(c);
    for (char32_t c : order) {
        const std::string s = utf8(c);
        merge(s.substr(0, 1), s.substr(1, 1));
        merge(s.substr(0, 2), s.substr(2, 1));
    }
    const std::string letters = " etaoinshrdlucmfwypvbgkjqxz";
    for (char a : letters)
        for (char b : letters.substr(1)) merge(std::string(1, a), std::string(1, b));
    for (char32_t a : common)
        for (char32_t b : common) merge(utf8(a), utf8(b));
    for (size_t i = 256; v.merges.size() < n_merges && i < raw.size(); ++i)
        for (char32_t b : common) merge(raw[i], utf8(b));
    if (v.merges.size() < n_merges) throw InvalidArgument("random model: vocabulary too large for the synthetic merges");
    v.types.assign(v.tokens.size(), 1);
    for (const char* c : kControlTokens) {
        v.tokens.push_back(c);
        v.types.push_back(3);
    }
    return v;
}

// xorshift64*: fast enough for a billion weights, and the same on every machine.
class Random {
public:
    explicit Random(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
    float uniform() { // [-1, 1)
        s_ ^= s_ >> 12;
        s_ ^= s_ << 25;
        s_ ^= s_ >> 27;
        return float((s_ * 0x2545F4914F6CDD1Dull) >> 40) / float(1 << 23) - 1.0f;
    }

private:
    uint64_t s_;
};

struct TypePlan {
    std::string file_type_name;
    uint32_t file_type;
    GgmlType base;
};

TypePlan plan_types(const std::string& name) {
    if (name == "Q4_K_M" || name == "q4_k_m") return {"Q4_K_M", 15, GgmlType::Q4_K};
    if (name == "Q5_K_M" || name == "q5_k_m") return {"Q5_K_M", 17, GgmlType::Q5_K};
    const GgmlType t = parse_type(name);
    if (!can_quantize(t) || t == GgmlType::Q8_K) throw InvalidArgument("random model: cannot write type " + name);
    uint32_t ft = 0;
    switch (t) {
    case GgmlType::F32: ft = 0; break;
    case GgmlType::F16: ft = 1; break;
    case GgmlType::Q4_0: ft = 2; break;
    case GgmlType::Q4_1: ft = 3; break;
    case GgmlType::Q8_0: ft = 7; break;
    case GgmlType::Q5_0: ft = 8; break;
    case GgmlType::Q5_1: ft = 9; break;
    case GgmlType::Q2_K: ft = 10; break;
    case GgmlType::Q3_K: ft = 11; break;
    case GgmlType::Q4_K: ft = 14; break;
    case GgmlType::Q5_K: ft = 16; break;
    case GgmlType::Q6_K: ft = 18; break;
    case GgmlType::IQ4_NL: ft = 25; break;
    case GgmlType::IQ4_XS: ft = 30; break;
    case GgmlType::BF16: ft = 32; break;
    default: break;
    }
    return {std::string(type_traits(t).name), ft, t};
}

class Builder {
public:
    Builder(const RandomModelSpec& spec, const TypePlan& plan) : spec_(spec), plan_(plan), rng_(spec.seed) {}

    void matrix(const std::string& name, uint32_t cols, uint32_t rows, GgmlType type, float scale) {
        std::vector<float> x(size_t(cols) * rows);
        for (float& v : x) v = rng_.uniform() * scale;
        if (cols % type_traits(type).block_size != 0) type = cols % 32 == 0 ? GgmlType::Q8_0 : GgmlType::F16;
        w_.add_tensor(name, type, {cols, rows}, quantize_tensor(type, x.data(), rows, cols, &pool_));
    }
    void vector(const std::string& name, uint32_t n, float center, float spread) {
        std::vector<float> x(n);
        for (float& v : x) v = center + rng_.uniform() * spread;
        w_.add_tensor_f32(name, {n}, x);
    }
    // Type of a 2-D weight: the base type, with llama.cpp's Q4_K_M/Q5_K_M choices of Q6_K
    // for the output, and for attn_v/ffn_down in the first and last eighth and every third layer.
    GgmlType type_for(const std::string& role, uint32_t layer) const {
        const bool mix = plan_.file_type == 15 || plan_.file_type == 17;
        if (!mix) return plan_.base;
        if (role == "output") return GgmlType::Q6_K;
        const uint32_t n = spec_.n_layer;
        const bool more_bits = layer < n / 8 || layer >= 7 * n / 8 || (layer >= n / 8 && (layer - n / 8) % 3 == 2);
        if ((role == "attn_v" || role == "ffn_down") && more_bits) return GgmlType::Q6_K;
        return plan_.base;
    }
    gguf::GgufWriter& writer() { return w_; }

private:
    const RandomModelSpec& spec_;
    const TypePlan& plan_;
    Random rng_;
    ThreadPool pool_;
    gguf::GgufWriter w_;
};

void check_spec(const RandomModelSpec& s) {
    if (!is_transformer_arch(s.arch))
        throw InvalidArgument("random model: unknown architecture '" + s.arch + "' (llama, qwen2, exaone, gptneox)");
    auto bad = [](const std::string& what) { throw InvalidArgument("random model: " + what); };
    if (s.n_layer == 0 || s.n_layer > 256) bad("layers must be 1..256");
    if (s.n_embd == 0 || s.n_head == 0 || s.n_embd % s.n_head != 0) bad("the width must be a multiple of the head count");
    const uint32_t kv = s.n_head_kv ? s.n_head_kv : s.n_head;
    if (s.n_head % kv != 0) bad("the head count must be a multiple of the KV head count");
    if (s.arch == "gptneox" && kv != s.n_head) bad("gptneox has no grouped-query attention");
    const uint32_t head = s.n_embd / s.n_head;
    if (head % 2 != 0 || s.n_rot % 2 != 0 || s.n_rot > head) bad("rotary dims must be even and at most the head size");
    if (s.n_ff == 0 || s.n_ctx < 16 || s.n_vocab > (1u << 20)) bad("feed-forward size, context (>= 16) or vocabulary out of range");
    const uint64_t d = s.n_embd, params = 2 * d * s.n_vocab + uint64_t(s.n_layer) * (4 * d * d + 3 * d * s.n_ff);
    if (params > 4'000'000'000ull) bad("more than 4 billion parameters"); // the file is built in memory
}

} // namespace

RandomModelSpec random_model_preset(std::string_view name) {
    if (name == "polyglot-ko-1.3b") {
        // EleutherAI/polyglot-ko-1.3b: rotary_dim 64 of 128-wide heads, parallel residual.
        RandomModelSpec s;
        s.arch = "gptneox";
        s.n_layer = 24;
        s.n_embd = 2048;
        s.n_head = 16;
        s.n_ff = 8192;
        s.n_vocab = 30080;
        s.n_ctx = 2048;
        s.n_rot = 64;
        s.type = "Q4_0";
        s.name = "polyglot-ko-1.3b (random weights)";
        return s;
    }
    throw InvalidArgument("unknown preset '" + std::string(name) + "' (known: polyglot-ko-1.3b)");
}

namespace {

gguf::GgufWriter build(const RandomModelSpec& spec) {
    check_spec(spec);
    const TypePlan plan = plan_types(spec.type);
    const Vocab vocab = make_vocab(spec.n_vocab);
    Builder b(spec, plan);
    auto& w = b.writer();
    const std::string& a = spec.arch;
    const uint32_t d = spec.n_embd, kv_heads = spec.n_head_kv ? spec.n_head_kv : spec.n_head;
    const uint32_t head = d / spec.n_head, kv = kv_heads * head, ff = spec.n_ff;
    const bool neox = a == "gptneox";

    w.set_string("general.architecture", a);
    w.set_string("general.name", spec.name);
    w.set_u32("general.file_type", plan.file_type);
    w.set_u32(a + ".context_length", spec.n_ctx);
    w.set_u32(a + ".embedding_length", d);
    w.set_u32(a + ".block_count", spec.n_layer);
    w.set_u32(a + ".feed_forward_length", ff);
    w.set_u32(a + ".attention.head_count", spec.n_head);
    w.set_u32(a + ".attention.head_count_kv", kv_heads);
    w.set_u32(a + ".rope.dimension_count", spec.n_rot ? spec.n_rot : head);
    w.set_f32(a + ".rope.freq_base", a == "qwen2" ? 1000000.0f : 10000.0f);
    if (neox) {
        w.set_f32(a + ".attention.layer_norm_epsilon", 1e-5f);
        w.set_bool(a + ".use_parallel_residual", true);
    } else {
        w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    }
    w.set_string("tokenizer.ggml.model", "gpt2");
    w.set_string("tokenizer.ggml.pre", "gpt-2");
    w.set_string_array("tokenizer.ggml.tokens", vocab.tokens);
    w.set_i32_array("tokenizer.ggml.token_type", vocab.types);
    w.set_string_array("tokenizer.ggml.merges", vocab.merges);
    const uint32_t first_control = uint32_t(vocab.tokens.size() - std::size(kControlTokens));
    w.set_u32("tokenizer.ggml.bos_token_id", first_control);
    w.set_u32("tokenizer.ggml.eos_token_id", first_control);
    w.set_u32("tokenizer.ggml.eot_token_id", first_control + 2);
    w.set_bool("tokenizer.ggml.add_bos_token", false);
    w.set_string("tokenizer.chat_template", spec.chat_template.empty() ? std::string(kChatTemplate) : spec.chat_template);

    const float wscale_d = std::sqrt(3.0f / d), wscale_ff = std::sqrt(3.0f / ff);
    b.matrix("token_embd.weight", d, spec.n_vocab, b.type_for("token_embd", 0), 1.0f);
    for (uint32_t i = 0; i < spec.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        b.vector(p + "attn_norm.weight", d, 1.0f, 0.2f);
        if (neox) {
            b.vector(p + "attn_norm.bias", d, 0.0f, 0.1f);
            b.matrix(p + "attn_qkv.weight", d, d + 2 * kv, b.type_for("attn_qkv", i), wscale_d);
            b.vector(p + "attn_qkv.bias", d + 2 * kv, 0.0f, 0.1f);
        } else {
            b.matrix(p + "attn_q.weight", d, d, b.type_for("attn_q", i), wscale_d);
            b.matrix(p + "attn_k.weight", d, kv, b.type_for("attn_k", i), wscale_d);
            b.matrix(p + "attn_v.weight", d, kv, b.type_for("attn_v", i), wscale_d);
            if (a == "qwen2") {
                b.vector(p + "attn_q.bias", d, 0.0f, 0.1f);
                b.vector(p + "attn_k.bias", kv, 0.0f, 0.1f);
                b.vector(p + "attn_v.bias", kv, 0.0f, 0.1f);
            }
        }
        b.matrix(p + "attn_output.weight", d, d, b.type_for("attn_output", i), wscale_d);
        if (neox) b.vector(p + "attn_output.bias", d, 0.0f, 0.1f);
        b.vector(p + "ffn_norm.weight", d, 1.0f, 0.2f);
        if (neox) b.vector(p + "ffn_norm.bias", d, 0.0f, 0.1f);
        if (!neox) b.matrix(p + "ffn_gate.weight", d, ff, b.type_for("ffn_gate", i), wscale_d);
        b.matrix(p + "ffn_up.weight", d, ff, b.type_for("ffn_up", i), wscale_d);
        if (neox) b.vector(p + "ffn_up.bias", ff, 0.0f, 0.1f);
        b.matrix(p + "ffn_down.weight", ff, d, b.type_for("ffn_down", i), wscale_ff);
        if (neox) b.vector(p + "ffn_down.bias", d, 0.0f, 0.1f);
    }
    b.vector("output_norm.weight", d, 1.0f, 0.2f);
    if (neox) b.vector("output_norm.bias", d, 0.0f, 0.1f);
    if (!spec.tied_output) b.matrix("output.weight", d, spec.n_vocab, b.type_for("output", 0), wscale_d);
    return std::move(w);
}

} // namespace

std::vector<uint8_t> random_model_bytes(const RandomModelSpec& spec) { return build(spec).to_bytes(); }

void write_random_model(const RandomModelSpec& spec, const std::filesystem::path& path) { build(spec).write(path); }

} // namespace kmlm
