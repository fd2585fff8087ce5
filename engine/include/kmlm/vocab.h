// Tokenizers of GGUF models: SentencePiece-style BPE by score (tokenizer.ggml.model "llama")
// and byte-level BPE by merge rank ("gpt2") with the pre-tokenizer of the model family.
// Both follow the reference GGUF runtime token for token.
#pragma once
#include "kmlm/language_model.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

namespace gguf {
class GgufFile;
}

// tokenizer.ggml.token_type values.
enum class TokenType : uint8_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

// Everything a tokenizer is built from; load_gguf_tokenizer() fills it from the metadata.
struct VocabData {
    enum class Model { Spm, Bpe };
    Model model = Model::Spm;
    std::vector<std::string> tokens;
    std::vector<float> scores;       // SPM merge priority, higher first; empty: all 0
    std::vector<TokenType> types;    // empty: all Normal
    std::vector<std::string> merges; // BPE: "left right", rank = index
    std::string pre;                 // BPE pre-tokenizer (tokenizer.ggml.pre)
    bool add_space_prefix = true;    // SPM: a space before the text, as SentencePiece does
    bool add_bos = true;
    bool add_eos = false;
    int32_t bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, pad = -1;
};

// Builds a tokenizer. Throws FormatError when the data is inconsistent: no tokens, arrays of
// different lengths, special ids out of range, merges without a space, byte tokens that are
// not <0xXX>.
std::unique_ptr<Tokenizer> make_tokenizer(VocabData data);

// Reads the tokenizer.ggml.* keys of a GGUF file. Throws FormatError naming the key.
VocabData read_gguf_vocab(const gguf::GgufFile& file);
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const gguf::GgufFile& file);

// The tokenizer of any model file on its own, without its weights: a GGUF's tokenizer.ggml.*
// keys (vocabulary-only files such as llama.cpp's ggml-vocab-*.gguf included), or the jamo
// tokenizer of a GRU model (which is loaded for it). Throws IoError / FormatError.
std::shared_ptr<const Tokenizer> load_tokenizer(const std::filesystem::path& path);

// Splits valid UTF-8 text into the words that byte-level BPE merges within, as the
// pre-tokenizer named by tokenizer.ggml.pre does ("gpt-2", "llama-bpe", "qwen2", "exaone",
// "falcon", "starcoder", "deepseek-llm", ...). Unknown or empty names use the GPT-2 split.
std::vector<std::string> pretokenize(std::string_view text, std::string_view pre);

// Whether pre names the Llama 3 pre-tokenizer ("llama3", "llama-bpe", ...): its vocabularies
// take a word that is a token whole, and add BOS unless the file says otherwise.
bool is_llama3_pre(std::string_view pre);

} // namespace kmlm
