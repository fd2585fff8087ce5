// The generation loop on a scripted model: stop strings held back, cancel, memory, max
// tokens, end of text, prefix reuse, and streamed text that is always whole characters.
#include "kmlm_test.h"

#include "kmlm/generate.h"
#include "kmlm/jamo_tokenizer.h"
#include "kmlm/utf8.h"

#include <atomic>

using namespace kmlm;

namespace {

// Emits a fixed token script: the logits always favour the next token of the script.
class ScriptedModel : public LanguageModel {
public:
    explicit ScriptedModel(std::vector<int32_t> script) : script_(std::move(script)) { info_.architecture = "test"; }
    const ModelInfo& info() const override { return info_; }
    const Tokenizer& tokenizer() const override { return tok_; }
    const std::vector<int32_t>& history() const override { return history_; }
    void truncate(size_t n) override {
        if (n < history_.size()) history_.resize(n);
    }
    std::span<const float> eval(std::span<const int32_t> tokens) override {
        evaluated += tokens.size();
        history_.insert(history_.end(), tokens.begin(), tokens.end());
        logits_.assign(size_t(tok_.vocab_size()), 0.0f);
        const size_t i = next_++;
        logits_[size_t(i < script_.size() ? script_[i] : JamoTokenizer::kEos)] = 10.0f;
        return logits_;
    }
    size_t context_length() const override { return 0; }
    MemoryUsage memory_usage() const override { return {}; }
    void restart() { next_ = 0; }
    size_t evaluated = 0;

private:
    ModelInfo info_;
    JamoTokenizer tok_;
    std::vector<int32_t> script_, history_;
    std::vector<float> logits_;
    size_t next_ = 0;
};

std::vector<int32_t> script_of(const std::string& text) { return JamoTokenizer().encode(text, false); }

GenerateOptions greedy() {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.sampling.repeat_penalty = 1.0f;
    o.max_tokens = 1000;
    return o;
}

} // namespace

class TestGenerate : public QObject {
    Q_OBJECT
private slots:
    void endOfTextAndStreaming() {
        const std::string text = "안녕하세요! 반가워요 😀 ok";
        ScriptedModel m(script_of(text));
        auto o = greedy();
        std::string streamed;
        std::vector<std::string> pieces;
        o.on_text = [&](std::string_view t) {
            streamed += t;
            pieces.emplace_back(t);
        };
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(r.reason, StopReason::EndOfText);
        QCOMPARE(r.text, text);
        QCOMPARE(streamed, text);
        for (const auto& p : pieces) QVERIFY(is_valid_utf8(p));
        QCOMPARE(r.stats.generated_tokens, int32_t(script_of(text).size()));
    }

    void maxTokens() {
        ScriptedModel m(script_of("가나다라마바사"));
        auto o = greedy();
        o.max_tokens = 6;
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(r.reason, StopReason::MaxTokens);
        QCOMPARE(r.tokens.size(), size_t(6));
        QCOMPARE(r.text, std::string("가나다")); // the held 다 comes out at the end
    }

    void ignoreEosRunsToTheLimit() {
        ScriptedModel m(script_of("가나"));
        auto o = greedy();
        o.max_tokens = 10;
        o.ignore_eos = true;
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(r.reason, StopReason::MaxTokens);
        QVERIFY(r.tokens.size() >= size_t(10));
        QVERIFY(r.text.starts_with("가나"));
    }

    void maxTokensNeverEndsInABrokenSyllable_data() {
        QTest::addColumn<QString>("script");
        QTest::addColumn<int>("maxTokens");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<int>("tokens");
        // 가나다: ㄱ ㅏ ㄴ ㅏ ㄷ ㅏ. A limit of 3 stops after the initial ㄴ: one more token
        // completes the syllable instead of leaving a lone ㄴ.
        QTest::newRow("initial waits for its vowel") << "가나다" << 3 << "가나" << 4;
        QTest::newRow("syllable already whole") << "가나다" << 4 << "가나" << 4;
        // 😀 is four byte tokens: a limit inside it runs on to the end of the character.
        QTest::newRow("character split across bytes") << "a😀b" << 2 << "a😀" << 5;
    }
    void maxTokensNeverEndsInABrokenSyllable() {
        QFETCH(QString, script);
        QFETCH(int, maxTokens);
        QFETCH(QString, expected);
        QFETCH(int, tokens);
        ScriptedModel m(script_of(script.toStdString()));
        auto o = greedy();
        o.max_tokens = maxTokens;
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(r.reason, StopReason::MaxTokens);
        QCOMPARE(QString::fromStdString(r.text), expected);
        QCOMPARE(int(r.tokens.size()), tokens);
    }

