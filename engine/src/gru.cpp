// The jamo GRU: configuration, weights, one recurrence step, and the LanguageModel over it.
#include "kmlm/gru.h"

#include "kmlm/error.h"
#include "kmlm/kernels.h"
#include "kmlm/threadpool.h"
#include "kmlm/utf8.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace kmlm {

uint64_t GruConfig::param_count() const {
    const uint64_t V = uint64_t(vocab_size), E = uint64_t(embed_dim), H = uint64_t(hidden_dim);
    return V * E + 3 * H * (E + H) + 6 * H + H * V + V;
}

void GruConfig::validate(const std::string& source) const {
    if (vocab_size != JamoTokenizer::kFullVocabSize && vocab_size != JamoTokenizer::kOriginalVocabSize)
        throw FormatError(source + ": vocabSize " + std::to_string(vocab_size) + " is not a jamo vocabulary (77 or 384)");
    if (embed_dim < 1 || embed_dim > 4096)
        throw FormatError(source + ": embedDim " + std::to_string(embed_dim) + " is out of range (1-4096)");
    if (hidden_dim < 1 || hidden_dim > 4096)
        throw FormatError(source + ": hiddenDim " + std::to_string(hidden_dim) + " is out of range (1-4096)");
}

GruWeights GruWeights::zeros(const GruConfig& c) {
    c.validate("GRU configuration");
    const size_t V = size_t(c.vocab_size), E = size_t(c.embed_dim), H = size_t(c.hidden_dim);
    GruWeights w;
    w.config = c;
    w.embedding.assign(V * E, 0.0f);
    w.wi.assign(E * 3 * H, 0.0f);
    w.wh.assign(H * 3 * H, 0.0f);
    w.bi.assign(3 * H, 0.0f);
    w.bh.assign(3 * H, 0.0f);
    w.out_w.assign(H * V, 0.0f);
    w.out_b.assign(V, 0.0f);
    return w;
}

GruWeights GruWeights::random(const GruConfig& c, uint64_t seed) {
    GruWeights w = zeros(c);
    std::mt19937_64 rng(seed);
    auto uniform = [&](float bound) { return float((double(rng() >> 11) * 0x1.0p-53 * 2 - 1) * bound); };
    for (float& x : w.embedding) x = uniform(0.1f);
    const float bi = 1.0f / std::sqrt(float(c.embed_dim)), bh = 1.0f / std::sqrt(float(c.hidden_dim));
    for (float& x : w.wi) x = uniform(bi);
    for (float& x : w.wh) x = uniform(bh);
    for (float& x : w.out_w) x = uniform(bh);
    return w;
}

std::vector<std::vector<float>*> GruWeights::tensors() { return {&embedding, &wi, &wh, &bi, &bh, &out_w, &out_b}; }
std::vector<const std::vector<float>*> GruWeights::tensors() const { return {&embedding, &wi, &wh, &bi, &bh, &out_w, &out_b}; }

namespace {
inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
} // namespace

void gru_cell(const GruWeights& w, int rows, const float* const* x_proj, const float* h_prev, float* h_out, float* gh,
              const GruGates* gates, ThreadPool* pool) {
    const int H = w.config.hidden_dim, G = 3 * H;
    for (int b = 0; b < rows; ++b) std::copy(w.bh.begin(), w.bh.end(), gh + long(b) * G);
    sgemm(pool, rows, G, H, h_prev, H, w.wh.data(), G, gh, G);
    parallel_ranges(pool, rows, [&](int b0, int b1) {
        for (int b = b0; b < b1; ++b) {
            const float* xp = x_proj[b];
            const float* ghr = gh + long(b) * G;
            const float* hp = h_prev + long(b) * H;
            float* ho = h_out + long(b) * H; // hp[j] is read before ho[j] is written: they may alias
            for (int j = 0; j < H; ++j) {
                const float z = sigmoid(xp[j] + ghr[j]);
                const float r = sigmoid(xp[H + j] + ghr[H + j]);
                const float n = std::tanh(xp[2 * H + j] + r * ghr[2 * H + j]);
                ho[j] = (1.0f - z) * hp[j] + z * n;
                if (gates) {
                    const long at = long(b) * H + j;
                    gates->z[at] = z;
                    gates->r[at] = r;
                    gates->n[at] = n;
                }
            }
        }
    });
}

