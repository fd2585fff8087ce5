// The desktop app end to end on the engine thread, with small random-weight models (the GRU
// and a decoder): a question typed in the composer is answered and shown with its speed,
// regenerating keeps both answers, the editor gets a completion, the settings list the
// models with their memory estimates, and a model that fails to load leaves the previous one.
#include "appsettings.h"
#include "chatpage.h"
#include "chatsession.h"
#include "chatstore.h"
#include "chatview.h"
#include "composer.h"
#include "editorpage.h"
#include "enginecontroller.h"
#include "ghosteditor.h"
#include "ui_test.h"
#include "mainwindow.h"
#include "modelregistry.h"
#include "settingsdialog.h"

#include <QApplication>
#include <QFile>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>

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
        QTest::addColumn<bool>("decoder");
        QTest::newRow("gru") << false;
        QTest::newRow("decoder") << true;
    }
    void chatAndCompletion() {
        QFETCH(bool, decoder);
        load(decoder ? decoderPath : gruPath);
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
        QTest::keyClick(editor, Qt::Key_Tab);
        if (!ghost.isEmpty())
            QCOMPARE(editor->toPlainText(), QStringLiteral("오늘은 날씨가") + ghost);
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
};

QTEST_MAIN(TestAppFlow)
#include "tst_appflow.moc"
