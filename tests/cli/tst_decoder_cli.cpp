// The decoder's kmlm commands end to end on a small random-weight model: make-random, info,
// run, chat, perplexity, bench, and their errors and exit codes.
#include "kmlm_test.h"

#include <cmath>

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

class TestDecoderCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("tiny.gguf");
        const kmlm_test::KmlmRun r =
            kmlm_test::runKmlm({"make-random", "--arch", "llama", "--layers", "2",   "--embd", "64", "--heads", "2",    "--heads-kv",
                                "1",           "--ff",   "96",    "--vocab",  "400", "--ctx",  "64", "--type",  "Q8_0", model_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void info() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"info", "-m", model_});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("architecture:  llama"));
        QVERIFY(r.out.contains("Q8_0"));
        QVERIFY(r.out.contains("vocabulary:    400"));
        QVERIFY(r.out.contains("memory estimate"));
    }

    void runIsRepeatableWithASeed() {
        const QStringList args = {"run", "-m", model_, "-p", "오늘 날씨가", "-n", "12", "--seed", "7"};
        const kmlm_test::KmlmRun a = kmlm_test::runKmlm(args), b = kmlm_test::runKmlm(args);
        QCOMPARE(a.code, 0);
        QCOMPARE(a.out, b.out);
        QVERIFY(!a.out.trimmed().isEmpty());
    }

    void runChatAndStdin() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"run", "-m", model_, "--chat", "-n", "4", "--stats"}, "안녕하세요");
        QCOMPARE(r.code, 0);
        QVERIFY(r.err.contains("prompt tokens"));
    }

    void chatResetsAndExits() {
        const kmlm_test::KmlmRun r =
            kmlm_test::runKmlm({"chat", "-m", model_, "-n", "4", "--stats"}, "안녕\n반가워\n/reset\n또 만나\n/exit\n");
        QCOMPARE(r.code, 0);
        QCOMPARE(r.err.count("prompt tokens"), 3);
        QVERIFY(r.err.contains("reused")); // the second turn reuses the first
        QVERIFY(r.err.contains("conversation cleared"));
    }

    void perplexity() {
        QFile text(dir_.filePath("text.txt"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        for (int i = 0; i < 20; ++i) text.write("오늘 날씨가 맑아서 공원에 산책을 나갔다. ");
        text.close();
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"perplexity", "-m", model_, "-f", text.fileName(), "-c", "32"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("Final estimate: PPL = "));
    }

    void bench() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"bench", "-m", model_, "--prompt-tokens", "16", "--gen-tokens", "4"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        for (const char* line : {"load:", "prompt:", "generation:", "peak RSS:", "bandwidth:", "bound:"})
            QVERIFY2(r.out.contains(line), line);
    }

    // The bundled GRU model has no context limit and no KV cache.
    void benchBundledModel() {
        const kmlm_test::KmlmRun r =
            kmlm_test::runKmlm({"bench", "--depth", "8", "--prompt-tokens", "4", "--gen-tokens", "2", "-o", "json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["architecture"].toString(), QString("kmlm-gru"));
        QCOMPARE(j["kv_type"].toString(), QString("none"));
        QCOMPARE(j["depth"].toInt(), 8);
        QVERIFY(j["gen_tps"].toDouble() > 0);
    }

    // --depth fills the cache before timing; -o json gives the same figures as one object.
    void benchJsonAtDepth() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(
            {"bench", "-m", model_, "-c", "64", "--depth", "40", "--prompt-tokens", "16", "--gen-tokens", "4", "-o", "json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QJsonParseError error;
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(r.out));
        QCOMPARE(j["depth"].toInt(), 40);
        QCOMPARE(j["prompt_tokens"].toInt(), 16);
        QCOMPARE(j["gen_tokens"].toInt(), 4);
        QCOMPARE(j["type"].toString(), QString("Q8_0"));
        QCOMPARE(j["kv_type"].toString(), QString("q8_0"));
        QVERIFY(j["threads"].toInt() >= 1);
        QVERIFY(j["fill_s"].toDouble() > 0);
        QVERIFY(j["prompt_tps"].toDouble() > 0);
        const double gen = j["gen_tps"].toDouble(), bound = j["bound_tps"].toDouble();
        QVERIFY(gen > 0 && bound > 0);
        QVERIFY(std::fabs(j["bound_ratio"].toDouble() - gen / bound) <= 1e-9 * (gen / bound));
        QVERIFY(!j["cpu"].toString().isEmpty());
        QVERIFY(j.contains("load_average"));
    }

    // Greedy output is the same with and without drafts; --stats counts them.
    void runWithDrafts() {
        const QStringList args = {"run",    "-m", model_,         "-p",     "하나 둘 셋 하나 둘 셋 하나 둘 셋 하나 둘", "-n", "24",
                                  "--temp", "0",  "--ignore-eos", "--stats"};
        const kmlm_test::KmlmRun plain = kmlm_test::runKmlm(args + QStringList{"--no-draft"});
        const kmlm_test::KmlmRun drafted = kmlm_test::runKmlm(args + QStringList{"--draft", "6"});
        QVERIFY2(plain.code == 0, qPrintable(plain.err));
        QVERIFY2(drafted.code == 0, qPrintable(drafted.err));
        QCOMPARE(drafted.out, plain.out);
        QVERIFY(!plain.err.contains("drafted"));
        QVERIFY2(drafted.err.contains("drafted tokens accepted"), qPrintable(drafted.err));
    }

    void benchDraft() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(
            {"bench-draft", "-m", model_, "--code", KMLM_SOURCE_DIR "/engine/src/generate.cpp", "--code-tokens", "8", "--runs", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("plain tok/s"));
        QVERIFY(r.out.contains("\ncode "));
        QVERIFY(r.out.contains("load average"));
    }

    void errors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::newRow("missing model") << QStringList{"run", "-m", "/nonexistent/model.gguf", "-p", "x"} << 1;
        QTest::newRow("unknown arch") << QStringList{"make-random", "--arch", "mamba", "x.gguf"} << 3;
        QTest::newRow("bad type") << QStringList{"make-random", "--type", "Q9_9", "x.gguf"} << 3;
        QTest::newRow("bad option") << QStringList{"bench", "--no-such-option"} << 2;
        QTest::newRow("depth past the context")
            << QStringList{"bench", "-m", "MODEL", "-c", "64", "--depth", "60", "--prompt-tokens", "16"} << 2;
        QTest::newRow("bad output format") << QStringList{"bench", "-m", "MODEL", "-o", "xml"} << 2;
        QTest::newRow("draft out of range") << QStringList{"run", "-m", "MODEL", "-p", "x", "--draft", "99"} << 2;
        QTest::newRow("draft and no draft") << QStringList{"run", "-m", "MODEL", "-p", "x", "--draft", "4", "--no-draft"} << 2;
        QTest::newRow("bench-draft without text") << QStringList{"bench-draft", "-m", "MODEL"} << 3;
        QTest::newRow("text too short") << QStringList{"perplexity", "-m", "MODEL", "-f", "SHORT", "-c", "32"} << 3;
    }
    void errors() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFile shortText(dir_.filePath("short.txt"));
        QVERIFY(shortText.open(QIODevice::WriteOnly));
        shortText.write("짧다");
        shortText.close();
        args.replaceInStrings("MODEL", model_).replaceInStrings("SHORT", shortText.fileName());
        for (QString& a : args)
            if (a == "x.gguf") a = dir_.filePath(a);
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(args);
        QCOMPARE(r.code, code);
        if (code != 2) QVERIFY(r.err.startsWith("kmlm: "));
    }

    void malformedModel() {
        QFile bad(dir_.filePath("bad.gguf"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("GGUF\x03\x00\x00\x00garbage");
        bad.close();
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"run", "-m", bad.fileName(), "-p", "x"});
        QCOMPARE(r.code, 3);
    }
};

QTEST_GUILESS_MAIN(TestDecoderCli)
#include "tst_decoder_cli.moc"
