// The chat's layout and access: messages sit in a centred column of reading width that grows
// with the window up to its limit and never runs past the viewport; actions show on the last
// message and on the one under the mouse or the keyboard focus; reasoning is folded (and not
// copied with the answer); the empty state's prompts send; every control of the main window
// has an accessible name; text and link colours meet WCAG AA in the light and dark palettes.
#include "appearance.h"
#include "appsettings.h"
#include "chatpage.h"
#include "chatsession.h"
#include "chatstore.h"
#include "chatview.h"
#include "composer.h"
#include "enginecontroller.h"
#include "mainwindow.h"
#include "modelregistry.h"
#include "ui_test.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAbstractTextDocumentLayout>
#include <QAccessible>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QListView>
#include <QMouseEvent>
#include <QProgressBar>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextEdit>
#include <QTextFrame>
#include <QTextLayout>
#include <QTextTable>

using namespace kmlm::core;
using namespace kmlm::ui;

namespace {
ChatMessage message(qint64 id, const QString& role, const QString& text) {
    ChatMessage m;
    m.id = id;
    m.role = role;
    m.text = text;
    m.model = role == QLatin1String("assistant") ? QStringLiteral("tiny-llama") : QString();
    return m;
}

QVector<ChatMessage> conversation() {
    const QString longAnswer =
        QStringLiteral("서울은 조선 시대부터 600년 넘게 한반도의 중심이었던 도시로, 궁궐과 한옥 골목, 현대적인 고층 건물이 "
                       "한데 어우러져 있습니다. 하루 일정이라면 아침에는 경복궁에서 수문장 교대식을 보고, 점심에는 북촌과 "
                       "인사동을 걸으며 전통 찻집에 들러 보세요. 오후에는 청계천을 따라 광장시장까지 걸어가 빈대떡과 "
                       "마약김밥을 맛보고, 저녁에는 남산서울타워에서 야경을 보는 것을 추천합니다.");
    return {message(1, QStringLiteral("user"), QStringLiteral("서울에서 하루를 보내려면 어디에 가야 하나요?")),
            message(2, QStringLiteral("assistant"), longAnswer), message(3, QStringLiteral("user"), QStringLiteral("표로 정리해 주세요.")),
            message(4, QStringLiteral("assistant"),
                    QStringLiteral("| 시간 | 장소 |\n|---|---|\n| 09:00 | 경복궁 |\n| 18:00 | 광장시장 |\n\n"
                                   "```cpp\nstd::cout << \"아주 긴 줄: ") +
                        QString(60, QLatin1Char('x')) + QStringLiteral("\";\n```"))};
}

// Where each line of text is drawn (viewport coordinates), also inside tables and frames: from
// its first to its last character.
QVector<QRect> lineRects(ChatView& view) {
    QVector<QRect> rects;
    for (QTextBlock b = view.document()->begin(); b.isValid(); b = b.next()) {
        const QTextLayout* layout = b.layout();
        for (int i = 0; layout && i < layout->lineCount(); ++i) {
            const QTextLine line = layout->lineAt(i);
            if (line.textLength() == 0) continue;
            QTextCursor first(b), last(b);
            first.setPosition(b.position() + line.textStart());
            last.setPosition(b.position() + line.textStart() + line.textLength());
            rects.append(view.cursorRect(first).united(view.cursorRect(last)));
        }
    }
    return rects;
}

// Widgets a keyboard or screen reader user deals with.
bool isControl(QWidget* w) {
    return qobject_cast<QAbstractButton*>(w) || qobject_cast<QLineEdit*>(w) || qobject_cast<QAbstractItemView*>(w) ||
           qobject_cast<QTextEdit*>(w) || qobject_cast<QPlainTextEdit*>(w) || qobject_cast<QComboBox*>(w) ||
           qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QAbstractSlider*>(w) || qobject_cast<QProgressBar*>(w) ||
           qobject_cast<QTabBar*>(w) || (w->focusPolicy() & Qt::TabFocus);
}
} // namespace

class TestChatLayout : public QObject {
    Q_OBJECT

    QTemporaryDir tmp;

private slots:
    void initTestCase() {
        QVERIFY(tmp.isValid());
        Appearance::applyTheme(AppSettings::Theme::Light);
        Appearance::applyFont(10);
    }

