// Perplexity of a model on a text, by llama.cpp's perplexity method so that figures are
// comparable: tokenize the whole text with BOS, cut it into chunks of n_ctx tokens, start
// each chunk from an empty state with its first token replaced by BOS, and score only the
// second half of each chunk (every token there has at least n_ctx/2 tokens of context).
#pragma once
#include "kmlm/language_model.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace kmlm {

struct PerplexityOptions {
    uint32_t n_ctx = 512;    // chunk length in tokens (at most the model's context)
    uint32_t max_chunks = 0; // 0: all
    // After every chunk: chunk number (from 1), chunks in all, PPL so far.
    std::function<void(uint32_t chunk, uint32_t n_chunks, double ppl)> on_chunk;
    const std::atomic<bool>* cancel = nullptr;
};

struct PerplexityResult {
    double ppl = 0;
    double ppl_error = 0; // standard error of the estimate, as llama.cpp prints it
    uint32_t n_chunks = 0;
    uint64_t n_scored = 0; // tokens scored
    uint64_t n_tokens = 0; // tokens in the text
    double seconds = 0;
    bool cancelled = false;
    // For bits per character: the scored tokens' total negative log-likelihood (nats) and
    // the characters of the text they cover (the code points and Hangul syllables of the
    // scored tokens' decoded text; see scored_text_counts in perplexity.cpp).
    double nll = 0;
    uint64_t scored_chars = 0;
    uint64_t scored_syllables = 0;
};

// Throws InvalidArgument when the text has fewer than 2 * n_ctx tokens or n_ctx is larger
// than the model's context (or smaller than 8).
PerplexityResult perplexity(LanguageModel& model, std::string_view text, const PerplexityOptions& options);

} // namespace kmlm
