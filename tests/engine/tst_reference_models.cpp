// The decoder against independent float references: tiny models of each architecture built
// in PyTorch from the published modeling code and saved as GGUF with the converter's
// conventions, with their logits (tests/data/reference-models, made by
// scripts/make-reference-models.py). A wrong norm, RoPE, window or capping convention
// cannot match them.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"
#include "kmlm/memory.h"
#include "kmlm/transformer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace kmlm;

namespace {

struct Fixture {
    std::filesystem::path model;
    std::string text;
    std::vector<int32_t> tokens, long_tokens;
    std::vector<std::vector<float>> logits, long_logits; // long: its last positions only
};

Fixture fixture(const QString& arch) {
    const QString dir = QStringLiteral(KMLM_TESTS_DATA) + "/reference-models/";
    Fixture f;
    f.model = kmlm_test::toPath(dir + arch + ".gguf");
    std::ifstream in(kmlm_test::toPath(dir + arch + ".json"));
    const auto j = nlohmann::json::parse(in);
    f.text = j.at("text").get<std::string>();
    f.tokens = j.at("tokens").get<std::vector<int32_t>>();
    f.long_tokens = j.at("long_tokens").get<std::vector<int32_t>>();
    f.logits = j.at("logits").get<std::vector<std::vector<float>>>();
    f.long_logits = j.at("long_logits").get<std::vector<std::vector<float>>>();
    return f;
}

// The context is longer than a sliding-window layer's ring (window + 127 rows), so the long
// sequence wraps the rings.
std::unique_ptr<LanguageModel> load(const Fixture& f, KvType kv = KvType::F32) {
    LoadOptions o;
    o.n_ctx = 256;
    o.kv_type = kv;
    o.n_threads = 2;
    return load_model(f.model, o);
}

// |got - want| <= tol * max |want|, for one position's logits.
bool close(std::span<const float> got, const std::vector<float>& want, double tol, const char* what) {
    double diff = 0, scale = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        diff = std::max(diff, double(std::fabs(got[i] - want[i])));
        scale = std::max(scale, double(std::fabs(want[i])));
    }
    if (got.size() == want.size() && diff <= tol * scale) return true;
    qWarning("%s: max difference %g at logit scale %g", what, diff, scale);
    return false;
}

constexpr double kTolerance = 1e-3;

// The model without its layers after the first (layer 0 is a sliding-window one where the
// architecture has them).
std::filesystem::path first_layer_only(const std::filesystem::path& path, const QString& arch) {
    const auto src = gguf::GgufFile::open(path);
    gguf::GgufWriter w;
    w.copy_metadata(*src);
    const std::string a = arch.toStdString();
    w.set_u32(a + ".block_count", 1);
    if (src->has(a + ".attention.sliding_window_pattern")) {
        gguf::Value v;
        v.type = gguf::ValueType::ARRAY;
        v.array_type = gguf::ValueType::BOOL;
        v.data = std::vector<uint8_t>{1};
        w.set_value(a + ".attention.sliding_window_pattern", v);
    }
    for (const auto& t : src->tensors()) {
        if (t.name.starts_with("blk.") && !t.name.starts_with("blk.0.")) continue;
        const uint8_t* p = src->tensor_data(t);
        w.add_tensor(t.name, t.type, t.dims, std::vector<uint8_t>(p, p + t.n_bytes));
    }
    const QString dir = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath());
    QDir().mkpath(dir);
    const auto out = kmlm_test::toPath(dir + "/tst_reference_models_" + arch + "_1layer.gguf");
    w.write(out);
    return out;
}

} // namespace

class TestReferenceModels : public QObject {
    Q_OBJECT
private slots:
    void logitsMatch_data() {
        QTest::addColumn<QString>("arch");
        for (const char* a : {"qwen3", "gemma2", "gemma3", "exaone4", "phi3"}) QTest::newRow(a) << QString(a);
    }

    // Every position of the Korean sentence, batched, then token by token.
    void logitsMatch() {
        QFETCH(QString, arch);
        const Fixture f = fixture(arch);
        auto model = load(f);
        QCOMPARE(QString::fromStdString(model->info().architecture), arch);
        QCOMPARE(model->tokenizer().encode(f.text, false), f.tokens);
        auto* batch = dynamic_cast<BatchLogits*>(model.get());
        QVERIFY(batch);
        const auto all = batch->eval_all(f.tokens, 0);
        const size_t V = f.logits[0].size();
        for (size_t i = 0; i < f.tokens.size(); ++i)
            QVERIFY2(close(all.subspan(i * V, V), f.logits[i], kTolerance, "batched"), qPrintable(QString::number(i)));

        auto single = load(f);
        for (size_t i = 0; i < f.tokens.size(); ++i) {
            const auto logits = single->eval(std::span(&f.tokens[i], 1));
            QVERIFY2(close(logits, f.logits[i], kTolerance, "one by one"), qPrintable(QString::number(i)));
        }
    }

