// Pruning: the written files load with the right layer count, head counts and tensor
// shapes, and removing a part whose output is zero leaves the logits unchanged (a layer
// whose output projections are zero, heads whose attn_output columns are zero).
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"
#include "kmlm/model_random.h"
#include "kmlm/prune.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"
#include "kmlm/transformer.h"

#include <QTemporaryDir>

#include <cmath>

using namespace kmlm;

namespace {

const std::vector<int32_t> kTokens = {1, 40, 300, 77, 5, 260, 128, 99, 31, 400, 12, 3};

std::vector<float> logits_of(const std::filesystem::path& path) {
    auto m = load_model(path);
    const auto l = m->eval(kTokens);
    return {l.begin(), l.end()};
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    float d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

std::vector<uint64_t> dims(const gguf::GgufFile& f, const std::string& name) { return f.tensor(name).dims; }

// A copy of the file with the named tensors set to zero.
void write_zeroed(const gguf::GgufFile& in, const std::vector<std::string>& names, const std::filesystem::path& out) {
    gguf::GgufWriter w(in.alignment());
    w.copy_metadata(in);
    for (const auto& t : in.tensors()) {
        std::vector<uint8_t> bytes(in.tensor_data(t), in.tensor_data(t) + t.n_bytes);
        if (std::find(names.begin(), names.end(), t.name) != names.end()) std::fill(bytes.begin(), bytes.end(), 0);
        w.add_tensor(t.name, t.type, t.dims, std::move(bytes));
    }
    w.write(out);
}

} // namespace

class TestPrune : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    ThreadPool pool_{2};

    std::filesystem::path path(const QString& name) { return kmlm_test::toPath(dir_.filePath(name)); }
    std::filesystem::path random_model(const QString& name, const std::string& arch, uint32_t layers, const std::string& type = "F32",
                                       uint32_t n_embd = 64) {
        RandomModelSpec spec;
        spec.arch = arch;
        spec.n_layer = layers;
        spec.n_embd = n_embd;
        spec.n_head = 4;
        spec.n_head_kv = arch == "gptneox" ? 4 : 2;
        spec.type = type;
        spec.seed = 21;
        const auto p = path(name);
        write_random_model(spec, p);
        return p;
    }

private slots:
    void drop_layers_renumbers() {
        const auto src = random_model("four.gguf", "llama", 4);
        auto in = gguf::GgufFile::open(src);
        drop_layers(*in, {1, 2}, path("two.gguf"));
        auto out = gguf::GgufFile::open(path("two.gguf"));
        QCOMPARE(out->get_uint("llama.block_count").value(), uint64_t(2));
        QCOMPARE(read_hparams(*out).n_layer, 2u);
        for (const auto& t : out->tensors()) QVERIFY2(t.name.rfind("blk.2", 0) != 0 && t.name.rfind("blk.3", 0) != 0, t.name.c_str());
        // The old layer 3 is the new layer 1, byte for byte.
        const auto& old3 = in->tensor("blk.3.ffn_down.weight");
        const auto& new1 = out->tensor("blk.1.ffn_down.weight");
        QCOMPARE(new1.dims, old3.dims);
        QVERIFY(std::equal(in->tensor_data(old3), in->tensor_data(old3) + old3.n_bytes, out->tensor_data(new1)));
        QCOMPARE(out->tensors().size(), in->tensors().size() - 2 * (in->tensors().size() - 3) / 4);
        auto m = load_model(path("two.gguf"));
        QCOMPARE(m->eval(kTokens).size(), size_t(m->tokenizer().vocab_size()));

        KMLM_VERIFY_THROWS(InvalidArgument, drop_layers(*in, {4}, path("bad.gguf")));
        KMLM_VERIFY_THROWS(InvalidArgument, drop_layers(*in, {0, 1, 2, 3}, path("bad.gguf")));
    }

