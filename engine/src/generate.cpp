// The generation loop: prefix reuse, sampling, streaming text with stop strings held back,
// and greedy drafts checked in one batch.
#include "kmlm/generate.h"

#include "kmlm/error.h"
#include "kmlm/transformer.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <utility>

namespace kmlm {

void validate(const GenerateOptions& options) {
    validate(options.sampling);
    if (!kMaxTokensRange.contains(options.max_tokens))
        throw InvalidArgument("max_tokens " + std::to_string(options.max_tokens) + " is out of range (1 to " +
                              std::to_string(int64_t(kMaxTokensRange.max)) + ")");
    if (!kDraftTokensRange.contains(options.draft_tokens))
        throw InvalidArgument("draft_tokens " + std::to_string(options.draft_tokens) + " is out of range (0 to " +
                              std::to_string(int64_t(kDraftTokensRange.max)) + ")");
}
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Text decoded but not yet shown: the tail that could still be the start of a stop string.
class StopFilter {
public:
    explicit StopFilter(const std::vector<std::string>& stops) : stops_(stops) {}

    // Adds text; returns what is now final. Sets matched() when a stop string appeared.
    std::string push(std::string_view text) {
        held_ += text;
        size_t cut = std::string::npos;
        for (const auto& s : stops_) {
            if (s.empty()) continue;
            cut = std::min(cut, held_.find(s));
        }
        if (cut != std::string::npos) {
            matched_ = true;
            std::string out = held_.substr(0, cut);
            held_.clear();
            return out;
        }
        const size_t keep = longest_partial_match();
        std::string out = held_.substr(0, held_.size() - keep);
        held_.erase(0, held_.size() - keep);
        return out;
    }
    // End of generation: nothing more can complete a stop string.
    std::string flush() { return std::exchange(held_, {}); }
    bool matched() const { return matched_; }

private:
    // Length of the longest suffix of held_ that is a proper prefix of a stop string.
    size_t longest_partial_match() const {
        size_t best = 0;
        for (const auto& s : stops_)
            for (size_t len = std::min(s.size() - (s.empty() ? 0 : 1), held_.size()); len > best; --len)
                if (held_.compare(held_.size() - len, len, s, 0, len) == 0) {
                    best = len;
                    break;
                }
        return best;
    }

    const std::vector<std::string>& stops_;
    std::string held_;
    bool matched_ = false;
};

// The tokens decoding produces, one at a time. With greedy sampling on a model that returns
// every position's logits, a draft from lookup_draft() is fed in one batch after the last
// token: the positions where it agrees with the greedy choice are kept, and the greedy
// choices up to the first disagreement are queued. The model's state then runs ahead of
// plain decoding by the queued tokens; finish() trims it back.
class TokenSource {
public:
    TokenSource(LanguageModel& model, const GenerateOptions& options, std::span<const int32_t> prompt, std::span<const float> prompt_logits,
                GenerateStats& stats)
        : model_(model), sampler_(options.sampling),
          batch_(is_greedy(options.sampling) && options.draft_tokens > 0 ? dynamic_cast<BatchLogits*>(&model) : nullptr),
          max_draft_(size_t(std::max(options.draft_tokens, 0))), context_(prompt.begin(), prompt.end()), prompt_logits_(prompt_logits),
          stats_(stats) {}

    // The next token; wanted: how many more the caller means to take (drafts stop there).
    int32_t next(int32_t wanted) {
        if (ready_.empty()) {
            if (taken_ == 0)
                ready_.push_back(sampler_.sample(prompt_logits_, model_.history()));
            else
                advance(wanted);
        }
        const int32_t token = ready_.front();
        ready_.pop_front();
        context_.push_back(token);
        ++taken_;
        return token;
    }
    // Leaves the state as plain decoding would: every token taken but the last one fed.
    void finish() { model_.truncate(model_.history().size() - ready_.size()); }

private:
    void advance(int32_t wanted) {
        const int32_t last = context_.back();
        const bool drafting = batch_ && wait_ == 0;
        if (wait_ > 0) --wait_;
        const std::vector<int32_t> draft = drafting ? lookup_draft(context_, draft_room(wanted)) : std::vector<int32_t>{};
        if (draft.empty()) {
            const std::span<const float> logits = model_.eval(std::span<const int32_t>(&last, 1));
            ready_.push_back(sampler_.sample(logits, model_.history()));
            return;
        }
        std::vector<int32_t> fed{last};
        fed.insert(fed.end(), draft.begin(), draft.end());
        const size_t base = model_.history().size();
        const std::span<const float> all = batch_->eval_all(fed);
        const size_t vocab = all.size() / fed.size();
        // Position j is sampled with the penalties' view plain decoding would have had.
        const std::span<const int32_t> history(model_.history());
        size_t accepted = 0;
        for (;;) {
            const int32_t token = sampler_.sample(all.subspan(accepted * vocab, vocab), history.first(base + 1 + accepted));
            ready_.push_back(token);
            if (accepted == draft.size() || token != draft[accepted]) break;
            ++accepted;
        }
        stats_.drafted_tokens += int32_t(draft.size());
        stats_.accepted_tokens += int32_t(accepted);
        model_.truncate(base + 1 + accepted);
        schedule(draft.size(), accepted);
    }

