// GRU training: batched forward/backward through time, AdamW, clipping, schedule, checkpoints.
#include "kmlm/gru_train.h"

#include "kmlm/error.h"
#include "kmlm/kernels.h"
#include "kmlm/threadpool.h"
#include "kmlm/utf8.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>

namespace kmlm {
namespace {

// Column sums of m [rows, cols] added to out [cols].
void add_column_sums(const float* m, int rows, int cols, float* out) {
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) out[j] += m[long(i) * cols + j];
}

void fill_rows(float* m, int rows, std::span<const float> row) {
    for (int i = 0; i < rows; ++i) std::copy(row.begin(), row.end(), m + long(i) * long(row.size()));
}

// The batch's activations and gradients; sized once per shape.
struct Workspace {
    std::vector<float> xe, gx, gh, hprev, hout, z, r, n, logits, dgx, dgh, dh, dhout, dxe, tmp_t, wt;
    std::vector<float> keep; // [T*B] 0 where the input is BOS (state reset)
};

float forward_backward(const GruWeights& w, const GruBatch& bt, std::vector<float>& h0, GruWeights* grad, ThreadPool* pool, Workspace& ws) {
    const int B = bt.batch, T = bt.steps, N = B * T;
    const int V = w.config.vocab_size, E = w.config.embed_dim, H = w.config.hidden_dim, G = 3 * H;
    if (bt.inputs.size() != size_t(N) || bt.targets.size() != size_t(N) || h0.size() != size_t(B) * H)
        throw InvalidArgument("gru_forward_backward: batch shapes do not match");
    for (int32_t id : bt.inputs)
        if (id < 0 || id >= V) throw InvalidArgument("training input id out of range");
    for (int32_t id : bt.targets)
        if (id < 0 || id >= V) throw InvalidArgument("training target id out of range");
    auto gemm = [&](int M, int Nn, int K, const float* A, const float* Bm, float* C) { sgemm(pool, M, Nn, K, A, K, Bm, Nn, C, Nn); };

    ws.xe.resize(size_t(N) * E);
    ws.gx.resize(size_t(N) * G);
    ws.gh.resize(size_t(N) * G);
    ws.hprev.resize(size_t(N) * H);
    ws.hout.resize(size_t(N) * H);
    ws.z.resize(size_t(N) * H);
    ws.r.resize(size_t(N) * H);
    ws.n.resize(size_t(N) * H);
    ws.logits.resize(size_t(N) * V);
    ws.keep.resize(size_t(N));

    // Input projections of all steps at once: gx[N, 3H] = xe[N, E]·Wi + bi
    for (int i = 0; i < N; ++i) {
        const int32_t id = bt.inputs[size_t(i)];
        std::copy_n(w.embedding.data() + long(id) * E, E, ws.xe.data() + long(i) * E);
        ws.keep[size_t(i)] = id == JamoTokenizer::kBos ? 0.0f : 1.0f;
    }
    fill_rows(ws.gx.data(), N, w.bi);
    gemm(N, G, E, ws.xe.data(), w.wi.data(), ws.gx.data());

    // The recurrence, one step (B rows) at a time, keeping the gates for backward.
    std::vector<const float*> x(static_cast<size_t>(B));
    for (int t = 0; t < T; ++t) {
        const float* hsrc = t == 0 ? h0.data() : ws.hout.data() + long(t - 1) * B * H;
        float* hp = ws.hprev.data() + long(t) * B * H;
        for (int b = 0; b < B; ++b) {
            const float k = ws.keep[size_t(t * B + b)];
            for (int j = 0; j < H; ++j) hp[b * H + j] = k * hsrc[b * H + j];
            x[size_t(b)] = ws.gx.data() + (long(t) * B + b) * G;
        }
        const long at = long(t) * B * H;
        const GruGates gates{ws.z.data() + at, ws.r.data() + at, ws.n.data() + at};
        gru_cell(w, B, x.data(), hp, ws.hout.data() + at, ws.gh.data() + long(t) * B * G, &gates, pool);
    }
    std::copy(ws.hout.end() - long(B) * H, ws.hout.end(), h0.begin());

    // Output layer and softmax cross-entropy; logits become dLoss/dlogits.
    fill_rows(ws.logits.data(), N, w.out_b);
    gemm(N, V, H, ws.hout.data(), w.out_w.data(), ws.logits.data());
    std::vector<double> row_loss(static_cast<size_t>(N));
    const float inv_n = 1.0f / float(N);
    parallel_ranges(pool, N, [&](int i0, int i1) {
        for (int i = i0; i < i1; ++i) {
            float* l = ws.logits.data() + long(i) * V;
            const int32_t y = bt.targets[size_t(i)];
            row_loss[size_t(i)] = -log_softmax_at({l, size_t(V)}, y, l);
            for (int v = 0; v < V; ++v) l[v] *= inv_n;
            l[y] -= inv_n;
        }
    });
    double loss = 0;
    for (double x : row_loss) loss += x;
    if (!grad) return float(loss / N);

    GruWeights& g = *grad;
    for (auto* t : g.tensors()) std::fill(t->begin(), t->end(), 0.0f);
    const float* dlog = ws.logits.data();

    // dWout[H, V] = houtᵀ · dlogits ; dbout = Σ dlogits ; dhout[N, H] = dlogits · Woutᵀ
    ws.tmp_t.resize(size_t(N) * std::max(H, E));
    transpose(ws.hout.data(), N, H, ws.tmp_t.data());
    gemm(H, V, N, ws.tmp_t.data(), dlog, g.out_w.data());
    add_column_sums(dlog, N, V, g.out_b.data());
    ws.wt.resize(size_t(std::max(V, G)) * std::max(H, E));
    transpose(w.out_w.data(), H, V, ws.wt.data());
    ws.dhout.assign(size_t(N) * H, 0.0f);
    gemm(N, H, V, dlog, ws.wt.data(), ws.dhout.data());

    // Back through time. dh carries dLoss/dh from step t+1 into step t.
    ws.dgx.resize(size_t(N) * G);
    ws.dgh.resize(size_t(N) * G);
    ws.dh.assign(size_t(B) * H, 0.0f);
    transpose(w.wh.data(), H, G, ws.wt.data()); // Whᵀ [3H, H]
    for (int t = T - 1; t >= 0; --t) {
        const float* hp = ws.hprev.data() + long(t) * B * H;
        const float* gh = ws.gh.data() + long(t) * B * G;
        parallel_ranges(pool, B, [&](int b0, int b1) {
            for (int b = b0; b < b1; ++b) {
                const long row = long(t) * B + b;
                const float *z = ws.z.data() + row * H, *r = ws.r.data() + row * H, *n = ws.n.data() + row * H;
                const float* hpr = hp + long(b) * H;
                const float* ghr = gh + long(b) * G;
                const float* dho = ws.dhout.data() + row * H;
                float* dh = ws.dh.data() + long(b) * H;
                float *dgx = ws.dgx.data() + row * G, *dgh = ws.dgh.data() + row * G;
                for (int j = 0; j < H; ++j) {
                    const float d = dho[j] + dh[j];
                    const float dz = d * (n[j] - hpr[j]);
                    const float dan = d * z[j] * (1.0f - n[j] * n[j]);
                    const float daz = dz * z[j] * (1.0f - z[j]);
                    const float dar = dan * ghr[2 * H + j] * r[j] * (1.0f - r[j]);
                    dgx[j] = dgh[j] = daz;
                    dgx[H + j] = dgh[H + j] = dar;
                    dgx[2 * H + j] = dan;
                    dgh[2 * H + j] = dan * r[j];
                    dh[j] = d * (1.0f - z[j]); // the direct path; the Wh path is added below
                }
            }
        });
        gemm(B, H, G, ws.dgh.data() + long(t) * B * G, ws.wt.data(), ws.dh.data());
        for (int b = 0; b < B; ++b) {
            const float k = ws.keep[size_t(t * B + b)];
            if (k == 0.0f) std::fill_n(ws.dh.data() + long(b) * H, H, 0.0f);
        }
    }

    // Weight gradients of the recurrence, over all steps at once.
    transpose(ws.hprev.data(), N, H, ws.tmp_t.data());
    gemm(H, G, N, ws.tmp_t.data(), ws.dgh.data(), g.wh.data());
    add_column_sums(ws.dgh.data(), N, G, g.bh.data());
    add_column_sums(ws.dgx.data(), N, G, g.bi.data());
    transpose(ws.xe.data(), N, E, ws.tmp_t.data());
    gemm(E, G, N, ws.tmp_t.data(), ws.dgx.data(), g.wi.data());
    // dxe[N, E] = dgx · Wiᵀ, scattered into the embedding rows in order.
    transpose(w.wi.data(), E, G, ws.wt.data());
    ws.dxe.assign(size_t(N) * E, 0.0f);
    gemm(N, E, G, ws.dgx.data(), ws.wt.data(), ws.dxe.data());
    for (int i = 0; i < N; ++i) {
        float* dst = g.embedding.data() + long(bt.inputs[size_t(i)]) * E;
        const float* src = ws.dxe.data() + long(i) * E;
        for (int e = 0; e < E; ++e) dst[e] += src[e];
    }
    return float(loss / N);
}

thread_local Workspace t_workspace;

constexpr char kCheckpointMagic[8] = {'K', 'M', 'L', 'M', 'G', 'R', 'U', 'C'};
constexpr uint32_t kCheckpointVersion = 1;

} // namespace

