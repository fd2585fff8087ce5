// Model downloads against a loopback server that behaves like the Hugging Face hub
// (tests/common/fakehub.h): redirect and SHA-256 from x-linked-etag, resume with Range after a
// dropped connection, after pause and after `kmlm pull` was killed with SIGKILL, a damaged
// file leaves no model file, 404 and 401 explain themselves, too little disk space refuses
// before any byte is fetched, cancel deletes the part file, and the queue runs one at a time.
#include "kmlm_test.h"

#include "downloadmanager.h"
#include "fakehub.h"
#include "modeldownload.h"

#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <csignal>

using namespace kmlm::core;

namespace {

const QString kRepo = QStringLiteral("kmlm-test/tiny-GGUF");

QByteArray randomBytes(int size, quint32 seed) {
    QRandomGenerator rng(seed);
    QByteArray b(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i) b[i] = char(rng.bounded(256));
    return b;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool waitDone(ModelDownload& d, int ms = 30000) {
    QElapsedTimer t;
    t.start();
    while (!d.isDone() && t.elapsed() < ms) QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return d.isDone();
}

} // namespace

class TestDownload : public QObject {
    Q_OBJECT

    QByteArray m_model = randomBytes(3 << 20, 7);
    QNetworkAccessManager m_network;

    std::unique_ptr<ModelDownload> make(FakeHub& hub, const QString& folder, const QString& file = QStringLiteral("tiny-Q4_K_M.gguf")) {
        DownloadSpec spec{kRepo, file, folder, {}, 0};
        auto d = std::make_unique<ModelDownload>(spec, &m_network);
        d->setEndpoint(hub.endpoint());
        d->setRetries(4, 20);
        return d;
    }

private Q_SLOTS:
    void resolveUrlAndEndpoint() {
        QCOMPARE(ModelDownload::resolveUrl(QStringLiteral("https://huggingface.co/"), QStringLiteral("Qwen/Qwen3-4B-GGUF"),
                                           QStringLiteral("Qwen3-4B-Q4_K_M.gguf")),
                 QUrl(QStringLiteral("https://huggingface.co/Qwen/Qwen3-4B-GGUF/resolve/main/Qwen3-4B-Q4_K_M.gguf")));
        qputenv("HF_ENDPOINT", "http://127.0.0.1:9/");
        QCOMPARE(ModelDownload::defaultEndpoint(), QStringLiteral("http://127.0.0.1:9"));
        qunsetenv("HF_ENDPOINT");
        QCOMPARE(ModelDownload::defaultEndpoint(), QStringLiteral("https://huggingface.co"));
    }

