// A process killed with SIGKILL while it streams an answer loses at most the last second of
// it: the helper chat_stream_writer answers with ChatSession into a database and logs every
// chunk with its time; once the database shows it saving, it is killed, the database is
// reopened and compared with the log.
#include "kmlm_test.h"

#include "chatstore.h"

#include "kmlm/model_random.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace kmlm::core;

namespace {

// Scheduling slack on top of the one second: the helper's timer fires on a busy 2-core
// machine a little late, and the save itself takes a moment.
constexpr qint64 kSlackMs = 250;

struct Chunk {
    qint64 time;
    QString text;
};

struct Logged {
    QVector<Chunk> chunks;
    bool done = false;
    QString text() const {
        QString all;
        for (const Chunk& c : chunks) all += c.text;
        return all;
    }
    QString textUpTo(qint64 time) const {
        QString all;
        for (const Chunk& c : chunks)
            if (c.time <= time) all += c.text;
        return all;
    }
};

// Waits until `count` different saved texts of answers still streaming have been seen in the
// database (a reader beside the helper's writer, WAL mode): the save timer has run that often.
bool waitForStreamingSaves(const QString& path, int count, int timeoutMs) {
    const QString name = QStringLiteral("saves");
    bool ok = false;
    {
        QSqlDatabase reader = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        reader.setDatabaseName(path);
        reader.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (reader.open()) {
            QSet<QPair<qint64, qint64>> seen; // (message id, saved length)
            ok = QTest::qWaitFor(
                [&] {
                    QSqlQuery q(reader);
                    q.prepare(QStringLiteral("SELECT id, length(text) FROM messages WHERE state = ? AND text <> ''"));
                    q.addBindValue(messageStateName(MessageState::Streaming));
                    if (q.exec())
                        while (q.next()) seen.insert({q.value(0).toLongLong(), q.value(1).toLongLong()});
                    return seen.size() >= count;
                },
                timeoutMs);
            reader.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace

class TestChatCrash : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void killedWhileStreamingLosesAtMostOneSecond() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        kmlm::RandomModelSpec spec;
        spec.n_vocab = 32000; // the end-of-text token is hardly ever drawn: answers run long
        const QString model = dir.filePath(QStringLiteral("tiny.gguf"));
        kmlm::write_random_model(spec, model.toStdString());
        const QString db = dir.filePath(QStringLiteral("chat.sqlite"));
        const QString logPath = dir.filePath(QStringLiteral("stream.log"));

        QProcess writer;
        writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        writer.start(QStringLiteral(KMLM_STREAM_WRITER), {db, model, logPath});
        QVERIFY(writer.waitForStarted());
        // Let it stream until the database shows several saves of an answer, then kill it.
        QFile log(logPath);
        QVERIFY(QTest::qWaitFor([&] { return log.exists() && log.size() > 0; }, 60000));
        QVERIFY2(waitForStreamingSaves(db, 3, 120000), "the helper saved no growing answer");
        QCOMPARE(writer.state(), QProcess::Running);
        const qint64 killedAt = QDateTime::currentMSecsSinceEpoch();
        writer.kill(); // SIGKILL
        QVERIFY(writer.waitForFinished());
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

        QHash<qint64, Logged> logged;
        QVERIFY(log.open(QIODevice::ReadOnly));
        while (!log.atEnd()) {
            const QJsonObject line = QJsonDocument::fromJson(log.readLine()).object();
            if (line.isEmpty()) continue;
            Logged& l = logged[line[QStringLiteral("m")].toVariant().toLongLong()];
            if (line[QStringLiteral("done")].toBool())
                l.done = true;
            else
                l.chunks.append({line[QStringLiteral("t")].toVariant().toLongLong(), line[QStringLiteral("c")].toString()});
        }
        QVERIFY(!logged.isEmpty());

        ChatStore store;
        QVERIFY2(store.open(db), qPrintable(store.errorString()));
        int interrupted = 0;
        for (auto it = logged.cbegin(); it != logged.cend(); ++it) {
            const auto m = store.message(it.key());
            QVERIFY(m);
            const QString streamed = it->text();
            QVERIFY2(streamed.startsWith(m->text), "the saved answer is not what was streamed");
            if (it->done) {
                QCOMPARE(m->text, streamed);
                continue;
            }
            ++interrupted;
            QCOMPARE(m->state, MessageState::Stopped); // was streaming when killed
            const QString mustHave = it->textUpTo(killedAt - 1000 - kSlackMs);
            QVERIFY2(m->text.size() >= mustHave.size(),
                     qPrintable(QStringLiteral("saved %1 characters, but %2 had been streamed more than a second "
                                               "before the kill (%3 in all)")
                                    .arg(m->text.size())
                                    .arg(mustHave.size())
                                    .arg(streamed.size())));
            qInfo("interrupted answer: %d of %d streamed characters saved", int(m->text.size()), int(streamed.size()));
        }
        QCOMPARE(interrupted, 1);
    }
};

QTEST_GUILESS_MAIN(TestChatCrash)
#include "tst_chatcrash.moc"
