// Reasoning blocks (<think>…</think>) split off an answer: closed, still open while streaming,
// a tag halfway arrived, a block the template opened, and plain answers.
#include "reasoning.h"

#include <QTest>

using namespace kmlm::core;

class TestReasoning : public QObject {
    Q_OBJECT
private slots:
    void split_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("reasoning");
        QTest::addColumn<QString>("answer");
        QTest::addColumn<bool>("has");
        QTest::addColumn<bool>("open");
        QTest::newRow("plain") << "그냥 대답"
                               << ""
                               << "그냥 대답" << false << false;
        QTest::newRow("closed") << "<think>\n먼저 따져 보자.\n</think>\n\n답은 4입니다."
                                << "먼저 따져 보자."
                                << "답은 4입니다." << true << false;
        QTest::newRow("empty block") << "<think>\n\n</think>\n\n안녕하세요"
                                     << ""
                                     << "안녕하세요" << true << false;
        QTest::newRow("streaming") << "<think>\n2 더하기 2는"
                                   << "2 더하기 2는"
                                   << "" << true << true;
        QTest::newRow("tag arriving") << "<thi"
                                      << ""
                                      << "" << true << true;
        QTest::newRow("opened by the template") << "생각 중\n</think>\n답"
                                                << "생각 중"
                                                << "답" << true << false;
        QTest::newRow("tag later in the text") << "코드: <think> 태그"
                                               << ""
                                               << "코드: <think> 태그" << false << false;
    }
    void split() {
        QFETCH(QString, text);
        QFETCH(QString, reasoning);
        QFETCH(QString, answer);
        QFETCH(bool, has);
        QFETCH(bool, open);
        const ReasonedText r = splitReasoning(text);
        QCOMPARE(r.reasoning, reasoning);
        QCOMPARE(r.answer, answer);
        QCOMPARE(r.hasReasoning, has);
        QCOMPARE(r.open, open);
    }
};

QTEST_GUILESS_MAIN(TestReasoning)
#include "tst_reasoning.moc"
