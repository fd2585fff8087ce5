// The app's local API server on the engine thread: an API request streamed while a chat
// answer streams (both complete, in turn), a client that goes away cancels its request,
// /v1/models follows the active model, the key is asked, a port in use is a clear error.
#include "api_client.h"
#include "engine_signals.h"
#include "kmlm_test.h"

#include "enginecontroller.h"
#include "localapiserver.h"

#include "kmlm/model_random.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace kmlm::core;

namespace {

constexpr int kWait = 60000;
const QString kKey = QStringLiteral("local-key");

using kmlm_test::finished;
using kmlm_test::waitFinished;

QString writeModel(const QTemporaryDir& dir, const std::string& name) {
    kmlm::RandomModelSpec spec;
    spec.name = name;
    spec.type = "Q8_0";
    const QString path = dir.filePath(QString::fromStdString(name) + QStringLiteral(".gguf"));
    kmlm::write_random_model(spec, kmlm_test::toPath(path));
    return path;
}

QJsonObject chatBody(int maxTokens, bool stream) {
    return QJsonObject{{QStringLiteral("model"), QStringLiteral("any")},
                       {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                           {QStringLiteral("content"), QStringLiteral("안녕하세요")}}}},
                       {QStringLiteral("max_tokens"), maxTokens},
                       {QStringLiteral("temperature"), 0},
                       {QStringLiteral("ignore_eos"), true},
                       {QStringLiteral("stream"), stream}};
}

// The text of a streamed chat answer: the delta contents of its "data:" events.
QString streamedContent(const QByteArray& body, bool* done) {
    QString text;
    *done = false;
    for (const QByteArray& line : body.split('\n')) {
        if (!line.startsWith("data: ")) continue;
        const QByteArray data = line.mid(6).trimmed();
        if (data == "[DONE]") {
            *done = true;
            continue;
        }
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        text += chunk[QStringLiteral("choices")]
                    .toArray()
                    .at(0)
                    .toObject()[QStringLiteral("delta")]
                    .toObject()[QStringLiteral("content")]
                    .toString();
    }
    return text;
}

QString streamedText(const QSignalSpy& spy, quint64 id) {
    QString text;
    for (const QList<QVariant>& args : spy)
        if (args.at(0).toULongLong() == id) text += args.at(1).toString();
    return text;
}

} // namespace

