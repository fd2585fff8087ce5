// Reads a tokenizer from the tokenizer.ggml.* metadata of a GGUF file.
#include "kmlm/vocab.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"

namespace kmlm {
namespace {

// An id key: -1 when absent or outside the vocabulary (some files carry stale ids).
int32_t token_id(const gguf::GgufFile& file, std::string_view key, size_t n_tokens, int32_t fallback) {
    const std::optional<uint64_t> id = file.get_uint(key);
    if (!id) return fallback < int32_t(n_tokens) ? fallback : -1;
    return *id < n_tokens ? int32_t(*id) : -1;
}

} // namespace

VocabData read_gguf_vocab(const gguf::GgufFile& file) {
    const std::string where = file.source_name() + ": ";
    VocabData d;
    const std::optional<std::string> model = file.get_string("tokenizer.ggml.model");
    if (!model) throw FormatError(where + "no tokenizer (tokenizer.ggml.model is missing)");
    if (*model == "llama")
        d.model = VocabData::Model::Spm;
    else if (*model == "gpt2")
        d.model = VocabData::Model::Bpe;
    else
        throw FormatError(where + "unsupported tokenizer.ggml.model '" + *model + "'");
    const bool spm = d.model == VocabData::Model::Spm;

    auto tokens = file.get_string_array("tokenizer.ggml.tokens");
    if (!tokens || tokens->empty()) throw FormatError(where + "tokenizer.ggml.tokens is missing or empty");
    d.tokens = std::move(*tokens);
    const size_t n = d.tokens.size();

    if (auto scores = file.get_float_array("tokenizer.ggml.scores")) {
        if (scores->size() != n) throw FormatError(where + "tokenizer.ggml.scores and tokens differ in length");
        d.scores.assign(scores->begin(), scores->end());
    }
    if (auto types = file.get_int_array("tokenizer.ggml.token_type")) {
        if (types->size() != n) throw FormatError(where + "tokenizer.ggml.token_type and tokens differ in length");
        d.types.reserve(n);
        for (int64_t t : *types) {
            if (t < 0 || t > 6) throw FormatError(where + "tokenizer.ggml.token_type has an unknown type " + std::to_string(t));
            d.types.push_back(TokenType(t));
        }
    }
    if (!spm) {
        auto merges = file.get_string_array("tokenizer.ggml.merges");
        if (!merges) throw FormatError(where + "tokenizer.ggml.merges is missing");
        d.merges = std::move(*merges);
        d.pre = file.get_string("tokenizer.ggml.pre").value_or("");
    }
    d.add_space_prefix = file.get_bool("tokenizer.ggml.add_space_prefix").value_or(spm);
    // Without the key: SentencePiece and Llama 3 vocabularies take BOS, other BPE ones not.
    d.add_bos = file.get_bool("tokenizer.ggml.add_bos_token").value_or(spm || is_llama3_pre(d.pre));
    d.add_eos = file.get_bool("tokenizer.ggml.add_eos_token").value_or(false);
    // SentencePiece files without ids use its defaults: <unk> 0, <s> 1, </s> 2.
    d.bos = token_id(file, "tokenizer.ggml.bos_token_id", n, spm ? 1 : -1);
    d.eos = token_id(file, "tokenizer.ggml.eos_token_id", n, spm ? 2 : -1);
    d.unk = token_id(file, "tokenizer.ggml.unknown_token_id", n, spm ? 0 : -1);
    d.eot = token_id(file, "tokenizer.ggml.eot_token_id", n, -1);
    d.eom = token_id(file, "tokenizer.ggml.eom_token_id", n, -1);
    d.pad = token_id(file, "tokenizer.ggml.padding_token_id", n, -1);
    return d;
}

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const gguf::GgufFile& file) {
    try {
        return make_tokenizer(read_gguf_vocab(file));
    } catch (const FormatError& e) {
        const std::string prefix = file.source_name() + ": ";
        if (std::string_view(e.what()).starts_with(prefix)) throw;
        throw FormatError(prefix + e.what());
    }
}

} // namespace kmlm
