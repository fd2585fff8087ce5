// Prompt-lookup speculative decoding: greedy generation with drafts gives the same tokens,
// text pieces, stop reason and model state as without, on random and tiny trained models of
// several architectures (sliding-window rings that wrap, a context that slides), and the
// drafts on a repetitive prompt are accepted.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/language_model.h"
#include "kmlm/model_random.h"

#include <atomic>

using namespace kmlm;

namespace {

QString outputDir() {
    const QString dir = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath());
    QDir().mkpath(dir);
    return dir;
}

std::unique_ptr<LanguageModel> load(const std::filesystem::path& path, uint32_t n_ctx) {
    LoadOptions o;
    o.n_ctx = n_ctx;
    o.n_threads = 2;
    return load_model(path, o);
}

std::unique_ptr<LanguageModel> randomModel(const std::string& arch, const std::string& type, uint32_t n_ctx) {
    RandomModelSpec spec;
    spec.arch = arch;
    spec.type = type;
    spec.n_ctx = 512;
    spec.seed = 7;
    const auto path = kmlm_test::toPath(outputDir() + "/tst_speculative_" + QString::fromStdString(arch + "_" + type) + ".gguf");
    write_random_model(spec, path);
    return load(path, n_ctx);
}

std::unique_ptr<LanguageModel> referenceModel(const QString& arch) {
    // A context of 256 is longer than a sliding-window layer's ring (window 5 + 127 rows).
    return load(kmlm_test::toPath(QStringLiteral(KMLM_TESTS_DATA) + "/reference-models/" + arch + ".gguf"), 256);
}

// `period` distinct tokens repeated: drafts copied from earlier text are right.
std::vector<int32_t> repetitive(const LanguageModel& m, size_t period, size_t length) {
    std::vector<int32_t> t;
    for (size_t i = 0; i < length; ++i) t.push_back(int32_t(3 + (i % period) * 5) % m.tokenizer().vocab_size());
    return t;
}

// No token twice.
std::vector<int32_t> distinct(const LanguageModel& m, size_t length) {
    std::vector<int32_t> t;
    for (size_t i = 0; i < length; ++i) t.push_back(int32_t(1 + i * 7) % m.tokenizer().vocab_size());
    return t;
}

struct Run {
    GenerateResult result;
    std::vector<std::string> pieces;
    std::vector<int32_t> sampled; // on_token, end-of-text included
    std::vector<int32_t> state;   // the model's history afterwards
};

Run generateWith(LanguageModel& m, const std::vector<int32_t>& prompt, GenerateOptions o, int32_t draft) {
    Run run;
    o.draft_tokens = draft;
    o.on_text = [&](std::string_view t) { run.pieces.emplace_back(t); };
    auto on_token = o.on_token;
    o.on_token = [&run, on_token](int32_t t) {
        run.sampled.push_back(t);
        if (on_token) on_token(t);
    };
    m.reset();
    run.result = generate(m, prompt, o);
    run.state = m.history();
    return run;
}

GenerateOptions greedy(int32_t max_tokens, float repeat_penalty = 1.0f) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.sampling.repeat_penalty = repeat_penalty;
    o.max_tokens = max_tokens;
    o.ignore_eos = true;
    return o;
}

// Plain and speculative runs agree in everything; returns the speculative one.
Run compareRuns(LanguageModel& m, const std::vector<int32_t>& prompt, const GenerateOptions& o) {
    const Run plain = generateWith(m, prompt, o, 0);
    const Run spec = generateWith(m, prompt, o, kDefaultDraftTokens);
    [&] {
        QCOMPARE(plain.result.stats.drafted_tokens, 0);
        QCOMPARE(spec.result.tokens, plain.result.tokens);
        QCOMPARE(spec.sampled, plain.sampled);
        QCOMPARE(spec.result.text, plain.result.text);
        QCOMPARE(spec.pieces, plain.pieces);
        QCOMPARE(spec.result.reason, plain.result.reason);
        QCOMPARE(spec.state, plain.state);
        QVERIFY(spec.result.stats.accepted_tokens <= spec.result.stats.drafted_tokens);
    }();
    return spec;
}

} // namespace

class TestSpeculative : public QObject {
    Q_OBJECT
private slots:
    void lookupDraft() {
        // The longest suffix that occurred before is [1, 2]: what followed it, then its period.
        QCOMPARE(lookup_draft(std::vector<int32_t>{1, 2, 3, 4, 1, 2}, 6), (std::vector<int32_t>{3, 4, 1, 2, 3, 4}));
        // The latest occurrence wins; a longer suffix wins over a more recent shorter one.
        QCOMPARE(lookup_draft(std::vector<int32_t>{8, 9, 1, 5, 8, 9, 2, 6, 8, 9, 3, 7, 8, 9}, 2), (std::vector<int32_t>{3, 7}));
        QCOMPARE(lookup_draft(std::vector<int32_t>{5, 8, 9, 1, 6, 8, 9, 2, 5, 8, 9}, 2), (std::vector<int32_t>{1, 6}));
        QCOMPARE(lookup_draft(std::vector<int32_t>{5, 5}, 3), (std::vector<int32_t>{5, 5, 5}));
        QVERIFY(lookup_draft(std::vector<int32_t>{1, 2, 3}, 4).empty());
        QVERIFY(lookup_draft(std::vector<int32_t>{1, 2, 1}, 0).empty());
        QVERIFY(lookup_draft(std::vector<int32_t>{1}, 4).empty());
    }

