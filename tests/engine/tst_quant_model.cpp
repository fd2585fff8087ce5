// Whole-model quantization: llama.cpp's presets and per-tensor type rules (checked against
// a Q4_K_M file that llama.cpp wrote), and quantize_model() on a small model.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"
#include "kmlm/model_random.h"
#include "kmlm/perplexity.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"

#include <QFile>
#include <QTemporaryDir>

#include <cmath>
#include <random>

using namespace kmlm;

Q_DECLARE_METATYPE(kmlm::GgmlType)

class TestQuantModel : public QObject {
    Q_OBJECT
private slots:
    void presets();
    void tensorTypes_data();
    void tensorTypes();
    void matchesLlamaCppMix_data();
    void matchesLlamaCppMix();
    void quantizeSmallModel_data();
    void quantizeSmallModel();
    void unreadableTensorType();
    void unsupportedTypeIsNamed();
    void quantizedRealModel_data();
    void quantizedRealModel();
};

void TestQuantModel::presets() {
    const QuantPreset p = parse_quant_preset("q4_k_m");
    QCOMPARE(p.name, std::string("Q4_K_M"));
    QCOMPARE(p.file_type, 15u);
    QCOMPARE(p.base, GgmlType::Q4_K);
    QCOMPARE(parse_quant_preset("Q8_0").file_type, 7u);
    QCOMPARE(parse_quant_preset("F16").base, GgmlType::F16);
    QCOMPARE(parse_quant_preset("Q4_0").file_type, 2u);
    QCOMPARE(parse_quant_preset("q3_k_m").file_type, 12u);
    QCOMPARE(parse_quant_preset("Q2_K").base, GgmlType::Q2_K);
    QCOMPARE(parse_quant_preset("IQ4_XS").file_type, 30u);
    QCOMPARE(parse_quant_preset("iq4_nl").base, GgmlType::IQ4_NL);
    QCOMPARE(parse_quant_preset("Q5_1").file_type, 9u);
    KMLM_VERIFY_THROWS(InvalidArgument, parse_quant_preset("IQ2_XXS"));
    KMLM_VERIFY_THROWS(InvalidArgument, parse_quant_preset(""));
}