float gru_forward_backward(const GruWeights& w, const GruBatch& b, std::vector<float>& h0, GruWeights* grad, ThreadPool* pool) {
    return forward_backward(w, b, h0, grad, pool, t_workspace);
}

float gru_forward_backward(const GruWeights& w, const GruBatch& b, std::vector<float>& h0, GruWeights* grad, int threads) {
    ThreadPool pool(std::max(1, threads));
    return gru_forward_backward(w, b, h0, grad, &pool);
}

GruTrainer::GruTrainer(const GruTrainOptions& options, std::vector<uint16_t> tokens) : options_(options), tokens_(std::move(tokens)) {
    options_.config.validate("training configuration");
    if (options_.batch < 1 || options_.batch > 4096) throw InvalidArgument("batch must be 1-4096");
    if (options_.bptt < 1 || options_.bptt > 4096) throw InvalidArgument("bptt must be 1-4096");
    if (options_.epochs < 1) throw InvalidArgument("epochs must be at least 1");
    const int64_t per_stream = int64_t(tokens_.size()) / options_.batch;
    steps_per_epoch_ = (per_stream - 1) / options_.bptt;
    if (steps_per_epoch_ < 1)
        throw InvalidArgument("the corpus is too small: " + std::to_string(tokens_.size()) + " tokens for batch " +
                              std::to_string(options_.batch) + " x bptt " + std::to_string(options_.bptt));
    total_steps_ = options_.max_steps > 0 ? options_.max_steps : steps_per_epoch_ * options_.epochs;
    w_ = GruWeights::random(options_.config, options_.seed);
    grad_ = GruWeights::zeros(options_.config);
    m_ = GruWeights::zeros(options_.config);
    v_ = GruWeights::zeros(options_.config);
    h_.assign(size_t(options_.batch) * options_.config.hidden_dim, 0.0f);
    pool_ = std::make_unique<ThreadPool>(std::max(1, options_.threads));
}

