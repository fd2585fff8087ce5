// Screenshots of the main views, light and dark, Korean and English, written to
// $KMLM_TEST_OUTPUT/screenshots (with "-1.5x" in the names under QT_SCALE_FACTOR=1.5): the chat
// with a long Korean answer, a table and a code block, a Qwen3 answer with its reasoning folded
// and unfolded, the empty state of a new chat, the completion editor with ghost text, and the
// settings. Also checks that the views come up populated.
#include "appearance.h"
#include "appsettings.h"
#include "chatpage.h"
#include "chatsession.h"
#include "chatstore.h"
#include "chatview.h"
#include "completionprovider.h"
#include "composer.h"
#include "editorpage.h"
#include "enginecontroller.h"
#include "ghosteditor.h"
#include "mainwindow.h"
#include "memorymeterwidget.h"
#include "memorymonitor.h"
#include "modelregistry.h"
#include "settingsdialog.h"
#include "ui_test.h"

#include <QApplication>
#include <QDir>
#include <QFontDatabase>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>

using namespace kmlm::core;
using namespace kmlm::ui;

using ui_test::typeText;

namespace {
class ScriptedProvider : public CompletionProvider {
public:
    QString reply;
    void request(quint64 id, const QString&) override { emit textArrived(id, reply); }
    void cancel(quint64) override {}
};

} // namespace

class TestScreenshots : public QObject {
    Q_OBJECT

    QTemporaryDir tmp;
    QString outDir;
    AppSettings* settings = nullptr;
    ChatStore* store = nullptr;
    EngineController* engine = nullptr;
    ChatSession* session = nullptr;
    ModelRegistry* models = nullptr;
    MemoryMonitor* memory = nullptr;
    qint64 conversation = 0;
    qint64 picnic = 0;
    qint64 reasoning = 0;
    qint64 reasoningAnswer = 0;
    QString suffix; // "-1.5x" at a scale factor of 1.5

    AppServices services() const { return AppServices{settings, engine, store, session, models, memory}; }

    void save(QWidget* w, const QString& name) {
        QApplication::processEvents();
        const QImage image = w->grab().toImage();
        QVERIFY(!image.isNull());
        const QString path = outDir + QLatin1Char('/') + name + suffix + QStringLiteral(".png");
        QVERIFY2(image.save(path), qPrintable(path));
        qInfo("wrote %s", qPrintable(path));
    }