    void draftOptionChecked() {
        GenerateOptions o;
        o.draft_tokens = int32_t(kDraftTokensRange.max) + 1;
        KMLM_VERIFY_THROWS(InvalidArgument, validate(o));
        o.draft_tokens = -1;
        KMLM_VERIFY_THROWS(InvalidArgument, validate(o));
        o.draft_tokens = 0;
        validate(o);
    }

    void sameAsGreedy_data() {
        QTest::addColumn<QString>("model"); // random:<arch>:<type> or a reference model
        QTest::addColumn<int>("ctx");
        QTest::newRow("llama") << "random:llama:F32" << 512;
        QTest::newRow("llama-q4_0-sliding-context") << "random:llama:Q4_0" << 64;
        QTest::newRow("qwen2-q8_0") << "random:qwen2:Q8_0" << 512;
        QTest::newRow("qwen3") << "qwen3" << 256;
        QTest::newRow("gemma2-ring") << "gemma2" << 256;
        QTest::newRow("gemma3-ring") << "gemma3" << 256;
    }

    // Repetitive and non-repetitive prompts, with and without a repetition penalty (which
    // looks at the tokens before each checked position).
    void sameAsGreedy() {
        QFETCH(QString, model);
        QFETCH(int, ctx);
        const QStringList parts = model.split(':');
        auto m = parts.size() == 3 ? randomModel(parts[1].toStdString(), parts[2].toStdString(), uint32_t(ctx)) : referenceModel(model);
        const Run rep = compareRuns(*m, repetitive(*m, 6, 48), greedy(160));
        QVERIFY2(rep.result.stats.accepted_tokens > 0, "no draft was accepted on the repetitive prompt");
        compareRuns(*m, distinct(*m, 40), greedy(160));
        compareRuns(*m, repetitive(*m, 4, 30), greedy(120, 1.1f));
    }

    // Cancel and the memory guard stop at the same token, with the same state.
    void stopsMidDraft() {
        auto m = referenceModel("gemma2");
        const auto prompt = repetitive(*m, 5, 40);
        std::atomic<bool> cancel{false};
        GenerateOptions o = greedy(100);
        int seen = 0;
        o.cancel = &cancel;
        o.on_token = [&](int32_t) {
            if (++seen == 13) cancel.store(true);
        };
        seen = 0;
        const Run plain = generateWith(*m, prompt, o, 0);
        cancel.store(false);
        seen = 0;
        const Run spec = generateWith(*m, prompt, o, kDefaultDraftTokens);
        QCOMPARE(spec.result.reason, StopReason::Cancelled);
        QCOMPARE(spec.result.tokens, plain.result.tokens);
        QCOMPARE(spec.state, plain.state);
        QVERIFY(spec.result.stats.accepted_tokens > 0);

        GenerateOptions g = greedy(100);
        int checks = 0;
        g.memory_ok = [&] { return ++checks < 21; };
        const Run plainMem = generateWith(*m, prompt, g, 0);
        checks = 0;
        const Run specMem = generateWith(*m, prompt, g, kDefaultDraftTokens);
        QCOMPARE(specMem.result.reason, StopReason::MemoryLimit);
        QCOMPARE(specMem.result.tokens, plainMem.result.tokens);
        QCOMPARE(specMem.state, plainMem.state);
    }

    // Sampling that is not greedy never drafts.
    void samplingDoesNotDraft() {
        auto m = randomModel("llama", "F32", 512);
        GenerateOptions o = greedy(40);
        o.sampling.temperature = 0.8f;
        o.sampling.seed = 3;
        const Run r = generateWith(*m, repetitive(*m, 6, 48), o, kDefaultDraftTokens);
        QCOMPARE(r.result.stats.drafted_tokens, 0);
    }

    // The tiny Korean model: text with stop strings and end of text, the 256-token context
    // sliding during the long answer.
    void tinyKoreanModel() {
        KMLM_REQUIRE_SHARED(dir, "models/ko-tiny-llama-Q8_0.gguf");
        auto m = load(kmlm_test::toPath(dir), 256);
        const std::string text = "서울은 한국의 수도이다. 서울은 한국의 수도이다. 서울은 한국의";
        const auto prompt = m->tokenizer().encode(text, true);
        const Run rep = compareRuns(*m, prompt, greedy(300));
        QVERIFY(rep.result.stats.accepted_tokens > 0);
        GenerateOptions o = greedy(200);
        o.ignore_eos = false;
        o.stop_strings = {"다.", "\n\n"};
        compareRuns(*m, m->tokenizer().encode("오늘 날씨가", true), o);
        o.max_tokens = 7;
        compareRuns(*m, prompt, o);
    }
};

QTEST_GUILESS_MAIN(TestSpeculative)
#include "tst_speculative.moc"
