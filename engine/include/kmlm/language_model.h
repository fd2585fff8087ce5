// The one interface the app and the CLI use for every model: the jamo GRU and the GGUF
// transformer decoder both implement it.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

// Turns token ids back into text while streaming. push() returns only text that is final:
// whole UTF-8 characters, and no Hangul syllable that a following token could still change.
class StreamDecoder {
public:
    virtual ~StreamDecoder() = default;
    virtual std::string push(int32_t token) = 0;
    virtual std::string flush() = 0; // end of stream: whatever is held
    // True while what is held is not yet whole text: part of a UTF-8 character, or an
    // initial consonant still waiting for its vowel. Generation that reaches its token limit
    // runs on a few tokens while this holds, so an answer never ends in a broken syllable.
    virtual bool incomplete() const { return false; }
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    virtual int32_t vocab_size() const = 0;
    // add_bos: prepend BOS when this model uses one. parse_special: turn the text of control
    // tokens ("<|im_start|>") into their ids instead of treating it as plain text.
    // Throws InvalidArgument on invalid UTF-8.
    virtual std::vector<int32_t> encode(std::string_view text, bool add_bos = true, bool parse_special = false) const = 0;
    // Skips control tokens (BOS, EOS, padding). Throws InvalidArgument on an id out of range.
    virtual std::string decode(std::span<const int32_t> ids) const = 0;
    virtual std::string token_text(int32_t id) const = 0; // the raw piece, for display
    virtual std::unique_ptr<StreamDecoder> stream_decoder() const = 0;
    virtual int32_t bos() const = 0; // -1 when none
    virtual int32_t eos() const = 0;
    // EOS, end-of-turn and similar tokens that end an answer.
    virtual bool is_end_of_generation(int32_t id) const = 0;
};

struct ModelInfo {
    std::string name;         // general.name or the file name
    std::string architecture; // "kmlm-gru", "llama", "qwen2", "exaone", "gptneox"
    std::string quantization; // "F32", "Q4_0", "Q4_K_M", ...
    uint64_t parameters = 0;
    uint64_t file_size = 0;
    uint32_t vocab_size = 0;
    uint32_t context_length = 0; // training context; 0 = unbounded (GRU)
    std::string chat_template;   // tokenizer.chat_template, empty when none
};

struct MemoryUsage {
    uint64_t weights = 0;  // bytes of weights (mapped or owned)
    uint64_t kv_cache = 0; // bytes of sequence state (KV cache, GRU hidden state)
    uint64_t compute = 0;  // scratch buffers
    std::string kv_type;   // the KV cache's element type as in use ("f16", "q8_0", "f32"); empty without one
};

class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    virtual const ModelInfo& info() const = 0;
    virtual const Tokenizer& tokenizer() const = 0;

    // The tokens currently held in the model's state, in order. After the context window
    // slid, this is what the cache still holds (attention sinks + most recent tokens).
    virtual const std::vector<int32_t>& history() const = 0;
    // Keeps the first n tokens of history() and forgets the rest.
    virtual void truncate(size_t n) = 0;
    void reset() { truncate(0); }
    // Appends tokens to the state and returns the logits (vocab_size floats) of the token
    // that follows the last one. Valid until the next call. tokens must not be empty.
    virtual std::span<const float> eval(std::span<const int32_t> tokens) = 0;

    virtual size_t context_length() const = 0; // tokens the state can hold; 0 = unbounded
    virtual MemoryUsage memory_usage() const = 0;
};

// F32 is exact, for reference checks; F16 and Q8_0 are the ones to run with.
enum class KvType { F16, Q8_0, F32 };
inline const char* kv_type_name(KvType t) { return t == KvType::F16 ? "f16" : t == KvType::Q8_0 ? "q8_0" : "f32"; }

// The application's RAM ceiling unless the user sets another: 3 GiB = 3 x 1024^3 bytes.
inline constexpr uint64_t kDefaultMemoryLimit = 3ull << 30;

struct LoadOptions {
    int n_threads = 0;     // 0 = all cores
    uint32_t n_ctx = 2048; // clamped to the model's context length
    KvType kv_type = KvType::Q8_0;
    uint32_t n_sink = 4;                         // tokens kept at the start when the window slides
    uint64_t memory_limit = kDefaultMemoryLimit; // the ceiling; 0 = no check
    // Loading progress, 0..1, for every format: 0 at the start, after the file is admitted
    // under the ceiling, and 1 when the model is ready.
    std::function<void(float fraction)> progress;
    // Read at each of those points: when set, load_model() stops with CancelledError.
    const std::atomic<bool>* cancel = nullptr;
};

// Opens a model by file contents: GGUF (kmlm-gru and the decoders) or the original GRU
// JSON / binary formats. Throws FormatError, IoError, MemoryLimitError or CancelledError.
std::unique_ptr<LanguageModel> load_model(const std::filesystem::path& path, const LoadOptions& options = {});

} // namespace kmlm
