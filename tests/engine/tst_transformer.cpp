// The transformer decoder against a plain float reference written here (dequantized weights,
// straightforward loops), for every architecture; KV cache types, batching, the sliding
// window, prefix reuse, and the rejection of malformed models.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"
#include "kmlm/model_random.h"
#include "kmlm/quant.h"
#include "kmlm/transformer.h"

#include <cmath>
#include <fstream>

using namespace kmlm;

Q_DECLARE_METATYPE(RandomModelSpec)
Q_DECLARE_METATYPE(KvType)

namespace {

// The reference: recomputes the whole sequence for every call.
class Reference {
public:
    explicit Reference(const gguf::GgufFile& f) : f_(f), hp_(read_hparams(f)) {}

    std::vector<float> logits(const std::vector<int32_t>& tokens) const {
        const uint32_t d = hp_.n_embd, hd = hp_.head_dim, kvd = hp_.n_kv_embd(), T = uint32_t(tokens.size());
        std::vector<std::vector<float>> x(T);
        const auto embd = weight("token_embd.weight");
        for (uint32_t t = 0; t < T; ++t) x[t].assign(embd.begin() + size_t(tokens[t]) * d, embd.begin() + size_t(tokens[t] + 1) * d);
        for (uint32_t l = 0; l < hp_.n_layer; ++l) {
            const std::string p = "blk." + std::to_string(l) + ".";
            std::vector<std::vector<float>> q(T), k(T), v(T), attn_out(T);
            for (uint32_t t = 0; t < T; ++t) {
                const auto h = norm(x[t], p + "attn_norm");
                if (hp_.arch == Arch::GptNeoX) {
                    const auto qkv = linear(p + "attn_qkv", h);
                    q[t].assign(qkv.begin(), qkv.begin() + d);
                    k[t].assign(qkv.begin() + d, qkv.begin() + d + kvd);
                    v[t].assign(qkv.begin() + d + kvd, qkv.end());
                } else {
                    q[t] = linear(p + "attn_q", h);
                    k[t] = linear(p + "attn_k", h);
                    v[t] = linear(p + "attn_v", h);
                }
                for (uint32_t hh = 0; hh < hp_.n_head; ++hh) rope(&q[t][hh * hd], t);
                for (uint32_t hh = 0; hh < hp_.n_head_kv; ++hh) rope(&k[t][hh * hd], t);
            }
            for (uint32_t t = 0; t < T; ++t) {
                std::vector<float> out(d, 0.0f);
                for (uint32_t hh = 0; hh < hp_.n_head; ++hh) {
                    const uint32_t kh = hh / (hp_.n_head / hp_.n_head_kv);
                    std::vector<double> s(t + 1);
                    double max = -1e30, sum = 0;
                    for (uint32_t j = 0; j <= t; ++j) {
                        double dot = 0;
                        for (uint32_t i = 0; i < hd; ++i) dot += double(q[t][hh * hd + i]) * k[j][kh * hd + i];
                        s[j] = dot / std::sqrt(double(hd));
                        max = std::max(max, s[j]);
                    }
                    for (auto& e : s) sum += e = std::exp(e - max);
                    for (uint32_t j = 0; j <= t; ++j)
                        for (uint32_t i = 0; i < hd; ++i) out[hh * hd + i] += float(s[j] / sum) * v[j][kh * hd + i];
                }
                attn_out[t] = linear(p + "attn_output", out);
            }
            for (uint32_t t = 0; t < T; ++t) {
                std::vector<float> ffn_in;
                if (hp_.parallel_residual) {
                    ffn_in = norm(x[t], p + "ffn_norm");
                    for (uint32_t i = 0; i < d; ++i) x[t][i] += attn_out[t][i];
                } else {
                    for (uint32_t i = 0; i < d; ++i) x[t][i] += attn_out[t][i];
                    ffn_in = norm(x[t], p + "ffn_norm");
                }
                std::vector<float> a = linear(p + "ffn_up", ffn_in);
                if (hp_.arch == Arch::GptNeoX) {
                    for (float& e : a) e = 0.5f * e * (1.0f + std::tanh(0.7978845608f * e * (1.0f + 0.044715f * e * e)));
                } else {
                    const auto g = linear(p + "ffn_gate", ffn_in);
                    for (size_t i = 0; i < a.size(); ++i) a[i] *= g[i] / (1.0f + std::exp(-g[i]));
                }
                const auto down = linear(p + "ffn_down", a);
                for (uint32_t i = 0; i < d; ++i) x[t][i] += down[i];
            }
        }
        const auto h = norm(x[T - 1], "output_norm");
        return f_.find_tensor("output.weight") ? linear("output", h) : matvec(embd, h);
    }

private:
    std::vector<float> weight(const std::string& name) const {
        const auto& t = f_.tensor(name);
        std::vector<float> out(t.n_elements);
        dequantize_row(t.type, f_.tensor_data(t), out.data(), t.n_elements);
        return out;
    }
    std::vector<float> matvec(const std::vector<float>& w, const std::vector<float>& x) const {
        std::vector<float> y(w.size() / x.size());
        for (size_t r = 0; r < y.size(); ++r) {
            double s = 0;
            for (size_t c = 0; c < x.size(); ++c) s += double(w[r * x.size() + c]) * x[c];
            y[r] = float(s);
        }
        return y;
    }
    std::vector<float> linear(const std::string& name, const std::vector<float>& x) const {
        auto y = matvec(weight(name + ".weight"), x);
        if (f_.find_tensor(name + ".bias")) {
            const auto b = weight(name + ".bias");
            for (size_t i = 0; i < y.size(); ++i) y[i] += b[i];
        }
        return y;
    }
    std::vector<float> norm(const std::vector<float>& x, const std::string& name) const {
        const auto w = weight(name + ".weight");
        const size_t n = x.size();
        std::vector<float> y(n);
        if (hp_.layer_norm) {
            const auto b = weight(name + ".bias");
            double mean = 0, var = 0;
            for (float e : x) mean += e;
            mean /= n;
            for (float e : x) var += (e - mean) * (e - mean);
            for (size_t i = 0; i < n; ++i) y[i] = float((x[i] - mean) / std::sqrt(var / n + hp_.norm_eps)) * w[i] + b[i];
        } else {
            double ss = 0;
            for (float e : x) ss += double(e) * e;
            for (size_t i = 0; i < n; ++i) y[i] = float(x[i] / std::sqrt(ss / n + hp_.norm_eps)) * w[i];
        }
        return y;
    }
    void rope(float* x, uint32_t pos) const {
        for (uint32_t i = 0; i < hp_.n_rot / 2; ++i) {
            double theta = pos * std::pow(double(hp_.rope_base), -2.0 * i / hp_.n_rot);
            if (f_.find_tensor("rope_freqs.weight")) theta /= weight("rope_freqs.weight")[i];
            const uint32_t a = hp_.rope_neox ? i : 2 * i, b = hp_.rope_neox ? i + hp_.n_rot / 2 : 2 * i + 1;
            const double x0 = x[a], x1 = x[b];
            x[a] = float(x0 * std::cos(theta) - x1 * std::sin(theta));
            x[b] = float(x0 * std::sin(theta) + x1 * std::cos(theta));
        }
    }
    const gguf::GgufFile& f_;
    TransformerHParams hp_;
};

RandomModelSpec spec(std::string arch, std::string type, uint32_t heads_kv = 0, uint32_t rot = 0, bool tied = false) {
    RandomModelSpec s;
    s.arch = std::move(arch);
    s.type = std::move(type);
    s.n_layer = 2;
    s.n_embd = 64;
    s.n_head = 2; // head size 32: the 8-bit KV cache applies
    s.n_head_kv = heads_kv;
    s.n_ff = 96;
    s.n_vocab = 300;
    s.n_ctx = 64;
    s.n_rot = rot;
    s.tied_output = tied;
    return s;
}

std::filesystem::path write(const RandomModelSpec& s, const QString& name) {
    const QString dir = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath());
    QDir().mkpath(dir);
    const auto path = kmlm_test::toPath(dir + "/tst_transformer_" + name + ".gguf");
    write_random_model(s, path);
    return path;
}

