// The transformer decoder's forward pass over a batch of tokens, its KV cache with a sliding
// context, and LanguageModel on top. Activations are F32; weights are used in place from the
// mapped file through the matmul kernels.
#include "transformer_model.h"

#include "attention.h"

#include "kmlm/error.h"
#include "kmlm/kernels.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"
#include "kmlm/vocab.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace kmlm {
namespace {

constexpr uint32_t kBatch = kDecoderBatch;

bool attention_rows_only() {
    const char* env = std::getenv("KMLM_ATTENTION");
    return env && std::string_view(env) == "rows";
}

// The two RoPE variants a model may mix: the full-attention layers' and the sliding-window
// layers' (gemma3: another base, unscaled).
enum RopeKind { kRopeFull = 0, kRopeSwa = 1 };

class TransformerModel final : public LanguageModel, public BatchLogits {
public:
    TransformerModel(std::unique_ptr<gguf::GgufFile> file, TransformerHParams hp, TransformerWeights w, const LoadOptions& opt)
        : file_(std::move(file)), hp_(std::move(hp)), w_(std::move(w)), n_ctx_(decoder_context(hp_, opt.n_ctx)),
          n_sink_(std::min<uint32_t>(opt.n_sink, n_ctx_ / 4)),
          cache_(decoder_kv_type(hp_, opt.kv_type), n_ctx_, hp_.n_kv_embd(), hp_.head_dim, hp_.windows()), pool_(opt.n_threads) {
        tokenizer_ = load_gguf_tokenizer(*file_);
        if (uint32_t(tokenizer_->vocab_size()) > hp_.n_vocab)
            throw FormatError(file_->source_name() + ": the tokenizer has " + std::to_string(tokenizer_->vocab_size()) +
                              " tokens but token_embd.weight only " + std::to_string(hp_.n_vocab));
        fill_info();
        // LongRoPE: the long factors once the context exceeds the original one.
        rope_factors_ = w_.rope_freqs ? w_.rope_freqs : (n_ctx_ > hp_.n_ctx_orig && w_.rope_long) ? w_.rope_long : w_.rope_short;
        init_rope_tables();
        const DecoderBuffers b = decoder_buffers(hp_, n_ctx_, uint32_t(pool_.size()));
        x_.resize(b.x);
        xn_.resize(b.xn);
        q_.resize(b.q);
        k_.resize(b.k);
        v_.resize(b.v);
        attn_.resize(b.attn);
        tmp_.resize(b.tmp);
        ff_a_.resize(b.ff_a);
        ff_b_.resize(b.ff_b);
        scores_.resize(b.scores);
        logits_.resize(b.logits);
    }

    const ModelInfo& info() const override { return info_; }
    const Tokenizer& tokenizer() const override { return *tokenizer_; }
    const std::vector<int32_t>& history() const override { return history_; }
    void truncate(size_t n) override {
        if (n >= history_.size()) return;
        history_.resize(n);
        // A sliding-window layer may have overwritten what the kept tokens need: evaluate
        // them again before the next tokens.
        if (!cache_.truncate(uint32_t(n))) stale_ = true;
    }
    size_t context_length() const override { return n_ctx_; }
    MemoryUsage memory_usage() const override {
        MemoryUsage u;
        for (const auto& t : file_->tensors()) u.weights += t.n_bytes;
        u.kv_cache = cache_.bytes();
        u.kv_type = kv_type_name(cache_.type()); // Q8_0 falls back to F16 for heads that are not whole blocks
        u.compute = (x_.size() + xn_.size() + q_.size() + k_.size() + v_.size() + attn_.size() + tmp_.size() + ff_a_.size() + ff_b_.size() +
                     scores_.size() + logits_.size() + all_logits_.size() + (rope_cos_[0].size() + rope_cos_[1].size()) * 2) *
                    sizeof(float);
        return u;
    }