GruTrainer::~GruTrainer() = default;

double GruTrainer::learning_rate() const {
    const double lr = options_.learning_rate, lo = std::min(options_.min_learning_rate, lr);
    if (step_ < options_.warmup_steps) return lr * double(step_ + 1) / double(options_.warmup_steps);
    const double span = double(std::max<int64_t>(1, total_steps_ - options_.warmup_steps));
    const double progress = std::min(1.0, double(step_ - options_.warmup_steps) / span);
    return lo + 0.5 * (lr - lo) * (1.0 + std::cos(std::numbers::pi * progress));
}

float GruTrainer::step() {
    const int B = options_.batch, T = options_.bptt;
    const int64_t in_epoch = step_ % steps_per_epoch_;
    if (in_epoch == 0) std::fill(h_.begin(), h_.end(), 0.0f); // each epoch starts fresh
    const int64_t per_stream = int64_t(tokens_.size()) / B;
    inputs_.resize(size_t(B) * T);
    targets_.resize(size_t(B) * T);
    for (int t = 0; t < T; ++t)
        for (int b = 0; b < B; ++b) {
            const int64_t pos = b * per_stream + in_epoch * T + t;
            inputs_[size_t(t * B + b)] = tokens_[size_t(pos)];
            targets_[size_t(t * B + b)] = tokens_[size_t(pos + 1)];
        }
    const float loss = gru_forward_backward(w_, {B, T, inputs_, targets_}, h_, &grad_, pool_.get());

    // Global norm clipping, summed in a fixed order.
    double norm2 = 0;
    for (const auto* g : grad_.tensors())
        for (float x : *g) norm2 += double(x) * x;
    const double norm = std::sqrt(norm2);
    const float clip = options_.clip_norm > 0 && norm > options_.clip_norm ? float(options_.clip_norm / norm) : 1.0f;

    // AdamW with bias correction; decay on the matrices only (not the embedding or the biases).
    const double lr = learning_rate();
    ++step_;
    const double c1 = 1.0 - std::pow(options_.beta1, double(step_)), c2 = 1.0 - std::pow(options_.beta2, double(step_));
    const float b1 = float(options_.beta1), b2 = float(options_.beta2), eps = float(options_.epsilon);
    const float step_size = float(lr / c1), inv_c2 = float(1.0 / c2);
    auto params = w_.tensors();
    auto grads = grad_.tensors(), ms = m_.tensors(), vs = v_.tensors();
    for (size_t k = 0; k < params.size(); ++k) {
        const bool decay = GruWeights::kTensorRoles[k] == GruTensorRole::Matrix;
        const float wd = decay ? float(lr * options_.weight_decay) : 0.0f;
        float *p = params[k]->data(), *m = ms[k]->data(), *v = vs[k]->data();
        const float* g = grads[k]->data();
        for (size_t i = 0; i < params[k]->size(); ++i) {
            const float gi = g[i] * clip;
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] -= step_size * m[i] / (std::sqrt(v[i] * inv_c2) + eps) + wd * p[i];
        }
    }
    return loss;
}