class TestApiServer : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model, m_other;

    static bool load(EngineController& engine, const QString& path) {
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        engine.loadModel(path, EngineSettings());
        return loaded.wait(kWait);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_model = writeModel(m_dir, "tiny-api");
        m_other = writeModel(m_dir, "tiny-other");
    }

    void apiRequestBesideAChatAnswer() {
        EngineController engine;
        QVERIFY(load(engine, m_model));
        LocalApiServer server(&engine);
        server.start(0, kKey);
        QCOMPARE(server.state(), LocalApiServer::State::Serving);
        QVERIFY(server.port() > 0);
        QSignalSpy served(&server, &LocalApiServer::requestsServedChanged);

        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        SamplingSettings sampling;
        sampling.temperature = 0;
        sampling.maxTokens = 160; // long enough to be streaming still when the API request comes
        const quint64 chat = engine.newRequestId();
        engine.startChat(chat, {{QStringLiteral("user"), QStringLiteral("반가워요")}}, QString(), sampling);
        QVERIFY(streamed.wait(kWait)); // the chat answer is streaming

        QNetworkAccessManager network;
        QNetworkReply* reply = kmlm_test::postApi(network, server.port(), QStringLiteral("/chat/completions"), chatBody(16, true), kKey);
        const QByteArray body = kmlm_test::waitReply(reply);
        QCOMPARE(kmlm_test::httpStatus(reply), 200);
        bool complete = false;
        const QString apiText = streamedContent(body, &complete);
        QVERIFY2(complete, body.constData());
        QVERIFY(!apiText.isEmpty());
        QVERIFY(apiText.isValidUtf16());

        QVERIFY(waitFinished(done, chat));
        const GenerationResult r = *finished(done, chat);
        QVERIFY2(r.reason == StopReason::EndOfText || r.reason == StopReason::MaxTokens, qPrintable(r.errorMessage));
        QCOMPARE(r.text, streamedText(streamed, chat));
        // The API request's text went to its client, never to the chat's signals.
        for (const QList<QVariant>& args : streamed) QCOMPARE(args.at(0).toULongLong(), chat);
        QCOMPARE(done.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.requestsServed(), quint64(1), kWait);
        QCOMPARE(served.size(), 1);
        delete reply;
    }

    void nonStreamedAnswerMatchesItsUsage() {
        EngineController engine;
        QVERIFY(load(engine, m_model));
        LocalApiServer server(&engine);
        server.start(0, {});
        QNetworkAccessManager network;
        QNetworkReply* reply = kmlm_test::postApi(network, server.port(), QStringLiteral("/chat/completions"), chatBody(5, false));
        const QJsonObject answer = QJsonDocument::fromJson(kmlm_test::waitReply(reply)).object();
        QCOMPARE(kmlm_test::httpStatus(reply), 200);
        QCOMPARE(answer[QStringLiteral("usage")].toObject()[QStringLiteral("completion_tokens")].toInt(), 5);
        QCOMPARE(answer[QStringLiteral("model")].toString(), QStringLiteral("tiny-api"));
        delete reply;
    }

    void clientGoneCancels() {
        EngineController engine;
        QVERIFY(load(engine, m_model));
        LocalApiServer server(&engine);
        server.start(0, kKey);
        QNetworkAccessManager network;
        // An answer only a cancel ends (no end-of-text, the most tokens one may ask for).
        QNetworkReply* reply =
            kmlm_test::postApi(network, server.port(), QStringLiteral("/chat/completions"), chatBody(1 << 20, true), kKey);
        QTRY_VERIFY_WITH_TIMEOUT(reply->bytesAvailable() > 0 && engine.runningRequest() != 0, kWait);
        reply->abort();
        QTRY_COMPARE_WITH_TIMEOUT(engine.runningRequest(), quint64(0), kWait);
        QCOMPARE(server.requestsServed(), quint64(0));

        // The engine is free again: a chat answer comes.
        QSignalSpy done(&engine, &EngineController::generationFinished);
        SamplingSettings sampling;
        sampling.maxTokens = 4;
        const quint64 chat = engine.newRequestId();
        engine.startChat(chat, {{QStringLiteral("user"), QStringLiteral("다시")}}, QString(), sampling);
        QVERIFY(waitFinished(done, chat));
        QVERIFY(finished(done, chat)->errorMessage.isEmpty());
        delete reply;
    }

    void modelsFollowTheActiveModel() {
        EngineController engine;
        QVERIFY(load(engine, m_model));
        LocalApiServer server(&engine);
        server.start(0, kKey);
        QNetworkAccessManager network;
        const auto modelIds = [&] {
            QNetworkReply* reply = network.get(kmlm_test::apiRequest(server.port(), QStringLiteral("/models"), kKey));
            const QJsonArray data = QJsonDocument::fromJson(kmlm_test::waitReply(reply)).object()[QStringLiteral("data")].toArray();
            delete reply;
            QStringList ids;
            for (const QJsonValue& m : data) ids << m.toObject()[QStringLiteral("id")].toString();
            return ids;
        };
        QCOMPARE(modelIds(), QStringList{QStringLiteral("tiny-api")});
        QVERIFY(load(engine, m_other));
        QCOMPARE(modelIds(), QStringList{QStringLiteral("tiny-other")});
    }

    void keyIsAsked() {
        EngineController engine;
        LocalApiServer server(&engine);
        server.start(0, kKey);
        QNetworkAccessManager network;
        for (const QString& key : {QString(), QStringLiteral("wrong")}) {
            QNetworkReply* reply = network.get(kmlm_test::apiRequest(server.port(), QStringLiteral("/models"), key));
            kmlm_test::waitReply(reply);
            QCOMPARE(kmlm_test::httpStatus(reply), 401);
            delete reply;
        }
    }

    void portInUse() {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        EngineController engine;
        LocalApiServer server(&engine);
        QSignalSpy changed(&server, &LocalApiServer::stateChanged);
        server.start(taken.serverPort(), {});
        QCOMPARE(server.state(), LocalApiServer::State::Failed);
        QVERIFY2(server.errorMessage().contains(QString::number(taken.serverPort())), qPrintable(server.errorMessage()));
        QCOMPARE(changed.size(), 1);
        server.stop();
        QCOMPARE(server.state(), LocalApiServer::State::Off);
    }
};

QTEST_GUILESS_MAIN(TestApiServer)
#include "tst_apiserver.moc"