double log_softmax_at(std::span<const float> logits, int32_t target, float* probs) {
    const float mx = *std::max_element(logits.begin(), logits.end());
    const double shifted = double(logits[size_t(target)] - mx); // read before probs may overwrite it
    double sum = 0;
    for (size_t v = 0; v < logits.size(); ++v) {
        const double e = std::exp(double(logits[v] - mx));
        sum += e;
        if (probs) probs[v] = float(e);
    }
    if (probs) {
        const double inv = 1.0 / sum;
        for (size_t v = 0; v < logits.size(); ++v) probs[v] = float(double(probs[v]) * inv);
    }
    return shifted - std::log(sum);
}

GruModel::GruModel(GruWeights weights, ModelInfo info) : w_(std::move(weights)), info_(std::move(info)), tokenizer_(w_.config.vocab_size) {
    const int V = w_.config.vocab_size, E = w_.config.embed_dim, H = w_.config.hidden_dim;
    info_.architecture = std::string(kGruArchitecture);
    info_.parameters = w_.config.param_count();
    info_.vocab_size = uint32_t(V);
    info_.context_length = 0;
    // A token's input projection never changes: precompute embedding·Wi + bi per token.
    x_table_.resize(size_t(V) * 3 * H);
    for (int v = 0; v < V; ++v) std::copy(w_.bi.begin(), w_.bi.end(), x_table_.begin() + long(v) * 3 * H);
    sgemm(nullptr, V, 3 * H, E, w_.embedding.data(), E, w_.wi.data(), 3 * H, x_table_.data(), 3 * H);
    h_.assign(size_t(H), 0.0f);
    scratch_.resize(size_t(3 * H));
    logits_.resize(size_t(V));
}

void GruModel::step(int32_t token, std::vector<float>& h, std::vector<float>& scratch) const {
    const int V = w_.config.vocab_size, H = w_.config.hidden_dim;
    if (token < 0 || token >= V)
        throw InvalidArgument("token id " + std::to_string(token) + " is out of range (vocabulary of " + std::to_string(V) + ")");
    const float* x = x_table_.data() + long(token) * 3 * H;
    gru_cell(w_, 1, &x, h.data(), h.data(), scratch.data());
}

void GruModel::compute_logits(std::span<const float> h, std::span<float> logits) const {
    const int V = w_.config.vocab_size, H = w_.config.hidden_dim;
    std::copy(w_.out_b.begin(), w_.out_b.end(), logits.begin());
    sgemm(nullptr, 1, V, H, h.data(), H, w_.out_w.data(), V, logits.data(), V);
}

void GruModel::truncate(size_t n) {
    if (n >= history_.size()) return;
    if (n == mark_len_ && !mark_h_.empty()) {
        history_.resize(n);
        h_ = mark_h_;
        return;
    }
    if (n < mark_len_) mark_h_.clear();
    // A recurrent state cannot be rewound: recompute it from the kept tokens.
    std::vector<int32_t> kept(history_.begin(), history_.begin() + long(n));
    history_.clear();
    std::fill(h_.begin(), h_.end(), 0.0f);
    for (int32_t t : kept) step(t, h_, scratch_);
    history_ = std::move(kept);
}

std::span<const float> GruModel::eval(std::span<const int32_t> tokens) {
    if (tokens.empty()) throw InvalidArgument("eval: no tokens");
    for (int32_t t : tokens) {
        step(t, h_, scratch_);
        history_.push_back(t);
    }
    if (tokens.size() > 1) { // a prompt: mark its end
        mark_len_ = history_.size();
        mark_h_ = h_;
    }
    compute_logits(h_, logits_);
    return logits_;
}

MemoryUsage GruModel::memory_usage() const {
    MemoryUsage m;
    for (const auto* t : w_.tensors()) m.weights += t->size() * sizeof(float);
    m.weights += x_table_.size() * sizeof(float);
    m.kv_cache = h_.size() * sizeof(float) + history_.capacity() * sizeof(int32_t);
    m.compute = (scratch_.size() + logits_.size()) * sizeof(float);
    return m;
}

