// Log-likelihood of continuations given a context, the way lm-evaluation-harness scores
// multiple-choice tasks with its Hugging Face backend, and of whole texts (bits per
// character). The shared context is evaluated once; each continuation reuses its state.
#pragma once
#include "kmlm/language_model.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

// log softmax(logits)[target], natural log, summed in double.
double log_prob(std::span<const float> logits, int32_t target);

// Appends tokens to the model's state and calls f(i, logits) for each position i >= from of
// tokens, logits (vocab_size floats) being those of the token after tokens[i]: one batch
// where the model returns every position's logits, else token by token.
void eval_logits(LanguageModel& model, std::span<const int32_t> tokens, size_t from,
                 const std::function<void(size_t i, std::span<const float> logits)>& f);

// A context/continuation request as token ids. The harness's split: spaces that end the
// context move to the front of the continuation; context + continuation is encoded whole
// and the continuation is what follows the context's own encoding (the tokens the two
// encodings share at the seam belong to the context).
struct TokenPair {
    std::vector<int32_t> context;
    std::vector<int32_t> continuation;
};
// add_bos: start the context with BOS when the tokenizer uses one.
TokenPair encode_pair(const Tokenizer& tok, std::string_view context, std::string_view continuation, bool add_bos);

struct ContinuationScore {
    double log_likelihood = 0; // sum over the continuation's tokens
    bool greedy = false;       // every continuation token was the most likely one
    size_t tokens = 0;
};

// Scores each continuation after the same context. The model's state is reset first; the
// context is evaluated once and the state truncated back to it for every continuation.
// context must not be empty (start it with BOS or any token). An empty continuation scores
// 0. With a bounded context window, context + continuation - 1 must fit in it
// (InvalidArgument otherwise; cut the context from the left first, see fit_context()).
std::vector<ContinuationScore> score_continuations(LanguageModel& model, std::span<const int32_t> context,
                                                   const std::vector<std::vector<int32_t>>& continuations);

// Cuts context from the left, as the harness does, so that context + the longest
// continuation - 1 tokens fit in n_ctx (0 = unbounded: unchanged). Keeps at least one token;
// throws InvalidArgument when even that does not fit.
void fit_context(std::vector<int32_t>& context, const std::vector<std::vector<int32_t>>& continuations, size_t n_ctx);

// Characters a text is counted in for bits per character.
struct TextCounts {
    uint64_t code_points = 0; // Unicode code points, newlines included
    uint64_t syllables = 0;   // precomposed Hangul syllables, U+AC00..U+D7A3
};
TextCounts count_text(std::string_view utf8);

// Total negative log-likelihood in nats -> bits per unit; 0 when count is 0.
double bits_per(double nll_nats, uint64_t count);

// Line by line: each non-empty line of text (NFC) is scored as BOS + line + EOS (EOS
// standing for the line's newline; BOS is EOS in a vocabulary without BOS, and without EOS
// the newline is not predicted and not counted).
// Every token after BOS is predicted; a line longer than the model's context is scored in
// windows whose first half is context for the second. Counts: the code points of the
// scored lines plus one per newline predicted by EOS.
struct TextScore {
    double nll = 0;      // nats, summed
    uint64_t tokens = 0; // predicted tokens
    uint64_t lines = 0;
    TextCounts counts;
    double ppl() const; // exp(nll / tokens)
    double bits_per_char() const { return bits_per(nll, counts.code_points); }
    double bits_per_syllable() const { return bits_per(nll, counts.syllables); }
};
struct TextScoreOptions {
    uint64_t max_lines = 0; // 0: all
    std::function<void(uint64_t lines_done, uint64_t lines_total)> progress;
};
TextScore score_text(LanguageModel& model, std::string_view text, const TextScoreOptions& options = {});

} // namespace kmlm
