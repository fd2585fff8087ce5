// The engine thread on a remote model (kmlm serve on loopback): it loads as a remote model
// with no memory of its own, streams chat and completions like a local one, stops on
// request, and when the server dies mid-answer the request ends with an error message and
// the part of the answer that came.
#include "../server/serve_process.h"
#include "engine_signals.h"

#include "enginecontroller.h"

#include <QSignalSpy>

#include <optional>

using namespace kmlm::core;

namespace {

constexpr int kWait = 60000;

using kmlm_test::finished;
using kmlm_test::waitFinished;

QString streamedText(const QSignalSpy& spy, quint64 id) {
    QString text;
    for (const QList<QVariant>& args : spy)
        if (args.at(0).toULongLong() == id) text += args.at(1).toString();
    return text;
}

SamplingSettings greedy(int maxTokens) {
    SamplingSettings s;
    s.temperature = 0;
    s.maxTokens = maxTokens;
    return s;
}

} // namespace

class TestRemoteEngine : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model;

    RemoteModelSettings remote(const kmlm_test::ServeProcess& server) const {
        RemoteModelSettings r;
        r.baseUrl = server.baseUrl();
        r.apiKey = QStringLiteral("app-key");
        return r;
    }

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        QVERIFY(m_dir.isValid());
        m_model = kmlm_test::makeTinyModel(m_dir);
        QVERIFY(!m_model.isEmpty());
    }

    void chatAndCompletion() {
        kmlm_test::ServeProcess server;
        QVERIFY2(server.start(m_model, {"--api-key", "app-key"}), qPrintable(server.log()));
        EngineController engine;
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        QSignalSpy memory(&engine, &EngineController::modelMemory);
        engine.loadRemoteModel(remote(server));
        QVERIFY(loaded.wait(kWait));
        QVERIFY(engine.currentModel().remote);
        QCOMPARE(engine.currentModel().name, QStringLiteral("tiny"));
        QCOMPARE(engine.currentModel().path, server.baseUrl());
        QVERIFY(!memory.isEmpty());
        QCOMPARE(memory.last().at(0).toULongLong(), 0ull); // the meter shows the app alone

        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 chat = engine.newRequestId();
        engine.startChat(chat, {{QStringLiteral("user"), QStringLiteral("안녕하세요")}}, QStringLiteral("친절하게 답해"), greedy(12));
        QVERIFY(waitFinished(done, chat));
        const GenerationResult r = *finished(done, chat);
        QVERIFY2(r.reason == StopReason::EndOfText || r.reason == StopReason::MaxTokens, qPrintable(r.errorMessage));
        QCOMPARE(r.model, QStringLiteral("tiny"));
        QVERIFY(r.promptTokens > 0);
        QCOMPARE(streamedText(streamed, chat), r.text);

        const quint64 completion = engine.newRequestId();
        engine.startCompletion(completion, QStringLiteral("옛날 옛적에"), 8, greedy(8));
        QVERIFY(waitFinished(done, completion));
        QVERIFY(finished(done, completion)->errorMessage.isEmpty());
        QVERIFY(finished(done, completion)->generatedTokens > 0);
    }

    void wrongKeyKeepsTheCurrentModel() {
        kmlm_test::ServeProcess server;
        QVERIFY2(server.start(m_model, {"--api-key", "other-key"}), qPrintable(server.log()));
        EngineController engine;
        QSignalSpy failed(&engine, &EngineController::modelLoadFailed);
        engine.loadRemoteModel(remote(server));
        QVERIFY(failed.wait(kWait));
        const QString message = failed.first().at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("refused the API key (HTTP 401)")), qPrintable(message));
        QVERIFY(!message.contains(QStringLiteral("app-key")));
        QVERIFY(!engine.isLoading());
    }

    void serverKilledMidAnswerKeepsThePart() {
        kmlm_test::ServeProcess server;
        QVERIFY2(server.start(m_model, {"--api-key", "app-key"}), qPrintable(server.log()));
        EngineController engine;
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        engine.loadRemoteModel(remote(server));
        QVERIFY(loaded.wait(kWait));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 id = engine.newRequestId();
        // A long answer (the tiny model may end early, so ask for one that only a stop ends):
        // as soon as text came, the server dies.
        engine.startCompletion(id, QStringLiteral("끝없이"), 1 << 20, greedy(1 << 20));
        QVERIFY(streamed.wait(kWait));
        server.kill();
        QVERIFY(waitFinished(done, id));
        const GenerationResult r = *finished(done, id);
        if (r.reason == StopReason::Error) {
            QVERIFY2(r.errorMessage.contains(QStringLiteral("lost mid-answer")), qPrintable(r.errorMessage));
            QVERIFY(!r.text.isEmpty());
            QCOMPARE(r.text, streamedText(streamed, id));
        } else {
            QSKIP("the tiny model ended its answer before the server was killed");
        }
    }
};

QTEST_GUILESS_MAIN(TestRemoteEngine)
#include "tst_remoteengine.moc"