    void unused_layer_changes_nothing_data() {
        QTest::addColumn<QString>("arch");
        QTest::newRow("llama") << "llama";
        QTest::newRow("qwen2") << "qwen2";
        QTest::newRow("gptneox") << "gptneox";
    }
    void unused_layer_changes_nothing() {
        QFETCH(QString, arch);
        const auto src = random_model(arch + "-3.gguf", arch.toStdString(), 3);
        auto in = gguf::GgufFile::open(src);
        // Layer 1 adds nothing to the residual stream: its output projections are zero
        // (gptneox also has output biases; zero them too).
        std::vector<std::string> zero = {"blk.1.attn_output.weight", "blk.1.ffn_down.weight"};
        if (arch == "gptneox") zero.insert(zero.end(), {"blk.1.attn_output.bias", "blk.1.ffn_down.bias"});
        write_zeroed(*in, zero, path(arch + "-zeroed.gguf"));
        auto zeroed = gguf::GgufFile::open(path(arch + "-zeroed.gguf"));
        drop_layers(*zeroed, {1}, path(arch + "-dropped.gguf"));
        const auto with = logits_of(path(arch + "-zeroed.gguf"));
        const auto without = logits_of(path(arch + "-dropped.gguf"));
        QCOMPARE(with.size(), without.size());
        QCOMPARE(max_abs_diff(with, without), 0.0f);
        // ...while dropping a working layer does change them.
        drop_layers(*in, {1}, path(arch + "-cut.gguf"));
        QVERIFY(max_abs_diff(logits_of(src), logits_of(path(arch + "-cut.gguf"))) > 1e-3f);
    }

