// perplexity(): llama.cpp's method (examples/perplexity), see kmlm/perplexity.h.
#include "kmlm/perplexity.h"

#include "kmlm/error.h"
#include "kmlm/transformer.h"

#include <chrono>
#include <cmath>
#include <vector>

namespace kmlm {
namespace {

// -log softmax(logits)[target], in double like llama.cpp's log_softmax.
double negative_log_likelihood(std::span<const float> logits, int32_t target) {
    float max = logits[0];
    for (float l : logits) max = std::max(max, l);
    double sum = 0;
    for (float l : logits) sum += std::exp(double(l) - max);
    return -(double(logits[target]) - max - std::log(sum));
}

// Logits of positions from.. of chunk: one batch where the model can, else token by token.
template <typename F>
void for_each_logits(LanguageModel& model, std::span<const int32_t> chunk, size_t from, F&& f) {
    const size_t vocab = model.tokenizer().vocab_size();
    if (auto* batch = dynamic_cast<BatchLogits*>(&model)) {
        const auto all = batch->eval_all(chunk, from);
        const size_t stride = all.size() / (chunk.size() - from);
        for (size_t i = from; i < chunk.size(); ++i) f(i, all.subspan((i - from) * stride, vocab));
        return;
    }
    for (size_t i = 0; i < chunk.size(); ++i) {
        const auto logits = model.eval(chunk.subspan(i, 1));
        if (i >= from) f(i, logits.first(vocab));
    }
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
        for_each_logits(model, chunk, first, [&](size_t i, std::span<const float> logits) {
            if (i + 1 >= n_ctx) return;
            const double v = negative_log_likelihood(logits, tokens[size_t(c) * n_ctx + i + 1]);
            nll += v;
            nll2 += v * v;
            ++r.n_scored;
        });
        ++r.n_chunks;
        if (options.on_chunk) options.on_chunk(c + 1, n_chunks, std::exp(nll / r.n_scored));
    }
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
