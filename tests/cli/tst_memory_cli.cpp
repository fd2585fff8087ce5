// `kmlm memory` and --mem-limit as a user sees them: estimate, refusal with exit code 4 and a
// message saying what would fit, the filled context's measured peak.
#include "kmlm_test.h"

#include <QProcess>
#include <QTemporaryDir>

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run kmlm(const QStringList& args) {
    QProcess p;
    p.start(kmlm_test::kmlmBin(), args);
    Run r;
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

} // namespace

class TestMemoryCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_; // a small random llama, context 256

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set");
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath(QStringLiteral("tiny.gguf"));
        const Run r = kmlm({"make-random", "--arch", "llama", "--layers", "2", "--embd", "64", "--heads", "2",
                            "--ff", "128", "--vocab", "300", "--ctx", "256", "--type", "Q8_0", model_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void help() {
        const Run r = kmlm({"memory", "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("--fill"));
        QVERIFY(r.out.contains("--mem-limit"));
    }

    void estimate_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("q8_0") << QStringList{"--ctx", "128"} << "memory estimate:";
        QTest::newRow("f16") << QStringList{"--ctx", "128", "--kv-type", "f16"} << "(KV cache f16)";
        QTest::newRow("clamped context") << QStringList{"--ctx", "4096"} << "at context 256";
        QTest::newRow("fit") << QStringList{} << "longest context under the ceiling: 256 (q8_0 KV cache)";
        QTest::newRow("no ceiling") << QStringList{"--mem-limit", "none"} << "ceiling: none";
    }
    void estimate() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const Run r = kmlm(QStringList{"memory", "-m", model_} + args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(expected), qPrintable(r.out));
        QVERIFY(r.out.contains("weights"));
        QVERIFY(r.out.contains("KV cache"));
    }

    // Over the ceiling: exit code 4 and a message with the excess and what would fit; with
    // --fill the model is never loaded.
    void refused_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("estimate") << QStringList{"memory", "--mem-limit", "1M"};
        QTest::newRow("fill") << QStringList{"memory", "--fill", "--mem-limit", "1M"};
        QTest::newRow("f16") << QStringList{"memory", "--kv-type", "f16", "--mem-limit", "1536K"};
        QTest::newRow("run") << QStringList{"run", "-p", "안녕", "--mem-limit", "1M"};
    }
    void refused() {
        QFETCH(QStringList, args);
        const Run r = kmlm(args + QStringList{"-m", model_});
        QCOMPARE(r.code, 4);
        QVERIFY2(r.err.contains("over the memory ceiling of"), qPrintable(r.err));
        QVERIFY2(r.err.contains("What would fit:"), qPrintable(r.err));
        QVERIFY2(r.err.contains("the bundled GRU model"), qPrintable(r.err));
        QVERIFY(!r.out.contains("filled:"));
    }

    void fill() {
        const Run r = kmlm({"memory", "-m", model_, "--fill", "--ctx", "256", "--generate", "16", "-t", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("filled:  256 tokens"), qPrintable(r.out));
        QVERIFY(r.out.contains("peak RSS (VmHWM):"));
        QVERIFY(r.out.contains("of the measured peak"));
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad size") << QStringList{"--mem-limit", "lots"} << 3 << "not a memory size";
        QTest::newRow("bad unit") << QStringList{"--mem-limit", "3X"} << 3 << "unknown memory unit";
        QTest::newRow("missing file") << QStringList{"-m", "/nonexistent/model.gguf"} << 1 << "not found";
    }
    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        QStringList full{"memory"};
        if (!args.contains("-m")) full << "-m" << model_;
        const Run r = kmlm(full + args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void notGguf() {
        const QString path = dir_.filePath("garbage.gguf");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("GGUF\x03\x00\x00\x00garbage");
        f.close();
        const Run r = kmlm({"memory", "-m", path});
        QCOMPARE(r.code, 3);
        QVERIFY(!r.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMemoryCli)
#include "tst_memory_cli.moc"
