// kmlm eval kobest / eval text, tokenize (vocabulary-only GGUF, standard input, --stats)
// and prune from the command line, on tiny models written here.
#include "kmlm_test.h"

#include "kmlm/gguf.h"
#include "kmlm/language_model.h"
#include "kmlm/loglik.h"
#include "kmlm/model_random.h"
#include "kmlm/transformer.h"
#include "kmlm/vocab.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace kmlm;

namespace {

void write_file(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QString ids_line(const std::vector<int32_t>& ids) {
    QStringList parts;
    for (int32_t id : ids) parts << QString::number(id);
    return parts.join(' ');
}

} // namespace

class TestEvalCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_, vocab_, data_;

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set");
        model_ = dir_.filePath("m.gguf");
        RandomModelSpec spec;
        spec.n_layer = 3;
        spec.n_head_kv = 2;
        write_random_model(spec, kmlm_test::toPath(model_));
        // The same metadata without a single tensor: a vocabulary-only file.
        vocab_ = dir_.filePath("vocab.gguf");
        auto f = gguf::GgufFile::open(kmlm_test::toPath(model_));
        gguf::GgufWriter w;
        w.copy_metadata(*f);
        w.write(kmlm_test::toPath(vocab_));
        // A KoBEST folder with COPA and SentiNeg.
        data_ = dir_.filePath("kobest");
        QDir().mkpath(data_ + "/COPA");
        QDir().mkpath(data_ + "/SentiNeg");
        write_file(data_ + "/COPA/train.tsv",
                   "ID\tsentence\tquestion\t1\t2\tAnswer\r\n1\t비\t원인 \t구름\t해\t1\r\n2\t눈\t결과\t춥다\t덥다\t1\r\n");
        write_file(
            data_ + "/COPA/dev.tsv",
            "ID\tsentence\tquestion\t1\t2\tAnswer\r\n1\t문\t결과\t열림\t닫힘\t2\r\n2\t불\t원인\t성냥\t물\t1\r\n3\t꽃\t결과\t핌\t짐\t1\r\n");
        write_file(data_ + "/SentiNeg/dev.tsv", "ID\tLabel\tText\r\n1\t1\t좋다\r\n2\t0\t나쁘다\r\n");
        write_file(data_ + "/SentiNeg/SKT_SentiNeg_Test.tsv",
                   "ID\tLabel_origin\tText_origin\tLabel\tText\tCategory_neg\n1\t1\t좋다\t0\t안 좋다\tx\n");
    }

    void tokenize_vocab_only() {
        const auto r = kmlm_test::runKmlm({"tokenize", "-m", vocab_, "안녕하세요 세계"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto model = load_model(kmlm_test::toPath(model_));
        QCOMPARE(r.out.trimmed(), ids_line(model->tokenizer().encode("안녕하세요 세계", true)));
    }

    void tokenize_stdin() {
        // No text argument: standard input, byte for byte (the newline included).
        const QByteArray input = "오늘 날씨가\n좋다";
        const auto r = kmlm_test::runKmlm({"tokenize", "-m", vocab_, "--no-bos"}, input);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto tok = load_tokenizer(kmlm_test::toPath(vocab_));
        QCOMPARE(r.out.trimmed(), ids_line(tok->encode(input.toStdString(), false)));
        const auto text = kmlm_test::runKmlm({"tokenize", "-m", vocab_, "--no-bos", "--text", QString::fromUtf8(input)});
        QCOMPARE(text.out, r.out);
    }

    void tokenize_conformance_vectors() {
        // The reference runtime's ids for the shared vocabulary-only files, input via stdin.
        KMLM_REQUIRE_SHARED(dir, "tokenizer-vectors");
        for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"}) {
            const QString gguf = dir + "/" + name;
            QFile inp(gguf + ".inp"), out(gguf + ".out");
            QVERIFY(inp.open(QIODevice::ReadOnly) && out.open(QIODevice::ReadOnly));
            const QByteArray all = inp.readAll();
            // Cases are separated by "\n__ggml_vocab_test__\n"; take the first few.
            QList<QByteArray> parts;
            int pos = 0;
            const QByteArray sep = "\n__ggml_vocab_test__\n";
            while (parts.size() < 6) {
                const int next = all.indexOf(sep, pos);
                if (next < 0) break;
                parts << all.mid(pos, next - pos);
                pos = next + sep.size();
            }
            const QList<QByteArray> expected = out.readAll().split('\n');
            for (int i = 0; i < parts.size(); ++i) {
                if (parts[i].isEmpty()) continue;
                const auto r = kmlm_test::runKmlm({"tokenize", "-m", gguf, "--no-bos"}, parts[i]);
                QVERIFY2(r.code == 0, qPrintable(r.err));
                QCOMPARE(r.out.trimmed(), QString::fromUtf8(expected[i]).trimmed());
            }
        }
    }

    void tokenize_stats() {
        const QString text = dir_.filePath("stats.txt");
        write_file(text, "가나다 abc\n\n라마\n");
        const auto r = kmlm_test::runKmlm({"tokenize", "-m", vocab_, "--stats", text});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto tok = load_tokenizer(kmlm_test::toPath(vocab_));
        const size_t tokens = tok->encode("가나다 abc", false).size() + tok->encode("라마", false).size();
        // 2 lines, 9 characters (newlines not counted), 5 syllables.
        QVERIFY2(r.out.contains(QString("2 lines, %1 tokens, 9 characters, 5 Hangul syllables").arg(tokens)), qPrintable(r.out));
        QVERIFY2(r.out.contains(QString::asprintf("%.4f tokens/syllable, %.4f tokens/char", tokens / 5.0, tokens / 9.0)),
                 qPrintable(r.out));
    }

    void kobest_report() {
        const QString report = dir_.filePath("report.json");
        const auto r =
            kmlm_test::runKmlm({"eval", "kobest", "-m", model_, "--tasks", "copa,sentineg", "--shots", "0", "--data", data_, "-o", report});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("copa") && r.out.contains("sentineg") && r.out.contains("macro_f1"), qPrintable(r.out));
        QFile f(report);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonObject copa = root["tasks"].toObject()["copa"].toObject();
        QCOMPARE(copa["n"].toInt(), 3);
        const QJsonArray items = copa["items"].toArray();
        QCOMPARE(items.size(), 3);
        for (const auto& it : items) {
            const QJsonArray ll = it.toObject()["log_likelihoods"].toArray();
            QCOMPARE(ll.size(), 2);
            QVERIFY(ll[0].toDouble() < 0 && ll[1].toDouble() < 0);
            QCOMPARE(it.toObject()["pred"].toInt(), ll[1].toDouble() > ll[0].toDouble() ? 1 : 0);
        }
        QCOMPARE(copa["items"].toArray()[0].toObject()["gold"].toInt(), 1);
        // Few-shot needs train.tsv, which SentiNeg lacks here.
        const auto shots = kmlm_test::runKmlm({"eval", "kobest", "-m", model_, "--tasks", "sentineg", "--shots", "1", "--data", data_});
        QVERIFY(shots.code != 0);
        QVERIFY2(shots.err.contains("no train split"), qPrintable(shots.err));
        // The test split found by name; a split file given directly.
        const auto test = kmlm_test::runKmlm({"eval", "kobest", "-m", model_, "--tasks", "sentineg", "--split", "test", "--data", data_});
        QVERIFY2(test.code == 0 && test.out.contains("sentineg       1"), qPrintable(test.out + test.err));
        const auto file = kmlm_test::runKmlm(
            {"eval", "kobest", "-m", model_, "--tasks", "copa", "--split", data_ + "/COPA/dev.tsv", "--shots", "2", "--data", data_});
        QVERIFY2(file.code == 0 && file.out.contains("copa           3"), qPrintable(file.out + file.err));
    }

    void kobest_errors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown task") << QStringList{"--tasks", "copa,foo"} << 3 << "unknown KoBEST task 'foo'";
        QTest::newRow("no data") << QStringList{"--tasks", "copa"} << 3 << "--data DIR is needed";
        QTest::newRow("wrong layout") << QStringList{"--tasks", "copa", "--split", "SENTINEG"} << 3 << "no column 'sentence'";
        QTest::newRow("file, two tasks") << QStringList{"--tasks", "copa,wic", "--split", "x.tsv"} << 3 << "exactly one task";
        QTest::newRow("too many shots") << QStringList{"--tasks", "copa", "--shots", "3"} << 3 << "the train split has 2 docs";
    }
    void kobest_errors() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        for (QString& a : args) a.replace("SENTINEG", data_ + "/SentiNeg/dev.tsv");
        QStringList all{"eval", "kobest", "-m", model_};
        all << args;
        if (!args.contains("--split") && QString(QTest::currentDataTag()) != "no data") all << "--data" << data_;
        const auto r = kmlm_test::runKmlm(all);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void eval_text_bits_per_char() {
        const QString text = dir_.filePath("text.txt");
        write_file(text, "안녕하세요 반갑습니다\n오늘은 비가 온다\n");
        const auto r = kmlm_test::runKmlm({"eval", "text", "-m", model_, "-f", text});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto model = load_model(kmlm_test::toPath(model_));
        const TextScore s = score_text(*model, "안녕하세요 반갑습니다\n오늘은 비가 온다\n");
        QCOMPARE(s.counts.code_points, uint64_t(11 + 1 + 9 + 1));
        QVERIFY2(r.out.contains(QString::asprintf("%.4f bits/char", s.bits_per_char())), qPrintable(r.out));
        QVERIFY2(r.out.contains(QString::asprintf("%.4f bits/syllable", s.bits_per_syllable())), qPrintable(r.out));
        QVERIFY(r.out.contains("22 characters, 17 Hangul syllables"));
    }

    void prune_layers_cli() {
        const QString out = dir_.filePath("pruned.gguf");
        const auto r = kmlm_test::runKmlm({"prune", model_, out, "--layers", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto f = gguf::GgufFile::open(kmlm_test::toPath(out));
        QCOMPARE(read_hparams(*f).n_layer, 2u);
        const auto run = kmlm_test::runKmlm({"run", "-m", out, "-p", "안녕", "-n", "4", "--temp", "0"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        // Measured modes need a calibration text; one mode at a time.
        const auto calib = kmlm_test::runKmlm({"prune", model_, out, "--drop-layers", "1"});
        QCOMPARE(calib.code, 3);
        QVERIFY2(calib.err.contains("--calib FILE is needed"), qPrintable(calib.err));
        const auto two = kmlm_test::runKmlm({"prune", model_, out, "--layers", "1", "--sparsity", "0.5"});
        QCOMPARE(two.code, 3);
    }

    void prune_measured_cli() {
        const QString calib = dir_.filePath("calib.txt");
        write_file(calib, "안녕하세요\n오늘 날씨가 좋다\n");
        const QString out = dir_.filePath("measured.gguf");
        const auto r = kmlm_test::runKmlm({"prune", model_, out, "--drop-layers", "1", "--calib", calib});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.count("without layer"), 3);
        QCOMPARE(read_hparams(*gguf::GgufFile::open(kmlm_test::toPath(out))).n_layer, 2u);
        QVERIFY(!QFile::exists(out + ".measure.tmp"));
        const auto heads = kmlm_test::runKmlm({"prune", model_, dir_.filePath("heads.gguf"), "--heads", "1", "--calib", calib});
        QVERIFY2(heads.code == 0, qPrintable(heads.err));
        const auto hp = read_hparams(*gguf::GgufFile::open(kmlm_test::toPath(dir_.filePath("heads.gguf"))));
        QCOMPARE(hp.n_head, 2u); // one of the two query heads of each KV group
        QCOMPARE(hp.n_head_kv, 2u);
    }
};

QTEST_APPLESS_MAIN(TestEvalCli)
#include "tst_eval_cli.moc"