    std::span<const float> eval(std::span<const int32_t> tokens) override {
        run(tokens, tokens.size());
        return logits_;
    }
    std::span<const float> eval_all(std::span<const int32_t> tokens, size_t from) override {
        if (from >= tokens.size()) throw InvalidArgument("eval_all: no position to return logits for");
        all_logits_.resize((tokens.size() - from) * size_t(hp_.n_vocab));
        run(tokens, from);
        return all_logits_;
    }

private:
    void fill_info() {
        info_.name = file_->get_string("general.name").value_or(file_->source_name());
        info_.architecture = hp_.arch_name;
        info_.quantization = quantization_name(*file_);
        for (const auto& t : file_->tensors()) info_.parameters += t.n_elements;
        info_.file_size = file_->file_size();
        info_.vocab_size = uint32_t(tokenizer_->vocab_size());
        info_.context_length = hp_.n_ctx_train;
        info_.chat_template = file_->get_string("tokenizer.chat_template").value_or("");
    }

    // scale * base^(-2i/n_rot) of the layer kind, divided by the file's frequency factors
    // (rope_freqs, or LongRoPE's) when it has them.
    double rope_frequency(RopeKind kind, uint32_t i) const {
        const double base = kind == kRopeSwa ? hp_.rope_base_swa : hp_.rope_base;
        const double scale = kind == kRopeSwa ? hp_.rope_scale_swa : hp_.rope_scale;
        const double f = scale * std::pow(base, -2.0 * i / hp_.n_rot);
        return rope_factors_ ? f / rope_factors_.f32()[i] : f;
    }

    // cos/sin of pos * rope_frequency(i) for every position and pair: [n_ctx][n_rot/2], for
    // each kind the layers use. LongRoPE's attention factor scales both.
    void init_rope_tables() {
        const uint32_t half = hp_.n_rot / 2;
        for (RopeKind kind : {kRopeFull, kRopeSwa}) {
            bool used = false;
            for (uint32_t l = 0; l < hp_.n_layer; ++l) used |= hp_.uses_rope(l) && rope_kind(l) == kind;
            if (!used) continue;
            rope_cos_[kind].resize(size_t(n_ctx_) * half);
            rope_sin_[kind].resize(size_t(n_ctx_) * half);
            for (uint32_t pos = 0; pos < n_ctx_; ++pos)
                for (uint32_t i = 0; i < half; ++i) {
                    const double angle = pos * rope_frequency(kind, i);
                    rope_cos_[kind][size_t(pos) * half + i] = float(std::cos(angle) * hp_.rope_attn_factor);
                    rope_sin_[kind][size_t(pos) * half + i] = float(std::sin(angle) * hp_.rope_attn_factor);
                }
        }
    }

    RopeKind rope_kind(uint32_t layer) const { return hp_.is_swa(layer) ? kRopeSwa : kRopeFull; }

    // Rotates n_heads heads of head_dim floats at `pos` (see rope_rotate).
    void rope(float* x, uint32_t n_heads, uint32_t pos, RopeKind kind) const {
        const uint32_t half = hp_.n_rot / 2;
        for (uint32_t h = 0; h < n_heads; ++h)
            rope_rotate(x + size_t(h) * hp_.head_dim, hp_.n_rot, hp_.rope_neox, &rope_cos_[kind][size_t(pos) * half],
                        &rope_sin_[kind][size_t(pos) * half]);
    }

    // Evaluates tokens in batches, sliding the window first when the cache is full. The
    // logits of positions from.. go to all_logits_ (none when from == tokens.size()).
    void run(std::span<const int32_t> tokens, size_t from) {
        if (tokens.empty()) throw InvalidArgument("eval: no tokens");
        for (int32_t t : tokens)
            if (t < 0 || uint32_t(t) >= hp_.n_vocab) throw InvalidArgument("eval: token id " + std::to_string(t) + " is out of range");
        if (stale_) {
            std::vector<int32_t> all = std::move(history_);
            const size_t skipped = all.size();
            all.insert(all.end(), tokens.begin(), tokens.end());
            history_.clear();
            cache_.clear();
            stale_ = false;
            return run(all, from + skipped);
        }
        size_t done = 0;
        while (done < tokens.size()) {
            const uint32_t n = uint32_t(std::min<size_t>({tokens.size() - done, kBatch, n_ctx_ - n_sink_}));
            if (history_.size() + n > n_ctx_) slide(uint32_t(history_.size() + n - n_ctx_));
            const size_t first = std::max(from, done);
            float* out = first < done + n ? all_logits_.data() + (first - from) * hp_.n_vocab : nullptr;
            forward(tokens.subspan(done, n), out, uint32_t(first - done));
            done += n;
        }
    }

