// Token sampling in llama.cpp's order: penalties, top-k, temperature, top-p, min-p, draw.
#include "kmlm/sampler.h"

#include "kmlm/error.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace kmlm {
namespace {

uint64_t initial_seed(const SamplingParams& p) {
    if (p.seed) return *p.seed;
    std::random_device rd;
    return (uint64_t(rd()) << 32) ^ rd();
}

// Uniform double in [0, 1) from 53 random bits: the same on every standard library.
double uniform01(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

} // namespace

namespace {

void check(const char* name, double value, OptionRange range) {
    if (range.contains(value)) return;
    auto text = [](double x) {
        std::string s = std::to_string(x);
        if (s.find('.') != std::string::npos) { // 0.500000 -> 0.5
            while (s.back() == '0') s.pop_back();
            if (s.back() == '.') s.pop_back();
        }
        return s;
    };
    throw InvalidArgument(std::string(name) + " " + text(value) + " is out of range (" + text(range.min) + " to " + text(range.max) + ")");
}

} // namespace

void validate(const SamplingParams& p) {
    check("temperature", p.temperature, kTemperatureRange);
    check("top_k", p.top_k, kTopKRange);
    check("top_p", p.top_p, kTopPRange);
    check("min_p", p.min_p, kMinPRange);
    check("repeat_penalty", p.repeat_penalty, kRepeatPenaltyRange);
    check("repeat_last_n", p.repeat_last_n, kRepeatLastNRange);
    check("presence_penalty", p.presence_penalty, kPresencePenaltyRange);
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(initial_seed(params)) {}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> recent) {
    if (logits.empty()) throw InvalidArgument("sampler: no logits");
    candidates_.resize(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) candidates_[i] = {int32_t(i), logits[i]};

    // Penalties on the distinct tokens among the last repeat_last_n.
    const size_t n_look = params_.repeat_last_n < 0 ? recent.size() : std::min(recent.size(), size_t(params_.repeat_last_n));
    if (n_look > 0 && (params_.repeat_penalty != 1.0f || params_.presence_penalty != 0.0f || params_.frequency_penalty != 0.0f)) {
        std::unordered_map<int32_t, int32_t> counts;
        for (auto it = recent.end() - std::ptrdiff_t(n_look); it != recent.end(); ++it) ++counts[*it];
        for (const auto& [id, count] : counts) {
            if (id < 0 || size_t(id) >= candidates_.size()) continue;
            float& l = candidates_[size_t(id)].logit;
            if (params_.repeat_penalty > 0 && params_.repeat_penalty != 1.0f)
                l = l > 0 ? l / params_.repeat_penalty : l * params_.repeat_penalty;
            l -= params_.presence_penalty + params_.frequency_penalty * float(count);
        }
    }

    auto by_logit = [](const Candidate& a, const Candidate& b) { return a.logit > b.logit || (a.logit == b.logit && a.id < b.id); };
    if (is_greedy(params_)) return std::min_element(candidates_.begin(), candidates_.end(), by_logit)->id;

    size_t n = candidates_.size();
    if (params_.top_k > 0 && size_t(params_.top_k) < n) {
        std::partial_sort(candidates_.begin(), candidates_.begin() + params_.top_k, candidates_.end(), by_logit);
        n = size_t(params_.top_k);
    } else {
        std::sort(candidates_.begin(), candidates_.end(), by_logit);
    }

    // Softmax at the temperature over the n best (sorted, so [0] is the maximum).
    std::vector<double> probs(n);
    const double max_logit = candidates_[0].logit;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        probs[i] = std::exp((candidates_[i].logit - max_logit) / params_.temperature);
        sum += probs[i];
    }
    for (double& p : probs) p /= sum;

    // top-p: the smallest prefix whose mass reaches top_p; min-p: drop p < min_p * p_max.
    size_t keep = n;
    if (params_.top_p < 1.0f) {
        double mass = 0;
        for (size_t i = 0; i < n; ++i) {
            mass += probs[i];
            if (mass >= params_.top_p) {
                keep = i + 1;
                break;
            }
        }
    }
    if (params_.min_p > 0.0f) {
        const double floor = params_.min_p * probs[0];
        size_t i = 1;
        while (i < keep && probs[i] >= floor) ++i;
        keep = i;
    }

    double kept = 0;
    for (size_t i = 0; i < keep; ++i) kept += probs[i];
    double u = uniform01(rng_) * kept;
    for (size_t i = 0; i < keep; ++i) {
        u -= probs[i];
        if (u < 0) return candidates_[i].id;
    }
    return candidates_[keep - 1].id;
}

} // namespace kmlm
