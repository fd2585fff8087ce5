// Log-likelihood scoring: continuations after a shared context (multiple-choice tasks) and
// whole texts line by line (bits per character). See kmlm/loglik.h.
#include "kmlm/loglik.h"

#include "kmlm/error.h"
#include "kmlm/transformer.h"
#include "kmlm/utf8.h"

#include <algorithm>
#include <cmath>

namespace kmlm {

double log_prob(std::span<const float> logits, int32_t target) {
    if (target < 0 || size_t(target) >= logits.size()) throw InvalidArgument("log_prob: token id out of range");
    float max = logits[0];
    for (float l : logits) max = std::max(max, l);
    double sum = 0;
    for (float l : logits) sum += std::exp(double(l) - max);
    return double(logits[size_t(target)]) - max - std::log(sum);
}

void eval_logits(LanguageModel& model, std::span<const int32_t> tokens, size_t from,
                 const std::function<void(size_t, std::span<const float>)>& f) {
    if (tokens.empty()) return;
    const size_t vocab = size_t(model.tokenizer().vocab_size());
    if (from >= tokens.size()) {
        model.eval(tokens);
        return;
    }
    if (auto* batch = dynamic_cast<BatchLogits*>(&model)) {
        const auto all = batch->eval_all(tokens, from);
        const size_t stride = all.size() / (tokens.size() - from);
        for (size_t i = from; i < tokens.size(); ++i) f(i, all.subspan((i - from) * stride, vocab));
        return;
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
        const auto logits = model.eval(tokens.subspan(i, 1));
        if (i >= from) f(i, logits.first(vocab));
    }
}

TokenPair encode_pair(const Tokenizer& tok, std::string_view context, std::string_view continuation, bool add_bos) {
    // Trailing ASCII whitespace, as Python's str.rstrip() sees it for these prompts.
    size_t keep = context.size();
    while (keep > 0 && (context[keep - 1] == ' ' || context[keep - 1] == '\t' || context[keep - 1] == '\n' || context[keep - 1] == '\r' ||
                        context[keep - 1] == '\v' || context[keep - 1] == '\f'))
        --keep;
    std::string ctx(context.substr(0, keep));
    std::string cont = std::string(context.substr(keep)) + std::string(continuation);
    TokenPair p;
    p.context = tok.encode(ctx, add_bos);
    const std::vector<int32_t> whole = tok.encode(ctx + cont, add_bos);
    if (whole.size() > p.context.size()) p.continuation.assign(whole.begin() + long(p.context.size()), whole.end());
    return p;
}

void fit_context(std::vector<int32_t>& context, const std::vector<std::vector<int32_t>>& continuations, size_t n_ctx) {
    if (n_ctx == 0) return;
    size_t longest = 0;
    for (const auto& c : continuations) longest = std::max(longest, c.size());
    // The last continuation token is never fed to the model.
    const size_t need = longest > 0 ? longest - 1 : 0;
    if (need + 1 > n_ctx)
        throw InvalidArgument("a continuation of " + std::to_string(longest) + " tokens does not fit in the context of " +
                              std::to_string(n_ctx) + " tokens");
    if (context.size() + need > n_ctx) context.erase(context.begin(), context.end() - long(n_ctx - need));
}

std::vector<ContinuationScore> score_continuations(LanguageModel& model, std::span<const int32_t> context,
                                                   const std::vector<std::vector<int32_t>>& continuations) {
    if (context.empty()) throw InvalidArgument("score_continuations: the context is empty");
    size_t longest = 0;
    for (const auto& c : continuations) longest = std::max(longest, c.size());
    const size_t limit = model.context_length();
    if (limit != 0 && context.size() + (longest > 0 ? longest - 1 : 0) > limit)
        throw InvalidArgument("score_continuations: " + std::to_string(context.size()) + " context tokens and " + std::to_string(longest) +
                              " continuation tokens do not fit in the model's " + std::to_string(limit));
    model.reset();
    const auto first = model.eval(context);
    const std::vector<float> after_context(first.begin(), first.begin() + model.tokenizer().vocab_size());
    std::vector<ContinuationScore> out;
    out.reserve(continuations.size());
    for (const auto& cont : continuations) {
        ContinuationScore s;
        s.tokens = cont.size();
        s.greedy = true;
        auto score = [&](std::span<const float> logits, int32_t target) {
            s.log_likelihood += log_prob(logits, target);
            if (std::max_element(logits.begin(), logits.end()) - logits.begin() != target) s.greedy = false;
        };
        if (!cont.empty()) {
            model.truncate(context.size());
            score(after_context, cont[0]);
            eval_logits(model, std::span(cont).first(cont.size() - 1), 0,
                        [&](size_t i, std::span<const float> logits) { score(logits, cont[i + 1]); });
        }
        out.push_back(s);
    }
    return out;
}

TextCounts count_text(std::string_view utf8) {
    // By lead bytes, so that a decoded piece ending inside a character still counts sanely.
    TextCounts c;
    for (size_t i = 0; i < utf8.size(); ++i) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        if ((b & 0xC0) == 0x80) continue;
        ++c.code_points;
        if ((b & 0xF0) == 0xE0 && i + 2 < utf8.size()) {
            const char32_t cp = char32_t(b & 0x0F) << 12 | char32_t(static_cast<unsigned char>(utf8[i + 1]) & 0x3F) << 6 |
                                char32_t(static_cast<unsigned char>(utf8[i + 2]) & 0x3F);
            if (cp >= 0xAC00 && cp <= 0xD7A3) ++c.syllables;
        }
    }
    return c;
}