    // Drops at least `need` tokens after the sinks (half the window at once, so that slides
    // are rare), moves the rest down and re-rotates their keys by the shift.
    void slide(uint32_t need) {
        const uint32_t n_past = uint32_t(history_.size());
        const uint32_t discard = std::min(std::max(need, (n_ctx_ - n_sink_) / 2), n_past - n_sink_);
        const uint32_t kept = n_past - n_sink_ - discard;
        cache_.drop(n_sink_, discard, n_past);
        const uint32_t half = hp_.n_rot / 2;
        std::vector<float> cos[2], sin[2];
        for (RopeKind kind : {kRopeFull, kRopeSwa}) {
            cos[kind].resize(half);
            sin[kind].resize(half);
            for (uint32_t i = 0; i < half; ++i) {
                const double angle = -double(discard) * rope_frequency(kind, i);
                cos[kind][i] = float(std::cos(angle));
                sin[kind][i] = float(std::sin(angle));
            }
        }
        cache_.update_keys(n_sink_, n_sink_ + kept, [&](float* key, uint32_t layer) {
            if (!hp_.uses_rope(layer)) return;
            const RopeKind kind = rope_kind(layer);
            for (uint32_t h = 0; h < hp_.n_head_kv; ++h)
                rope_rotate(key + size_t(h) * hp_.head_dim, hp_.n_rot, hp_.rope_neox, cos[kind].data(), sin[kind].data());
        });
        history_.erase(history_.begin() + n_sink_, history_.begin() + n_sink_ + discard);
    }

    void norm(const Weight& w, const Weight& b, const float* x, float* out, uint32_t n) const {
        for (uint32_t i = 0; i < n; ++i) {
            const float* xi = x + size_t(i) * hp_.n_embd;
            float* oi = out + size_t(i) * hp_.n_embd;
            if (hp_.layer_norm)
                layer_norm(xi, w.f32(), b.f32(), oi, hp_.n_embd, hp_.norm_eps);
            else
                rms_norm(xi, w.f32(), oi, hp_.n_embd, hp_.norm_eps);
        }
    }

    // RMSNorm of each of n_heads heads of every row of x ([n][n_heads * head_dim]) in place.
    void head_norm(const Weight& w, float* x, uint32_t n_heads, uint32_t n) const {
        for (size_t h = 0; h < size_t(n) * n_heads; ++h)
            rms_norm(x + h * hp_.head_dim, w.f32(), x + h * hp_.head_dim, hp_.head_dim, hp_.norm_eps);
    }

    // y[n][w.rows] = x[n][w.cols] * w^T (+ bias)
    void linear(const Weight& w, const Weight& bias, const float* x, float* y, uint32_t n) {
        matmul(pool_, w.type, w.data, w.rows, w.cols, x, n, y);
        if (bias)
            for (uint32_t i = 0; i < n; ++i) axpy_f32(1.0f, bias.f32(), y + size_t(i) * w.rows, w.rows);
    }

    // q/k/v of the batch from `in`: q_ [n][n_q_embd], k_ and v_ [n][n_kv_embd], before RoPE.
    void project_qkv(const LayerWeights& l, const float* in, uint32_t n) {
        const uint32_t q = hp_.n_q_embd(), kv = hp_.n_kv_embd();
        if (!l.wqkv) {
            linear(l.wq, l.bq, in, q_.data(), n);
            linear(l.wk, l.bk, in, k_.data(), n);
            linear(l.wv, l.bv, in, v_.data(), n);
            return;
        }
        // Fused [Q | K | V] rows, as llama.cpp's converter writes gptneox (it undoes the
        // per-head interleaving of the original checkpoint) and phi3. Split in place: q_
        // keeps Q.
        const uint32_t width = q + 2 * kv;
        linear(l.wqkv, l.bqkv, in, q_.data(), n);
        for (uint32_t i = 0; i < n; ++i) {
            const float* row = q_.data() + size_t(i) * width;
            std::copy(row + q, row + q + kv, k_.data() + size_t(i) * kv);
            std::copy(row + q + kv, row + width, v_.data() + size_t(i) * kv);
        }
        for (uint32_t i = 1; i < n; ++i)
            std::copy(q_.data() + size_t(i) * width, q_.data() + size_t(i) * width + q, q_.data() + size_t(i) * q);
    }

