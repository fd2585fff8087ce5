// Helper of tst_chatcrash: answers questions with ChatSession (the app's 1 s save policy)
// into a chat database until it is killed, logging every streamed chunk with its time.
//   chat_stream_writer DATABASE MODEL LOG
// LOG gets one JSON object per line: {"t": ms since epoch, "m": message id, "c": chunk} and
// {"t": ..., "m": id, "done": true} when an answer ends (a new question follows at once).
#include "chatsession.h"
#include "enginecontroller.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>

using namespace kmlm::core;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: chat_stream_writer DATABASE MODEL LOG\n");
        return 2;
    }
    ChatStore store;
    if (!store.open(QString::fromLocal8Bit(argv[1]))) {
        std::fprintf(stderr, "%s\n", qPrintable(store.errorString()));
        return 1;
    }
    QFile log(QString::fromLocal8Bit(argv[3]));
    if (!log.open(QIODevice::WriteOnly | QIODevice::Append)) return 1;
    auto write = [&log](QJsonObject line) {
        line[QStringLiteral("t")] = QDateTime::currentMSecsSinceEpoch();
        log.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
        log.flush(); // in the kernel before the next chunk: a kill cannot lose it
    };

    EngineController engine;
    ChatSession session(&store, &engine);
    SamplingSettings sampling;
    sampling.maxTokens = 1000000;
    session.setDefaultSampling(sampling);
    QObject::connect(&session, &ChatSession::answerStreamed, [&](qint64 id, const QString& chunk, double) {
        write({{QStringLiteral("m"), id}, {QStringLiteral("c"), chunk}});
    });
    QObject::connect(&session, &ChatSession::answerFinished, [&](qint64 id, const GenerationResult&) {
        write({{QStringLiteral("m"), id}, {QStringLiteral("done"), true}});
        QTimer::singleShot(0, &session, [&session] { session.send(QStringLiteral("계속 이야기해 줘")); });
    });
    QObject::connect(&engine, &EngineController::modelLoaded, [&session] { session.send(QStringLiteral("아주 긴 이야기를 들려줘")); });
    QObject::connect(&engine, &EngineController::modelLoadFailed, [](const QString& message) {
        std::fprintf(stderr, "%s\n", qPrintable(message));
        QCoreApplication::exit(1);
    });
    EngineSettings settings;
    settings.threads = 1;
    engine.loadModel(QString::fromLocal8Bit(argv[2]), settings, QString::fromLocal8Bit(argv[2]));
    return app.exec();
}