// Adds Llama 3.1-style RoPE frequency divisors (rope_freqs.weight) to a model file.
void add_rope_freqs(const std::filesystem::path& path, uint32_t n) {
    std::vector<uint8_t> bytes;
    {
        const auto src = gguf::GgufFile::open(path);
        gguf::GgufWriter w;
        w.copy_metadata(*src);
        for (const auto& t : src->tensors()) {
            const uint8_t* p = src->tensor_data(t);
            w.add_tensor(t.name, t.type, t.dims, std::vector<uint8_t>(p, p + t.n_bytes));
        }
        std::vector<float> factors(n);
        for (uint32_t i = 0; i < n; ++i) factors[i] = 1.0f + float(i);
        w.add_tensor_f32("rope_freqs.weight", {n}, factors);
        bytes = w.to_bytes();
    }
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::unique_ptr<LanguageModel> load(const std::filesystem::path& p, KvType kv = KvType::F16, uint32_t n_ctx = 64, int threads = 2) {
    LoadOptions o;
    o.kv_type = kv;
    o.n_ctx = n_ctx;
    o.n_threads = threads;
    return load_model(p, o);
}

double max_abs_diff(std::span<const float> a, std::span<const float> b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
    return m;
}
double max_abs(std::span<const float> a) {
    double m = 0;
    for (float e : a) m = std::max(m, double(std::fabs(e)));
    return m;
}

const std::vector<int32_t> kPrompt = {5, 77, 260, 13, 101, 299, 42, 42, 7, 150, 3};

} // namespace

