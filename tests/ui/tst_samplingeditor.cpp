// The sampling editor shows and returns every value the engine accepts, at both ends of each
// range, so opening the settings never changes a value chosen in the settings file or the CLI.
#include "kmlm_test.h"

#include "samplingeditor.h"

#include <QApplication>

using namespace kmlm::core;
using namespace kmlm::ui;

class TestSamplingEditor : public QObject {
    Q_OBJECT
private slots:
    void defaultsAreTheEngines() {
        SamplingEditor editor;
        QVERIFY(editor.sampling() == SamplingSettings());
    }

    void engineLimitsRoundTrip_data() {
        QTest::addColumn<bool>("upper");
        QTest::newRow("lower ends") << false;
        QTest::newRow("upper ends") << true;
    }
    void engineLimitsRoundTrip() {
        QFETCH(bool, upper);
        const auto end = [upper](kmlm::OptionRange r) { return upper ? r.max : r.min; };
        SamplingSettings s;
        s.temperature = end(kmlm::kTemperatureRange);
        s.topK = int(end(kmlm::kTopKRange));
        s.topP = end(kmlm::kTopPRange);
        s.minP = end(kmlm::kMinPRange);
        s.repeatPenalty = end(kmlm::kRepeatPenaltyRange);
        s.presencePenalty = end(kmlm::kPresencePenaltyRange);
        s.maxTokens = int(end(kmlm::kMaxTokensRange));
        s.seed = upper ? 2147483647 : -1;
        SamplingEditor editor;
        editor.setSampling(s);
        const SamplingSettings back = editor.sampling();
        QCOMPARE(back.temperature, s.temperature);
        QCOMPARE(back.topK, s.topK);
        QCOMPARE(back.topP, s.topP);
        QCOMPARE(back.minP, s.minP);
        QCOMPARE(back.repeatPenalty, s.repeatPenalty);
        QCOMPARE(back.presencePenalty, s.presencePenalty);
        QCOMPARE(back.maxTokens, s.maxTokens);
        QCOMPARE(back.seed, s.seed);
    }
};

QTEST_MAIN(TestSamplingEditor)
#include "tst_samplingeditor.moc"
