// Helpers shared by the QtTest executables (Qt 5.15 and Qt 6 alike).
#pragma once
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QtTest>

#include <filesystem>
#include <string>

// QVERIFY_THROWS_EXCEPTION is Qt 6.3+, QVERIFY_EXCEPTION_THROWN is Qt 5.
#if QT_VERSION >= QT_VERSION_CHECK(6, 3, 0)
#define KMLM_VERIFY_THROWS(ExceptionType, ...) QVERIFY_THROWS_EXCEPTION(ExceptionType, __VA_ARGS__)
#else
#define KMLM_VERIFY_THROWS(ExceptionType, ...) QVERIFY_EXCEPTION_THROWN(__VA_ARGS__, ExceptionType)
#endif

namespace kmlm_test {

// ../shared/data next to the checkout; empty when absent (a user's clone has none).
inline QString sharedData(const QString& sub = {}) {
    const QString root = QStringLiteral(KMLM_SHARED_DATA);
    const QString path = sub.isEmpty() ? root : root + QLatin1Char('/') + sub;
    return QFileInfo::exists(path) ? QFileInfo(path).absoluteFilePath() : QString();
}

// Skips the current test when ../shared/data/<sub> is missing.
#define KMLM_REQUIRE_SHARED(var, sub)                                                                                                      \
    const QString var = kmlm_test::sharedData(sub);                                                                                        \
    if (var.isEmpty()) QSKIP("../shared/data/" sub " is absent: skipped")

inline std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdString()); }

// Path of the kmlm binary (set by CTest).
inline QString kmlmBin() { return qEnvironmentVariable("KMLM_BIN"); }

// One run of the kmlm binary: exit code (-1 when it crashed or timed out), stdout, stderr.
struct KmlmRun {
    int code = -1;
    QString out, err;
};

inline KmlmRun runKmlm(const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(kmlmBin(), args);
    KmlmRun r;
    if (!p.waitForStarted()) {
        r.err = QStringLiteral("cannot start ") + kmlmBin();
        return r;
    }
    if (!input.isEmpty()) p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace kmlm_test