class TestTransformer : public QObject {
    Q_OBJECT
private slots:
    void matchesReference_data() {
        QTest::addColumn<RandomModelSpec>("s");
        QTest::newRow("llama F32") << spec("llama", "F32");
        QTest::newRow("llama F32 rope_freqs") << spec("llama", "F32", 1);
        QTest::newRow("llama Q8_0 GQA") << spec("llama", "Q8_0", 1);
        QTest::newRow("llama Q4_0 tied") << spec("llama", "Q4_0", 0, 0, true);
        QTest::newRow("qwen2 F16 GQA") << spec("qwen2", "F16", 1);
        QTest::newRow("exaone F32") << spec("exaone", "F32");
        QTest::newRow("gptneox F32 partial rotary") << spec("gptneox", "F32", 0, 16);
        QTest::newRow("gptneox Q8_0") << spec("gptneox", "Q8_0", 0, 8);
    }
    void matchesReference() {
        QFETCH(RandomModelSpec, s);
        const auto path = write(s, QTest::currentDataTag());
        if (QByteArray(QTest::currentDataTag()).contains("rope_freqs")) add_rope_freqs(path, 32 / 2);
        auto model = load(path);
        const auto file = gguf::GgufFile::open(path);
        const Reference ref(*file);
        // The kernels round activations to 8 bits for quantized weights (as ggml does), so
        // those compare at a looser tolerance than float weights.
        const bool exact = s.type == "F32" || s.type == "F16";
        auto close = [&](std::span<const float> got, const std::vector<float>& want) {
            const double diff = max_abs_diff(got, want), scale = std::max(1.0, max_abs(want));
            if (diff < (exact ? 2e-3 : 3e-2) * scale) return true;
            qWarning("max difference %g at logit scale %g", diff, scale);
            return false;
        };
        std::vector<int32_t> seq = kPrompt;
        auto logits = model->eval(seq);
        QCOMPARE(logits.size(), size_t(s.n_vocab));
        QVERIFY(close(logits, ref.logits(seq)));
        // Then token by token after the batch.
        for (int32_t t : {9, 200, 9}) {
            seq.push_back(t);
            logits = model->eval(std::span(&t, 1));
            QVERIFY(close(logits, ref.logits(seq)));
        }
        QCOMPARE(model->history(), seq);
        QCOMPARE(model->info().architecture, s.arch);
    }

    void kv8CloseToF16() {
        const auto path = write(spec("llama", "Q8_0", 1), "kv8");
        auto f16 = load(path, KvType::F16), q8 = load(path, KvType::Q8_0);
        const auto a = f16->eval(kPrompt);
        const std::vector<float> av(a.begin(), a.end());
        const auto b = q8->eval(kPrompt);
        QVERIFY(max_abs_diff(av, b) < 0.05 * max_abs(av));
        QVERIFY(q8->memory_usage().kv_cache < f16->memory_usage().kv_cache);
        QCOMPARE(q8->memory_usage().kv_type, std::string("q8_0"));
        QCOMPARE(f16->memory_usage().kv_type, std::string("f16"));
    }

    void batchedEqualsTokenByToken_data() {
        QTest::addColumn<RandomModelSpec>("s");
        QTest::newRow("llama") << spec("llama", "Q4_0", 1);
        QTest::newRow("gptneox") << spec("gptneox", "F16", 0, 16);
    }
    void batchedEqualsTokenByToken() {
        QFETCH(RandomModelSpec, s);
        const auto path = write(s, QString("batch_") + QTest::currentDataTag());
        auto batched = load(path), single = load(path);
        const auto a = batched->eval(kPrompt);
        const std::vector<float> av(a.begin(), a.end());
        std::span<const float> b;
        for (int32_t t : kPrompt) b = single->eval(std::span(&t, 1));
        QVERIFY(max_abs_diff(av, b) < 1e-4 * std::max(1.0, max_abs(av)));
    }