    // A check costs more than one token where the matrix products are not bound by memory
    // (small models), so text that does not repeat should pay for few of them. The first
    // draft is one token; the next is twice as long after one wholly accepted, else one
    // longer than what was accepted; after one with nothing accepted, 1, 2, 4, 8, then 16
    // plain steps come before the next.
    void schedule(size_t drafted, size_t accepted) {
        draft_length_ = accepted == drafted ? std::min(max_draft_, 2 * drafted) : accepted + 1;
        if (accepted > 0) {
            misses_ = 0;
            return;
        }
        wait_ = size_t(1) << misses_;
        misses_ = std::min<size_t>(misses_ + 1, 4);
    }

    // Draft length: what the caller still wants after the token the check yields anyway, and
    // no more than fits the context, so that the batch never slides it (plain decoding slides
    // one token at a time, and would keep other tokens).
    size_t draft_room(int32_t wanted) const {
        size_t room = std::min(draft_length_, wanted > 1 ? size_t(wanted - 1) : 0);
        if (const size_t n_ctx = model_.context_length(); n_ctx > 0) {
            const size_t used = model_.history().size() + 1;
            room = used < n_ctx ? std::min(room, n_ctx - used) : 0;
        }
        return room;
    }

    LanguageModel& model_;
    Sampler sampler_;
    BatchLogits* batch_; // null: no drafts
    size_t max_draft_;
    size_t draft_length_ = 1;      // the next draft's (see schedule())
    size_t wait_ = 0, misses_ = 0; // plain steps before the next draft; checks in a row that failed
    std::vector<int32_t> context_; // the prompt and every token taken
    std::span<const float> prompt_logits_;
    GenerateStats& stats_;
    std::deque<int32_t> ready_; // checked tokens not yet taken
    size_t taken_ = 0;
};

} // namespace

std::vector<int32_t> lookup_draft(std::span<const int32_t> context, size_t max_tokens) {
    const size_t size = context.size();
    if (max_tokens == 0 || size < 2) return {};
    for (size_t n = std::min(kDraftNgram, size - 1); n >= 1; --n) {
        const auto suffix = context.last(n);
        for (size_t i = size - n; i-- > 0;) {
            if (!std::equal(suffix.begin(), suffix.end(), context.begin() + std::ptrdiff_t(i))) continue;
            std::vector<int32_t> draft;
            for (size_t j = i + n; draft.size() < max_tokens; ++j) draft.push_back(j < size ? context[j] : draft[j - size]);
            return draft;
        }
    }
    return {};
}

std::string_view to_string(StopReason reason) {
    switch (reason) {
    case StopReason::EndOfText: return "end of text";
    case StopReason::MaxTokens: return "max tokens";
    case StopReason::StopString: return "stop string";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::MemoryLimit: return "memory limit";
    case StopReason::Error: return "error";
    }
    return "unknown";
}

size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

GenerateResult generate(LanguageModel& model, std::span<const int32_t> prompt, const GenerateOptions& options) {
    if (prompt.empty()) throw InvalidArgument("generate: the prompt has no tokens");
    const Tokenizer& tok = model.tokenizer();
    GenerateResult result;
    const auto t_prompt = Clock::now();

    // Reuse the state's common prefix, but re-feed at least the last prompt token: its
    // logits are what the first sample needs.
    const size_t reuse = std::min(common_prefix(model.history(), prompt), prompt.size() - 1);
    if (model.history().size() > reuse) model.truncate(reuse);
    const std::span<const float> logits = model.eval(prompt.subspan(reuse));
    result.stats.prompt_tokens = int32_t(prompt.size());
    result.stats.reused_tokens = int32_t(reuse);
    result.stats.prompt_seconds = seconds_since(t_prompt);

    TokenSource source(model, options, prompt, logits, result.stats);
    auto decoder = tok.stream_decoder();
    StopFilter stops(options.stop_strings);
    auto emit = [&](const std::string& text) {
        if (text.empty()) return;
        result.text += text;
        if (options.on_text) options.on_text(text);
    };

    const auto t_gen = Clock::now();
    result.reason = StopReason::MaxTokens;
    // Past max_tokens, at most this many more tokens to finish a held syllable or character.
    constexpr int32_t kCompletionTokens = 8;
    for (int32_t i = 0; i < options.max_tokens || (i > 0 && i < options.max_tokens + kCompletionTokens && decoder->incomplete()); ++i) {
        if (options.cancel && options.cancel->load()) {
            result.reason = StopReason::Cancelled;
            break;
        }
        if (options.memory_ok && !options.memory_ok()) {
            result.reason = StopReason::MemoryLimit;
            break;
        }
        const int32_t token = source.next(options.max_tokens - i);
        if (options.on_token) options.on_token(token);
        if (tok.is_end_of_generation(token) && !options.ignore_eos) {
            result.reason = StopReason::EndOfText;
            break;
        }
        result.tokens.push_back(token);
        emit(stops.push(decoder->push(token)));
        if (stops.matched()) {
            result.reason = StopReason::StopString;
            break;
        }
    }
    source.finish();
    if (!stops.matched()) {
        emit(stops.push(decoder->flush()));
        if (stops.matched())
            result.reason = StopReason::StopString;
        else
            emit(stops.flush());
    }
    result.stats.generated_tokens = int32_t(result.tokens.size());
    result.stats.generate_seconds = seconds_since(t_gen);
    return result;
}

} // namespace kmlm
