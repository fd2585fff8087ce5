// kmlm tokenize / generate / score / convert-gru / train-gru: output, exit codes, errors.
#include "kmlm_test.h"

#include "kmlm/gru_io.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <fstream>

using namespace kmlm;

class TestGruCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set");
        model_ = dir_.filePath("tiny.gguf");
        write_gru_gguf(GruWeights::random({384, 16, 32}, 11), kmlm_test::toPath(model_), GgmlType::F32, "tiny");
    }

    void tokenizeRoundTrip_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("korean") << "안녕하세요 ㅋㅋㅋ";
        QTest::newRow("mixed") << "Mini LM 모델 😀 v0.1!";
    }
    void tokenizeRoundTrip() {
        QFETCH(QString, text);
        const kmlm_test::KmlmRun enc = kmlm_test::runKmlm({"tokenize", "-m", model_, "--text", text});
        QCOMPARE(enc.code, 0);
        const QString ids = enc.out.trimmed();
        QVERIFY(ids.startsWith("2 "));
        const kmlm_test::KmlmRun dec = kmlm_test::runKmlm({"tokenize", "-m", model_, "--decode", "--text", ids});
        QCOMPARE(dec.code, 0);
        QCOMPARE(dec.out, text + "\n");
    }

    void generateIsDeterministicWithASeed() {
        const QStringList args{"generate", "-m", model_, "-p", "오늘은", "-n", "30", "--seed", "7", "--print-ids", "-q"};
        const kmlm_test::KmlmRun a = kmlm_test::runKmlm(args), b = kmlm_test::runKmlm(args);
        QCOMPARE(a.code, 0);
        QCOMPARE(a.out, b.out);
        const QStringList lines = a.out.split('\n', Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 2);
        QVERIFY(lines.first().startsWith("오늘은"));
        for (const QString& id : lines.last().split(' ')) {
            bool ok = false;
            const int v = id.toInt(&ok);
            QVERIFY(ok && v >= 0 && v < 384);
        }
    }

    // The prompt is NFC before it is tokenized and echoed, as in kmlm run: decomposed jamo
    // (NFD) and the composed syllables give the same output.
    void generateNormalisesToNfc() {
        const QString nfc = QStringLiteral("오늘은 날씨가");
        const QString nfd = nfc.normalized(QString::NormalizationForm_D);
        QVERIFY(nfd != nfc);
        const QStringList args{"generate", "-m", model_, "-n", "20", "--seed", "3", "--print-ids", "-q", "-p"};
        const kmlm_test::KmlmRun composed = kmlm_test::runKmlm(args + QStringList{nfc});
        const kmlm_test::KmlmRun decomposed = kmlm_test::runKmlm(args + QStringList{nfd});
        QCOMPARE(decomposed.code, 0);
        QVERIFY2(decomposed.out.startsWith(nfc), qPrintable(decomposed.out));
        QCOMPARE(decomposed.out, decomposed.out.normalized(QString::NormalizationForm_C));
        QCOMPARE(decomposed.out, composed.out);
    }

    void scoreText() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"score", "-m", model_, "--text", "정말 재미있어요", "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(o.value("bits_per_char").toDouble() > 0);
        const QJsonArray tokens = o.value("tokens").toArray();
        QVERIFY(!tokens.isEmpty());
        double sum = 0;
        for (const auto& t : tokens) {
            QVERIFY(t.toObject().value("logprob").toDouble() <= 0);
            sum += t.toObject().value("logprob").toDouble();
        }
        QVERIFY(std::abs(sum - o.value("log_likelihood").toDouble()) < 1e-3);
    }

    void scoreIdsAndFile() {
        const kmlm_test::KmlmRun ids = kmlm_test::runKmlm({"score", "-m", model_, "--ids", "2 10 29 3", "--json"});
        QCOMPARE(ids.code, 0);
        QCOMPARE(QJsonDocument::fromJson(ids.out.toUtf8()).object().value("tokens").toArray().size(), 3);
        const QString file = dir_.filePath("lines.txt");
        std::ofstream(kmlm_test::toPath(file)) << "첫 줄\n둘째 줄입니다\n";
        const kmlm_test::KmlmRun f = kmlm_test::runKmlm({"score", "-m", model_, "--file", file, "--json"});
        QCOMPARE(f.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(f.out.toUtf8()).object();
        QCOMPARE(o.value("lines").toInt(), 2);
        QCOMPARE(o.value("code_points").toInt(), 3 + 7 + 2); // with the line ends
    }

    void errors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString bad = QString::fromLatin1("\xff");
        QTest::newRow("missing model") << QStringList{"score", "-m", "/nonexistent/m.gguf", "--text", "a"} << 1 << "not found";
        QTest::newRow("id out of range") << QStringList{"tokenize", "--decode", "--text", "2 999"} << 3 << "out of range";
        QTest::newRow("not an id") << QStringList{"tokenize", "--decode", "--text", "2 x"} << 3 << "not a token id";
        QTest::newRow("no input for score") << QStringList{"score"} << 2 << "exactly one";
        QTest::newRow("unknown format") << QStringList{"convert-gru", "in.gguf", "out.txt"} << 3 << "format";
        QTest::newRow("missing corpus") << QStringList{"train-gru", "--corpus", "/nonexistent.txt"} << 2 << "nonexistent";
    }
    void errors() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        if (!args.contains("-m") && args.first() != "convert-gru" && args.first() != "train-gru") args << "-m" << model_;
        if (args.first() == "convert-gru") args[1] = model_;
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message, Qt::CaseInsensitive), qPrintable(r.err));
    }

    void invalidUtf8IsExitCode3() {
        const QString file = dir_.filePath("bad.txt");
        std::ofstream(kmlm_test::toPath(file), std::ios::binary) << "좋아\n\xff\xfe\n";
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"score", "-m", model_, "--file", file});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("bad.txt:2"), qPrintable(r.err));
        const kmlm_test::KmlmRun t = kmlm_test::runKmlm({"tokenize", "-m", model_, "--file", file});
        QCOMPARE(t.code, 3);
        QVERIFY(t.err.contains("UTF-8"));
    }

    void convertRoundTrip() {
        const QString json = dir_.filePath("m.json"), bin = dir_.filePath("m.bin"), back = dir_.filePath("back.gguf");
        QCOMPARE(kmlm_test::runKmlm({"convert-gru", model_, json}).code, 0);
        QCOMPARE(kmlm_test::runKmlm({"convert-gru", json, bin}).code, 0);
        QCOMPARE(kmlm_test::runKmlm({"convert-gru", bin, back, "--type", "f32"}).code, 0);
        const kmlm_test::KmlmRun a = kmlm_test::runKmlm({"score", "-m", model_, "--text", "같은 점수"});
        const kmlm_test::KmlmRun b = kmlm_test::runKmlm({"score", "-m", back, "--text", "같은 점수"});
        QCOMPARE(a.code, 0);
        QCOMPARE(a.out, b.out);
    }

    void trainAndResume() {
        const QString corpus = dir_.filePath("corpus.txt"), out = dir_.filePath("run");
        {
            std::ofstream c(kmlm_test::toPath(corpus));
            for (int i = 0; i < 40; ++i) c << "안녕하세요 반갑습니다\n오늘 날씨가 좋네요 ㅋㅋ\n";
        }
        const QStringList args{"train-gru", "--corpus", corpus, "--valid", corpus, "--embed",      "8", "--hidden",  "16", "--batch",
                               "4",         "--bptt",   "16",   "--steps", "12",   "--eval-every", "6", "--out-dir", out};
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(args);
        QCOMPARE(r.code, 0);
        QVERIFY(r.err.contains("valid"));
        QVERIFY(QFileInfo::exists(out + "/latest.ckpt"));
        QVERIFY(QFileInfo::exists(out + "/best.gguf"));
        const kmlm_test::KmlmRun again = kmlm_test::runKmlm(args); // finished run: resumes at its end and stops
        QCOMPARE(again.code, 0);
        QVERIFY(again.err.contains("resumed"));
        QCOMPARE(kmlm_test::runKmlm({"score", "-m", out + "/best.gguf", "--text", "안녕"}).code, 0);
    }

    void bundledModelIsTheDefault() {
        const QString bundled = QStringLiteral(KMLM_SOURCE_DIR "/resources/models/kmlm-gru-ko.gguf");
        if (!QFileInfo::exists(bundled)) QSKIP("the bundled model is not there");
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"generate", "-p", "안녕", "-n", "20", "--seed", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("안녕"));
    }
};

QTEST_GUILESS_MAIN(TestGruCli)
#include "tst_gru_cli.moc"