void TestQuantModel::tensorTypes_data() {
    QTest::addColumn<QString>("preset");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<int>("rowLength");
    QTest::addColumn<bool>("hasOutput");
    QTest::addColumn<GgmlType>("expected");
    auto row = [](const char* preset, const char* tensor, int len, bool has_output, GgmlType t) {
        QTest::addRow("%s %s %d%s", preset, tensor, len, has_output ? "" : " tied")
            << QString(preset) << QString(tensor) << len << has_output << t;
    };
    // 24 layers: more bits in 0..2, 21..23 and 3 + 3k + 2 = 5, 8, ..., 20.
    row("Q4_K_M", "blk.0.attn_v.weight", 2048, true, GgmlType::Q6_K);
    row("Q4_K_M", "blk.3.attn_v.weight", 2048, true, GgmlType::Q4_K);
    row("Q4_K_M", "blk.5.ffn_down.weight", 8192, true, GgmlType::Q6_K);
    row("Q4_K_M", "blk.6.ffn_down.weight", 8192, true, GgmlType::Q4_K);
    row("Q4_K_M", "blk.23.ffn_down.weight", 8192, true, GgmlType::Q6_K);
    row("Q4_K_M", "blk.5.ffn_up.weight", 2048, true, GgmlType::Q4_K);
    row("Q4_K_M", "blk.4.attn_qkv.weight", 2048, true, GgmlType::Q5_K);
    row("Q4_K_M", "output.weight", 2048, true, GgmlType::Q6_K);
    row("Q4_K_M", "token_embd.weight", 2048, true, GgmlType::Q4_K);
    row("Q4_K_M", "token_embd.weight", 2048, false, GgmlType::Q6_K);
    row("Q4_K_M", "blk.6.ffn_down.weight", 704, true, GgmlType::Q5_0);
    row("Q4_K_M", "blk.5.ffn_down.weight", 704, true, GgmlType::Q8_0);
    row("Q4_K_M", "blk.6.ffn_down.weight", 100, true, GgmlType::F16);
    row("Q4_0", "blk.0.attn_v.weight", 2048, true, GgmlType::Q4_0);
    row("Q4_0", "output.weight", 2048, true, GgmlType::Q6_K);
    row("Q4_0", "output.weight", 96, true, GgmlType::Q8_0);
    row("Q8_0", "output.weight", 2048, true, GgmlType::Q8_0);
    row("F16", "output.weight", 2048, true, GgmlType::F16);
    row("Q6_K", "blk.1.ffn_up.weight", 2048, true, GgmlType::Q6_K);
    row("Q5_K_M", "blk.6.ffn_down.weight", 704, true, GgmlType::Q5_1);
    row("Q5_1", "blk.6.ffn_down.weight", 704, true, GgmlType::Q5_1);
    row("Q5_1", "output.weight", 2048, true, GgmlType::Q6_K);
    // n_gqa is 4 in these rows (see tensorTypes()).
    row("Q2_K", "blk.3.attn_q.weight", 2048, true, GgmlType::Q2_K);
    row("Q2_K", "blk.3.attn_v.weight", 2048, true, GgmlType::Q4_K);
    row("Q2_K", "blk.3.attn_output.weight", 2048, true, GgmlType::Q3_K);
    row("Q2_K", "blk.3.ffn_down.weight", 8192, true, GgmlType::Q3_K);
    row("Q2_K", "blk.3.ffn_down.weight", 704, true, GgmlType::IQ4_NL);
    row("Q3_K_S", "blk.3.attn_v.weight", 2048, true, GgmlType::Q3_K);
    row("Q3_K_M", "blk.1.attn_v.weight", 2048, true, GgmlType::Q5_K);
    row("Q3_K_M", "blk.2.attn_v.weight", 2048, true, GgmlType::Q4_K);
    row("Q3_K_M", "blk.0.ffn_down.weight", 8192, true, GgmlType::Q5_K);
    row("Q3_K_M", "blk.1.ffn_down.weight", 8192, true, GgmlType::Q4_K);
    row("Q3_K_M", "blk.2.ffn_down.weight", 8192, true, GgmlType::Q4_K);
    row("Q3_K_M", "blk.2.ffn_down.weight", 704, true, GgmlType::Q5_0);
    row("Q3_K_M", "blk.2.attn_output.weight", 2048, true, GgmlType::Q4_K);
    row("Q3_K_M", "blk.2.ffn_gate.weight", 2048, true, GgmlType::Q3_K);
    row("Q3_K_L", "blk.9.attn_v.weight", 2048, true, GgmlType::Q5_K);
    row("Q3_K_L", "blk.9.ffn_down.weight", 704, true, GgmlType::Q5_1);
    row("Q3_K_L", "blk.9.attn_qkv.weight", 2048, true, GgmlType::Q4_K);
    row("IQ4_NL", "blk.2.ffn_down.weight", 8192, true, GgmlType::Q5_K);
    row("IQ4_NL", "blk.3.ffn_down.weight", 8192, true, GgmlType::IQ4_NL);
    row("IQ4_NL", "blk.3.attn_v.weight", 2048, true, GgmlType::Q5_K);
    row("IQ4_XS", "blk.3.ffn_up.weight", 2048, true, GgmlType::IQ4_XS);
    row("IQ4_XS", "blk.3.ffn_down.weight", 704, true, GgmlType::IQ4_NL);
    row("IQ4_XS", "token_embd.weight", 2048, true, GgmlType::IQ4_XS);
}

void TestQuantModel::tensorTypes() {
    QFETCH(QString, preset);
    QFETCH(QString, tensor);
    QFETCH(int, rowLength);
    QFETCH(bool, hasOutput);
    QFETCH(GgmlType, expected);
    const GgmlType got = preset_tensor_type(parse_quant_preset(preset.toStdString()), tensor.toStdString(), rowLength, 24, hasOutput, 4);
    QCOMPARE(type_traits(got).name, type_traits(expected).name);
}

// The shared models were written by llama.cpp's quantize tool: our rules give every tensor
// the type it wrote, fallbacks for the 704-wide FFN included.
void TestQuantModel::matchesLlamaCppMix_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("preset");
    QTest::newRow("Q4_K_M") << "ko-tiny-llama-Q4_K_M.gguf"
                            << "Q4_K_M";
    QTest::newRow("Q8_0") << "ko-tiny-llama-Q8_0.gguf"
                          << "Q8_0";
    for (const char* p : {"Q5_1", "Q3_K_M", "Q2_K", "IQ4_NL", "IQ4_XS"})
        QTest::newRow(p) << QString("quants/ko-tiny-llama-%1.gguf").arg(p) << QString(p);
}

void TestQuantModel::matchesLlamaCppMix() {
    QFETCH(QString, file);
    QFETCH(QString, preset);
    KMLM_REQUIRE_SHARED(dir, "models");
    if (!QFile::exists(dir + "/" + file)) QSKIP("file absent");
    auto f = gguf::GgufFile::open(kmlm_test::toPath(dir + "/" + file));
    const QuantPreset p = parse_quant_preset(preset.toStdString());
    QCOMPARE(uint32_t(f->get_uint("general.file_type").value()), p.file_type);
    const uint32_t n_layer = uint32_t(f->get_uint("llama.block_count").value());
    const auto n_gqa = uint32_t(f->get_uint("llama.attention.head_count").value() / f->get_uint("llama.attention.head_count_kv").value());
    for (const auto& t : f->tensors()) {
        if (t.dims.size() < 2) continue;
        const GgmlType want = preset_tensor_type(p, t.name, t.dims[0], n_layer, true, n_gqa);
        QVERIFY2(want == t.type, qPrintable(QString("%1: %2, llama.cpp wrote %3")
                                                .arg(t.name.c_str())
                                                .arg(type_traits(want).name.data())
                                                .arg(type_traits(t.type).name.data())));
    }
}