    void longSequenceMatches_data() { logitsMatch_data(); }
    // 200 tokens: the sliding-window rings wrap, batched (128 + 72) and token by token.
    void longSequenceMatches() {
        QFETCH(QString, arch);
        const Fixture f = fixture(arch);
        const size_t keep = f.long_logits.size(), from = f.long_tokens.size() - keep;
        auto model = load(f);
        const auto all = dynamic_cast<BatchLogits&>(*model).eval_all(f.long_tokens, from);
        const size_t V = f.long_logits[0].size();
        for (size_t i = 0; i < keep; ++i) QVERIFY(close(all.subspan(i * V, V), f.long_logits[i], kTolerance, "long batched"));

        auto single = load(f);
        std::span<const float> last;
        for (int32_t t : f.long_tokens) last = single->eval(std::span(&t, 1));
        QVERIFY(close(last, f.long_logits.back(), kTolerance, "long one by one"));

        // Back to a prefix whose window the rings have overwritten, and on again.
        model->truncate(50);
        QCOMPARE(model->history().size(), size_t(50));
        const std::vector<int32_t> rest(f.long_tokens.begin() + 50, f.long_tokens.end());
        QVERIFY(close(model->eval(rest), f.long_logits.back(), kTolerance, "after truncate"));
        QCOMPARE(model->history(), f.long_tokens);
    }

    void slideKeepsWindows_data() { logitsMatch_data(); }
    // Past the context the window slides: the kept keys move down (re-rotated in the full
    // layers, renumbered in the rings). With one layer a key depends on its token and
    // position only, so the next logits equal a fresh evaluation of history() (the sinks
    // are outside the tiny windows either way).
    void slideKeepsWindows() {
        QFETCH(QString, arch);
        const Fixture f = fixture(arch);
        Fixture one = f;
        one.model = first_layer_only(f.model, arch);
        auto slid = load(one), fresh = load(one);
        // The evaluation that slides is checked: it reads the kept keys through the window.
        for (int i = 0;; ++i) {
            QVERIFY(i < 300);
            const int32_t t = f.long_tokens[i % f.long_tokens.size()];
            const size_t before = slid->history().size();
            const auto got = slid->eval(std::span(&t, 1));
            if (slid->history().size() > before) continue;
            const std::vector<float> gv(got.begin(), got.end());
            QVERIFY(slid->history().size() < 256);
            QVERIFY(close(fresh->eval(slid->history()), gv, kTolerance, "after slide"));
            break;
        }
    }

    // The F16 cache, the one to run with, stays close.
    void f16CacheClose_data() { logitsMatch_data(); }
    void f16CacheClose() {
        QFETCH(QString, arch);
        const Fixture f = fixture(arch);
        auto model = load(f, KvType::F16);
        QVERIFY(close(model->eval(f.tokens), f.logits.back(), 1e-2, "f16 cache"));
    }

    // Files that are not runnable models say so before any load: read_hparams names why.
    void refusesNonModels_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("vision projector") << "clip"
                                          << "vision projector";
        QTest::newRow("vocabulary only") << "vocab"
                                         << "only a tokenizer vocabulary";
        QTest::newRow("architecture") << "mamba"
                                      << "architecture 'mamba' is not supported";
    }
    void refusesNonModels() {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        const auto src = gguf::GgufFile::open(fixture("gemma3").model);
        gguf::GgufWriter w;
        w.copy_metadata(*src);
        if (kind != "vocab") {
            w.set_string("general.architecture", kind.toStdString());
            for (const auto& t : src->tensors()) {
                const uint8_t* p = src->tensor_data(t);
                w.add_tensor(kind == "clip" ? "v." + t.name : t.name, t.type, t.dims, std::vector<uint8_t>(p, p + t.n_bytes));
            }
        }
        const auto bytes = w.to_bytes();
        const auto file = gguf::GgufFile::parse(bytes, "file.gguf");
        try {
            read_hparams(*file);
            QFAIL("accepted a file that cannot run");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    // gemma3's layout is five local layers to one global, unless the file lists its layers.
    void explicitPatternWins() {
        const auto src = gguf::GgufFile::open(fixture("gemma3").model);
        gguf::GgufWriter w;
        w.copy_metadata(*src);
        gguf::Value v;
        v.type = gguf::ValueType::ARRAY;
        v.array_type = gguf::ValueType::BOOL;
        v.data = std::vector<uint8_t>{1, 0, 1, 0, 1, 0};
        w.set_value("gemma3.attention.sliding_window_pattern", v);
        for (const auto& t : src->tensors()) {
            const uint8_t* p = src->tensor_data(t);
            w.add_tensor(t.name, t.type, t.dims, std::vector<uint8_t>(p, p + t.n_bytes));
        }
        const auto bytes = w.to_bytes();
        const TransformerHParams hp = read_hparams(*gguf::GgufFile::parse(bytes, "pattern.gguf"));
        QCOMPARE(hp.swa_layers, (std::vector<bool>{true, false, true, false, true, false}));
        QVERIFY(!hp.nope_full_layers); // only exaone4's full layers go without RoPE
    }

    void slidingWindowCacheIsSmaller() {
        const Fixture f = fixture("gemma3");
        auto model = load(f, KvType::F16);
        const auto file = gguf::GgufFile::open(f.model);
        const TransformerHParams hp = read_hparams(*file);
        QCOMPARE(hp.n_swa, 5u);
        QCOMPARE(int(std::count(hp.swa_layers.begin(), hp.swa_layers.end(), true)), 5);
        QVERIFY(!hp.is_swa(5));
        // Five local layers keep 5 + 127 rows, the global one the whole context.
        const uint64_t row = uint64_t(hp.n_kv_embd()) * 2;
        QCOMPARE(qulonglong(model->memory_usage().kv_cache), qulonglong(2 * row * (5 * 132 + 256)));
        // The memory estimate counts the cache the same way.
        QCOMPARE(qulonglong(estimate_memory(*file, 256, KvType::F16).kv_cache), qulonglong(model->memory_usage().kv_cache));
    }
};

QTEST_GUILESS_MAIN(TestReferenceModels)
#include "tst_reference_models.moc"