    // attn_[i] = softmax(scale q_i . K^T) V over the positions the layer sees, per head: in
    // blocks of queries that share a kv head (attention.cpp), or one head of one query at a
    // time where blocks would not use every thread or hold a single query row.
    void attention(uint32_t layer, uint32_t p0, uint32_t n) {
        const uint32_t group = hp_.n_head / hp_.n_head_kv, per_block = query_block_positions(group);
        const size_t tasks = size_t((n + per_block - 1) / per_block) * hp_.n_head_kv;
        // Captures fit std::function's inline storage: no allocation per call.
        if (attention_blocks_ && std::min(n, per_block) * group >= 2 && tasks >= size_t(pool_.size())) {
            job_ = {layer, p0, n};
            pool_.parallel_for(tasks, [this](size_t task, int thread) { attend_block_task(task, thread); });
            return;
        }
        pool_.parallel_for(size_t(n) * hp_.n_head, [this, layer, p0](size_t task, int thread) {
            attend(layer, p0 + uint32_t(task / hp_.n_head), uint32_t(task / hp_.n_head), uint32_t(task % hp_.n_head), thread);
        });
    }

    // Block `task` of attention(): kv head task % n_head_kv, a run of batch rows.
    void attend_block_task(size_t task, int thread) {
        const uint32_t group = hp_.n_head / hp_.n_head_kv, per_block = query_block_positions(group);
        const uint32_t kv_head = uint32_t(task % hp_.n_head_kv), i0 = uint32_t(task / hp_.n_head_kv) * per_block;
        const size_t offset = size_t(i0) * hp_.n_q_embd() + size_t(kv_head) * group * hp_.head_dim;
        QueryBlock b;
        b.q = q_.data() + offset;
        b.out = attn_.data() + offset;
        b.stride = hp_.n_q_embd();
        b.layer = job_.layer;
        b.kv_head = kv_head;
        b.pos0 = job_.p0 + i0;
        b.n_pos = std::min(per_block, job_.n - i0);
        b.group = group;
        b.head_dim = hp_.head_dim;
        b.scale = hp_.attn_scale;
        b.softcap = hp_.attn_softcap;
        attend_block(cache_, b, scratch(thread));
    }

    // One head of the token in batch row i at position pos, over the positions it sees:
    // [pos - window + 1, pos] in a sliding-window layer, else [0, pos].
    void attend(uint32_t layer, uint32_t pos, uint32_t i, uint32_t h, int thread) {
        const uint32_t begin = cache_.first_visible(layer, pos), n_keys = pos + 1 - begin;
        const uint32_t kv_head = h / (hp_.n_head / hp_.n_head_kv);
        const size_t offset = size_t(i) * hp_.n_q_embd() + size_t(h) * hp_.head_dim;
        float* scores = scratch(thread);
        cache_.dot_keys(layer, kv_head, q_.data() + offset, begin, pos + 1, scores);
        attention_weights(scores, n_keys, hp_.attn_scale, hp_.attn_softcap);
        float* out = attn_.data() + offset;
        std::fill(out, out + hp_.head_dim, 0.0f);
        cache_.add_values(layer, kv_head, scores, begin, pos + 1, out);
    }

    float* scratch(int thread) { return scores_.data() + size_t(thread) * (scores_.size() / pool_.size()); }