void TestQuantModel::quantizeSmallModel_data() {
    QTest::addColumn<QString>("preset");
    QTest::addColumn<double>("bound"); // relative RMS error of the 2-D weights
    QTest::newRow("Q8_0") << "Q8_0" << 0.01;
    QTest::newRow("Q4_0") << "Q4_0" << 0.15;
    QTest::newRow("Q4_K_M") << "Q4_K_M" << 0.12;
    QTest::newRow("Q5_1") << "Q5_1" << 0.06;
    QTest::newRow("Q3_K_M") << "Q3_K_M" << 0.25;
    QTest::newRow("Q2_K") << "Q2_K" << 0.4;
    QTest::newRow("IQ4_NL") << "IQ4_NL" << 0.12;
    QTest::newRow("IQ4_XS") << "IQ4_XS" << 0.12;
    QTest::newRow("F16") << "F16" << 0.001;
}

// An F32 model with a 2-layer shape: metadata copied, file type set, norms kept F32, the
// weights converted per the rules and close to the originals.
void TestQuantModel::quantizeSmallModel() {
    QFETCH(QString, preset);
    QFETCH(double, bound);
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0, 0.02f);
    gguf::GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", 2);
    w.set_string_array("tokenizer.ggml.tokens", {"a", "나"});
    std::map<std::string, std::vector<float>> originals;
    auto add = [&](const std::string& name, std::vector<uint64_t> dims) {
        uint64_t n = 1;
        for (auto d : dims) n *= d;
        std::vector<float> v(n);
        for (float& x : v) x = dims.size() == 1 ? 1.0f + dist(rng) : dist(rng);
        w.add_tensor_f32(name, dims, v);
        originals[name] = v;
    };
    add("token_embd.weight", {256, 10});
    add("output.weight", {256, 10});
    add("output_norm.weight", {256});
    for (int l = 0; l < 2; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        add(p + "attn_norm.weight", {256});
        add(p + "attn_v.weight", {256, 64});
        add(p + "ffn_down.weight", {96, 256}); // not whole 256-blocks
    }
    QTemporaryDir dir;
    const auto in_path = kmlm_test::toPath(dir.filePath("in.gguf")), out_path = kmlm_test::toPath(dir.filePath("out.gguf"));
    w.write(in_path);
    auto in = gguf::GgufFile::open(in_path);
    ThreadPool pool(2);
    size_t calls = 0;
    const QuantPreset qp = parse_quant_preset(preset.toStdString());
    quantize_model(*in, out_path, qp, pool, [&](size_t done, size_t total, const std::string&) {
        QCOMPARE(total, in->tensors().size());
        QCOMPARE(done, calls++);
    });
    QCOMPARE(calls, in->tensors().size() + 1);

    auto out = gguf::GgufFile::open(out_path);
    QCOMPARE(out->get_uint("general.file_type").value(), uint64_t(qp.file_type));
    QCOMPARE(*out->get_string_array("tokenizer.ggml.tokens"), (std::vector<std::string>{"a", "나"}));
    QCOMPARE(out->get_uint("llama.block_count").value(), uint64_t(2));
    for (const auto& t : out->tensors()) {
        const auto& orig = originals.at(t.name);
        if (t.dims.size() == 1)
            QCOMPARE(t.type, GgmlType::F32);
        else
            QCOMPARE(t.type, preset_tensor_type(qp, t.name, t.dims[0], 2, true));
        std::vector<float> back(t.n_elements);
        const uint64_t rb = row_bytes(t.type, t.dims[0]);
        for (uint64_t r = 0; r < t.rows(); ++r)
            dequantize_row(t.type, out->tensor_data(t) + r * rb, back.data() + r * t.dims[0], t.dims[0]);
        double err = 0, ref = 0;
        for (size_t i = 0; i < back.size(); ++i) {
            err += double(back[i] - orig[i]) * (back[i] - orig[i]);
            ref += double(orig[i]) * orig[i];
        }
        QVERIFY2(std::sqrt(err / ref) < (t.dims.size() == 1 ? 1e-7 : bound), t.name.c_str());
    }
}

