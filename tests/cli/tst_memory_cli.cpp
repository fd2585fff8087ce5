// `kmlm memory` and --mem-limit as a user sees them: estimate, refusal with exit code 4 and a
// message saying what would fit, the filled context's measured peak.
#include "kmlm_test.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace {

// "... (123 bytes)" after `prefix` in kmlm memory --fill's output; 0 when absent.
quint64 bytesAfter(const QString& out, const QString& prefix) {
    const QRegularExpression re(QRegularExpression::escape(prefix) + QStringLiteral(".*?\\((\\d+) bytes\\)"));
    const auto m = re.match(out);
    return m.hasMatch() ? m.captured(1).toULongLong() : 0;
}

} // namespace

class TestMemoryCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_; // a small random llama, context 256
    QString mid_;   // 4 layers, 512 wide, vocabulary 8000, context 1024: 21 MiB of weights

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set");
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath(QStringLiteral("tiny.gguf"));
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"make-random", "--arch", "llama", "--layers", "2", "--embd", "64", "--heads", "2",
                                                         "--ff", "128", "--vocab", "300", "--ctx", "256", "--type", "Q8_0", model_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        mid_ = dir_.filePath(QStringLiteral("mid.gguf"));
        const kmlm_test::KmlmRun m = kmlm_test::runKmlm({"make-random", "--arch", "llama", "--layers", "4", "--embd", "512", "--heads", "8",
                                                         "--ff", "1408", "--vocab", "8000", "--ctx", "1024", "--type", "Q8_0", mid_});
        QVERIFY2(m.code == 0, qPrintable(m.err));
    }

    void help() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"memory", "--help"});
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
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(QStringList{"memory", "-m", model_} + args);
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
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(args + QStringList{"-m", model_});
        QCOMPARE(r.code, 4);
        QVERIFY2(r.err.contains("over the memory ceiling of"), qPrintable(r.err));
        QVERIFY2(r.err.contains("What would fit:"), qPrintable(r.err));
        QVERIFY2(r.err.contains("the bundled GRU model"), qPrintable(r.err));
        QVERIFY(!r.out.contains("filled:"));
    }

    void fill() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"memory", "-m", model_, "--fill", "--ctx", "256", "--generate", "16", "-t", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("filled:  256 tokens"), qPrintable(r.out));
        QVERIFY(r.out.contains("peak RSS (VmHWM):"));
        QVERIFY(r.out.contains("of the measured peak"));
    }

    // The estimate against the measured peak (VmHWM) with the whole context filled.
    void fillWithinTenPercent_data() {
        QTest::addColumn<QString>("kv");
        QTest::newRow("q8_0") << "q8_0";
        QTest::newRow("f16") << "f16";
    }
    void fillWithinTenPercent() {
        QFETCH(QString, kv);
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"memory", "-m", mid_, "--fill", "--kv-type", kv, "-t", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("filled:  1024 tokens"), qPrintable(r.out));
        const double peak = double(bytesAfter(r.out, "peak RSS (VmHWM):"));
        const double estimate = double(bytesAfter(r.out, "estimate:"));
        QVERIFY2(peak > 0 && estimate > 0, qPrintable(r.out));
        QVERIFY2(std::abs(estimate - peak) <= 0.1 * peak, qPrintable(r.out));
    }

    // Under the ceiling at admission, but the guard's margin is so wide that the running
    // model reaches it: the prompt is evaluated, then generation stops with the memory limit
    // instead of the process dying.
    void generationStopsAtCeiling() {
        const quint64 ceiling = 3ull << 30, margin = ceiling - (16ull << 20); // stop above 16 MiB
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(
            {"memory", "-m", mid_, "--fill", "--mem-limit", QString::number(ceiling), "--margin", QString::number(margin), "-t", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("generation stopped"), qPrintable(r.out));
        QVERIFY2(r.out.contains("generated 0, memory limit)"), qPrintable(r.out));
        QVERIFY2(!r.out.contains("filled:  1024 tokens"), qPrintable(r.out));
    }

    // run and generate share one generation loop: under the ceiling at admission, stopped by
    // the guard while generating, both say why on stderr and exit with 4.
    void answerStopsAtCeilingWithExitCode4_data() {
        QTest::addColumn<QString>("command");
        QTest::newRow("run") << "run";
        QTest::newRow("generate") << "generate";
    }
    void answerStopsAtCeilingWithExitCode4() {
        QFETCH(QString, command);
        const quint64 ceiling = 3ull << 30, margin = ceiling - (16ull << 20); // stop above 16 MiB
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({command, "-m", mid_, "-p", "안녕", "-n", "8", "-t", "1", "--mem-limit",
                                                         QString::number(ceiling), "--margin", QString::number(margin)});
        QCOMPARE(r.code, 4);
        QVERIFY2(r.err.contains("generation stopped"), qPrintable(r.err));
        const kmlm_test::KmlmRun free = kmlm_test::runKmlm({command, "-m", mid_, "-p", "안녕", "-n", "8", "-t", "1"});
        QVERIFY2(free.code == 0, qPrintable(free.err));
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
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(full + args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void notGguf() {
        const QString path = dir_.filePath("garbage.gguf");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("GGUF\x03\x00\x00\x00garbage");
        f.close();
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"memory", "-m", path});
        QCOMPARE(r.code, 3);
        QVERIFY(!r.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMemoryCli)
#include "tst_memory_cli.moc"
