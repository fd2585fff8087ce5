// Reproducible input data shared by the engine tests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace kmlm_test {

// n normally distributed values (mean 0, standard deviation scale), the same for the same seed.
// With outlierEvery > 0 every outlierEvery-th value is four times larger, as in real weights.
inline std::vector<float> gaussian(size_t n, uint32_t seed, float scale = 1.0f, size_t outlierEvery = 0) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    if (outlierEvery > 0)
        for (size_t i = 0; i < n; i += outlierEvery) v[i] *= 4.0f;
    return v;
}

} // namespace kmlm_test
