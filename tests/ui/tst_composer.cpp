// Composer: Enter sends, Shift+Enter breaks the line, a Hangul syllable still in preedit is
// sent exactly once whichever order the input method commits it in, big pastes work.
#include "composer.h"
#include "ui_test.h"

#include <QApplication>
#include <QClipboard>
#include <QInputMethodEvent>
#include <QMimeData>
#include <QSignalSpy>
#include <QTextBlock>

using namespace kmlm::ui;

using ui_test::typeText;

namespace {
void preedit(QWidget* w, const QString& text) {
    QInputMethodEvent e(text, {});
    QApplication::sendEvent(w, &e);
}
void commit(QWidget* w, const QString& text, const QString& nextPreedit = {}) {
    QInputMethodEvent e(nextPreedit, {});
    e.setCommitString(text);
    QApplication::sendEvent(w, &e);
}
} // namespace

class TestComposer : public QObject {
    Q_OBJECT
private slots:
    void enterAndShiftEnter_data() {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("shift");
        QTest::addColumn<QStringList>("sent");
        QTest::addColumn<QString>("left");
        QTest::newRow("enter sends") << QStringLiteral("안녕하세요") << false << QStringList{QStringLiteral("안녕하세요")} << QString();
        QTest::newRow("shift+enter adds a line") << QStringLiteral("첫 줄") << true << QStringList{} << QStringLiteral("첫 줄\n");
        QTest::newRow("empty is not sent") << QString() << false << QStringList{} << QString();
        QTest::newRow("blanks are not sent") << QStringLiteral("   ") << false << QStringList{} << QStringLiteral("   ");
    }
    void enterAndShiftEnter() {
        QFETCH(QString, typed);
        QFETCH(bool, shift);
        QFETCH(QStringList, sent);
        QFETCH(QString, left);
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        typeText(&composer, typed);
        QTest::keyClick(&composer, Qt::Key_Return, shift ? Qt::ShiftModifier : Qt::NoModifier);
        QStringList got;
        for (const QList<QVariant>& args : spy) got << args.at(0).toString();
        QCOMPARE(got, sent);
        QCOMPARE(composer.toPlainText(), left);
    }

    void multiLineMessage() {
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        typeText(&composer, QStringLiteral("하나"));
        QTest::keyClick(&composer, Qt::Key_Return, Qt::ShiftModifier);
        typeText(&composer, QStringLiteral("둘"));
        QTest::keyClick(&composer, Qt::Key_Enter); // keypad Enter sends too
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("하나\n둘"));
    }

    // The input method commits the syllable first, then Enter arrives.
    void commitBeforeEnter() {
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        typeText(&composer, QStringLiteral("안녕하세"));
        preedit(&composer, QStringLiteral("ㅇ"));
        preedit(&composer, QStringLiteral("요"));
        QCOMPARE(composer.pendingText(), QStringLiteral("안녕하세요"));
        commit(&composer, QStringLiteral("요"));
        QTest::keyClick(&composer, Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("안녕하세요"));
        QCOMPARE(composer.toPlainText(), QString());
    }

    // Enter arrives while the syllable is in preedit; the commit comes after it.
    void enterBeforeCommit() {
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        typeText(&composer, QStringLiteral("감사합니"));
        preedit(&composer, QStringLiteral("다"));
        QTest::keyClick(&composer, Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("감사합니다"));
        commit(&composer, QStringLiteral("다")); // the late commit must not come back
        QCOMPARE(composer.toPlainText(), QString());
        QTest::keyClick(&composer, Qt::Key_Return);
        QCOMPARE(spy.count(), 1); // nothing left to send: exactly once
    }

    // The Send button while a syllable is in preedit: the same as Enter.
    void submitDuringPreedit() {
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        typeText(&composer, QStringLiteral("좋아"));
        preedit(&composer, QStringLiteral("요"));
        composer.submit();
        commit(&composer, QStringLiteral("요"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("좋아요"));
        QCOMPARE(composer.toPlainText(), QString());
    }

    // Only preedit, nothing committed yet: Enter sends the syllable.
    void enterWithOnlyPreedit() {
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        preedit(&composer, QStringLiteral("네"));
        QTest::keyClick(&composer, Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("네"));
    }

    // After a dropped late commit, typing goes on normally (the same syllable too).
    void typingAfterLateCommit() {
        Composer composer;
        QSignalSpy spy(&composer, &Composer::sendRequested);
        preedit(&composer, QStringLiteral("다"));
        QTest::keyClick(&composer, Qt::Key_Return);
        commit(&composer, QStringLiteral("다"));
        commit(&composer, QStringLiteral("다"));
        QCOMPARE(composer.toPlainText(), QStringLiteral("다"));
    }

    // An input method that never commits the sent syllable does not swallow the next one.
    void noLateCommit() {
        Composer composer;
        preedit(&composer, QStringLiteral("가"));
        QTest::keyClick(&composer, Qt::Key_Return);
        commit(&composer, QStringLiteral("나"));
        QCOMPARE(composer.toPlainText(), QStringLiteral("나"));
    }

    void pasteIsPlainText() {
        Composer composer;
        auto* data = new QMimeData;
        data->setHtml(QStringLiteral("<b>굵은</b> 글씨"));
        data->setText(QStringLiteral("굵은 글씨"));
        QApplication::clipboard()->setMimeData(data);
        composer.paste();
        QCOMPARE(composer.toPlainText(), QStringLiteral("굵은 글씨"));
        for (QTextBlock b = composer.document()->begin(); b.isValid(); b = b.next())
            for (auto it = b.begin(); !it.atEnd(); ++it) QVERIFY(it.fragment().charFormat().fontWeight() <= QFont::Normal);
    }

    void largePaste() {
        // About 1 MB of UTF-8 Korean (3 bytes a syllable), in lines like a pasted document.
        QString big;
        const QString line = QStringLiteral("대한민국의 수도는 서울이며 인구는 약 천만 명이다. ");
        while (big.toUtf8().size() < (1 << 20)) big += line.repeated(8) + QLatin1Char('\n');
        Composer composer;
        QApplication::clipboard()->setText(big);
        composer.paste();
        QCOMPARE(composer.toPlainText().size(), big.size());
        QSignalSpy spy(&composer, &Composer::sendRequested);
        QTest::keyClick(&composer, Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), big);
    }
};

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