    void downloadsAndVerifies() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        d->start();
        QVERIFY(waitDone(*d));
        QCOMPARE(d->state(), ModelDownload::State::Finished);
        QVERIFY(d->verified());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("tiny-Q4_K_M.gguf"))), m_model);
        QVERIFY(!QFileInfo::exists(d->partPath()));
        QVERIFY(!QFileInfo::exists(d->partPath() + QStringLiteral(".json")));
        const auto reqs = hub.requests();
        QCOMPARE(reqs.size(), 2);
        QCOMPARE(reqs[0].method, QByteArray("HEAD"));
        QCOMPARE(reqs[0].path, QByteArray("/kmlm-test/tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf"));
        QVERIFY(reqs[1].path.startsWith("/content/"));
        QVERIFY(reqs[1].range.isEmpty());
    }

    void resumesAfterDroppedConnection() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        hub.dropAfterBytes = 1 << 20;
        hub.drops = 2;
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        QSignalSpy messages(d.get(), &ModelDownload::message);
        d->start();
        QVERIFY(waitDone(*d));
        QVERIFY2(d->state() == ModelDownload::State::Finished, qPrintable(d->errorString()));
        QCOMPARE(readAll(d->targetPath()), m_model);
        const auto gets = hub.gets();
        QCOMPARE(gets.size(), 3);
        QVERIFY(gets[0].range.isEmpty());
        QCOMPARE(gets[1].range, QByteArray("bytes=1048576-"));
        QCOMPARE(gets[2].range, QByteArray("bytes=2097152-"));
        QCOMPARE(messages.size(), 2); // "... retrying in ..." after each drop
        QVERIFY(messages[0][0].toString().contains(QStringLiteral("retrying")));
    }

    void givesUpAfterRetriesKeepingThePart() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        hub.dropAfterBytes = 0; // every GET dies before its first byte
        hub.drops = 100;
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        d->start();
        QVERIFY(waitDone(*d));
        QCOMPARE(d->state(), ModelDownload::State::Failed);
        QVERIFY2(d->errorString().contains(QStringLiteral("Gave up after 5 attempts")), qPrintable(d->errorString()));
        QCOMPARE(hub.gets().size(), 5);
        QVERIFY(!QFileInfo::exists(d->targetPath()));
    }

    void damagedFileLeavesNoModel() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model).corrupt = true;
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        d->start();
        QVERIFY(waitDone(*d));
        QCOMPARE(d->state(), ModelDownload::State::Failed);
        QVERIFY2(d->errorString().contains(QStringLiteral("SHA-256")), qPrintable(d->errorString()));
        QVERIFY(!QFileInfo::exists(d->targetPath()));
        QVERIFY(!QFileInfo::exists(d->partPath()));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
    }

    void missingFileSaysItMoved() {
        FakeHub hub;
        QTemporaryDir dir;
        auto d = make(hub, dir.path(), QStringLiteral("gone.gguf"));
        d->start();
        QVERIFY(waitDone(*d));
        QCOMPARE(d->state(), ModelDownload::State::Failed);
        QVERIFY2(d->errorString().contains(QStringLiteral("has moved or was removed")), qPrintable(d->errorString()));
        QCOMPARE(hub.gets().size(), 0);
    }

    void gatedModelNeedsToken() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model).token = QStringLiteral("hf_right");
        QTemporaryDir dir;
        {
            auto d = make(hub, dir.path());
            d->start();
            QVERIFY(waitDone(*d));
            QVERIFY2(d->errorString().contains(QStringLiteral("needs a Hugging Face token")), qPrintable(d->errorString()));
        }
        {
            auto d = make(hub, dir.path());
            d->setToken(QStringLiteral("hf_wrong"));
            d->start();
            QVERIFY(waitDone(*d));
            QVERIFY2(d->errorString().contains(QStringLiteral("refused the token")), qPrintable(d->errorString()));
            QVERIFY(!d->errorString().contains(QStringLiteral("hf_wrong")));
        }
        auto d = make(hub, dir.path());
        d->setToken(QStringLiteral("hf_right"));
        d->start();
        QVERIFY(waitDone(*d));
        QVERIFY2(d->state() == ModelDownload::State::Finished, qPrintable(d->errorString()));
        QCOMPARE(hub.requests().last().authorization, QByteArray("Bearer hf_right"));
    }

    void refusesWithoutDiskSpace() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        QString askedFor;
        d->setFreeSpaceFunction([&](const QString& folder) {
            askedFor = folder;
            return qint64(m_model.size() - 1);
        });
        d->start();
        QVERIFY(waitDone(*d));
        QCOMPARE(d->state(), ModelDownload::State::Failed);
        QVERIFY2(d->errorString().contains(QStringLiteral("Not enough disk space")), qPrintable(d->errorString()));
        QCOMPARE(askedFor, dir.path());
        QCOMPARE(hub.gets().size(), 0);
        QVERIFY(!QFileInfo::exists(d->partPath()));
    }

    void cancelDeletesThePart() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        hub.throttleBytes = 32 << 10;
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        d->start();
        QTRY_VERIFY_WITH_TIMEOUT(d->received() > (256u << 10), 20000);
        QVERIFY(QFileInfo::exists(d->partPath()));
        d->cancel();
        QCOMPARE(d->state(), ModelDownload::State::Cancelled);
        QVERIFY(!QFileInfo::exists(d->partPath()));
        QVERIFY(!QFileInfo::exists(d->targetPath()));
    }

    void pauseKeepsThePartAndResumes() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        hub.throttleBytes = 64 << 10;
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        d->start();
        QTRY_VERIFY_WITH_TIMEOUT(d->received() > (512u << 10), 20000);
        d->pause();
        QCOMPARE(d->state(), ModelDownload::State::Paused);
        const qint64 kept = QFileInfo(d->partPath()).size();
        QVERIFY(kept >= (512 << 10));
        hub.throttleBytes = 0;
        d->start();
        QVERIFY(waitDone(*d));
        QVERIFY2(d->state() == ModelDownload::State::Finished, qPrintable(d->errorString()));
        QCOMPARE(readAll(d->targetPath()), m_model);
        QCOMPARE(hub.gets().last().range, "bytes=" + QByteArray::number(kept) + '-');
    }

    // A server that ignores Range gets the file from the start; the result is still right.
    void serverIgnoringRangeRestarts() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        hub.dropAfterBytes = 1 << 20;
        hub.drops = 1;
        hub.ignoreRange = true;
        QTemporaryDir dir;
        auto d = make(hub, dir.path());
        d->start();
        QVERIFY(waitDone(*d));
        QVERIFY2(d->state() == ModelDownload::State::Finished, qPrintable(d->errorString()));
        QCOMPARE(readAll(d->targetPath()), m_model);
    }

    // kmlm pull killed with SIGKILL mid-download leaves the part file; the next run resumes it
    // with a Range request from where the file ends, and the result matches the hash.
    void pullResumesAfterSigkill() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), m_model);
        hub.throttleBytes = 32 << 10;
        hub.throttleTickMs = 20;
        QTemporaryDir dir;
        const QString part = ModelDownload::partPath(dir.path(), QStringLiteral("tiny-Q4_K_M.gguf"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HF_ENDPOINT"), hub.endpoint());
        env.insert(QStringLiteral("HF_TOKEN"), QStringLiteral("hf_never_printed"));
        const QStringList args{QStringLiteral("pull"), kRepo, QStringLiteral("tiny-Q4_K_M.gguf"), QStringLiteral("--models-dir"),
                               dir.path()};
        QProcess first;
        first.setProcessEnvironment(env);
        first.start(kmlm_test::kmlmBin(), args);
        QVERIFY(first.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() > (1 << 20), 30000);
        ::kill(pid_t(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);
        const qint64 kept = QFileInfo(part).size();
        QVERIFY(kept > 0 && kept < m_model.size());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("tiny-Q4_K_M.gguf"))));

        hub.throttleBytes = 0;
        QProcess second;
        second.setProcessEnvironment(env);
        second.start(kmlm_test::kmlmBin(), args);
        QVERIFY(second.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(second.state() == QProcess::NotRunning, 60000);
        const QString out = QString::fromUtf8(second.readAllStandardOutput() + second.readAllStandardError());
        QVERIFY2(second.exitCode() == 0, qPrintable(out));
        QVERIFY(out.contains(QStringLiteral("SHA-256 verified")));
        QVERIFY(!out.contains(QStringLiteral("hf_never_printed")));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("tiny-Q4_K_M.gguf"))), m_model);
        QVERIFY(!QFileInfo::exists(part));
        const QByteArray range = hub.gets().last().range;
        QVERIFY2(range.startsWith("bytes=") && range != "bytes=0-", range.constData());
        QVERIFY(range.mid(6).chopped(1).toLongLong() <= kept); // at most what was on disk when killed
    }

    void pullFailsWithTheReason() {
        FakeHub hub;
        QTemporaryDir dir;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HF_ENDPOINT"), hub.endpoint());
        p.setProcessEnvironment(env);
        p.start(kmlm_test::kmlmBin(),
                {QStringLiteral("pull"), kRepo, QStringLiteral("nothing.gguf"), QStringLiteral("--models-dir"), dir.path()});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 30000);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("has moved or was removed")));
    }

    void queueRunsOneAtATimeAndRestores() {
        FakeHub hub;
        hub.addFile(kRepo, QStringLiteral("a.gguf"), m_model.left(1 << 20));
        hub.addFile(kRepo, QStringLiteral("b.gguf"), m_model.mid(1 << 20));
        hub.throttleBytes = 64 << 10;
        QTemporaryDir dir;
        DownloadManager manager;
        manager.setEndpoint(hub.endpoint());
        manager.setRetries(2, 20);
        ModelDownload* a = manager.enqueue({kRepo, QStringLiteral("a.gguf"), dir.path(), {}, 0});
        ModelDownload* b = manager.enqueue({kRepo, QStringLiteral("b.gguf"), dir.path(), {}, 0});
        QCOMPARE(manager.enqueue({kRepo, QStringLiteral("a.gguf"), dir.path(), {}, 0}), a);
        QVERIFY(a->isActive());
        QCOMPARE(b->state(), ModelDownload::State::Queued);
        QTRY_VERIFY_WITH_TIMEOUT(b->received() > 0, 30000);
        QCOMPARE(a->state(), ModelDownload::State::Finished);
        b->pause();

        // A new manager (the app started again) lists the part file as a paused download.
        DownloadManager again;
        again.setEndpoint(hub.endpoint());
        again.restore(dir.path());
        QCOMPARE(again.downloads().size(), 1);
        ModelDownload* restored = again.downloads().first();
        QCOMPARE(restored->spec().file, QStringLiteral("b.gguf"));
        QCOMPARE(restored->state(), ModelDownload::State::Paused);
        hub.throttleBytes = 0;
        QSignalSpy finished(&again, &DownloadManager::finished);
        again.resume(restored);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(readAll(dir.filePath(QStringLiteral("b.gguf"))), m_model.mid(1 << 20));
        QVERIFY(hub.gets().last().range.startsWith("bytes="));
    }
};

QTEST_GUILESS_MAIN(TestDownload)
#include "tst_download.moc"
