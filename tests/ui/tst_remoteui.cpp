// Remote models and the local API server in the window: "Add remote model…" lists the
// models of `kmlm serve` on a loopback port and stores the chosen one (its key in the key
// file), using it streams a chat answer from the server (and regenerates it), a server gone leaves the question
// in the chat with a clear message, and a refused connection, a refused key or a failing
// server while listing each say so; the status bar counts the requests the app's own server
// answered for a loopback client, and says when its port is taken. Writes a screenshot of a
// chat on a remote model ("chat-remote.png", "chat-remote-ko.png").
#include "../server/serve_process.h"
#include "api_client.h"
#include "ui_test.h"

#include "appearance.h"
#include "appsettings.h"
#include "chatpage.h"
#include "chatsession.h"
#include "chatstore.h"
#include "chatview.h"
#include "composer.h"
#include "enginecontroller.h"
#include "localapiserver.h"
#include "mainwindow.h"
#include "modelregistry.h"
#include "remotemodeldialog.h"
#include "settingsdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QTreeWidget>

using namespace kmlm::core;
using namespace kmlm::ui;

using ui_test::typeText;

namespace {
constexpr int kSlow = 120000;
const QString kKey = QStringLiteral("remote-key");
} // namespace

class TestRemoteUi : public QObject {
    Q_OBJECT

    QTemporaryDir tmp;
    QString tinyModel;
    AppSettings* settings = nullptr;
    ChatStore* store = nullptr;
    EngineController* engine = nullptr;
    ChatSession* session = nullptr;
    ModelRegistry* models = nullptr;
    LocalApiServer* apiServer = nullptr;
    qint64 remoteChat = 0; // the screenshot's conversation

    AppServices services() const {
        AppServices s{settings, engine, store, session, models, nullptr};
        s.apiServer = apiServer;
        return s;
    }

    // Fills in and accepts the "Add remote model" dialog once it is open.
    void addRemoteModelThroughTheDialog(SettingsDialog& dialog, const QString& url, const QString& key) {
        bool accepted = false;
        QTimer::singleShot(0, this, [&] {
            auto* add = qobject_cast<RemoteModelDialog*>(QApplication::activeModalWidget());
            QVERIFY(add);
            add->urlEditor()->setText(url);
            add->keyEditor()->setText(key);
            QTest::mouseClick(add->listButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(add->modelChooser()->count() > 0, kSlow);
            QCOMPARE(add->modelChooser()->currentText(), QStringLiteral("tiny"));
            add->accept();
            accepted = true;
        });
        dialog.addRemoteModel();
        QVERIFY(accepted);
    }

    QTreeWidgetItem* findItem(QTreeWidget* list, const QString& text) {
        for (int i = 0; i < list->topLevelItemCount(); ++i)
            if (list->topLevelItem(i)->text(0).contains(text)) return list->topLevelItem(i);
        return nullptr;
    }

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        QVERIFY(tmp.isValid());
        tinyModel = kmlm_test::makeTinyModel(tmp);
        QVERIFY(!tinyModel.isEmpty());
        settings = new AppSettings(tmp.filePath(QStringLiteral("settings.ini")), this);
        settings->setModelsFolder(tmp.filePath(QStringLiteral("models")));
        SamplingSettings sampling = settings->sampling();
        sampling.maxTokens = 16;
        sampling.temperature = 0;
        settings->setSampling(sampling);
        store = new ChatStore(this);
        QVERIFY2(store->open(tmp.filePath(QStringLiteral("chats.sqlite"))), qPrintable(store->errorString()));
        engine = new EngineController(this);
        session = new ChatSession(store, engine, this);
        session->setDefaultSampling(sampling);
        models = new ModelRegistry(settings, this);
        apiServer = new LocalApiServer(engine, this);
    }

    void cleanupTestCase() {
        delete apiServer; // before the engine
        apiServer = nullptr;
    }

