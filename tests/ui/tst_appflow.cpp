// The desktop app end to end on the engine thread, with small random-weight models (the GRU
// and a decoder): a question typed in the composer is answered and shown with its speed,
// regenerating keeps both answers, the editor gets a completion, the settings list the
// models with their memory estimates, search and shortcuts work, the window geometry is kept,
// a chat exports to Markdown and JSON and imports back, and a model that fails to load leaves
// the previous one.
#include "appearance.h"
#include "appsettings.h"
#include "chatpage.h"
#include "chatsession.h"
#include "chatstore.h"
#include "chatview.h"
#include "composer.h"
#include "conversationlistmodel.h"
#include "editorpage.h"
#include "enginecontroller.h"
#include "ghosteditor.h"
#include "mainwindow.h"
#include "modelregistry.h"
#include "settingsdialog.h"
#include "ui_test.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextTable>
#include <QTimer>
#include <QTreeWidget>

#include <memory>

#include <algorithm>

using namespace kmlm::core;
using namespace kmlm::ui;

using ui_test::typeText;

namespace {
constexpr int kSlow = 120000; // loading and generating share 2 cores with everything else
} // namespace

class TestAppFlow : public QObject {
    Q_OBJECT

    QTemporaryDir tmp;
    AppSettings* settings = nullptr;
    ChatStore* store = nullptr;
    EngineController* engine = nullptr;
    ChatSession* session = nullptr;
    ModelRegistry* models = nullptr;
    QString gruPath, decoderPath;

    AppServices services() const { return AppServices{settings, engine, store, session, models, nullptr}; }