    // ff_a_ = act(x W_gate) * (x W_up) (llama, gemma: GELU, phi3: [gate | up] in one
    // matrix) or gelu(x W_up + b) (gptneox); out = ff_a_ W_down.
    void feed_forward(const LayerWeights& l, const float* in, float* out, uint32_t n) {
        const uint32_t ff = hp_.n_ff;
        const size_t count = size_t(n) * ff;
        if (hp_.fused_gate_up) {
            linear(l.w_up, Weight{}, in, ff_b_.data(), n);
            for (uint32_t i = 0; i < n; ++i) {
                const float* gate = ff_b_.data() + size_t(i) * 2 * ff;
                float* a = ff_a_.data() + size_t(i) * ff;
                std::copy(gate + ff, gate + 2 * ff, a);
                swiglu(a, gate, ff);
            }
        } else if (!l.w_gate) {
            linear(l.w_up, l.b_up, in, ff_a_.data(), n);
            gelu(ff_a_.data(), count);
        } else {
            linear(l.w_up, l.b_up, in, ff_a_.data(), n);
            linear(l.w_gate, Weight{}, in, ff_b_.data(), n);
            if (hp_.gelu_gate) {
                gelu(ff_b_.data(), count);
                for (size_t j = 0; j < count; ++j) ff_a_[j] *= ff_b_[j];
            } else {
                swiglu(ff_a_.data(), ff_b_.data(), count);
            }
        }
        linear(l.w_down, l.b_down, ff_a_.data(), out, n);
    }

    // Q/K norms and RoPE of the batch's rows, then the keys and values into the cache.
    void position_and_store(uint32_t li, const LayerWeights& l, uint32_t p0, uint32_t n) {
        const uint32_t q = hp_.n_q_embd(), kv = hp_.n_kv_embd();
        if (l.q_norm) {
            head_norm(l.q_norm, q_.data(), hp_.n_head, n);
            head_norm(l.k_norm, k_.data(), hp_.n_head_kv, n);
        }
        const bool rotate = hp_.uses_rope(li);
        for (uint32_t i = 0; i < n; ++i) {
            if (rotate) {
                rope(q_.data() + size_t(i) * q, hp_.n_head, p0 + i, rope_kind(li));
                rope(k_.data() + size_t(i) * kv, hp_.n_head_kv, p0 + i, rope_kind(li));
            }
            cache_.store(li, p0 + i, k_.data() + size_t(i) * kv, v_.data() + size_t(i) * kv);
        }
    }

    // One batch: tokens at positions p0.. appended to the cache. logits_out: [n - first][vocab]
    // for the tokens from `first` on, or null for only the last token's logits in logits_.
    void forward(std::span<const int32_t> tokens, float* logits_out, uint32_t first) {
        const uint32_t n = uint32_t(tokens.size()), d = hp_.n_embd;
        const uint32_t p0 = uint32_t(history_.size());
        for (uint32_t i = 0; i < n; ++i) dequantize_row(w_.tok_embd.type, row_ptr(w_.tok_embd, tokens[i]), x_.data() + size_t(i) * d, d);
        if (hp_.embd_scale != 1.0f)
            for (size_t j = 0; j < size_t(n) * d; ++j) x_[j] *= hp_.embd_scale;

        for (uint32_t li = 0; li < hp_.n_layer; ++li) {
            const LayerWeights& l = w_.layers[li];
            // exaone4 has no input norms: the blocks read the residual stream itself.
            const float* attn_in = x_.data();
            if (hp_.pre_norm) {
                norm(l.attn_norm, l.attn_norm_b, x_.data(), xn_.data(), n);
                attn_in = xn_.data();
            }
            project_qkv(l, attn_in, n);
            position_and_store(li, l, p0, n);
            attention(li, p0, n);
            linear(l.wo, l.bo, attn_.data(), tmp_.data(), n);
            if (l.attn_post_norm) norm(l.attn_post_norm, Weight{}, tmp_.data(), tmp_.data(), n);
            const float* ffn_in = x_.data();
            if (hp_.parallel_residual) {
                // x + attn(ln1(x)) + ffn(ln2(x)): both branches read the same x.
                norm(l.ffn_norm, l.ffn_norm_b, x_.data(), xn_.data(), n);
                axpy_f32(1.0f, tmp_.data(), x_.data(), size_t(n) * d);
                ffn_in = xn_.data();
            } else {
                axpy_f32(1.0f, tmp_.data(), x_.data(), size_t(n) * d);
                if (hp_.pre_norm) {
                    norm(l.ffn_norm, l.ffn_norm_b, x_.data(), xn_.data(), n);
                    ffn_in = xn_.data();
                }
            }
            feed_forward(l, ffn_in, tmp_.data(), n);
            if (l.ffn_post_norm) norm(l.ffn_post_norm, Weight{}, tmp_.data(), tmp_.data(), n);
            axpy_f32(1.0f, tmp_.data(), x_.data(), size_t(n) * d);
        }
        history_.insert(history_.end(), tokens.begin(), tokens.end());

        const uint32_t rows = logits_out ? n - first : 1;
        float* out = logits_out ? logits_out : logits_.data();
        norm(w_.out_norm, w_.out_norm_b, x_.data() + size_t(n - rows) * d, xn_.data(), rows);
        linear(w_.output, Weight{}, xn_.data(), out, rows);
        if (const float cap = hp_.final_softcap; cap > 0)
            for (size_t j = 0; j < size_t(rows) * hp_.n_vocab; ++j) out[j] = cap * std::tanh(out[j] / cap);
    }