    void keep_heads_shapes_and_logits_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("type");
        QTest::newRow("llama F32") << "llama"
                                   << "F32";
        QTest::newRow("qwen2 F32") << "qwen2"
                                   << "F32";
        QTest::newRow("llama Q8_0") << "llama"
                                    << "Q8_0";
    }
    void keep_heads_shapes_and_logits() {
        QFETCH(QString, arch);
        QFETCH(QString, type);
        const QString tag = arch + type;
        // Quantized: heads of 32, so that Q8_0 blocks do not straddle two heads.
        const uint32_t hd = type == "F32" ? 16 : 32, d = 4 * hd;
        const auto src = random_model(tag + ".gguf", arch.toStdString(), 2, type.toStdString(), d);
        auto in = gguf::GgufFile::open(src);
        const TransformerHParams hp = read_hparams(*in);
        QCOMPARE(hp.n_head, 4u);
        QCOMPARE(hp.head_dim, hd);
        // One query head out of each KV group, in every layer: heads 1 and 3 go.
        keep_heads(*in, {{0, 2}, {0, 2}}, path(tag + "-heads.gguf"), pool_);
        auto out = gguf::GgufFile::open(path(tag + "-heads.gguf"));
        const TransformerHParams got = read_hparams(*out);
        QCOMPARE(got.n_head, 2u);
        QCOMPARE(got.n_head_kv, 2u);
        QCOMPARE(got.head_dim, hd);
        QCOMPARE(dims(*out, "blk.0.attn_q.weight"), (std::vector<uint64_t>{d, 2 * hd}));
        QCOMPARE(dims(*out, "blk.0.attn_k.weight"), (std::vector<uint64_t>{d, 2 * hd}));
        QCOMPARE(dims(*out, "blk.1.attn_output.weight"), (std::vector<uint64_t>{2 * hd, d}));
        if (arch == "qwen2") QCOMPARE(dims(*out, "blk.0.attn_q.bias"), (std::vector<uint64_t>{2 * hd}));
        // The same as zeroing those heads' outputs: removed heads contributed nothing.
        zero_heads(*in, 0, {1, 3}, path(tag + "-z0.gguf"), pool_);
        auto z0 = gguf::GgufFile::open(path(tag + "-z0.gguf"));
        zero_heads(*z0, 1, {1, 3}, path(tag + "-z1.gguf"), pool_);
        const auto zeroed = logits_of(path(tag + "-z1.gguf"));
        const auto pruned = logits_of(path(tag + "-heads.gguf"));
        QVERIFY2(max_abs_diff(zeroed, pruned) < 2e-3f, qPrintable(QString::number(max_abs_diff(zeroed, pruned))));
        QVERIFY(max_abs_diff(logits_of(src), pruned) > 1e-3f);

        // A whole KV group (heads 2 and 3 use group 1).
        keep_heads(*in, {{0, 1}, {0, 1}}, path(tag + "-kv.gguf"), pool_);
        auto kv = gguf::GgufFile::open(path(tag + "-kv.gguf"));
        QCOMPARE(read_hparams(*kv).n_head_kv, 1u);
        QCOMPARE(dims(*kv, "blk.0.attn_v.weight"), (std::vector<uint64_t>{d, hd}));
        QCOMPARE(logits_of(path(tag + "-kv.gguf")).size(), zeroed.size());

        KMLM_VERIFY_THROWS(InvalidArgument, keep_heads(*in, {{0, 2}, {0, 1}}, path("bad.gguf"), pool_));       // 1 vs 2 groups
        KMLM_VERIFY_THROWS(InvalidArgument, keep_heads(*in, {{0, 1, 2}, {0, 1, 2}}, path("bad.gguf"), pool_)); // 2 + 1
        KMLM_VERIFY_THROWS(InvalidArgument, keep_heads(*in, {{2, 0}, {0, 2}}, path("bad.gguf"), pool_));
        KMLM_VERIFY_THROWS(InvalidArgument, keep_heads(*in, {{0, 2}}, path("bad.gguf"), pool_));
    }

    void sparsity() {
        const auto src = random_model("sparse-src.gguf", "llama", 2, "Q8_0");
        auto in = gguf::GgufFile::open(src);
        const double zero = sparsify(*in, 0.5, path("sparse.gguf"), pool_);
        QVERIFY2(zero >= 0.5 && zero < 0.52, qPrintable(QString::number(zero)));
        auto out = gguf::GgufFile::open(path("sparse.gguf"));
        QCOMPARE(out->tensors().size(), in->tensors().size());
        for (size_t i = 0; i < in->tensors().size(); ++i) {
            QCOMPARE(out->tensors()[i].dims, in->tensors()[i].dims);
            QCOMPARE(out->tensors()[i].type, in->tensors()[i].type);
        }
        // Half of a block matrix is zero, the smallest half: every kept weight is at least
        // as large as every zeroed one was.
        const auto& t = out->tensor("blk.0.ffn_up.weight");
        std::vector<float> before(t.n_elements), after(t.n_elements);
        const uint64_t rb = row_bytes(t.type, t.dims[0]);
        for (uint64_t r = 0; r < t.rows(); ++r) {
            dequantize_row(t.type, in->tensor_data(in->tensor(t.name)) + r * rb, before.data() + r * t.dims[0], t.dims[0]);
            dequantize_row(t.type, out->tensor_data(t) + r * rb, after.data() + r * t.dims[0], t.dims[0]);
        }
        float max_zeroed = 0, min_kept = INFINITY;
        size_t zeros = 0;
        for (size_t i = 0; i < before.size(); ++i) {
            if (after[i] == 0) {
                ++zeros;
                max_zeroed = std::max(max_zeroed, std::abs(before[i]));
            } else {
                min_kept = std::min(min_kept, std::abs(before[i]));
            }
        }
        QVERIFY(zeros >= before.size() / 2);
        QVERIFY(max_zeroed <= min_kept);
        // The embedding and output are left alone.
        const auto& e = out->tensor("token_embd.weight");
        QVERIFY(std::equal(out->tensor_data(e), out->tensor_data(e) + e.n_bytes, in->tensor_data(in->tensor(e.name))));
        QCOMPARE(logits_of(path("sparse.gguf")).size(), logits_of(src).size());
        KMLM_VERIFY_THROWS(InvalidArgument, sparsify(*in, 1.0, path("bad.gguf"), pool_));
    }
};

QTEST_APPLESS_MAIN(TestPrune)
#include "tst_prune.moc"
