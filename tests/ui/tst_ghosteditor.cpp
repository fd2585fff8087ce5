// Completion editor: ghost text after a pause, Tab / Ctrl+Right / Esc, typing through the
// ghost, stale requests cancelled and their late text ignored, the document never holding
// the ghost.
#include "completionprovider.h"
#include "ghosteditor.h"
#include "ui_test.h"

#include <QApplication>
#include <QSignalSpy>

using namespace kmlm::ui;

using ui_test::typeText;

namespace {
class FakeProvider : public CompletionProvider {
public:
    QList<QPair<quint64, QString>> requests;
    QList<quint64> cancelled;
    void request(quint64 id, const QString& prefix) override { requests.append({id, prefix}); }
    void cancel(quint64 id) override { cancelled.append(id); }
    void answer(const QString& text) { emit textArrived(requests.last().first, text); }
};

} // namespace

class TestGhostEditor : public QObject {
    Q_OBJECT

    GhostEditor* editor = nullptr;
    FakeProvider* provider = nullptr;

    // Types text and waits for the proposal request, then answers it with ghost.
    void proposeAfter(const QString& text, const QString& ghost) {
        const int before = provider->requests.size();
        typeText(editor, text);
        QTRY_COMPARE(provider->requests.size(), before + 1);
        provider->answer(ghost);
        QCOMPARE(editor->ghostText(), ghost);
    }

private slots:
    void init() {
        editor = new GhostEditor;
        provider = new FakeProvider;
        editor->setProvider(provider);
        editor->setPauseInterval(5);
        editor->resize(500, 300);
        editor->show();
        QVERIFY(QTest::qWaitForWindowExposed(editor));
    }
    void cleanup() {
        delete editor;
        delete provider;
    }

    void requestsAfterPause() {
        typeText(editor, QStringLiteral("오늘 날씨가"));
        QTRY_COMPARE(provider->requests.size(), 1); // one request for the whole burst
        QCOMPARE(provider->requests.at(0).second, QStringLiteral("오늘 날씨가"));
        QCOMPARE(editor->ghostText(), QString());
    }

    void ghostIsNotInTheDocument() {
        proposeAfter(QStringLiteral("오늘 날씨가"), QStringLiteral(" 참 좋네요."));
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘 날씨가"));
        QCOMPARE(editor->document()->isUndoAvailable(), true);
        editor->grab(); // paints the ghost; must not touch the document
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘 날씨가"));
    }

    void tabAccepts() {
        proposeAfter(QStringLiteral("오늘 날씨가"), QStringLiteral(" 참 좋네요."));
        QTest::keyClick(editor, Qt::Key_Tab);
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘 날씨가 참 좋네요."));
        QCOMPARE(editor->ghostText(), QString());
        QCOMPARE(editor->textCursor().position(), editor->toPlainText().size());
        editor->undo(); // the accepted text is one undo step
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘 날씨가"));
    }

    void ctrlRightAcceptsAWord_data() {
        QTest::addColumn<QString>("ghost");
        QTest::addColumn<QString>("firstWord");
        QTest::addColumn<QString>("rest");
        QTest::newRow("korean") << QStringLiteral(" 참 좋네요.") << QStringLiteral(" 참") << QStringLiteral(" 좋네요.");
        QTest::newRow("eojeol with particle") << QStringLiteral("서울에서 만나요") << QStringLiteral("서울에서")
                                              << QStringLiteral(" 만나요");
        QTest::newRow("single word") << QStringLiteral(" 끝") << QStringLiteral(" 끝") << QString();
    }
    void ctrlRightAcceptsAWord() {
        QFETCH(QString, ghost);
        QFETCH(QString, firstWord);
        QFETCH(QString, rest);
        proposeAfter(QStringLiteral("가나다"), ghost);
        QTest::keyClick(editor, Qt::Key_Right, Qt::ControlModifier);
        QCOMPARE(editor->toPlainText(), QStringLiteral("가나다") + firstWord);
        QCOMPARE(editor->ghostText(), rest);
    }