void TestQuantModel::unreadableTensorType() {
    gguf::GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.add_tensor("blk.0.attn_q.weight", GgmlType::Q8_1, {32, 2}, std::vector<uint8_t>(2 * 36)); // an activation-only type
    QTemporaryDir dir;
    const auto path = kmlm_test::toPath(dir.filePath("q3.gguf"));
    w.write(path);
    auto in = gguf::GgufFile::open(path);
    ThreadPool pool(1);
    KMLM_VERIFY_THROWS(InvalidArgument, quantize_model(*in, kmlm_test::toPath(dir.filePath("out.gguf")), parse_quant_preset("Q4_0"), pool));
    QVERIFY(!QFile::exists(dir.filePath("out.gguf")));
}

// A model holding a ggml type the engine has no kernels for (IQ2_XXS) parses, and loading
// it fails with an error that names the tensor and the type.
void TestQuantModel::unsupportedTypeIsNamed() {
    QTemporaryDir tmp;
    RandomModelSpec spec;
    spec.n_embd = 256;
    spec.n_ff = 256;
    const auto src = kmlm_test::toPath(tmp.filePath("f32.gguf")), out = kmlm_test::toPath(tmp.filePath("iq2.gguf"));
    write_random_model(spec, src);
    auto in = gguf::GgufFile::open(src);
    gguf::GgufWriter w(in->alignment());
    w.copy_metadata(*in);
    for (const auto& t : in->tensors()) {
        const GgmlType type = t.name == "blk.1.ffn_up.weight" ? GgmlType::IQ2_XXS : t.type;
        const uint64_t bytes = row_bytes(type, t.dims[0]) * t.rows();
        const uint8_t* data = in->tensor_data(t);
        w.add_tensor(t.name, type, t.dims, type == t.type ? std::vector<uint8_t>(data, data + bytes) : std::vector<uint8_t>(bytes));
    }
    w.write(out);
    QCOMPARE(gguf::GgufFile::open(out)->tensor("blk.1.ffn_up.weight").type, GgmlType::IQ2_XXS);
    try {
        load_model(out);
        QFAIL("the model loaded");
    } catch (const FormatError& e) {
        const QString msg = e.what();
        QVERIFY2(msg.contains("'blk.1.ffn_up.weight'") && msg.contains("IQ2_XXS"), e.what());
    }
}

void TestQuantModel::quantizedRealModel_data() {
    QTest::addColumn<QString>("preset");
    QTest::addColumn<double>("bound"); // relative PPL increase over the Q8_0 file allowed
    // llama.cpp's own files of these mixes: +0.01% (Q5_1), +0.17% (IQ4_NL/XS), +0.31% (Q3_K_M),
    // +2.2% (Q2_K) over Q8_0 on the whole text.
    QTest::newRow("Q5_1") << "Q5_1" << 0.003;
    QTest::newRow("IQ4_NL") << "IQ4_NL" << 0.006;
    QTest::newRow("IQ4_XS") << "IQ4_XS" << 0.006;
    QTest::newRow("Q3_K_L") << "Q3_K_L" << 0.01;
    QTest::newRow("Q3_K_M") << "Q3_K_M" << 0.012;
    QTest::newRow("Q3_K_S") << "Q3_K_S" << 0.03;
    QTest::newRow("Q2_K") << "Q2_K" << 0.04;
}

// The shared Q8_0 model requantized by quantize_model() to each new mix loads, and its
// perplexity on the first chunks of ppl-valid.txt stays close to the Q8_0 file's there.
void TestQuantModel::quantizedRealModel() {
    QFETCH(QString, preset);
    QFETCH(double, bound);
    KMLM_REQUIRE_SHARED(dir, "models");
    QFile text(dir + "/ppl-valid.txt");
    QVERIFY(text.open(QIODevice::ReadOnly));
    const QByteArray bytes = text.readAll();
    const std::string_view sv(bytes.constData(), size_t(bytes.size()));
    PerplexityOptions po;
    po.n_ctx = 256;
    po.max_chunks = 40;
    LoadOptions o;
    o.n_ctx = 256;
    o.kv_type = KvType::F16;
    const auto q8_path = kmlm_test::toPath(dir + "/ko-tiny-llama-Q8_0.gguf");
    static const double q8_ppl = perplexity(*load_model(q8_path, o), sv, po).ppl;

    QTemporaryDir tmp;
    const auto out = kmlm_test::toPath(tmp.filePath("out.gguf"));
    ThreadPool pool(2);
    quantize_model(*gguf::GgufFile::open(q8_path), out, parse_quant_preset(preset.toStdString()), pool);
    const double ppl = perplexity(*load_model(out, o), sv, po).ppl;
    qInfo("%s: PPL %.4f, Q8_0 %.4f (%+.2f%%)", qPrintable(preset), ppl, q8_ppl, 100 * (ppl / q8_ppl - 1));
    QVERIFY2(ppl / q8_ppl - 1 < bound, qPrintable(QString::number(ppl, 'f', 4)));
}

QTEST_GUILESS_MAIN(TestQuantModel)
#include "tst_quant_model.moc"
