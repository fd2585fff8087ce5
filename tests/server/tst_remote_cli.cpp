// `kmlm run` and `kmlm chat` with --endpoint against `kmlm serve` on loopback: the same
// answer as the local model, a conversation, and each failure said plainly with exit code 1:
// the server killed mid-answer (the part that came is printed), connection refused, a
// server that never answers, a wrong key (401), a full queue (503).
#include "serve_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {
// A listening loopback socket that never accepts: the kernel completes connections to it,
// nobody answers. Closing it leaves a port where nothing listens.
class SilentListener {
public:
    SilentListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 4) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        port_ = ntohs(a.sin_port);
    }
    ~SilentListener() { close(); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int port() const { return port_; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(port_); }

private:
    int fd_ = -1;
    int port_ = 0;
};
} // namespace

class TestRemoteCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;
    kmlm_test::ServeProcess server_;
    const QString key_ = QStringLiteral("cli-key");

    QStringList remote(const QString& url) const { return {"--endpoint", url, "--remote-model", "tiny", "--api-key", key_}; }

    // Starts `kmlm run` on the server with a generation that only ends when it is cut off,
    // and waits until the first text of the answer came.
    bool startEndlessRun(QProcess& p, const QString& url) {
        p.start(kmlm_test::kmlmBin(), QStringList{"run", "-p", "끝없이", "-n", "1000000", "--ignore-eos", "--temp", "0"} + remote(url));
        if (!p.waitForStarted()) return false;
        for (int i = 0; i < 600 && p.bytesAvailable() == 0; ++i) p.waitForReadyRead(100);
        return p.bytesAvailable() > 0;
    }

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        QVERIFY(dir_.isValid());
        model_ = kmlm_test::makeTinyModel(dir_);
        QVERIFY(!model_.isEmpty());
        QVERIFY2(server_.start(model_, {"--api-key", key_, "--parallel", "1", "--queue", "0"}), qPrintable(server_.log()));
    }

    // At temperature 0 the server's answer is the local model's, for chat and plain text.
    void sameAnswerAsLocal_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("chat") << QStringList{"run", "--chat", "-p", "안녕하세요", "--temp", "0", "-n", "16"};
        QTest::newRow("completion") << QStringList{"run", "-p", "옛날 옛적에", "--temp", "0", "-n", "16"};
    }
    void sameAnswerAsLocal() {
        QFETCH(QStringList, args);
        const kmlm_test::KmlmRun local = kmlm_test::runKmlm(args + QStringList{"-m", model_});
        const kmlm_test::KmlmRun over = kmlm_test::runKmlm(args + remote(server_.baseUrl()) + QStringList{"--stats"});
        QCOMPARE(local.code, 0);
        QVERIFY2(over.code == 0, qPrintable(over.err));
        QCOMPARE(over.out, local.out);
        QVERIFY(over.err.contains("prompt tokens"));
    }

    void chatConversation() {
        const kmlm_test::KmlmRun r =
            kmlm_test::runKmlm(QStringList{"chat", "-n", "4", "--stats"} + remote(server_.baseUrl()), "안녕\n반가워\n/exit\n");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count("prompt tokens"), 2);
        QVERIFY(r.err.contains("tiny on " + server_.baseUrl()));
    }

    void wrongKeyIs401() {
        const kmlm_test::KmlmRun r =
            kmlm_test::runKmlm({"run", "-p", "x", "-n", "2", "--endpoint", server_.baseUrl(), "--api-key", "wrong"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("refused the API key (HTTP 401)"), qPrintable(r.err));
    }

    // The server refuses the request inside the stream (the prompt is longer than its context).
    void errorInTheStream() {
        const kmlm_test::KmlmRun r =
            kmlm_test::runKmlm(QStringList{"run", "-p", QString(600, QLatin1Char('a'))} + remote(server_.baseUrl()));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("reported an error mid-answer: the prompt has"), qPrintable(r.err));
        QVERIFY(r.err.contains("kmlm serve --ctx"));
    }

    void fullQueueIs503() {
        QProcess first;
        QVERIFY(startEndlessRun(first, server_.baseUrl()));
        const kmlm_test::KmlmRun second = kmlm_test::runKmlm(QStringList{"run", "-p", "x", "-n", "2"} + remote(server_.baseUrl()));
        first.kill(); // the server sees the client go and frees the slot
        first.waitForFinished();
        QCOMPARE(second.code, 1);
        QVERIFY2(second.err.contains("is busy (HTTP 503)"), qPrintable(second.err));
        QVERIFY(server_.waitForLog("cancelled: the client went away"));
    }

    void connectionRefused() {
        SilentListener probe;
        QVERIFY(probe.port() > 0);
        const QString url = probe.url();
        probe.close(); // nothing listens there now
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(QStringList{"run", "-p", "x"} + remote(url));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot connect to " + url), qPrintable(r.err));
    }

    // The kernel accepts the connection, but nothing ever answers.
    void silentServerTimesOut() {
        SilentListener silent;
        QVERIFY(silent.port() > 0);
        const QString url = silent.url();
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(QStringList{"run", "-p", "x", "--remote-timeout", "1"} + remote(url));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no answer from " + url + " (timed out after 1 s"), qPrintable(r.err));
    }

    // Killed mid-answer: what came is on stdout, the reason on stderr, exit code 1.
    void serverKilledMidAnswer() {
        kmlm_test::ServeProcess doomed;
        QVERIFY2(doomed.start(model_, {"--api-key", key_}), qPrintable(doomed.log()));
        QProcess client;
        QVERIFY(startEndlessRun(client, doomed.baseUrl()));
        const QByteArray before = client.readAllStandardOutput();
        doomed.kill();
        QVERIFY(client.waitForFinished(60000));
        QCOMPARE(client.exitStatus(), QProcess::NormalExit);
        QCOMPARE(client.exitCode(), 1);
        QVERIFY(!(before + client.readAllStandardOutput()).isEmpty()); // the partial answer was printed
        const QString err = QString::fromUtf8(client.readAllStandardError());
        QVERIFY2(err.contains("the connection to " + doomed.baseUrl() + " was lost mid-answer (the answer above is incomplete)"),
                 qPrintable(err));
    }

    void cleanupTestCase() { QCOMPARE(server_.stop(), 0); }
};

QTEST_GUILESS_MAIN(TestRemoteCli)
#include "tst_remote_cli.moc"