    void escDismisses() {
        proposeAfter(QStringLiteral("오늘 날씨가"), QStringLiteral(" 참"));
        const quint64 id = editor->currentRequest();
        QTest::keyClick(editor, Qt::Key_Escape);
        QCOMPARE(editor->ghostText(), QString());
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘 날씨가"));
        QVERIFY(provider->cancelled.contains(id));
        provider->answer(QStringLiteral(" 더")); // late text of the dismissed request
        QCOMPARE(editor->ghostText(), QString());
    }

    void typingThroughKeepsTheRest() {
        proposeAfter(QStringLiteral("오늘은"), QStringLiteral(" 맑고 따뜻"));
        const int requests = provider->requests.size();
        typeText(editor, QStringLiteral(" 맑"));
        QCOMPARE(editor->ghostText(), QStringLiteral("고 따뜻"));
        provider->answer(QStringLiteral("합니다")); // the same request keeps streaming
        QCOMPARE(editor->ghostText(), QStringLiteral("고 따뜻합니다"));
        QCOMPARE(provider->requests.size(), requests);
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘은 맑"));
    }

    void typingSomethingElseDropsTheGhost() {
        proposeAfter(QStringLiteral("오늘은"), QStringLiteral(" 맑고"));
        const quint64 old = editor->currentRequest();
        typeText(editor, QStringLiteral(" 흐"));
        QCOMPARE(editor->ghostText(), QString());
        QVERIFY(provider->cancelled.contains(old));
        QTRY_VERIFY(editor->currentRequest() > old); // a new request after the pause
        QCOMPARE(provider->requests.last().second, QStringLiteral("오늘은 흐"));
    }

    void staleRequestIsCancelledAndIgnored() {
        typeText(editor, QStringLiteral("하나"));
        QTRY_COMPARE(provider->requests.size(), 1);
        const quint64 first = provider->requests.at(0).first;
        typeText(editor, QStringLiteral(" 둘"));
        QVERIFY(provider->cancelled.contains(first));
        QTRY_COMPARE(provider->requests.size(), 2);
        const quint64 second = provider->requests.at(1).first;
        QVERIFY(second != first);
        emit provider->textArrived(first, QStringLiteral("늦은 글"));
        QCOMPARE(editor->ghostText(), QString());
        emit provider->textArrived(second, QStringLiteral(" 셋"));
        QCOMPARE(editor->ghostText(), QStringLiteral(" 셋"));
    }

    void cursorMoveDropsTheGhost() {
        proposeAfter(QStringLiteral("오늘 날씨가"), QStringLiteral(" 좋다"));
        QTest::keyClick(editor, Qt::Key_Left);
        QCOMPARE(editor->ghostText(), QString());
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘 날씨가"));
    }

    void hangulInputMethodTypesThrough() {
        proposeAfter(QStringLiteral("안녕"), QStringLiteral("하세요"));
        QInputMethodEvent composing(QStringLiteral("하"), {});
        QApplication::sendEvent(editor, &composing);
        QInputMethodEvent committed(QString(), {});
        committed.setCommitString(QStringLiteral("하"));
        QApplication::sendEvent(editor, &committed);
        QCOMPARE(editor->toPlainText(), QStringLiteral("안녕하"));
        QCOMPARE(editor->ghostText(), QStringLiteral("세요"));
    }

    void noRequestInTheMiddleOfAParagraph() {
        editor->setPlainText(QStringLiteral("앞 뒤"));
        QTextCursor c = editor->textCursor();
        c.setPosition(1);
        editor->setTextCursor(c);
        editor->requestCompletion();
        QCOMPARE(provider->requests.size(), 0);
    }
};

QTEST_MAIN(TestGhostEditor)
#include "tst_ghosteditor.moc"
