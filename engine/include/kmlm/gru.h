// The jamo GRU language model: Embedding(V, E) -> GRU(E -> H) -> Dense(H -> V) -> softmax.
//
// Gate blocks are stacked [z, r, n] along the 3H axis:
//   z  = sigmoid(x·Wi_z + bi_z + h·Wh_z + bh_z)
//   r  = sigmoid(x·Wi_r + bi_r + h·Wh_r + bh_r)
//   n  = tanh(x·Wi_n + bi_n + r ⊙ (h·Wh_n + bh_n))
//   h' = (1 - z) ⊙ h + z ⊙ n
// Matrices are row-major with the input index major (x·W): Wi [E, 3H], Wh [H, 3H], out_w [H, V].
#pragma once
#include "kmlm/jamo_tokenizer.h"
#include "kmlm/language_model.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

// The architecture name of the jamo GRU in GGUF files and model descriptions.
inline constexpr std::string_view kGruArchitecture = "kmlm-gru";

struct GruConfig {
    int32_t vocab_size = JamoTokenizer::kFullVocabSize;
    int32_t embed_dim = 128;
    int32_t hidden_dim = 256;

    // V·E + 3H(E + H) + 6H + H·V + V
    uint64_t param_count() const;
    // Throws FormatError naming source and the bad field when a dimension is out of range
    // (vocabulary 77 or 384, E and H in 1..4096).
    void validate(const std::string& source) const;
};

// What each tensor of GruWeights::tensors() is: training decays the matrices only.
enum class GruTensorRole { Embedding, Matrix, Bias };

struct GruWeights {
    GruConfig config;
    std::vector<float> embedding; // [V, E]
    std::vector<float> wi;        // [E, 3H]
    std::vector<float> wh;        // [H, 3H]
    std::vector<float> bi;        // [3H]
    std::vector<float> bh;        // [3H]
    std::vector<float> out_w;     // [H, V]
    std::vector<float> out_b;     // [V]

    // All zeros, sized for config (validated).
    static GruWeights zeros(const GruConfig& config);
    // Matrices uniform in ±1/sqrt(fan_in) as common GRU implementations do, embedding in
    // ±0.1, biases zero. The same seed gives the same weights everywhere.
    static GruWeights random(const GruConfig& config, uint64_t seed);

    // The tensors in the binary format's order: embedding, Wi, Wh, bi, bh, out_w, out_b,
    // and the role of each.
    std::vector<std::vector<float>*> tensors();
    std::vector<const std::vector<float>*> tensors() const;
    static constexpr std::array<GruTensorRole, 7> kTensorRoles = {GruTensorRole::Embedding, GruTensorRole::Matrix, GruTensorRole::Matrix,
                                                                  GruTensorRole::Bias,      GruTensorRole::Bias,   GruTensorRole::Matrix,
                                                                  GruTensorRole::Bias};
};

class ThreadPool;

// Where gru_cell() keeps the gate values of a step for backpropagation, [rows, H] each.
struct GruGates {
    float* z = nullptr;
    float* r = nullptr;
    float* n = nullptr;
};

// One step of the recurrence for `rows` sequences side by side (G = 3H):
//   x_proj[b]  row b's input projection x·Wi + bi [G] (GruModel::input_table() has one per token)
//   h_prev     [rows, H] the states before the step; h_out [rows, H] after it (may be h_prev)
//   gh         [rows, G] scratch, left holding h_prev·Wh + bh
//   gates      when given, receives z, r and n
// pool (may be null) runs the product and the rows in parallel; the result is the same.
void gru_cell(const GruWeights& w, int rows, const float* const* x_proj, const float* h_prev, float* h_out, float* gh,
              const GruGates* gates = nullptr, ThreadPool* pool = nullptr);

// log p(target) (natural log) under softmax(logits), summed in double. probs, when given
// ([V]; it may be logits itself), receives softmax(logits).
double log_softmax_at(std::span<const float> logits, int32_t target, float* probs = nullptr);

class GruModel : public LanguageModel {
public:
    GruModel(GruWeights weights, ModelInfo info);

    const ModelInfo& info() const override { return info_; }
    const Tokenizer& tokenizer() const override { return tokenizer_; }
    const std::vector<int32_t>& history() const override { return history_; }
    void truncate(size_t n) override;
    std::span<const float> eval(std::span<const int32_t> tokens) override;
    size_t context_length() const override { return 0; }
    MemoryUsage memory_usage() const override;

    const GruWeights& weights() const { return w_; }
    const JamoTokenizer& jamo_tokenizer() const { return tokenizer_; }
    // [V, 3H]: embedding·Wi + bi of every token (a token's input projection never changes).
    const std::vector<float>& input_table() const { return x_table_; }

    // Log-probability (natural log) of each token of ids[1..] given the ones before it,
    // starting from a fresh state; the model's own state is untouched.
    std::vector<float> token_log_probs(std::span<const int32_t> ids) const;

private:
    // Advances state by one token (no logits).
    void step(int32_t token, std::vector<float>& h, std::vector<float>& scratch) const;
    void compute_logits(std::span<const float> h, std::span<float> logits) const;

    GruWeights w_;
    ModelInfo info_;
    JamoTokenizer tokenizer_;
    std::vector<float> x_table_; // [V, 3H]: embedding·Wi + bi, one row per token
    std::vector<int32_t> history_;
    std::vector<float> h_, scratch_, logits_;
    // The state after the last eval() of several tokens (a prompt), so that truncating back
    // to it (scoring several continuations of one prompt) needs no recomputation.
    size_t mark_len_ = 0;
    std::vector<float> mark_h_;
};

// Scores text line by line (each line as BOS + line + EOS, EOS standing for the '\n'),
// over n_threads threads, lines of similar length batched together. Lines are
// NFC-normalised; invalid UTF-8 throws InvalidArgument.
struct ScoreResult {
    double log_likelihood = 0; // natural log, summed
    uint64_t tokens = 0;       // predicted tokens (EOS included)
    uint64_t code_points = 0;  // characters including one '\n' per line
    uint64_t lines = 0;
    double bits_per_char() const;
    double bits_per_token() const;
};
ScoreResult score_lines(const GruModel& model, const std::vector<std::string>& lines, int n_threads);

} // namespace kmlm