    // Wide: the column is kReadingChars Korean characters and centred. Narrow: it takes the
    // width less the margins. Never wider than the viewport, nothing past its edges.
    void readingWidth_data() {
        QTest::addColumn<int>("width");
        for (int w : {420, 800, 1600, 2400}) QTest::newRow(qPrintable(QString::number(w))) << w;
    }
    void readingWidth() {
        QFETCH(int, width);
        ChatView view;
        view.resize(width, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMessages(conversation());
        QTextDocument* doc = view.document();
        doc->documentLayout()->documentSize();
        const int hangul = view.fontMetrics().horizontalAdvance(QChar(0xAC00));
        const int viewport = view.viewport()->width();
        const int column = view.columnWidth();
        QVERIFY2(column <= ChatView::kReadingChars * hangul, qPrintable(QString::number(column)));
        if (viewport > ChatView::kReadingChars * hangul + 4 * view.fontMetrics().height())
            QCOMPARE(column, ChatView::kReadingChars * hangul); // wide enough: the full reading width
        else
            QVERIFY(column >= viewport - 4 * view.fontMetrics().height()); // narrow: all but the margins
        QCOMPARE(view.horizontalScrollBar()->maximum(), 0);
        QVERIFY(doc->size().width() <= viewport + 0.5);
        // The lines of the long answer: at most the reading width of Hangul, within the column.
        // Centred: as much room left of the viewport as right of it (less the scroll bar).
        const QRect vp = view.viewport()->geometry(), all = view.contentsRect();
        const int bar = view.verticalScrollBar()->isVisible() ? view.verticalScrollBar()->width() : 0;
        QVERIFY2(std::abs((vp.left() - all.left()) - (all.right() - bar - vp.right())) <= 1,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(vp.left()).arg(vp.right()).arg(all.right() - bar)));
        const int left = 0, right = viewport;
        for (const QRect& r : lineRects(view)) {
            QVERIFY2(
                r.left() >= left - 0.5 && r.right() <= right + 0.5,
                qPrintable(QStringLiteral("block [%1, %2] outside the column [%3, %4]").arg(r.left()).arg(r.right()).arg(left).arg(right)));
        }
        // The question bubble (right-aligned): its last character inside the viewport.
        QTextCursor question = doc->find(QStringLiteral("가야 하나요?"));
        QVERIFY(view.cursorRect(question).right() <= viewport);
        const QTextBlock answer = doc->find(QStringLiteral("서울은 조선")).block();
        QVERIFY(answer.layout()->lineCount() > 1);
        for (int i = 0; i < answer.layout()->lineCount(); ++i) {
            const QTextLine line = answer.layout()->lineAt(i);
            QVERIFY(line.naturalTextWidth() <= column + 0.5);
            QVERIFY(line.textLength() <= ChatView::kReadingChars + 20); // syllables plus spaces and digits
        }
        // The wrapped code line stays inside too (code wraps rather than overflowing).
        QTextCursor code = doc->find(QStringLiteral("아주 긴 줄"));
        QVERIFY(!code.isNull());
        QVERIFY(view.cursorRect(code).right() <= viewport);
    }

    // Actions: on the last message always, on another when hovered or when a link in it has
    // the keyboard focus; hidden ones are transparent but keep their place.
    void actionsOnHoverAndFocus() {
        ChatView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        view.setMessages(conversation());
        QVERIFY(view.actionsShown(4));
        QVERIFY(!view.actionsShown(2));
        QTextCursor inFirst = view.document()->find(QStringLiteral("서울은 조선"));
        const QPoint over = view.cursorRect(inFirst).center();
        QMouseEvent move(QEvent::MouseMove, over, view.viewport()->mapToGlobal(over), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(view.viewport(), &move);
        QVERIFY(view.actionsShown(2));
        QVERIFY(view.actionsShown(4));
        QVERIFY(!view.actionsShown(1));
        // Keyboard: Tab from the top selects the first link, the user question's Copy.
        view.moveCursor(QTextCursor::Start);
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Tab);
        QVERIFY2(view.textCursor().hasSelection(), qPrintable(view.textCursor().block().text()));
        QVERIFY(view.textCursor().hasSelection());
        QCOMPARE(view.revealedMessage(), 1);
        QVERIFY(view.actionsShown(1));
        QVERIFY(!view.actionsShown(2));
    }

