// The generation loop shared by every model: prompt (with prefix reuse), sampling, streaming
// text, stop conditions, and prompt-lookup speculative decoding when sampling is greedy.
#pragma once
#include "kmlm/language_model.h"
#include "kmlm/sampler.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

// Why generation ended. Error: the request failed (no model, a bad prompt) before or while
// generating; the app reports it, generate() itself never returns it.
enum class StopReason { EndOfText, MaxTokens, StopString, Cancelled, MemoryLimit, Error };
std::string_view to_string(StopReason reason);

// Draft tokens per check (speculative decoding): the default and the accepted range (a check
// is one batch, so the sliding-window rings of kv_cache.h stay correct).
inline constexpr int32_t kDefaultDraftTokens = 8;
inline constexpr OptionRange kDraftTokensRange{0, 32};

struct GenerateOptions {
    SamplingParams sampling;
    // Greedy sampling only (is_greedy()): up to this many tokens guessed from the text so far
    // are checked in one batched pass, on models that return the logits of every position
    // (BatchLogits). The output is the same as without; 0 turns it off.
    int32_t draft_tokens = kDefaultDraftTokens;
    int32_t max_tokens = 256;
    std::vector<std::string> stop_strings;     // generation ends before any of these appears
    bool ignore_eos = false;                   // go on past end-of-generation tokens (tests, benchmarks)
    const std::atomic<bool>* cancel = nullptr; // checked before every token
    // Called with text as it becomes final: whole characters, whole Hangul syllables, never
    // a part of a stop string.
    std::function<void(std::string_view text)> on_text;
    std::function<void(int32_t token)> on_token;
    // Checked before every token; returning false ends generation with MemoryLimit.
    std::function<bool()> memory_ok;
};

inline constexpr OptionRange kMaxTokensRange{1, 1 << 20};
// The length limit of a chat answer unless the user sets one (kmlm chat, the app).
inline constexpr int32_t kChatMaxTokens = 512;

// validate(options.sampling), max_tokens in kMaxTokensRange and draft_tokens in
// kDraftTokensRange. Throws InvalidArgument.
void validate(const GenerateOptions& options);

struct GenerateStats {
    int32_t prompt_tokens = 0; // tokens in the prompt
    int32_t reused_tokens = 0; // of those, already in the model's state
    int32_t generated_tokens = 0;
    int32_t drafted_tokens = 0;  // guessed tokens checked by speculative decoding
    int32_t accepted_tokens = 0; // of those, the ones greedy decoding produced
    double prompt_seconds = 0;
    double generate_seconds = 0;
    double tokens_per_second() const { return generate_seconds > 0 ? generated_tokens / generate_seconds : 0; }
};

struct GenerateResult {
    std::string text;            // the answer, stop string excluded
    std::vector<int32_t> tokens; // generated ids
    StopReason reason = StopReason::EndOfText;
    GenerateStats stats;
};

// Feeds prompt to the model, reusing the longest common prefix already in its state, then
// samples until an end-of-generation token, max_tokens, a stop string, cancel or memory.
GenerateResult generate(LanguageModel& model, std::span<const int32_t> prompt, const GenerateOptions& options);

// Prompt lookup: the tokens that followed the latest earlier occurrence of the longest suffix
// of context (kDraftNgram tokens down to 1) that occurred before, at most max_tokens. A
// continuation that runs into the suffix itself goes on repeating it (a period). Empty when
// no suffix occurred before.
inline constexpr size_t kDraftNgram = 3;
std::vector<int32_t> lookup_draft(std::span<const int32_t> context, size_t max_tokens);

// Number of leading tokens a and b share.
size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b);

} // namespace kmlm