namespace {
void write_floats(std::ofstream& out, const std::vector<float>& v) {
    out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
}
void read_floats(std::ifstream& in, std::vector<float>& v, const std::string& name) {
    in.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
    if (!in) throw FormatError(name + ": checkpoint is truncated");
}
} // namespace

// Layout: magic, version, V E H batch bptt (int32), step (int64), then weights, m, v in
// the binary format's tensor order, then the hidden states [batch, H]. Host byte order.
void GruTrainer::save_checkpoint(const std::filesystem::path& path) const {
    const auto tmp = std::filesystem::path(path.string() + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError("cannot write " + tmp.string());
        out.write(kCheckpointMagic, 8);
        const int32_t head[6] = {int32_t(kCheckpointVersion),
                                 options_.config.vocab_size,
                                 options_.config.embed_dim,
                                 options_.config.hidden_dim,
                                 options_.batch,
                                 options_.bptt};
        out.write(reinterpret_cast<const char*>(head), sizeof head);
        out.write(reinterpret_cast<const char*>(&step_), sizeof step_);
        for (const GruWeights* s : {&w_, &m_, &v_})
            for (const auto* t : s->tensors()) write_floats(out, *t);
        write_floats(out, h_);
        if (!out.flush()) throw IoError("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path);
}

void GruTrainer::load_checkpoint(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open checkpoint " + path.string());
    char magic[8] = {};
    int32_t head[6] = {};
    int64_t step = 0;
    in.read(magic, 8);
    in.read(reinterpret_cast<char*>(head), sizeof head);
    in.read(reinterpret_cast<char*>(&step), sizeof step);
    if (!in || std::memcmp(magic, kCheckpointMagic, 8) != 0 || head[0] != int32_t(kCheckpointVersion))
        throw FormatError(path.string() + ": not a GRU training checkpoint");
    if (head[1] != options_.config.vocab_size || head[2] != options_.config.embed_dim || head[3] != options_.config.hidden_dim ||
        head[4] != options_.batch || head[5] != options_.bptt)
        throw InvalidArgument(path.string() + ": checkpoint was made with other settings (V " + std::to_string(head[1]) + ", E " +
                              std::to_string(head[2]) + ", H " + std::to_string(head[3]) + ", batch " + std::to_string(head[4]) +
                              ", bptt " + std::to_string(head[5]) + ")");
    if (step < 0 || step > total_steps_) throw FormatError(path.string() + ": checkpoint step out of range");
    for (GruWeights* s : {&w_, &m_, &v_})
        for (auto* t : s->tensors()) read_floats(in, *t, path.string());
    read_floats(in, h_, path.string());
    step_ = step;
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open " + path.string());
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
    }
    return lines;
}

std::vector<uint16_t> tokenize_corpus(const std::filesystem::path& path, const JamoTokenizer& tok) {
    std::vector<uint16_t> out;
    size_t line_no = 0;
    for (const auto& line : read_lines(path)) {
        ++line_no;
        if (line.empty()) continue;
        if (auto bad = first_invalid_utf8(line))
            throw InvalidArgument(path.string() + ":" + std::to_string(line_no) + ": invalid UTF-8 at byte " + std::to_string(*bad));
        for (int32_t id : tok.encode_line(line)) out.push_back(uint16_t(id));
    }
    return out;
}

} // namespace kmlm