    // A Qwen3 answer: the reasoning is folded above the answer, unfolds, and Copy takes the
    // answer alone. While the model reasons, the reasoning shows as it streams.
    void reasoningFolds() {
        ChatView view;
        view.resize(900, 700);
        ChatMessage a =
            message(5, QStringLiteral("assistant"),
                    QStringLiteral("<think>\n사용자가 인사를 했다. 반갑게 답하자.\n</think>\n\n안녕하세요! 무엇을 도와드릴까요?"));
        view.setMessages({message(4, QStringLiteral("user"), QStringLiteral("안녕")), a});
        QVERIFY(!view.isReasoningExpanded(5));
        QVERIFY(!view.toPlainText().contains(QStringLiteral("반갑게 답하자")));
        QVERIFY(view.toPlainText().contains(QStringLiteral("안녕하세요!")));
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-think:5")));
        QVERIFY(view.isReasoningExpanded(5));
        const QString shown = view.toPlainText();
        QVERIFY(shown.contains(QStringLiteral("반갑게 답하자")));
        QVERIFY(shown.indexOf(QStringLiteral("반갑게")) < shown.indexOf(QStringLiteral("안녕하세요!")));
        QVERIFY(!shown.contains(QStringLiteral("<think>")));
        QSignalSpy copied(&view, &ChatView::messageCopied);
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-copytext:5")));
        QCOMPARE(copied.count(), 1);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("안녕하세요! 무엇을 도와드릴까요?"));
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-think:5")));
        QVERIFY(!view.isReasoningExpanded(5));

