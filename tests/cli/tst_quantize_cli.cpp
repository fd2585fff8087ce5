// kmlm quantize: converts a model and reports the mix; bad types, missing or malformed
// input give clear errors and the documented exit codes, and leave no output behind.
#include "kmlm_test.h"

#include "kmlm/gguf.h"
#include "kmlm/quant.h"

#include <QProcess>
#include <QTemporaryDir>

#include <random>

using namespace kmlm;

class TestQuantizeCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set");
        model_ = dir_.filePath("f32.gguf");
        gguf::GgufWriter w;
        w.set_string("general.architecture", "llama");
        w.set_u32("llama.block_count", 1);
        std::mt19937 rng(3);
        std::normal_distribution<float> dist(0, 0.02f);
        std::vector<float> m(256 * 32), v(256, 1.0f);
        for (float& x : m) x = dist(rng);
        w.add_tensor_f32("blk.0.attn_q.weight", {256, 32}, m);
        w.add_tensor_f32("output.weight", {256, 32}, m);
        w.add_tensor_f32("blk.0.attn_norm.weight", {256}, v);
        w.write(kmlm_test::toPath(model_));
    }

    void converts_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("mix");
        QTest::newRow("q4_0") << "q4_0"
                              << "1 F32, 1 Q4_0, 1 Q6_K";
        QTest::newRow("Q4_K_M") << "Q4_K_M"
                                << "1 F32, 1 Q4_K, 1 Q6_K";
        QTest::newRow("Q8_0") << "Q8_0"
                              << "1 F32, 2 Q8_0";
        QTest::newRow("F16") << "F16"
                             << "2 F16, 1 F32";
        QTest::newRow("Q5_1") << "Q5_1"
                              << "1 F32, 1 Q5_1, 1 Q6_K";
        QTest::newRow("Q2_K") << "Q2_K"
                              << "1 F32, 1 Q2_K, 1 Q6_K";
        QTest::newRow("Q3_K_M") << "q3_k_m"
                                << "1 F32, 1 Q3_K, 1 Q6_K";
        QTest::newRow("IQ4_NL") << "IQ4_NL"
                                << "1 F32, 1 IQ4_NL, 1 Q6_K";
        QTest::newRow("IQ4_XS") << "iq4_xs"
                                << "1 F32, 1 IQ4_XS, 1 Q6_K";
    }
    void converts() {
        QFETCH(QString, type);
        QFETCH(QString, mix);
        const QString out = dir_.filePath("out-" + type + ".gguf");
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"quantize", model_, out, type});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(mix), qPrintable(r.out));
        auto f = gguf::GgufFile::open(kmlm_test::toPath(out));
        QCOMPARE(f->get_uint("general.file_type").value(), uint64_t(parse_quant_preset(type.toStdString()).file_type));
    }

    void errors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown type") << QStringList{"MODEL", "OUT", "IQ2_XXS"} << 3 << "unknown quantization type 'IQ2_XXS'";
        QTest::newRow("missing input") << QStringList{"/nonexistent.gguf", "OUT", "Q4_0"} << 2 << "does not exist";
        QTest::newRow("not gguf") << QStringList{"JUNK", "OUT", "Q4_0"} << 3 << "not a GGUF file";
        QTest::newRow("missing type") << QStringList{"MODEL", "OUT"} << 2 << "TYPE";
    }
    void errors() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const QString junk = dir_.filePath("junk.gguf");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a model");
        f.close();
        const QString out = dir_.filePath("never.gguf");
        args.replaceInStrings("MODEL", model_).replaceInStrings("OUT", out).replaceInStrings("JUNK", junk);
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(QStringList{"quantize"} + args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }

    void help() {
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"quantize", "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("Q4_K_M"));
    }
};

QTEST_GUILESS_MAIN(TestQuantizeCli)
#include "tst_quantize_cli.moc"
