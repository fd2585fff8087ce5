// perplexity(): llama.cpp's method (examples/perplexity), see kmlm/perplexity.h.
#include "kmlm/perplexity.h"

#include "kmlm/error.h"
#include "kmlm/loglik.h"
#include "kmlm/utf8.h"

#include <chrono>
#include <cmath>
#include <vector>

namespace kmlm {
namespace {

double negative_log_likelihood(std::span<const float> logits, int32_t target) { return -log_prob(logits, target); }

// Characters covered by tokens[begin, end): those of their decoded text. They are decoded
// after a few tokens of left context whose own text is subtracted, so that a leading space
// the decoder drops at the start of a text, or a syllable built across the boundary, is
// counted once, where it ends.
TextCounts scored_text_counts(const Tokenizer& tok, std::span<const int32_t> tokens, size_t begin, size_t end) {
    constexpr size_t kLead = 8;
    const size_t lead = begin >= kLead ? begin - kLead : 0;
    const TextCounts all = count_text(tok.decode(tokens.subspan(lead, end - lead)));
    const TextCounts before = count_text(tok.decode(tokens.subspan(lead, begin - lead)));
    TextCounts c;
    c.code_points = all.code_points > before.code_points ? all.code_points - before.code_points : 0;
    c.syllables = all.syllables > before.syllables ? all.syllables - before.syllables : 0;
    return c;
}

} // namespace

PerplexityResult perplexity(LanguageModel& model, std::string_view text, const PerplexityOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    const uint32_t n_ctx = options.n_ctx;
    if (n_ctx < 8) throw InvalidArgument("perplexity: the context must be at least 8 tokens");
    if (model.context_length() != 0 && n_ctx > model.context_length())
        throw InvalidArgument("perplexity: context " + std::to_string(n_ctx) + " is longer than the model's " +
                              std::to_string(model.context_length()) + " tokens");
    const Tokenizer& tok = model.tokenizer();
    std::vector<int32_t> tokens = tok.encode(text, true);
    PerplexityResult r;
    r.n_tokens = tokens.size();
    if (tokens.size() < 2 * size_t(n_ctx))
        throw InvalidArgument("perplexity: the text has " + std::to_string(tokens.size()) + " tokens; at least " +
                              std::to_string(2 * n_ctx) + " (2 x context) are needed");
    uint32_t n_chunks = uint32_t(tokens.size() / n_ctx);
    if (options.max_chunks) n_chunks = std::min(n_chunks, options.max_chunks);
    const uint32_t first = n_ctx / 2;
    double nll = 0, nll2 = 0;
    for (uint32_t c = 0; c < n_chunks; ++c) {
        if (options.cancel && options.cancel->load()) {
            r.cancelled = true;
            break;
        }
        std::vector<int32_t> chunk(tokens.begin() + size_t(c) * n_ctx, tokens.begin() + size_t(c + 1) * n_ctx);
        if (tok.bos() >= 0) chunk[0] = tok.bos();
        model.reset();
        // Logits at position i predict the original token i + 1; score i in [first, n_ctx - 1).
        eval_logits(model, chunk, first, [&](size_t i, std::span<const float> logits) {
            if (i + 1 >= n_ctx) return;
            const double v = negative_log_likelihood(logits, tokens[size_t(c) * n_ctx + i + 1]);
            nll += v;
            nll2 += v * v;
            ++r.n_scored;
        });
        const size_t chunk_begin = size_t(c) * n_ctx;
        const TextCounts covered = scored_text_counts(tok, tokens, chunk_begin + first + 1, chunk_begin + n_ctx);
        r.scored_chars += covered.code_points;
        r.scored_syllables += covered.syllables;
        ++r.n_chunks;
        if (options.on_chunk) options.on_chunk(c + 1, n_chunks, std::exp(nll / r.n_scored));
    }
    r.nll = nll;
    if (r.n_scored > 0) {
        const double mean = nll / r.n_scored;
        r.ppl = std::exp(mean);
        const double var = nll2 / r.n_scored - mean * mean;
        if (var > 0 && r.n_scored > 1) r.ppl_error = std::sqrt(var / (r.n_scored - 1)) * r.ppl;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

} // namespace kmlm