        ChatMessage live = message(7, QStringLiteral("assistant"), QString());
        live.state = MessageState::Streaming;
        view.setMessages({message(6, QStringLiteral("user"), QStringLiteral("2+2는?")), live});
        view.setStreamingText(7, QStringLiteral("<think>\n2에 2를 더하면"), 10);
        view.renderNow();
        QVERIFY(view.isReasoningExpanded(7));
        QVERIFY(view.toPlainText().contains(QStringLiteral("2에 2를 더하면")));
        view.setStreamingText(7, QStringLiteral("<think>\n2에 2를 더하면 4.\n</think>\n\n4입니다."), 10);
        view.renderNow();
        QVERIFY(!view.isReasoningExpanded(7)); // folded once the answer begins
        QVERIFY(view.toPlainText().contains(QStringLiteral("4입니다.")));
        QVERIFY(!view.toPlainText().contains(QStringLiteral("2에 2를 더하면")));
    }

    // A new chat: the answering model, a note for the tiny bundled one, example prompts that
    // send, the link to the models.
    void emptyState() {
        ChatView view;
        view.setActiveModel(QStringLiteral("kmlm-gru-ko"), true);
        view.setMessages({});
        const QString shown = view.toPlainText();
        QVERIFY(shown.contains(QStringLiteral("kmlm-gru-ko")));
        QVERIFY(shown.contains(QStringLiteral("tiny")));
        const QStringList prompts = view.examplePrompts();
        QVERIFY(prompts.size() >= 3 && prompts.size() <= 4);
        for (const QString& p : prompts) QVERIFY2(shown.contains(p), qPrintable(p));
        QSignalSpy chosen(&view, &ChatView::promptChosen);
        QSignalSpy models(&view, &ChatView::modelsRequested);
        QVERIFY(view.toHtml().contains(QLatin1String("kmlm-prompt:1")));
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-prompt:1")));
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toString(), prompts.at(1));
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-models:")));
        QCOMPARE(models.count(), 1);
        view.setActiveModel(QStringLiteral("Qwen3 1.7B"), false);
        QVERIFY(!view.toPlainText().contains(QStringLiteral("tiny")));
    }

    // Every control of the main window and its pages has an accessible name, and the chat
    // is reached from the keyboard in order: list, conversation, composer, send.
    void accessibleNames() {
        AppSettings settings(tmp.filePath(QStringLiteral("settings.ini")));
        settings.setModelsFolder(tmp.filePath(QStringLiteral("models")));
        ChatStore store;
        QVERIFY(store.open(tmp.filePath(QStringLiteral("chats.sqlite"))));
        EngineController engine;
        ChatSession session(&store, &engine);
        ModelRegistry models(&settings);
        MainWindow window(AppServices{&settings, &engine, &store, &session, &models, nullptr});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStringList unnamed;
        for (int page = 0; page < window.tabs()->count(); ++page) {
            window.tabs()->setCurrentIndex(page);
            for (QWidget* w : window.findChildren<QWidget*>()) {
                if (!w->isVisible() || !isControl(w)) continue;
                QAccessibleInterface* a = QAccessible::queryAccessibleInterface(w);
                if (!a || a->text(QAccessible::Name).trimmed().isEmpty())
                    unnamed << QStringLiteral("%1 (%2)").arg(QString::fromLatin1(w->metaObject()->className()), w->objectName());
            }
        }
        unnamed.removeDuplicates();
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));

        window.tabs()->setCurrentWidget(window.chatPage());
        ChatPage* chat = window.chatPage();
        // The Tab order from the chat list on: the conversation, then the composer.
        QList<QWidget*> chain;
        QWidget* w = chat->conversationList();
        do {
            if (w->isVisible() && (w->focusPolicy() & Qt::TabFocus)) chain.append(w);
            w = w->nextInFocusChain();
        } while (w && w != chat->conversationList() && chain.size() < 100);
        const int list = chain.indexOf(chat->conversationList()), view = chain.indexOf(chat->view()),
                  composer = chain.indexOf(chat->composer());
        QVERIFY2(list == 0 && view > list && composer > view && view - list <= 2 && composer - view == 1,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(list).arg(view).arg(composer)));
    }

    // WCAG AA (4.5:1) for text, secondary text and links, in both themes, and for every
    // coloured piece of text the chat view draws against what is behind it.
    void contrast_data() {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void contrast() {
        QFETCH(bool, dark);
        Appearance::applyTheme(dark ? AppSettings::Theme::Dark : AppSettings::Theme::Light);
        const QPalette p = QApplication::palette();
        using Appearance::contrastRatio;
        QVERIFY(contrastRatio(p.color(QPalette::Text), p.color(QPalette::Base)) >= 4.5);
        QVERIFY(contrastRatio(p.color(QPalette::WindowText), p.color(QPalette::Window)) >= 4.5);
        QVERIFY(contrastRatio(p.color(QPalette::Link), p.color(QPalette::Base)) >= 4.5);
        QVERIFY(contrastRatio(Appearance::mutedTextColor(p), p.color(QPalette::Base)) >= 4.5);
        QVERIFY(contrastRatio(Appearance::mutedTextColor(p, QPalette::Window), p.color(QPalette::Window)) >= 4.5);

        ChatView view;
        view.setDark(dark);
        QVector<ChatMessage> messages = conversation();
        messages[3].text += QStringLiteral("\n\n자세한 것은 [안내](https://example.org)를 보세요.");
        messages[3].variant = 1;
        messages[3].variantCount = 2;
        view.setMessages(messages);
        QTextDocument* doc = view.document();
        int checked = 0;
        for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
            const QTextCursor at(b);
            QColor background = p.color(QPalette::Base);
            if (QTextTable* table = at.currentTable()) {
                const QBrush cell = table->cellAt(at).format().background();
                background = cell.style() != Qt::NoBrush                           ? cell.color()
                             : table->format().background().style() != Qt::NoBrush ? table->format().background().color()
                                                                                   : background;
            }
            for (auto it = b.begin(); !it.atEnd(); ++it) {
                const QTextFragment f = it.fragment();
                if (f.text().trimmed().isEmpty()) continue;
                const QTextCharFormat format = f.charFormat();
                QColor color = format.hasProperty(QTextFormat::ForegroundBrush) ? format.foreground().color()
                               : format.isAnchor()                              ? p.color(QPalette::Link)
                                                                                : p.color(QPalette::Text);
                if (color.alpha() == 0) continue; // a hidden action
                ++checked;
                QVERIFY2(contrastRatio(color, background) >= 4.5, qPrintable(QStringLiteral("\"%1\": %2 on %3 is %4:1")
                                                                                 .arg(f.text(), color.name(), background.name())
                                                                                 .arg(contrastRatio(color, background), 0, 'f', 2)));
            }
        }
        QVERIFY(checked > 10);
        Appearance::applyTheme(AppSettings::Theme::Light);
    }
};

QTEST_MAIN(TestChatLayout)
#include "tst_chatlayout.moc"
