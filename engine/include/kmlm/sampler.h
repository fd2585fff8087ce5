// Token sampling: temperature, top-k, top-p, min-p, repetition, presence and frequency
// penalties, seed.
#pragma once
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <vector>

namespace kmlm {

struct SamplingParams {
    float temperature = 0.8f;    // <= 0: greedy
    int32_t top_k = 40;          // 0: off
    float top_p = 0.95f;         // 1: off
    float min_p = 0.05f;         // 0: off
    float repeat_penalty = 1.1f; // 1: off (llama.cpp convention: divide positive logits)
    int32_t repeat_last_n = 64;  // tokens looked back for the penalties
    float presence_penalty = 0.0f;
    float frequency_penalty = 0.0f; // subtracted once per occurrence (OpenAI's frequency_penalty)
    std::optional<uint64_t> seed;   // nullopt: a random seed
};

// The accepted range of each sampling option, the same for every front end: the CLI's
// options, the app's settings, a server's requests.
struct OptionRange {
    double min, max;
    bool contains(double x) const { return x >= min && x <= max; } // false for NaN
};
inline constexpr OptionRange kTemperatureRange{0, 5};
inline constexpr OptionRange kTopKRange{0, 100000};
inline constexpr OptionRange kTopPRange{0, 1};
inline constexpr OptionRange kMinPRange{0, 1};
inline constexpr OptionRange kRepeatPenaltyRange{0.5, 5};
inline constexpr OptionRange kRepeatLastNRange{0, 65536};
inline constexpr OptionRange kPresencePenaltyRange{-5, 5};

// Throws InvalidArgument naming the first option outside its range (NaN is outside every one),
// e.g. "temperature -1 is out of range (0 to 5)". For requests from outside (a server).
void validate(const SamplingParams& params);

// True when sampling always takes the most likely token (temperature <= 0 or top_k 1).
inline bool is_greedy(const SamplingParams& params) { return params.temperature <= 0.0f || params.top_k == 1; }

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);
    // recent: the tokens so far (prompt and generated); the last repeat_last_n are penalised.
    int32_t sample(std::span<const float> logits, std::span<const int32_t> recent);
    const SamplingParams& params() const { return params_; }

private:
    struct Candidate {
        int32_t id;
        float logit;
    };
    SamplingParams params_;
    std::mt19937_64 rng_;
    std::vector<Candidate> candidates_;
};

} // namespace kmlm
