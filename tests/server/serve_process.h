// `kmlm serve` as a child process of a test: a tiny random model, a free loopback port,
// the server's log (stderr) at hand.
#pragma once
#include "kmlm_test.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace kmlm_test {

// Writes a small random-weight llama model into dir and returns its path (empty on failure).
inline QString makeTinyModel(const QTemporaryDir& dir, const QString& ctx = QStringLiteral("256")) {
    const QString path = dir.filePath(QStringLiteral("tiny.gguf"));
    const KmlmRun r = runKmlm({"make-random", "--arch", "llama", "--layers", "2",   "--embd", "64", "--heads", "2",    "--heads-kv",
                               "1",           "--ff",   "96",    "--vocab",  "400", "--ctx",  ctx,  "--type",  "Q8_0", path});
    return r.code == 0 ? path : QString();
}

class ServeProcess {
public:
    ~ServeProcess() { stop(); }

    // Starts `kmlm serve -m model --port 0 extra...` and waits until it listens (baseUrl()
    // is on loopback, which also reaches a server listening on every address).
    bool start(const QString& model, const QStringList& extra = {}) {
        process_.start(kmlmBin(), QStringList{"serve", "-m", model, "--port", "0"} + extra);
        if (!process_.waitForStarted()) return false;
        const QRegularExpression listening(QStringLiteral("listening on http://[^ ]+:(\\d+)/v1"));
        if (!waitForLog(listening.pattern())) return false;
        port_ = listening.match(log_).captured(1).toInt();
        return port_ > 0;
    }

    // SIGKILL: the server dies as it would in a crash, mid-answer if one is running.
    void kill() {
        if (process_.state() == QProcess::NotRunning) return;
        process_.kill();
        process_.waitForFinished(10000);
    }

    // SIGTERM and wait; returns the exit code (-1 on a crash or a hang).
    int stop() {
        if (process_.state() == QProcess::NotRunning) return process_.exitCode();
        process_.terminate();
        if (!process_.waitForFinished(30000)) {
            process_.kill();
            process_.waitForFinished();
            return -1;
        }
        return process_.exitStatus() == QProcess::NormalExit ? process_.exitCode() : -1;
    }

    int port() const { return port_; }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(port_); }

    // Everything the server wrote on stderr so far.
    const QString& log() {
        log_ += QString::fromUtf8(process_.readAllStandardError());
        return log_;
    }

    // Waits up to a minute for a line matching pattern in the log.
    bool waitForLog(const QString& pattern) {
        const QRegularExpression re(pattern);
        QElapsedTimer timer;
        timer.start();
        while (!re.match(log()).hasMatch()) {
            if (timer.elapsed() > 60000 || process_.state() == QProcess::NotRunning) return re.match(log()).hasMatch();
            process_.waitForReadyRead(100);
        }
        return true;
    }

private:
    QProcess process_;
    QString log_;
    int port_ = 0;
};

} // namespace kmlm_test