std::vector<float> GruModel::token_log_probs(std::span<const int32_t> ids) const {
    const int H = w_.config.hidden_dim, V = w_.config.vocab_size;
    std::vector<float> h(static_cast<size_t>(H), 0.0f), scratch(static_cast<size_t>(3 * H)), logits(static_cast<size_t>(V));
    std::vector<float> out;
    for (size_t i = 0; i + 1 < ids.size(); ++i) {
        step(ids[i], h, scratch);
        compute_logits(h, logits);
        const int32_t next = ids[i + 1];
        if (next < 0 || next >= V) throw InvalidArgument("token id " + std::to_string(next) + " is out of range");
        out.push_back(float(log_softmax_at(logits, next)));
    }
    return out;
}

double ScoreResult::bits_per_char() const { return code_points ? -log_likelihood / std::log(2.0) / double(code_points) : 0; }
double ScoreResult::bits_per_token() const { return tokens ? -log_likelihood / std::log(2.0) / double(tokens) : 0; }

namespace {

// Log-likelihoods of a group of token sequences sorted by length (longest first), run side
// by side: at step t the sequences still going are a prefix of the group, so each step is
// one [rows, H] x [H, 3H] product instead of one vector product per sequence. Every row's
// arithmetic is the same as a lone sequence's, whatever the group.
void score_group(const GruWeights& w, const std::vector<float>& x_table, std::vector<const std::vector<int32_t>*> seqs,
                 std::vector<double>& out) {
    const int H = w.config.hidden_dim, V = w.config.vocab_size, G = 3 * H;
    const int B = int(seqs.size());
    std::vector<float> h(size_t(B) * H, 0.0f), gh(size_t(B) * G), logits(size_t(B) * V);
    std::vector<const float*> x(static_cast<size_t>(B));
    out.assign(size_t(B), 0.0);
    const size_t longest = seqs.empty() ? 0 : seqs[0]->size();
    int active = B;
    for (size_t t = 0; t + 1 < longest; ++t) {
        while (active > 0 && seqs[size_t(active - 1)]->size() <= t + 1) --active;
        for (int b = 0; b < active; ++b) {
            x[size_t(b)] = x_table.data() + long((*seqs[size_t(b)])[t]) * G;
            std::copy(w.out_b.begin(), w.out_b.end(), logits.begin() + long(b) * V);
        }
        gru_cell(w, active, x.data(), h.data(), h.data(), gh.data());
        sgemm(nullptr, active, V, H, h.data(), H, w.out_w.data(), V, logits.data(), V);
        for (int b = 0; b < active; ++b)
            out[size_t(b)] += log_softmax_at({logits.data() + long(b) * V, size_t(V)}, (*seqs[size_t(b)])[t + 1]);
    }
}

} // namespace

ScoreResult score_lines(const GruModel& model, const std::vector<std::string>& lines, int n_threads) {
    const auto& tok = model.jamo_tokenizer();
    n_threads = std::max(1, n_threads);
    std::vector<std::vector<int32_t>> ids(lines.size());
    std::vector<ScoreResult> per_line(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string nfc = to_nfc(lines[i]); // throws on invalid UTF-8
        ids[i] = tok.encode_line(nfc);
        per_line[i].tokens = ids[i].size() - 1;
        per_line[i].code_points = count_code_points(nfc) + 1;
        per_line[i].lines = 1;
    }
    for (const auto& seq : ids)
        for (int32_t id : seq)
            if (id >= model.weights().config.vocab_size) throw InvalidArgument("text needs tokens the model does not have");
    std::vector<size_t> order(lines.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() > ids[b].size(); });

    constexpr size_t kGroup = 32;
    const size_t n_groups = (order.size() + kGroup - 1) / kGroup;
    ThreadPool pool(n_threads);
    pool.parallel_for(n_groups, [&](size_t g, int) {
        std::vector<const std::vector<int32_t>*> seqs;
        const size_t end = std::min(order.size(), (g + 1) * kGroup);
        for (size_t k = g * kGroup; k < end; ++k) seqs.push_back(&ids[order[k]]);
        std::vector<double> lp;
        score_group(model.weights(), model.input_table(), seqs, lp);
        for (size_t k = g * kGroup; k < end; ++k) per_line[order[k]].log_likelihood = lp[k - g * kGroup];
    });
    // Summed in line order, so the total never depends on the threads.
    ScoreResult total;
    for (const auto& r : per_line) {
        total.log_likelihood += r.log_likelihood;
        total.tokens += r.tokens;
        total.code_points += r.code_points;
        total.lines += r.lines;
    }
    return total;
}

} // namespace kmlm