    void stopStrings_data() {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("stop");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ascii") << "hello world. more"
                               << "."
                               << "hello world";
        QTest::newRow("multi-token stop") << "안녕 사용자: 다음"
                                          << "사용자:"
                                          << "안녕 ";
        QTest::newRow("partial match then not") << "user us user: x"
                                                << "user:"
                                                << "user us ";
        QTest::newRow("stop at the very end") << "끝이다###"
                                              << "###"
                                              << "끝이다";
        QTest::newRow("never matches") << "abc"
                                       << "xyz"
                                       << "abc";
    }
    void stopStrings() {
        QFETCH(QString, script);
        QFETCH(QString, stop);
        QFETCH(QString, expected);
        ScriptedModel m(script_of(script.toStdString()));
        auto o = greedy();
        o.stop_strings = {stop.toStdString(), "never-there"};
        std::string streamed;
        o.on_text = [&](std::string_view t) {
            streamed += t;
            // nothing of the stop string is ever shown
            QVERIFY(streamed.find(stop.toStdString()) == std::string::npos);
        };
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(QString::fromStdString(r.text), expected);
        QCOMPARE(streamed, r.text);
        QCOMPARE(r.reason, expected == script ? StopReason::EndOfText : StopReason::StopString);
    }

    void cancel() {
        ScriptedModel m(script_of("가나다라마바사아자차카타파하"));
        auto o = greedy();
        std::atomic<bool> cancel{false};
        o.cancel = &cancel;
        int n = 0;
        o.on_token = [&](int32_t) {
            if (++n == 4) cancel = true;
        };
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(r.reason, StopReason::Cancelled);
        QCOMPARE(r.tokens.size(), size_t(4));
        cancel = true;
        m.reset();
        m.restart();
        const auto before = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(before.tokens.size(), size_t(0));
    }

    void memoryLimit() {
        ScriptedModel m(script_of("가나다라"));
        auto o = greedy();
        int calls = 0;
        o.memory_ok = [&] { return ++calls <= 2; };
        const auto r = generate(m, std::vector<int32_t>{2}, o);
        QCOMPARE(r.reason, StopReason::MemoryLimit);
        QCOMPARE(r.tokens.size(), size_t(2));
    }

    void prefixReuse() {
        ScriptedModel m(script_of("가"));
        auto o = greedy();
        const std::vector<int32_t> p1{2, 10, 29, 4};
        generate(m, p1, o);
        const size_t after_first = m.evaluated;
        m.restart();
        const std::vector<int32_t> p2{2, 10, 29, 4, 11, 30};
        const auto r = generate(m, p2, o);
        QCOMPARE(r.stats.prompt_tokens, 6);
        QCOMPARE(r.stats.reused_tokens, 4);
        // only the two new prompt tokens and the generated ones were evaluated
        QCOMPARE(m.evaluated - after_first, size_t(2 + r.tokens.size()));
        m.restart();
        const auto same = generate(m, p2, o); // identical prompt: the last token is re-fed
        QCOMPARE(same.stats.reused_tokens, 5);
    }

    void commonPrefix() {
        const std::vector<int32_t> a{1, 2, 3, 4}, b{1, 2, 5};
        QCOMPARE(common_prefix(a, b), size_t(2));
        QCOMPARE(common_prefix(a, {}), size_t(0));
        QCOMPARE(common_prefix(a, a), size_t(4));
    }
};

QTEST_GUILESS_MAIN(TestGenerate)
#include "tst_generate.moc"