    void fillConversation() {
        conversation = store->createConversation(QStringLiteral("서울 여행 계획"), QStringLiteral("당신은 친절한 한국어 도우미입니다."));
        store->addMessage(conversation, QStringLiteral("user"), QStringLiteral("서울에서 하루 동안 가 볼 만한 곳을 추천해 주세요."));
        picnic = store->createConversation(QStringLiteral("봄 소풍 준비물"));
        store->addMessage(picnic, QStringLiteral("user"), QStringLiteral("소풍 도시락 메뉴를 골라 주세요."));
        const qint64 first =
            store->addMessage(conversation, QStringLiteral("assistant"), QStringLiteral("경복궁과 북촌 한옥마을을 추천합니다."));
        store->addAlternative(
            first, QStringLiteral("## 하루 일정 추천\n\n"
                                  "서울은 600년 넘게 한반도의 중심이었던 도시로, 궁궐과 한옥 골목, 현대적인 고층 건물이 한데 어우러져 "
                                  "있습니다. 하루 일정이라면 아침에는 궁궐을, 낮에는 골목과 시장을, 저녁에는 야경을 보는 순서가 "
                                  "걷는 거리도 짧고 가장 무리가 없습니다.\n\n"
                                  "1. **경복궁**: 아침에 수문장 교대식을 볼 수 있습니다.\n"
                                  "2. **북촌 한옥마을**: 전통 한옥 사이 골목을 걸어 보세요.\n"
                                  "3. **광장시장**: 빈대떡과 마약김밥이 유명합니다.\n\n"
                                  "| 장소 | 추천 시간 |\n|---|---|\n| 경복궁 | 09:00 |\n| 광장시장 | 18:00 |\n\n"
                                  "일정을 계산하는 간단한 코드도 있습니다:\n\n"
                                  "```cpp\n#include <iostream>\n// 이동 시간(분)\nint main() {\n    int minutes = 25 + 15;\n"
                                  "    std::cout << \"총 \" << minutes << \"분\\n\";\n    return 0;\n}\n```\n\n"
                                  "자세한 정보는 [서울 관광](https://korean.visitseoul.net) 사이트를 참고하세요."));
        // A reasoning model's answer (Qwen3): <think>…</think> before the answer.
        reasoning = store->createConversation(QStringLiteral("간단한 계산"));
        store->addMessage(reasoning, QStringLiteral("user"), QStringLiteral("사과 3개에 2개를 더 사면 모두 몇 개인가요?"));
        reasoningAnswer = store->addMessage(
            reasoning, QStringLiteral("assistant"),
            QStringLiteral("<think>\n사용자는 사과 3개를 가지고 있고 2개를 더 샀다. 3 + 2 = 5이다. "
                           "단위는 '개'로 답하면 된다.\n</think>\n\n모두 **5개**입니다. 처음 3개에 2개를 더하면 5개가 됩니다."),
            MessageState::Complete, QStringLiteral("Qwen3-1.7B-Q4_K_M"));
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp.isValid());
        if (qApp->devicePixelRatio() > 1.01) suffix = QStringLiteral("-%1x").arg(qApp->devicePixelRatio());
        const QString base = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath());
        outDir = base + QStringLiteral("/screenshots");
        QVERIFY(QDir().mkpath(outDir));
        if (QFontDatabase().families(QFontDatabase::Korean).isEmpty())
            QWARN("no font with Hangul is installed (fonts-noto-cjk): Korean text will show as boxes");
        Appearance::applyFont(10);
        settings = new AppSettings(tmp.filePath(QStringLiteral("settings.ini")), this);
        settings->setModelsFolder(tmp.filePath(QStringLiteral("models")));
        store = new ChatStore(this);
        QVERIFY2(store->open(tmp.filePath(QStringLiteral("chats.sqlite"))), qPrintable(store->errorString()));
        engine = new EngineController(this);
        session = new ChatSession(store, engine, this);
        models = new ModelRegistry(settings, this);
        // Models for the settings' list and the status bar: the bundled one when it is
        // there, and two small random ones in the models folder.
        QVERIFY(QDir().mkpath(settings->modelsFolder()));
        const QString decoder = ui_test::writeTinyModels(settings->modelsFolder()).second;
        QSignalSpy loaded(engine, &EngineController::modelLoaded);
        engine->loadModel(decoder, settings->engineSettings());
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 60000);
        // The status bar's memory meter, with a few samples for its sparkline.
        memory = new MemoryMonitor(this);
        memory->setEngine(engine);
        for (int i = 0; i < 8; ++i) memory->sampleNow();
        fillConversation();
    }

    void views_data() {
        QTest::addColumn<bool>("dark");
        QTest::addColumn<QString>("language");
        QTest::newRow("light") << false << "en";
        QTest::newRow("dark") << true << "en";
        QTest::newRow("light-ko") << false << "ko";
        QTest::newRow("dark-ko") << true << "ko";
    }
    void views() {
        QFETCH(bool, dark);
        QFETCH(QString, language);
        QVERIFY(Appearance::installTranslations(language));
        const QString theme = QLatin1String(QTest::currentDataTag());
        Appearance::applyTheme(dark ? AppSettings::Theme::Dark : AppSettings::Theme::Light);
        QCOMPARE(Appearance::isDark(), dark);

        MainWindow window(services());
        window.resize(1100, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        session->setConversation(conversation);
        ChatPage* chat = window.chatPage();
        chat->view()->renderNow();
        const QString shown = chat->view()->toPlainText();
        QVERIFY(shown.contains(QStringLiteral("경복궁")));
        QCOMPARE(chat->view()->codeBlocks().size(), 1);
        QVERIFY(shown.contains(QStringLiteral("2/2"))); // the regenerated answer, browsable
        QVERIFY(chat->conversationList()->model()->rowCount() >= 1);
        typeText(chat->composer(), QStringLiteral("고마워요! 저녁 식당도 알려 주세요"));
        save(&window, QStringLiteral("chat-") + theme);
        // The reasoning of a Qwen3 answer: folded, then unfolded.
        session->setConversation(reasoning);
        chat->view()->renderNow();
        QVERIFY(!chat->view()->isReasoningExpanded(reasoningAnswer));
        save(&window, QStringLiteral("chat-reasoning-") + theme);
        emit chat->view()->anchorClicked(QUrl(QStringLiteral("kmlm-think:%1").arg(reasoningAnswer)));
        QVERIFY(chat->view()->isReasoningExpanded(reasoningAnswer));
        QVERIFY(chat->view()->toPlainText().contains(QStringLiteral("3 + 2 = 5")));
        save(&window, QStringLiteral("chat-reasoning-open-") + theme);
        chat->newChat();
        QVERIFY(chat->view()->toPlainText().contains(chat->view()->examplePrompts().first()));
        save(&window, QStringLiteral("chat-new-") + theme);
        chat->view()->setActiveModel(QStringLiteral("kmlm-gru-ko"), true); // the note on the tiny bundled model
        save(&window, QStringLiteral("chat-new-bundled-") + theme);
        chat->view()->setActiveModel(engine->currentModel().name, false);
        session->setConversation(conversation);
        typeText(chat->searchField(), QStringLiteral("빈대떡"));
        QTRY_COMPARE_WITH_TIMEOUT(chat->conversationList()->model()->rowCount(), 1, 10000);
        const QModelIndex hit = chat->conversationList()->model()->index(0, 0);
        QTest::mouseClick(chat->conversationList()->viewport(), Qt::LeftButton, {}, chat->conversationList()->visualRect(hit).center());
        QCOMPARE(chat->view()->extraSelections().size(), 1); // the matching message, highlighted
        save(&window, QStringLiteral("chat-search-") + theme);
        chat->searchField()->clear();
        QTRY_VERIFY_WITH_TIMEOUT(chat->conversationList()->model()->rowCount() >= 2, 10000);

        // A deleted chat, with the notice that can bring it back.
        chat->deleteConversation(picnic);
        QVERIFY(chat->undoBar()->isVisible());
        save(&window, QStringLiteral("chat-deleted-") + theme);
        chat->undoDelete();
        session->setConversation(conversation);

        // The memory meter at its three levels: 1.2 GiB, amber near the guard, red at it.
        constexpr quint64 GiB = 1ull << 30, MiB = 1ull << 20;
        const std::pair<const char*, quint64> levels[] = {
            {"normal", GiB + GiB / 5}, {"warning", 3 * GiB - 200 * MiB}, {"critical", 3 * GiB - 40 * MiB}};
        for (const auto& [level, used] : levels) {
            MemoryMeterWidget meter;
            for (int i = 0; i < 30; ++i) {
                const quint64 now = used - quint64(29 - i) * (used / 100);
                meter.addSample(now, 3 * GiB, GiB, now / 5, now - GiB - now / 5);
            }
            meter.resize(meter.sizeHint());
            save(&meter, QStringLiteral("memorymeter-%1-").arg(QLatin1String(level)) + theme);
        }

        window.tabs()->setCurrentWidget(window.editorPage());
        GhostEditor* editor = window.editorPage()->editor();
        ScriptedProvider provider;
        provider.reply = QStringLiteral(" 봄바람이 살랑이는 오후, 우리는 한강 공원으로 산책을 나섰다.");
        editor->setProvider(&provider);
        editor->setPlainText(QStringLiteral("# 봄날의 기록\n\n벚꽃이 피기 시작하면 서울의 거리는 분홍빛으로 물든다."));
        editor->moveCursor(QTextCursor::End);
        editor->setFocus();
        editor->requestCompletion();
        QCOMPARE(editor->ghostText(), provider.reply);
        save(&window, QStringLiteral("editor-") + theme);
        QVERIFY(!editor->toPlainText().contains(provider.reply));
        editor->setProvider(nullptr);
        editor->document()->setModified(false); // no unsaved-changes question on close

        SettingsDialog dialog(services(), &window);
        models->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!models->isRefreshing(), 20000);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.modelList()->topLevelItemCount() >= 2);
        save(&dialog, QStringLiteral("settings-models-") + theme);
        dialog.tabs()->setCurrentIndex(3);
        save(&dialog, QStringLiteral("settings-appearance-") + theme);
        dialog.close();
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
