// The generation loop: prefix reuse, sampling, streaming text with stop strings held back.
#include "kmlm/generate.h"

#include "kmlm/error.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace kmlm {

void validate(const GenerateOptions& options) {
    validate(options.sampling);
    if (!kMaxTokensRange.contains(options.max_tokens))
        throw InvalidArgument("max_tokens " + std::to_string(options.max_tokens) + " is out of range (1 to " +
                              std::to_string(int64_t(kMaxTokensRange.max)) + ")");
}
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

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
                if (held_.compare(held_.size() - len, len, s, 0, len) == 0) { best = len; break; }
        return best;
    }

    const std::vector<std::string>& stops_;
    std::string held_;
    bool matched_ = false;
};

} // namespace

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
    std::span<const float> logits = model.eval(prompt.subspan(reuse));
    result.stats.prompt_tokens = int32_t(prompt.size());
    result.stats.reused_tokens = int32_t(reuse);
    result.stats.prompt_seconds = seconds_since(t_prompt);

    Sampler sampler(options.sampling);
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
    for (int32_t i = 0; i < options.max_tokens ||
                        (i > 0 && i < options.max_tokens + kCompletionTokens && decoder->incomplete());
         ++i) {
        if (options.cancel && options.cancel->load()) { result.reason = StopReason::Cancelled; break; }
        if (options.memory_ok && !options.memory_ok()) { result.reason = StopReason::MemoryLimit; break; }
        if (i > 0) logits = model.eval(std::span<const int32_t>(&result.tokens.back(), 1));

        const int32_t token = sampler.sample(logits, model.history());
        if (options.on_token) options.on_token(token);
        if (tok.is_end_of_generation(token) && !options.ignore_eos) { result.reason = StopReason::EndOfText; break; }
        result.tokens.push_back(token);
        emit(stops.push(decoder->push(token)));
        if (stops.matched()) { result.reason = StopReason::StopString; break; }
    }
    if (!stops.matched()) {
        emit(stops.push(decoder->flush()));
        if (stops.matched()) result.reason = StopReason::StopString;
        else emit(stops.flush());
    }
    result.stats.generated_tokens = int32_t(result.tokens.size());
    result.stats.generate_seconds = seconds_since(t_gen);
    return result;
}

} // namespace kmlm