    // Attention in blocks of queries over tiles of keys (attention.cpp) against one query head
    // at a time ($KMLM_ATTENTION=rows): a prompt of several 256-key tiles, then token by
    // token, for the query heads sharing a kv head (GQA) and not (MHA), for each cache type.
    void attentionBlocksEqualRows_data() {
        QTest::addColumn<uint32_t>("heads_kv");
        QTest::addColumn<KvType>("kv");
        for (uint32_t heads_kv : {1u, 4u})
            for (KvType kv : {KvType::F32, KvType::F16, KvType::Q8_0})
                QTest::addRow("%s %s", heads_kv == 1 ? "GQA" : "MHA", kv_type_name(kv)) << heads_kv << kv;
    }
    void attentionBlocksEqualRows() {
        QFETCH(uint32_t, heads_kv);
        QFETCH(KvType, kv);
        // Float weights: with 8-bit activations (quantized weights) a last-digit difference
        // can flip a rounding and move the logits by far more than the attention's own error.
        RandomModelSpec s = spec("llama", "F32", heads_kv);
        s.n_embd = 128;
        s.n_head = 4; // head size 32, four query heads per kv head with one of them
        s.n_ctx = 1024;
        const auto path = write(s, QString("blocks_") + QTest::currentDataTag());
        auto blocks = load(path, kv, 1024);
        qputenv("KMLM_ATTENTION", "rows");
        auto rows = load(path, kv, 1024);
        qunsetenv("KMLM_ATTENTION");
        std::vector<int32_t> prompt(700);
        for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = int32_t((i * 131 + 7) % 300);
        auto close = [](std::span<const float> a, std::span<const float> b) {
            const std::vector<float> av(a.begin(), a.end());
            const double diff = max_abs_diff(av, b), scale = std::max(1.0, max_abs(av));
            if (diff < 1e-4 * scale) return true;
            qWarning("max difference %g at logit scale %g", diff, scale);
            return false;
        };
        QVERIFY(close(blocks->eval(prompt), rows->eval(prompt)));
        for (int32_t t : {9, 200, 9, 41}) QVERIFY(close(blocks->eval(std::span(&t, 1)), rows->eval(std::span(&t, 1))));
    }

    void evalAllGivesEveryPosition() {
        const auto path = write(spec("qwen2", "Q8_0", 1), "evalall");
        auto batched = load(path), single = load(path);
        auto* all = dynamic_cast<BatchLogits*>(batched.get());
        QVERIFY(all);
        const size_t from = 4;
        const auto logits = all->eval_all(kPrompt, from);
        QCOMPARE(logits.size(), (kPrompt.size() - from) * 300);
        const std::vector<float> lv(logits.begin(), logits.end());
        for (size_t i = 0; i < kPrompt.size(); ++i) {
            const auto want = single->eval(std::span(&kPrompt[i], 1));
            if (i < from) continue;
            const std::span<const float> got(lv.data() + (i - from) * 300, 300);
            QVERIFY(max_abs_diff(got, want) < 1e-4 * std::max(1.0, max_abs(want)));
        }
    }

    void slidingWindowKeepsSinks() {
        const auto path = write(spec("llama", "Q8_0", 1), "slide");
        LoadOptions o;
        o.n_ctx = 32;
        o.n_sink = 4;
        auto model = load_model(path, o);
        QCOMPARE(model->context_length(), size_t(32));
        std::vector<int32_t> fed;
        for (int i = 0; i < 100; ++i) {
            const int32_t t = (i * 37 + 11) % 300;
            fed.push_back(t);
            const auto logits = model->eval(std::span(&t, 1));
            for (float e : logits) QVERIFY(std::isfinite(e));
            QVERIFY(model->history().size() <= 32);
            QCOMPARE(model->history().back(), t);
        }
        // The sinks are the first tokens ever fed; the rest is the most recent ones.
        const auto& h = model->history();
        QCOMPARE(std::vector<int32_t>(h.begin(), h.begin() + 4), std::vector<int32_t>(fed.begin(), fed.begin() + 4));
        QCOMPARE(std::vector<int32_t>(h.begin() + 4, h.end()), std::vector<int32_t>(fed.end() - (h.size() - 4), fed.end()));
        // A batch longer than the window also goes through.
        std::vector<int32_t> many(90, 17);
        QCOMPARE(model->eval(many).size(), size_t(300));
        QVERIFY(model->history().size() <= 32);
    }

