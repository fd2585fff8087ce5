// describe_model_file(): one description of any model file, from its header, with the same
// parsers as the loaders: "supported" must mean that load_model() runs it, and an
// unsupported file says why without being loaded.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/gru_io.h"
#include "kmlm/model_file.h"
#include "kmlm/model_random.h"

#include <QTemporaryDir>

#include <algorithm>
#include <atomic>

using namespace kmlm;

namespace {

// A GGUF holding only metadata (and optionally one tensor): vocabularies, projectors,
// architectures this engine does not know.
void write_header_only(const std::filesystem::path& path, const std::string& arch, bool with_tensor) {
    gguf::GgufWriter w;
    if (!arch.empty()) w.set_string("general.architecture", arch);
    w.set_string("tokenizer.ggml.model", "llama");
    w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "가"});
    if (with_tensor) {
        const std::vector<float> zeros(64);
        w.add_tensor_f32("v.patch_embd.weight", {8, 8}, zeros);
    }
    w.write(path);
}

// A llama whose metadata is complete but whose layers have no tensors.
void write_llama_without_layers(const std::filesystem::path& path) {
    gguf::GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", 1);
    w.set_u32("llama.embedding_length", 32);
    w.set_u32("llama.attention.head_count", 1);
    w.set_u32("llama.feed_forward_length", 64);
    w.set_u32("llama.context_length", 64);
    w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    const std::vector<float> zeros(32 * 300);
    w.add_tensor_f32("token_embd.weight", {32, 300}, zeros);
    w.write(path);
}

std::filesystem::path bundled_gru() { return std::filesystem::path(KMLM_SOURCE_DIR) / "resources/models/kmlm-gru-ko.gguf"; }

} // namespace