double bits_per(double nll_nats, uint64_t count) { return count ? nll_nats / std::log(2.0) / double(count) : 0.0; }

double TextScore::ppl() const { return tokens ? std::exp(nll / double(tokens)) : 0.0; }

namespace {

// Predicts tokens[1..] of one sequence in windows of at most n_ctx tokens (0 = one window).
// A later window starts n_ctx / 2 tokens before its first target, from an empty state.
double sequence_nll(LanguageModel& model, std::span<const int32_t> tokens, size_t n_ctx) {
    double nll = 0;
    size_t done = 0; // targets 1..done are scored
    while (done + 1 < tokens.size()) {
        const size_t begin = done == 0 ? 0 : done + 1 - std::min(done + 1, n_ctx / 2);
        const size_t end = n_ctx == 0 ? tokens.size() : std::min(tokens.size(), begin + n_ctx);
        model.reset();
        // Feed [begin, end - 1); position i predicts token i + 1 (targets done+1 .. end-1).
        const auto window = tokens.subspan(begin, end - 1 - begin);
        eval_logits(model, window, done - begin,
                    [&](size_t i, std::span<const float> logits) { nll -= log_prob(logits, tokens[begin + i + 1]); });
        done = end - 1;
    }
    return nll;
}

} // namespace

TextScore score_text(LanguageModel& model, std::string_view text, const TextScoreOptions& options) {
    require_valid_utf8(text, "the text");
    const Tokenizer& tok = model.tokenizer();
    std::vector<std::string_view> lines;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) lines.push_back(line);
        pos = nl + 1;
    }
    if (options.max_lines && lines.size() > options.max_lines) lines.resize(options.max_lines);
    const size_t n_ctx = model.context_length();
    if (n_ctx != 0 && n_ctx < 4) throw InvalidArgument("score_text: the context must hold at least 4 tokens");
    // Every token of a line is predicted, the first from BOS (or EOS where there is no BOS,
    // as the harness starts an empty context with end-of-text).
    const int32_t start = tok.bos() >= 0 ? tok.bos() : tok.eos();
    if (start < 0) throw InvalidArgument("score_text: the vocabulary has neither BOS nor EOS to start a line with");
    TextScore r;
    for (size_t li = 0; li < lines.size(); ++li) {
        const std::string line = to_nfc(lines[li]);
        std::vector<int32_t> ids = tok.encode(line, false);
        ids.insert(ids.begin(), start);
        const bool eos = tok.eos() >= 0;
        if (eos) ids.push_back(tok.eos());
        r.nll += sequence_nll(model, ids, n_ctx);
        r.tokens += ids.size() - 1;
        const TextCounts c = count_text(line);
        r.counts.code_points += c.code_points + (eos ? 1 : 0);
        r.counts.syllables += c.syllables;
        ++r.lines;
        if (options.progress) options.progress(li + 1, lines.size());
    }
    return r;
}

} // namespace kmlm