    // With one layer a token's key and value depend on the token and its position only, so
    // after a slide the cache must equal a fresh evaluation of history(): this checks the
    // re-rotation of the kept keys to their new positions.
    void slideReRotatesKeys_data() {
        QTest::addColumn<RandomModelSpec>("s");
        RandomModelSpec llama = spec("llama", "F32", 1);
        llama.n_layer = 1;
        RandomModelSpec neox = spec("gptneox", "F32", 0, 16);
        neox.n_layer = 1;
        QTest::newRow("llama") << llama;
        QTest::newRow("gptneox") << neox;
    }
    void slideReRotatesKeys() {
        QFETCH(RandomModelSpec, s);
        const auto path = write(s, QString("rerotate_") + QTest::currentDataTag());
        LoadOptions o;
        o.n_ctx = 32;
        o.kv_type = KvType::F16;
        auto slid = load_model(path, o), fresh = load_model(path, o);
        for (int i = 0; i < 40; ++i) {
            const int32_t t = (i * 53 + 5) % 300;
            slid->eval(std::span(&t, 1));
        }
        QVERIFY(slid->history().size() < 32);
        std::vector<int32_t> kept = slid->history();
        const int32_t next = 123;
        const auto got = slid->eval(std::span(&next, 1));
        const std::vector<float> gv(got.begin(), got.end());
        kept.push_back(next);
        const auto want = fresh->eval(kept);
        QVERIFY2(max_abs_diff(gv, want) < 5e-3 * std::max(1.0, max_abs(want)), qPrintable(QString::number(max_abs_diff(gv, want))));
    }

    void prefixReuseEqualsFresh() {
        const auto path = write(spec("qwen2", "Q8_0", 1), "prefix");
        auto reused = load(path), fresh = load(path);
        const std::vector<int32_t> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9}, c = {10, 11};
        std::vector<int32_t> ab = a, ac = a;
        ab.insert(ab.end(), b.begin(), b.end());
        ac.insert(ac.end(), c.begin(), c.end());
        reused->eval(ac);
        reused->truncate(a.size());
        QCOMPARE(reused->history(), a);
        const auto r = reused->eval(b);
        const std::vector<float> rv(r.begin(), r.end());
        QVERIFY(max_abs_diff(rv, fresh->eval(ab)) < 1e-5 * std::max(1.0, max_abs(rv)));
    }

    void rejectsMalformed_data() {
        QTest::addColumn<QString>("drop");
        QTest::addColumn<QString>("reshape");
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing tensor") << "blk.1.ffn_up.weight"
                                        << ""
                                        << ""
                                        << "blk.1.ffn_up.weight";
        QTest::newRow("wrong shape") << ""
                                     << "blk.0.attn_k.weight"
                                     << ""
                                     << "blk.0.attn_k.weight";
        QTest::newRow("unsupported arch") << ""
                                          << ""
                                          << "mamba"
                                          << "mamba";
    }
    void rejectsMalformed() {
        QFETCH(QString, drop);
        QFETCH(QString, reshape);
        QFETCH(QString, arch);
        QFETCH(QString, message);
        const auto bytes = random_model_bytes(spec("llama", "F32", 1));
        const auto src = gguf::GgufFile::parse(bytes, "src");
        gguf::GgufWriter w;
        w.copy_metadata(*src);
        if (!arch.isEmpty()) w.set_string("general.architecture", arch.toStdString());
        for (const auto& t : src->tensors()) {
            if (t.name == drop.toStdString()) continue;
            const uint8_t* p = src->tensor_data(t);
            std::vector<uint64_t> dims = t.dims;
            if (t.name == reshape.toStdString()) std::swap(dims[0], dims[1]);
            w.add_tensor(t.name, t.type, dims, std::vector<uint8_t>(p, p + t.n_bytes));
        }
        const QString dir = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath());
        QDir().mkpath(dir);
        const auto path = kmlm_test::toPath(dir + "/tst_transformer_bad.gguf");
        w.write(path);
        try {
            load(path);
            QFAIL("loaded a malformed model");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void rejectsBadTokens() {
        auto model = load(write(spec("llama", "F32"), "tokens"));
        const std::vector<int32_t> bad = {1, 300};
        KMLM_VERIFY_THROWS(InvalidArgument, model->eval(bad));
        QVERIFY(model->history().empty());
    }
};

QTEST_GUILESS_MAIN(TestTransformer)
#include "tst_transformer.moc"