    void load(const QString& path) {
        QSignalSpy loaded(engine, &EngineController::modelLoaded);
        QSignalSpy failed(engine, &EngineController::modelLoadFailed);
        engine->loadModel(path, settings->engineSettings());
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() > 0, kSlow);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(engine->currentModel().path, path);
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp.isValid());
        const QString folder = tmp.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(folder));
        std::tie(gruPath, decoderPath) = ui_test::writeTinyModels(folder);

        settings = new AppSettings(tmp.filePath(QStringLiteral("settings.ini")), this);
        settings->setModelsFolder(folder);
        SamplingSettings sampling = settings->sampling();
        sampling.maxTokens = 12;
        sampling.seed = 3;
        settings->setSampling(sampling);
        store = new ChatStore(this);
        QVERIFY2(store->open(tmp.filePath(QStringLiteral("chats.sqlite"))), qPrintable(store->errorString()));
        engine = new EngineController(this);
        session = new ChatSession(store, engine, this);
        session->setDefaultSampling(sampling);
        models = new ModelRegistry(settings, this);
    }

    void chatAndCompletion_data() {
        QTest::addColumn<QString>("model"); // "gru", "decoder" or "bundled"
        QTest::newRow("gru") << "gru";
        QTest::newRow("decoder") << "decoder";
        QTest::newRow("bundled") << "bundled";
    }
    void chatAndCompletion() {
        QFETCH(QString, model);
        const QString path = model == QLatin1String("gru")       ? gruPath
                             : model == QLatin1String("decoder") ? decoderPath
                                                                 : ModelRegistry::bundledModelPath();
        if (path.isEmpty()) QSKIP("the bundled model (resources/models/kmlm-gru-ko.gguf) is not there");
        load(path);
        MainWindow window(services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ChatPage* chat = window.chatPage();
        chat->newChat();

        // Token count of the prompt, from the engine thread.
        QSignalSpy counted(engine, &EngineController::tokenCount);
        typeText(chat->composer(), QStringLiteral("안녕하세요"));
        QTRY_VERIFY_WITH_TIMEOUT(!counted.isEmpty(), kSlow);
        QVERIFY(counted.last().at(1).toInt() > 0);

        // Send with Enter; the answer streams into the view and is stored.
        QSignalSpy finished(session, &ChatSession::answerFinished);
        QTest::keyClick(chat->composer(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kSlow);
        QVector<ChatMessage> messages = session->messages();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).text, QStringLiteral("안녕하세요"));
        QCOMPARE(messages.at(1).role, QStringLiteral("assistant"));
        chat->view()->renderNow();
        QVERIFY(chat->view()->toPlainText().contains(QStringLiteral("tokens/s")));

        // Regenerate: a second answer, the first one kept as an alternative.
        QVERIFY(session->regenerate());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kSlow);
        messages = session->messages();
        QCOMPARE(messages.last().variantCount, 2);
        chat->view()->renderNow();
        QVERIFY(chat->view()->toPlainText().contains(QStringLiteral("2/2")));

        // The editor asks the engine for a continuation; the document stays as typed.
        window.tabs()->setCurrentWidget(window.editorPage());
        GhostEditor* editor = window.editorPage()->editor();
        QSignalSpy generated(engine, &EngineController::generationFinished);
        editor->setPlainText(QStringLiteral("오늘은 날씨가"));
        editor->moveCursor(QTextCursor::End);
        editor->requestCompletion();
        QTRY_VERIFY_WITH_TIMEOUT(!generated.isEmpty(), kSlow);
        QCOMPARE(editor->toPlainText(), QStringLiteral("오늘은 날씨가"));
        const QString ghost = editor->ghostText();
        qInfo("%s: answer \"%s\", completion \"%s\"", qPrintable(model), qPrintable(messages.last().text.left(60)), qPrintable(ghost));
        QTest::keyClick(editor, Qt::Key_Tab);
        if (!ghost.isEmpty()) QCOMPARE(editor->toPlainText(), QStringLiteral("오늘은 날씨가") + ghost);
        editor->document()->setModified(false);
    }

    void settingsListModels() {
        SettingsDialog dialog(services());
        models->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!models->isRefreshing() && models->models().size() >= 2, kSlow);
        QTreeWidget* list = dialog.modelList();
        QStringList names, estimates;
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            names << list->topLevelItem(i)->text(0);
            estimates << list->topLevelItem(i)->text(6);
        }
        QVERIFY2(names.filter(QStringLiteral("tiny-llama")).size() == 1, qPrintable(names.join(QLatin1Char(','))));
        for (const QString& e : estimates)
            QVERIFY2(e.endsWith(QLatin1String("MB")) || e.endsWith(QLatin1String("GB")) || e.endsWith(QLatin1String("KB")), qPrintable(e));
    }

    // Ctrl+F searches the text of every chat (full text), a hit opens its chat, Ctrl+N
    // starts a new one.
    void searchAndShortcuts() {
        const qint64 market = store->createConversation(QStringLiteral("시장 구경"));
        store->addMessage(market, QStringLiteral("user"), QStringLiteral("광장시장 빈대떡이 맛있나요?"));
        const qint64 river = store->createConversation(QStringLiteral("산책"));
        store->addMessage(river, QStringLiteral("user"), QStringLiteral("한강 공원에서 자전거를 타고 싶어요."));
        MainWindow window(services());
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        ChatPage* chat = window.chatPage();
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(chat->searchField()->hasFocus());
        typeText(chat->searchField(), QStringLiteral("빈대떡"));
        QAbstractItemModel* list = chat->conversationList()->model();
        QTRY_COMPARE_WITH_TIMEOUT(list->rowCount(), 1, 10000);
        const QModelIndex hit = list->index(0, 0);
        QCOMPARE(hit.data(ConversationListModel::IdRole).toLongLong(), market);
        QVERIFY(hit.data(ConversationListModel::SnippetRole).toString().contains(QStringLiteral("빈대떡")));
        QTest::mouseClick(chat->conversationList()->viewport(), Qt::LeftButton, {}, chat->conversationList()->visualRect(hit).center());
        QCOMPARE(session->conversationId(), market);
        QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(session->conversationId(), 0);
    }

    // A search hit in an early message of a long chat: clicking it scrolls up to that
    // message and highlights it.
    void searchHitShowsTheMessage() {
        const qint64 id = store->createConversation(QStringLiteral("경주 여행"));
        store->addMessage(id, QStringLiteral("user"), QStringLiteral("첨성대는 언제 지어졌나요?"));
        const qint64 hitMessage = store->addMessage(id, QStringLiteral("assistant"), QStringLiteral("선덕여왕 때 지어진 천문대입니다."));
        for (int i = 0; i < 30; ++i) {
            store->addMessage(id, QStringLiteral("user"), QStringLiteral("더 알려 주세요."));
            store->addMessage(id, QStringLiteral("assistant"), QStringLiteral("불국사와 석굴암도 둘러보세요. ").repeated(8));
        }
        MainWindow window(services());
        window.resize(900, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ChatPage* chat = window.chatPage();
        typeText(chat->searchField(), QStringLiteral("천문대"));
        QAbstractItemModel* list = chat->conversationList()->model();
        QTRY_COMPARE_WITH_TIMEOUT(list->rowCount(), 1, 10000);
        const QModelIndex hit = list->index(0, 0);
        QCOMPARE(hit.data(ConversationListModel::MessageIdRole).toLongLong(), hitMessage);
        QTest::mouseClick(chat->conversationList()->viewport(), Qt::LeftButton, {}, chat->conversationList()->visualRect(hit).center());
        QCOMPARE(session->conversationId(), id);
        ChatView* view = chat->view();
        QVERIFY(view->verticalScrollBar()->maximum() > 0);
        QVERIFY(view->verticalScrollBar()->value() < view->verticalScrollBar()->maximum());
        const QList<QTextEdit::ExtraSelection> highlighted = view->extraSelections();
        QCOMPARE(highlighted.size(), 1);
        QCOMPARE(highlighted.first().cursor.selectedText(), QStringLiteral("천문대"));
        // The matching message is on screen.
        QTextCursor match = view->document()->find(QStringLiteral("천문대"));
        QVERIFY(view->viewport()->rect().intersects(view->cursorRect(match)));
        QTRY_VERIFY_WITH_TIMEOUT(view->extraSelections().isEmpty(), 10000);
    }

    // Deleting a chat happens at once and can be undone: with the notice's button or with
    // Ctrl+Z in the list.
    void deleteAndUndo() {
        const qint64 id = store->createConversation(QStringLiteral("지울 대화"));
        store->addMessage(id, QStringLiteral("user"), QStringLiteral("지워도 돼요."));
        MainWindow window(services());
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        ChatPage* chat = window.chatPage();
        const auto listed = [this, id] {
            const QVector<ConversationInfo> all = store->conversations();
            return std::any_of(all.begin(), all.end(), [id](const ConversationInfo& c) { return c.id == id; });
        };
        chat->openConversation(id);
        QVERIFY(!chat->undoBar()->isVisible());

        chat->deleteConversation(id);
        QVERIFY(!listed());
        QCOMPARE(session->conversationId(), 0);
        QVERIFY(chat->undoBar()->isVisible());
        auto* undo = chat->undoBar()->findChild<QPushButton*>();
        QVERIFY(undo);
        QTest::mouseClick(undo, Qt::LeftButton);
        QVERIFY(listed());
        QCOMPARE(session->conversationId(), id);
        QCOMPARE(session->messages().size(), 1);
        QVERIFY(!chat->undoBar()->isVisible());

        // From the keyboard: Delete, then Ctrl+Z, in the list.
        QListView* view = chat->conversationList();
        view->setFocus();
        QTRY_VERIFY(view->hasFocus());
        auto* model = qobject_cast<ConversationListModel*>(view->model());
        view->setCurrentIndex(model->index(model->rowOf(id)));
        QTest::keyClick(view, Qt::Key_Delete);
        QVERIFY(!listed());
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(listed());
    }

    // Settings' default system prompt goes with new chats, and a change applies at once.
    void newChatGetsTheDefaultSystemPrompt() {
        load(gruPath);
        MainWindow window(services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString prompt = QStringLiteral("당신은 친절한 한국어 도우미입니다.");
        settings->setDefaultSystemPrompt(prompt);
        ChatPage* chat = window.chatPage();
        chat->newChat();
        QSignalSpy finished(session, &ChatSession::answerFinished);
        typeText(chat->composer(), QStringLiteral("안녕"));
        QTest::keyClick(chat->composer(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kSlow);
        QCOMPARE(store->conversation(session->conversationId())->systemPrompt, prompt);
        settings->setDefaultSystemPrompt(QString());
        chat->newChat();
        typeText(chat->composer(), QStringLiteral("안녕"));
        QTest::keyClick(chat->composer(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kSlow);
        QCOMPARE(store->conversation(session->conversationId())->systemPrompt, QString());
    }

    // Choosing 한국어 in Settings relabels the open window at once, without a restart, and
    // English brings the English texts back.
    void languageSwitchesLive() {
        settings->setUiLanguage(QStringLiteral("en"));
        Appearance::installTranslations(QStringLiteral("en"));
        MainWindow window(services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ChatPage* chat = window.chatPage();
        chat->newChat();
        QCOMPARE(window.tabs()->tabText(0), QStringLiteral("Chat"));

        // Apply: the dialog itself follows too; then close it.
        QString dialogTab;
        QTimer::singleShot(0, &window, [&window, &dialogTab] {
            auto* dialog = window.findChild<SettingsDialog*>();
            QVERIFY(dialog);
            auto* language = dialog->findChild<QComboBox*>(QStringLiteral("language"));
            QVERIFY(language);
            language->setCurrentIndex(language->findData(QStringLiteral("ko")));
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Apply)->click();
            QCoreApplication::processEvents(); // the posted QEvent::LanguageChange
            dialogTab = dialog->tabs()->tabText(0);
            dialog->accept();
        });
        window.showSettings();
        QCOMPARE(settings->uiLanguage(), QStringLiteral("ko"));

        const auto korean = [](const char* context, const char* english) {
            const QString text = QCoreApplication::translate(context, english);
            if (text == QLatin1String(english)) qWarning("no Korean for %s", english);
            return text;
        };
        QTRY_COMPARE(window.tabs()->tabText(0), korean("kmlm::ui::MainWindow", "Chat")); // LanguageChange is posted
        QCOMPARE(window.tabs()->tabText(1), korean("kmlm::ui::MainWindow", "Editor"));
        QCOMPARE(window.menuBar()->actions().first()->text(), korean("kmlm::ui::MainWindow", "&File"));
        QCOMPARE(chat->searchField()->placeholderText(), korean("kmlm::ui::ChatPage", "Search all chats"));
        QCOMPARE(chat->composer()->placeholderText(),
                 korean("kmlm::ui::Composer", "Type a message. Enter sends, Shift+Enter starts a new line."));
        QCOMPARE(window.editorPage()->editor()->placeholderText(),
                 korean("kmlm::ui::EditorPage", "Write here. When you pause, the model proposes how to go on."));
        QVERIFY(chat->view()->toPlainText().contains(korean("kmlm::ui::ChatView", "What would you like to ask?")));
        QCOMPARE(dialogTab, korean("kmlm::ui::SettingsDialog", "Models"));
        QVERIFY(window.tabs()->tabText(0) != QLatin1String("Chat"));

        settings->setUiLanguage(QStringLiteral("en"));
        Appearance::installTranslations(QStringLiteral("en"));
        QTRY_COMPARE(window.tabs()->tabText(0), QStringLiteral("Chat"));
        QCOMPARE(chat->searchField()->placeholderText(), QStringLiteral("Search all chats"));
    }

    // Esc stops the answer; what was written so far stays, marked stopped.
    void escStops() {
        load(decoderPath);
        SamplingSettings longAnswer = session->sampling();
        longAnswer.maxTokens = 4000;
        session->setDefaultSampling(longAnswer);
        MainWindow window(services());
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.chatPage()->newChat();
        QSignalSpy finished(session, &ChatSession::answerFinished);
        typeText(window.chatPage()->composer(), QStringLiteral("길게 써 주세요"));
        QTest::keyClick(window.chatPage()->composer(), Qt::Key_Return);
        QVERIFY(session->isGenerating());
        QTest::keyClick(&window, Qt::Key_Escape);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kSlow);
        session->setDefaultSampling(settings->sampling());
        QCOMPARE(finished.at(0).at(1).value<GenerationResult>().reason, StopReason::Cancelled);
        QCOMPARE(session->messages().last().state, MessageState::Stopped);
        window.chatPage()->view()->renderNow();
        QVERIFY(window.chatPage()->view()->toPlainText().contains(QStringLiteral("stopped")));
    }

    // Switching to the dark theme recolours the code blocks (KSyntaxHighlighting's dark theme).
    void themeSwitchRecoloursCode() {
        Appearance::applyTheme(AppSettings::Theme::Light);
        const qint64 id = store->createConversation(QStringLiteral("코드"));
        store->addMessage(id, QStringLiteral("user"), QStringLiteral("예제"));
        store->addMessage(id, QStringLiteral("assistant"), QStringLiteral("```python\nprint(1)\n```"));
        MainWindow window(services());
        window.show();
        session->setConversation(id);
        ChatView* view = window.chatPage()->view();
        const auto codeBackground = [view] {
            QTextCursor found = view->document()->find(QStringLiteral("print"));
            QTextTable* table = found.currentTable();
            return table ? table->cellAt(found).format().background().color().lightness() : -1;
        };
        QVERIFY(codeBackground() > 128);
        Appearance::applyTheme(AppSettings::Theme::Dark);
        QTRY_VERIFY(codeBackground() >= 0 && codeBackground() < 128);
        Appearance::applyTheme(AppSettings::Theme::Light);
    }

    void geometryIsRemembered() {
        {
            MainWindow window(services());
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(900, 610);
            QTRY_COMPARE(window.size(), QSize(900, 610));
            // A fresh document is not "modified": closing asks nothing.
            QVERIFY(!window.editorPage()->editor()->document()->isModified());
            QVERIFY(!window.editorPage()->editor()->document()->isUndoAvailable());
            window.close();
        }
        QVERIFY(!settings->windowGeometry().isEmpty());
        MainWindow again(services());
        QCOMPARE(again.size(), QSize(900, 610));
    }

    void failedLoadKeepsTheModel() {
        load(gruPath);
        const QString broken = tmp.filePath(QStringLiteral("models/broken.gguf"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("GGUF this is not a model");
        file.close();
        MainWindow window(services());
        window.show();
        QSignalSpy failed(engine, &EngineController::modelLoadFailed);
        window.loadModel(broken);
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), kSlow);
        QCOMPARE(engine->currentModel().path, gruPath);
        auto* warning = window.findChild<QMessageBox*>(QStringLiteral("warning"));
        QVERIFY(warning);
        QVERIFY(warning->text().contains(QStringLiteral("tiny-gru.gguf")));
        warning->close();
    }

    // Export a chat to Markdown and JSON from the Chat menu, and import the JSON back as a
    // new chat with the same messages, which opens.
    void exportAndImport() {
        const QString title = QStringLiteral("서울 여행");
        const qint64 id = store->createConversation(title);
        store->addMessage(id, QStringLiteral("user"), QStringLiteral("경복궁은 몇 시에 열어요?"));
        store->addMessage(id, QStringLiteral("assistant"), QStringLiteral("오전 아홉 시에 엽니다."));
        MainWindow window(services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ChatPage* chat = window.chatPage();
        QTemporaryDir out;
        QVERIFY(out.isValid());
        QStringList suggested;
        QString importPath;
        chat->setPathChoosers(
            [&](const QString&, const QString& name, const QString&) {
                suggested << QFileInfo(name).fileName();
                return out.filePath(QFileInfo(name).fileName());
            },
            [&](const QString&, const QString&) { return importPath; });
        const auto chatAction = [&window](const char* text) -> QAction* {
            QMenu* menu = window.menuBar()->actions().at(1)->menu();
            for (QAction* a : menu->actions())
                if (a->text() == QCoreApplication::translate("kmlm::ui::MainWindow", text)) return a;
            return nullptr;
        };
        const auto read = [](const QString& path) {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };

        chat->openConversation(id);
        QAction* markdown = chatAction("Export as &Markdown…");
        QAction* json = chatAction("Export as &JSON…");
        QVERIFY(markdown && json);
        QVERIFY(markdown->isEnabled());
        markdown->trigger();
        json->trigger();
        QCOMPARE(suggested, QStringList({title + QStringLiteral(".md"), title + QStringLiteral(".json")}));
        const QString md = read(out.filePath(suggested.at(0)));
        QVERIFY2(md.contains(title) && md.contains(QStringLiteral("경복궁은 몇 시에 열어요?")) &&
                     md.contains(QStringLiteral("오전 아홉 시에 엽니다.")),
                 qPrintable(md));
        const QString exported = read(out.filePath(suggested.at(1)));
        const QJsonObject root = QJsonDocument::fromJson(exported.toUtf8()).object();
        QCOMPARE(root.value(QStringLiteral("title")).toString(), title);
        QVERIFY(exported.contains(QStringLiteral("오전 아홉 시에 엽니다.")));

        const int before = store->conversations().size();
        importPath = out.filePath(suggested.at(1));
        QAction* import = chatAction("&Import chat…");
        QVERIFY(import);
        import->trigger();
        QCOMPARE(store->conversations().size(), before + 1);
        const qint64 imported = session->conversationId();
        QVERIFY(imported != 0 && imported != id);
        QCOMPARE(store->conversation(imported)->title, title);
        const QVector<ChatMessage> original = store->messages(id), copy = session->messages();
        QCOMPARE(copy.size(), original.size());
        for (int i = 0; i < copy.size(); ++i) {
            QCOMPARE(copy.at(i).role, original.at(i).role);
            QCOMPARE(copy.at(i).text, original.at(i).text);
        }
        QCOMPARE(chat->conversationList()->currentIndex().data(ConversationListModel::IdRole).toLongLong(), imported);
        QVERIFY(!window.findChild<QMessageBox*>(QStringLiteral("warning")));

        // A new chat has nothing to export yet.
        chat->newChat();
        QVERIFY(!markdown->isEnabled());
    }

    // Export to a folder that does not exist: a warning says where and why.
    void exportWriteErrorIsShown() {
        const qint64 id = store->createConversation(QStringLiteral("저장 실패"));
        store->addMessage(id, QStringLiteral("user"), QStringLiteral("안녕하세요"));
        MainWindow window(services());
        ChatPage* chat = window.chatPage();
        const QString path = tmp.filePath(QStringLiteral("no/such/folder/chat.md"));
        chat->setPathChoosers([&](const QString&, const QString&, const QString&) { return path; }, {});
        chat->exportMarkdown(id);
        std::unique_ptr<QMessageBox> warning(window.findChild<QMessageBox*>(QStringLiteral("warning")));
        QVERIFY(warning);
        QVERIFY2(warning->text().contains(QDir::toNativeSeparators(path)), qPrintable(warning->text()));
        QVERIFY(!QFile::exists(path));
    }

    void importRejectsBadFiles_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not json") << QStringLiteral("이건 대화가 아니에요").toUtf8();
        QTest::newRow("json array") << QByteArray("[1, 2, 3]");
        QTest::newRow("truncated") << QByteArray("{\"title\": \"잘린 파일\", \"messages\": [{\"role\": \"user\"");
        QTest::newRow("another format") << QByteArray("{\"title\": \"이상한 파일\", \"messages\": []}");
        QTest::newRow("messages not a list") << QByteArray(
            "{\"format\": \"korean-mini-lm-chat\", \"version\": 1, \"title\": \"이상한 파일\", \"messages\": 7}");
    }
    // A file that is not an exported chat: the store's reason in a warning, nothing added.
    void importRejectsBadFiles() {
        QFETCH(QByteArray, content);
        const QString path = tmp.filePath(QStringLiteral("bad.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(content);
        file.close();
        MainWindow window(services());
        ChatPage* chat = window.chatPage();
        chat->newChat();
        chat->setPathChoosers({}, [&](const QString&, const QString&) { return path; });
        const int before = store->conversations().size();
        chat->importChat();
        QCOMPARE(store->conversations().size(), before);
        QCOMPARE(session->conversationId(), 0);
        std::unique_ptr<QMessageBox> warning(window.findChild<QMessageBox*>(QStringLiteral("warning")));
        QVERIFY(warning);
        QVERIFY(!store->errorString().isEmpty());
        QVERIFY2(warning->text().contains(store->errorString()), qPrintable(warning->text()));
    }
};

QTEST_MAIN(TestAppFlow)
#include "tst_appflow.moc"