class TestModelFile : public QObject {
    Q_OBJECT
private slots:
    void describes_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<bool>("supported");
        QTest::addColumn<QString>("reason"); // a part of it
        QTest::newRow("llama") << "llama"
                               << "llama" << true << "";
        QTest::newRow("llama q8_0") << "llama-q8"
                                    << "llama" << true << "";
        QTest::newRow("gru gguf") << "gru-gguf"
                                  << "kmlm-gru" << true << "";
        QTest::newRow("gru json") << "gru-json"
                                  << "kmlm-gru" << true << "";
        QTest::newRow("gru binary") << "gru-bin"
                                    << "kmlm-gru" << true << "";
        QTest::newRow("unknown architecture") << "unknown"
                                              << "rwkv-x" << false << "architecture 'rwkv-x' is not supported (llama";
        QTest::newRow("missing tensor") << "no-layers"
                                        << "llama" << false << "tensor 'output_norm.weight' is missing";
        QTest::newRow("vocabulary only") << "vocab"
                                         << "llama" << false << "vocabulary only";
        QTest::newRow("vision projector") << "clip"
                                          << "clip" << false << "vision projector";
    }
    void describes() {
        QFETCH(QString, kind);
        QFETCH(QString, architecture);
        QFETCH(bool, supported);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const std::filesystem::path path = kmlm_test::toPath(dir.filePath(kind + ".model"));
        GruWeights gru = GruWeights::zeros(GruConfig{77, 8, 16});
        if (kind == "llama" || kind == "llama-q8") {
            RandomModelSpec spec;
            spec.type = kind == "llama" ? "F32" : "Q8_0";
            write_random_model(spec, path);
        } else if (kind == "gru-gguf") {
            std::filesystem::copy_file(bundled_gru(), path);
        } else if (kind == "gru-json") {
            write_gru_file(gru, path, GruFormat::Json);
        } else if (kind == "gru-bin") {
            write_gru_file(gru, path, GruFormat::Binary);
        } else if (kind == "unknown") {
            write_header_only(path, "rwkv-x", true);
        } else if (kind == "no-layers") {
            write_llama_without_layers(path);
        } else if (kind == "vocab") {
            write_header_only(path, "llama", false);
        } else if (kind == "clip") {
            write_header_only(path, "clip", true);
        }

        const ModelFileInfo d = describe_model_file(path, 128, KvType::Q8_0, 1000);
        QCOMPARE(QString::fromStdString(d.architecture), architecture);
        QCOMPARE(d.supported, supported);
        QVERIFY2(QString::fromStdString(d.reason).contains(reason), d.reason.c_str());
        QVERIFY2(!QString::fromStdString(d.reason).contains(".model"), "the reason does not repeat the file name");
        QCOMPARE(d.file_size, uint64_t(std::filesystem::file_size(path)));
        // Supported means load_model() runs it, and the estimate is the one the loader admits by.
        if (supported) {
            QVERIFY(d.memory.has_value());
            QVERIFY(d.parameters > 0);
            QCOMPARE(d.memory->total(), estimate_model_file(path, 128, KvType::Q8_0, 1000).total());
            LoadOptions lo;
            lo.n_ctx = 128;
            const auto model = load_model(path, lo);
            QCOMPARE(model->info().architecture, d.architecture);
            QCOMPARE(model->info().parameters, d.parameters);
        } else {
            QVERIFY(!d.memory.has_value());
            KMLM_VERIFY_THROWS(std::exception, load_model(path, LoadOptions{}));
        }
    }

    void decoderHyperparametersAreTheLoaders() {
        QTemporaryDir dir;
        const auto path = kmlm_test::toPath(dir.filePath("m.gguf"));
        RandomModelSpec spec;
        spec.n_layer = 3, spec.n_embd = 96, spec.n_head = 6, spec.n_head_kv = 2, spec.n_ff = 160, spec.n_ctx = 300;
        write_random_model(spec, path);
        const ModelFileInfo d = describe_model_file(path);
        QVERIFY(d.hparams.has_value());
        QCOMPARE(d.hparams->n_layer, 3u);
        QCOMPARE(d.hparams->n_head_kv, 2u);
        QCOMPARE(d.hparams->head_dim, 16u);
        QCOMPARE(d.context_length, 300u);
        QCOMPARE(d.memory->n_ctx, 300u); // 0: the model's own context
        uint64_t tensors = 0;
        for (const auto& [name, s] : d.tensor_types) tensors += s.tensors;
        QCOMPARE(tensors, uint64_t(gguf::GgufFile::open(path)->tensors().size()));
        // The estimate from hyperparameters alone (a catalog entry) equals the file's.
        const MemoryEstimate from_file = estimate_memory(*gguf::GgufFile::open(path), 200, KvType::F16, 1000);
        const MemoryEstimate from_hp = estimate_decoder_memory(*d.hparams, from_file.weights, from_file.vocab, 200, KvType::F16, 1000);
        QCOMPARE(from_hp.total(), from_file.total());
        QCOMPARE(from_hp.kv_cache, from_file.kv_cache);
    }

    // Every loader reports progress from 0 to 1 and stops when asked to.
    void loadProgressAndCancel_data() {
        QTest::addColumn<bool>("gguf");
        QTest::newRow("decoder gguf") << true;
        QTest::newRow("gru json") << false;
    }
    void loadProgressAndCancel() {
        QFETCH(bool, gguf);
        QTemporaryDir dir;
        const auto path = kmlm_test::toPath(dir.filePath("m"));
        if (gguf)
            write_random_model(RandomModelSpec{}, path);
        else
            write_gru_file(GruWeights::zeros(GruConfig{77, 8, 16}), path, GruFormat::Json);
        std::vector<float> seen;
        LoadOptions lo;
        lo.progress = [&](float f) { seen.push_back(f); };
        QVERIFY(load_model(path, lo) != nullptr);
        QVERIFY(seen.size() >= 2);
        QCOMPARE(seen.front(), 0.0f);
        QCOMPARE(seen.back(), 1.0f);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        std::atomic<bool> cancel{true};
        lo.cancel = &cancel;
        KMLM_VERIFY_THROWS(CancelledError, load_model(path, lo));
    }

    void pathsThatAreNotFiles() {
        QTemporaryDir dir;
        try {
            describe_model_file(kmlm_test::toPath(dir.path()));
            QFAIL("a directory was described");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("is a directory") != std::string::npos, e.what());
        }
        KMLM_VERIFY_THROWS(IoError, describe_model_file(kmlm_test::toPath(dir.filePath("missing.gguf"))));
        KMLM_VERIFY_THROWS(IoError, load_model(kmlm_test::toPath(dir.path()), LoadOptions{}));
        QFile tiny(dir.filePath("tiny"));
        QVERIFY(tiny.open(QIODevice::WriteOnly));
        tiny.write("GG");
        tiny.close();
        KMLM_VERIFY_THROWS(FormatError, describe_model_file(kmlm_test::toPath(tiny.fileName())));
    }
};

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_model_file.moc"
