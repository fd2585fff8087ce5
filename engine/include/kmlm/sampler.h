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
    float temperature = 0.8f;     // <= 0: greedy
    int32_t top_k = 40;           // 0: off
    float top_p = 0.95f;          // 1: off
    float min_p = 0.05f;          // 0: off
    float repeat_penalty = 1.1f;  // 1: off (llama.cpp convention: divide positive logits)
    int32_t repeat_last_n = 64;   // tokens looked back for the penalties
    float presence_penalty = 0.0f;
    float frequency_penalty = 0.0f; // subtracted once per occurrence (OpenAI's frequency_penalty)
    std::optional<uint64_t> seed; // nullopt: a random seed
};

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);
    // recent: the tokens so far (prompt and generated); the last repeat_last_n are penalised.
    int32_t sample(std::span<const float> logits, std::span<const int32_t> recent);
    const SamplingParams& params() const { return params_; }

private:
    struct Candidate { int32_t id; float logit; };
    SamplingParams params_;
    std::mt19937_64 rng_;
    std::vector<Candidate> candidates_;
};

} // namespace kmlm
