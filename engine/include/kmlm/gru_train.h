// Training the jamo GRU: truncated backpropagation through time over mini-batches, AdamW,
// gradient clipping, warmup + cosine learning rate, exact checkpoint/resume.
//
// The corpus (one document per line, each as BOS + line + EOS) is one token stream cut
// into `batch` equal parts read side by side, `bptt` tokens per step; the hidden state
// carries over from step to step and is reset at every BOS, as at inference time.
// Everything is deterministic for a seed, whatever the thread count or timing.
#pragma once
#include "kmlm/gru.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kmlm {

class ThreadPool;

struct GruTrainOptions {
    GruConfig config;
    int32_t batch = 64;
    int32_t bptt = 64;
    int32_t epochs = 1;
    int64_t max_steps = 0; // > 0: the run's length in steps instead of epochs
    double learning_rate = 3e-3;
    double min_learning_rate = 1e-4; // end of the cosine
    int64_t warmup_steps = 200;
    double beta1 = 0.9, beta2 = 0.99, epsilon = 1e-8;
    double weight_decay = 0.01; // decoupled, on the matrices only
    double clip_norm = 1.0;     // global gradient norm; 0 = off
    uint64_t seed = 1;
    int threads = 2;
};

// Gradients of the mean cross-entropy over one batch, the same layout as the weights.
// inputs and targets are [bptt][batch] time-major; h0 is [batch][H] and is updated to the
// final hidden state. Returns the mean loss (nats per token). grad (null: loss only) is
// overwritten. pool (may be null) runs the products and rows in parallel; the result is the
// same for any thread count.
struct GruBatch {
    int32_t batch = 0, steps = 0;
    std::span<const int32_t> inputs, targets;
};
float gru_forward_backward(const GruWeights& w, const GruBatch& b, std::vector<float>& h0, GruWeights* grad, ThreadPool* pool);
// The same on a pool of `threads` made for this call (tests, one-off evaluations).
float gru_forward_backward(const GruWeights& w, const GruBatch& b, std::vector<float>& h0, GruWeights* grad, int threads = 1);

class GruTrainer {
public:
    // tokens: the training stream (from tokenize_corpus).
    GruTrainer(const GruTrainOptions& options, std::vector<uint16_t> tokens);
    ~GruTrainer();

    // One optimisation step; returns the batch's mean loss (nats per token).
    float step();
    bool done() const { return step_ >= total_steps_; }
    int64_t step_index() const { return step_; }
    int64_t total_steps() const { return total_steps_; }
    int64_t steps_per_epoch() const { return steps_per_epoch_; }
    int64_t tokens_per_step() const { return int64_t(options_.batch) * options_.bptt; }
    double learning_rate() const; // for the next step
    const GruWeights& weights() const { return w_; }
    const GruTrainOptions& options() const { return options_; }

    // Everything needed to continue exactly: weights, Adam moments, step, hidden states.
    void save_checkpoint(const std::filesystem::path& path) const;
    void load_checkpoint(const std::filesystem::path& path);

private:
    GruTrainOptions options_;
    std::vector<uint16_t> tokens_;
    int64_t steps_per_epoch_ = 0, total_steps_ = 0, step_ = 0;
    GruWeights w_, grad_, m_, v_;
    std::vector<float> h_; // [batch, H]
    std::vector<int32_t> inputs_, targets_;
    std::unique_ptr<ThreadPool> pool_;
};

// Reads a corpus file (one document per line) into the training stream BOS line EOS ...
// Lines are NFC-normalised; empty lines are skipped. Throws IoError / InvalidArgument
// (naming the line) on invalid UTF-8.
std::vector<uint16_t> tokenize_corpus(const std::filesystem::path& path, const JamoTokenizer& tok);
// Reads a text file's lines (without their '\n'). Throws IoError.
std::vector<std::string> read_lines(const std::filesystem::path& path);

} // namespace kmlm