    void chatOnARemoteModel() {
        kmlm_test::ServeProcess server;
        QVERIFY2(server.start(tinyModel, {"--api-key", kKey}), qPrintable(server.log()));
        MainWindow window(services());
        window.resize(1080, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        SettingsDialog dialog(services(), &window);
        connect(&dialog, &SettingsDialog::activateModelRequested, &window, &MainWindow::loadModel);
        addRemoteModelThroughTheDialog(dialog, server.baseUrl(), kKey);
        QTreeWidgetItem* item = findItem(dialog.modelList(), QStringLiteral("tiny — remote"));
        QVERIFY(item);
        QCOMPARE(item->text(1), server.baseUrl());
        // The key is in the private key file, not in the settings file.
        settings->sync();
        QFile settingsFile(settings->settingsFile());
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        QVERIFY(!settingsFile.readAll().contains(kKey.toUtf8()));
        QCOMPARE(settings->remoteModels().value(0).apiKey, kKey);

        dialog.modelList()->setCurrentItem(item);
        QSignalSpy loaded(engine, &EngineController::modelLoaded);
        QTest::mouseClick(dialog.useModelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kSlow);
        QVERIFY(engine->currentModel().remote);
        QTRY_VERIFY(findItem(dialog.modelList(), QStringLiteral("tiny — remote, active")));
        QCOMPARE(settings->activeModelPath(), AppSettings::remoteModelPath(server.baseUrl(), QStringLiteral("tiny")));

        // A question typed in the composer: the answer streams from the server.
        ChatPage* chat = window.chatPage();
        chat->newChat();
        QSignalSpy streamed(session, &ChatSession::answerStreamed);
        QSignalSpy finished(session, &ChatSession::answerFinished);
        typeText(chat->composer(), QStringLiteral("서울은 어떤 도시인가요?"));
        QTest::keyClick(chat->composer(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kSlow);
        QVERIFY(!streamed.isEmpty());
        const GenerationResult answer = finished.at(0).at(1).value<GenerationResult>();
        QVERIFY2(answer.errorMessage.isEmpty(), qPrintable(answer.errorMessage));
        QCOMPARE(answer.model, QStringLiteral("tiny"));
        QVector<ChatMessage> messages = session->messages();
        QCOMPARE(messages.size(), 2);
        QVERIFY(!messages.at(1).text.isEmpty());
        // Regenerate: a second answer from the server, the first kept beside it.
        QVERIFY(session->regenerate());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kSlow);
        QVERIFY(finished.at(1).at(1).value<GenerationResult>().errorMessage.isEmpty());
        QCOMPARE(session->messages().last().variantCount, 2);

        // The server goes away: the next question stays in the chat, with a clear message.
        server.kill();
        QSignalSpy errors(session, &ChatSession::errorOccurred);
        typeText(chat->composer(), QStringLiteral("그럼 부산은요?"));
        QTest::keyClick(chat->composer(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kSlow);
        QVERIFY(!errors.isEmpty());
        const QString message = errors.last().at(0).toString();
        QVERIFY2(message.startsWith(QStringLiteral("Cannot connect to the server")), qPrintable(message));
        messages = session->messages();
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages.at(2).text, QStringLiteral("그럼 부산은요?"));
        QCOMPARE(messages.at(3).state, MessageState::Error);

        // Removing the remote model removes its key.
        QTreeWidgetItem* remote = findItem(dialog.modelList(), QStringLiteral("tiny — remote"));
        dialog.modelList()->setCurrentItem(remote);
        QTest::mouseClick(dialog.removeModelButton(), Qt::LeftButton);
        QVERIFY(settings->remoteModels().isEmpty());
        QVERIFY(!findItem(dialog.modelList(), QStringLiteral("remote")));
        QFile keys(settings->keyFile());
        QVERIFY(!keys.exists() || (keys.open(QIODevice::ReadOnly) && !keys.readAll().contains(kKey.toUtf8())));
    }

    // Each way listing can fail gets its message in the dialog, and nothing can be chosen.
    void listingFailures_data() {
        QTest::addColumn<QString>("server"); // "none", "other-key" (kmlm serve), "500" (a fake server)
        QTest::addColumn<QString>("expected");
        QTest::newRow("refused") << "none"
                                 << "Cannot connect to the server";
        QTest::newRow("401") << "other-key"
                             << "The server refused the API key";
        QTest::newRow("500") << "500"
                             << "The server failed";
    }
    void listingFailures() {
        QFETCH(QString, server);
        QFETCH(QString, expected);
        kmlm_test::ServeProcess serve;
        QTcpServer fake; // answers every request with a 500 in OpenAI's shape
        QString url;
        if (server == QLatin1String("other-key")) {
            QVERIFY2(serve.start(tinyModel, {"--api-key", "other-key"}), qPrintable(serve.log()));
            url = serve.baseUrl();
        } else {
            QVERIFY(fake.listen(QHostAddress::LocalHost));
            url = QStringLiteral("http://127.0.0.1:%1/v1").arg(fake.serverPort());
            if (server == QLatin1String("none")) fake.close(); // nothing listens there now
            connect(&fake, &QTcpServer::newConnection, &fake, [&fake] {
                QTcpSocket* socket = fake.nextPendingConnection();
                connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    socket->readAll();
                    const QByteArray body = R"({"error": {"message": "out of GPU memory", "type": "server_error"}})";
                    socket->write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                  "Content-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    socket->disconnectFromHost();
                });
            });
        }
        RemoteModelDialog dialog;
        QSignalSpy listed(&dialog, &RemoteModelDialog::modelsListed);
        dialog.urlEditor()->setText(url);
        dialog.keyEditor()->setText(kKey);
        QTest::mouseClick(dialog.listButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 1, kSlow);
        QVERIFY2(dialog.statusLabel()->text().startsWith(expected), qPrintable(dialog.statusLabel()->text()));
        QVERIFY(!dialog.statusLabel()->text().contains(kKey));
        QCOMPARE(dialog.modelChooser()->count(), 0);
        if (server == QLatin1String("500")) QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("out of GPU memory")));
    }

    // The status bar: off, then the port and the count once a loopback client was answered.
    void statusCountsRequests() {
        QSignalSpy loaded(engine, &EngineController::modelLoaded);
        engine->loadModel(tinyModel, settings->engineSettings());
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kSlow);
        MainWindow window(services());
        window.show();
        QLabel* status = window.apiServerStatus();
        QVERIFY(status);
        QCOMPARE(status->text(), QStringLiteral("API server: off"));

        apiServer->start(0, kKey);
        const int port = apiServer->port();
        QCOMPARE(status->text(), QStringLiteral("API server: 127.0.0.1:%1, 0 served").arg(port));
        QNetworkAccessManager network;
        const QJsonObject body{{QStringLiteral("prompt"), QStringLiteral("옛날 옛적에")}, {QStringLiteral("max_tokens"), 4}};
        QNetworkReply* reply = kmlm_test::postApi(network, port, QStringLiteral("/completions"), body, kKey);
        kmlm_test::waitReply(reply, kSlow);
        QCOMPARE(kmlm_test::httpStatus(reply), 200);
        delete reply;
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("API server: 127.0.0.1:%1, 1 served").arg(port), kSlow);

        // A port another program holds: the indicator says so.
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        apiServer->start(taken.serverPort(), {});
        QCOMPARE(status->text(), QStringLiteral("API server: port %1 is taken").arg(taken.serverPort()));
        QVERIFY(status->toolTip().contains(QStringLiteral("another port")));
        apiServer->stop();
        QCOMPARE(status->text(), QStringLiteral("API server: off"));
    }

    // The settings switch the server on and off (on a port free a moment ago).
    void settingsSwitchTheServer() {
        MainWindow window(services());
        int freePort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            freePort = probe.serverPort();
        }
        SettingsDialog dialog(services(), &window);
        connect(&dialog, &SettingsDialog::apiServerChanged, &window, &MainWindow::applyApiServerSettings);
        QVERIFY(!dialog.apiServerSwitch()->isChecked());
        QCOMPARE(dialog.apiPortEditor()->value(), kDefaultApiPort);
        dialog.apiServerSwitch()->setChecked(true);
        dialog.apiPortEditor()->setValue(freePort);
        dialog.apply();
        QCOMPARE(apiServer->state(), LocalApiServer::State::Serving);
        QCOMPARE(apiServer->port(), freePort);
        dialog.apiServerSwitch()->setChecked(false);
        dialog.apply();
        QCOMPARE(apiServer->state(), LocalApiServer::State::Off);
        QVERIFY(!settings->apiServerEnabled());
    }

    // A chat on a remote model, for the documentation, in English and Korean: the status bar
    // names the server and shows the local API server serving.
    void screenshot_data() {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << "en";
        QTest::newRow("ko") << "ko";
    }
    void screenshot() {
        QFETCH(QString, language);
        QVERIFY(Appearance::installTranslations(language));
        kmlm_test::ServeProcess server;
        QVERIFY2(server.start(tinyModel), qPrintable(server.log()));
        RemoteModelSettings remote;
        remote.baseUrl = server.baseUrl();
        remote.model = QStringLiteral("tiny");
        QSignalSpy loaded(engine, &EngineController::modelLoaded);
        engine->loadRemoteModel(remote);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kSlow);
        if (!remoteChat) { // one conversation for every language's picture
            remoteChat = store->createConversation(QStringLiteral("원격 모델과 대화"));
            store->addMessage(remoteChat, QStringLiteral("user"),
                              QStringLiteral("GPU 서버의 모델로 답해 주세요: 한국의 수도는 어디인가요?"));
            store->addMessage(remoteChat, QStringLiteral("assistant"),
                              QStringLiteral("한국의 수도는 **서울**입니다. 이 답은 다른 컴퓨터의 서버(OpenAI 호환 API)에서 "
                                             "스트리밍되었고, 이 컴퓨터의 메모리는 거의 쓰지 않았습니다."),
                              MessageState::Complete, QStringLiteral("tiny"));
        }
        MainWindow window(services());
        apiServer->start(0, {}); // after the window, which applies the settings (off)
        window.resize(1080, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.chatPage()->openConversation(remoteChat);
        window.chatPage()->view()->renderNow();
        QApplication::processEvents();
        const QString suffix = qApp->devicePixelRatio() > 1.01 ? QStringLiteral("-%1x").arg(qApp->devicePixelRatio()) : QString();
        const QString outDir = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath()) + QStringLiteral("/screenshots");
        QVERIFY(QDir().mkpath(outDir));
        const QString name = language == QLatin1String("ko") ? QStringLiteral("/chat-remote-ko") : QStringLiteral("/chat-remote");
        const QString path = outDir + name + suffix + QStringLiteral(".png");
        QVERIFY2(window.grab().toImage().save(path), qPrintable(path));
        qInfo("wrote %s", qPrintable(path));
        apiServer->stop();
        QVERIFY(Appearance::installTranslations(QStringLiteral("en")));
    }
};

QTEST_MAIN(TestRemoteUi)
#include "tst_remoteui.moc"