    static const uint8_t* row_ptr(const Weight& w, int32_t row) { return w.data + size_t(row) * row_bytes(w.type, w.cols); }

    std::unique_ptr<gguf::GgufFile> file_;
    TransformerHParams hp_;
    TransformerWeights w_;
    ModelInfo info_;
    std::unique_ptr<Tokenizer> tokenizer_;
    uint32_t n_ctx_, n_sink_;
    KvCache cache_;
    ThreadPool pool_;
    std::vector<int32_t> history_;                 // token at each cached position
    bool stale_ = false;                           // the cache lost what history_ needs: evaluate it again first
    Weight rope_factors_;                          // frequency divisors in use (rope_freqs or LongRoPE's), optional
    std::vector<float> rope_cos_[2], rope_sin_[2]; // by RopeKind
    // Activations of one batch (see forward()).
    std::vector<float> x_, xn_, q_, k_, v_, attn_, tmp_, ff_a_, ff_b_, scores_, logits_, all_logits_;
    // $KMLM_ATTENTION=rows: one query head at a time (the reference for the blocks, and a
    // baseline for bench/run-matrix.sh).
    const bool attention_blocks_ = !attention_rows_only();
    struct {
        uint32_t layer = 0, p0 = 0, n = 0;
    } job_; // the attention() call the pool's blocks belong to
};

} // namespace

std::unique_ptr<LanguageModel> make_transformer(std::unique_ptr<gguf::GgufFile> file, TransformerHParams hp, TransformerWeights weights,
                                                const LoadOptions& options) {
    return std::make_unique<TransformerModel>(std::move(file), std::move(hp), std::move(weights), options);
}

DecoderBuffers decoder_buffers(const TransformerHParams& hp, uint32_t n_ctx, uint32_t n_threads) {
    const size_t B = std::min(kBatch, n_ctx), d = hp.n_embd, kv = hp.n_kv_embd();
    DecoderBuffers b;
    b.batch = B;
    b.x = b.xn = b.tmp = B * d;
    b.attn = B * std::max<size_t>(d, hp.n_q_embd());
    b.q = B * (hp.n_q_embd() + 2 * kv);
    b.k = b.v = B * kv;
    b.ff_a = B * hp.n_ff;
    b.ff_b = B * hp.n_ff * (hp.fused_gate_up ? 2 : 1); // phi3: [gate | up] in one product
    b.scores = size_t(n_threads) * std::max<size_t>(n_ctx, attend_block_scratch(hp.n_head / hp.n_head_kv, hp.head_dim, n_ctx));
    b.logits = hp.n_vocab;
    // A table per RoPE variant the layers use (gemma3: local and global).
    bool full = false, swa = false;
    for (uint32_t l = 0; l < hp.n_layer; ++l)
        if (hp.uses_rope(l)) (hp.is_swa(l) ? swa : full) = true;
    b.rope = 2 * size_t(n_ctx) * (hp.n_rot / 2) * (size_t(full) + size_t(swa));
    return b;
}

KvType decoder_kv_type(const TransformerHParams& hp, KvType wanted) {
    if (wanted != KvType::Q8_0) return wanted;
    return hp.head_dim % 32 == 0 ? wanted : KvType::F16;
}

uint32_t decoder_context(const TransformerHParams& hp, uint32_t n_ctx) {
    if (n_ctx == 0) return hp.n_ctx_train;
    return std::min<uint32_t>(std::max<uint32_t>(n_ctx, 16), hp.n_ctx_train);
}

} // namespace kmlm
