// The memory meter: estimate arithmetic on GGUF metadata, admission, fit_context, /proc
// readings, MemoryGuard, and generation ending with MemoryLimit under a tight ceiling.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/gguf.h"
#include "kmlm/memory.h"
#include "kmlm/model_random.h"

#include <QTemporaryDir>

#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace kmlm;

namespace {

struct Shape {
    uint32_t layers, embd, heads, kv_heads, ff, vocab, ctx;
};

// A llama-shaped GGUF with F32 tensors (zeros): only the tensor infos and metadata matter.
std::vector<uint8_t> make_llama(const Shape& s) {
    gguf::GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", s.layers);
    w.set_u32("llama.embedding_length", s.embd);
    w.set_u32("llama.attention.head_count", s.heads);
    w.set_u32("llama.attention.head_count_kv", s.kv_heads);
    w.set_u32("llama.feed_forward_length", s.ff);
    w.set_u32("llama.context_length", s.ctx);
    w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    std::vector<std::string> tokens;
    for (uint32_t i = 0; i < s.vocab; ++i) tokens.push_back("token-number-" + std::to_string(i));
    w.set_string_array("tokenizer.ggml.tokens", tokens);
    const uint64_t kv_dim = uint64_t(s.embd) / s.heads * s.kv_heads;
    auto add = [&w](const std::string& name, std::vector<uint64_t> dims) {
        uint64_t n = 1;
        for (auto d : dims) n *= d;
        w.add_tensor(name, GgmlType::F32, dims, std::vector<uint8_t>(n * 4));
    };
    add("token_embd.weight", {s.embd, s.vocab});
    for (uint32_t l = 0; l < s.layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        add(p + "attn_norm.weight", {s.embd});
        add(p + "attn_q.weight", {s.embd, s.embd});
        add(p + "attn_k.weight", {s.embd, kv_dim});
        add(p + "attn_v.weight", {s.embd, kv_dim});
        add(p + "attn_output.weight", {s.embd, s.embd});
        add(p + "ffn_norm.weight", {s.embd});
        add(p + "ffn_gate.weight", {s.embd, s.ff});
        add(p + "ffn_up.weight", {s.embd, s.ff});
        add(p + "ffn_down.weight", {s.ff, s.embd});
    }
    add("output_norm.weight", {s.embd});
    return w.to_bytes();
}

const Shape kSmall{2, 128, 4, 2, 256, 100, 512}; // head size 32: Q8_0 KV rows are whole blocks

// A model whose state grows by step_bytes (touched) per evaluated token: stands in for a
// decoder whose KV cache grows, to prove that generation stops before the ceiling.
class GrowingModel : public LanguageModel {
    class Decoder : public StreamDecoder {
    public:
        std::string push(int32_t) override { return "가"; }
        std::string flush() override { return {}; }
    };
    class Tok : public Tokenizer {
    public:
        int32_t vocab_size() const override { return 4; }
        std::vector<int32_t> encode(std::string_view, bool, bool) const override { return {1}; }
        std::string decode(std::span<const int32_t> ids) const override { return std::string(ids.size() * 3, 'x'); }
        std::string token_text(int32_t) const override { return "가"; }
        std::unique_ptr<StreamDecoder> stream_decoder() const override { return std::make_unique<Decoder>(); }
        int32_t bos() const override { return -1; }
        int32_t eos() const override { return 3; }
        bool is_end_of_generation(int32_t id) const override { return id == 3; }
    };

public:
    explicit GrowingModel(size_t step_bytes) : step_(step_bytes) { info_.name = "growing"; }
    const ModelInfo& info() const override { return info_; }
    const Tokenizer& tokenizer() const override { return tok_; }
    const std::vector<int32_t>& history() const override { return history_; }
    void truncate(size_t n) override {
        history_.resize(std::min(n, history_.size()));
        blocks_.resize(std::min(n, blocks_.size()));
    }
    std::span<const float> eval(std::span<const int32_t> tokens) override {
        for (int32_t t : tokens) {
            history_.push_back(t);
            blocks_.emplace_back(step_, static_cast<char>(t + 1)); // written: resident
        }
        return logits_;
    }
    size_t context_length() const override { return 0; }
    MemoryUsage memory_usage() const override { return {0, blocks_.size() * step_, 0, {}}; }

private:
    size_t step_;
    ModelInfo info_;
    Tok tok_;
    std::vector<int32_t> history_;
    std::vector<std::vector<char>> blocks_;
    std::vector<float> logits_{0.f, 5.f, 0.f, -100.f}; // greedy picks token 1, never EOS
};

} // namespace

class TestMemory : public QObject {
    Q_OBJECT
private slots:
    void kvCacheBytes_data() {
        QTest::addColumn<uint>("layers");
        QTest::addColumn<uint>("ctx");
        QTest::addColumn<uint>("kvHeads");
        QTest::addColumn<uint>("headDim");
        QTest::addColumn<bool>("f16");
        QTest::addColumn<qulonglong>("expected");
        // Polyglot-ko-1.3B: 24 layers, 16 heads of 128. F16: 2 x 24 x 2048 x 2048 x 2 bytes.
        QTest::newRow("polyglot f16") << 24u << 2048u << 16u << 128u << true << qulonglong(2ull * 24 * 2048 * 2048 * 2);
        // Q8_0: a 2048-wide row is 64 blocks of 34 bytes.
        QTest::newRow("polyglot q8_0") << 24u << 2048u << 16u << 128u << false << qulonglong(2ull * 24 * 2048 * 64 * 34);
        // GQA: 8 KV heads of 64 = 512-wide rows = 16 blocks.
        QTest::newRow("gqa q8_0") << 16u << 4096u << 8u << 64u << false << qulonglong(2ull * 16 * 4096 * 16 * 34);
        // A row of 40 elements is rounded up to two Q8_0 blocks.
        QTest::newRow("partial block") << 1u << 10u << 1u << 40u << false << qulonglong(2ull * 1 * 10 * 2 * 34);
        QTest::newRow("one token f16") << 1u << 1u << 1u << 32u << true << qulonglong(2ull * 32 * 2);
    }
    void kvCacheBytes() {
        QFETCH(uint, layers);
        QFETCH(uint, ctx);
        QFETCH(uint, kvHeads);
        QFETCH(uint, headDim);
        QFETCH(bool, f16);
        QFETCH(qulonglong, expected);
        QCOMPARE(qulonglong(kv_cache_bytes(layers, ctx, kvHeads, headDim, f16 ? KvType::F16 : KvType::Q8_0)), expected);
    }

    void estimateFromMetadata_data() {
        QTest::addColumn<uint>("ctx");
        QTest::addColumn<bool>("f16");
        QTest::addColumn<uint>("expectedCtx");
        QTest::newRow("ctx 256 q8") << 256u << false << 256u;
        QTest::newRow("ctx 256 f16") << 256u << true << 256u;
        QTest::newRow("clamped to the model's") << 100000u << false << kSmall.ctx;
        QTest::newRow("0 = the model's") << 0u << true << kSmall.ctx;
    }
    void estimateFromMetadata() {
        QFETCH(uint, ctx);
        QFETCH(bool, f16);
        QFETCH(uint, expectedCtx);
        const auto bytes = make_llama(kSmall);
        const auto file = gguf::GgufFile::parse(bytes, "small.gguf");
        const KvType kv = f16 ? KvType::F16 : KvType::Q8_0;
        const MemoryEstimate e = estimate_memory(*file, ctx, kv, 1000);
        QCOMPARE(e.architecture, std::string("llama"));
        QCOMPARE(e.n_ctx, expectedCtx);
        uint64_t tensor_bytes = 0, elements = 0;
        for (const auto& t : file->tensors()) tensor_bytes += t.n_bytes, elements += t.n_elements;
        QCOMPARE(e.weights, tensor_bytes);
        QCOMPARE(e.parameters, elements);
        QCOMPARE(e.kv_cache, kv_cache_bytes(kSmall.layers, expectedCtx, kSmall.kv_heads, kSmall.embd / kSmall.heads, kv));
        QVERIFY(e.compute >= uint64_t(kSmall.vocab) * 4); // at least one row of logits
        QVERIFY(e.vocab >= uint64_t(kSmall.vocab) * 16);  // every token string, at least once
        QCOMPARE(e.baseline, uint64_t(1000));
        QCOMPARE(e.total(), e.weights + e.kv_cache + e.compute + e.vocab + e.baseline);
    }

    void estimateGrowsWithContextAndVocab() {
        const auto a = make_llama(kSmall);
        Shape bigger_vocab = kSmall;
        bigger_vocab.vocab *= 4;
        const auto b = make_llama(bigger_vocab);
        const auto fa = gguf::GgufFile::parse(a, "a.gguf");
        const auto fb = gguf::GgufFile::parse(b, "b.gguf");
        QVERIFY(estimate_memory(*fa, 512, KvType::Q8_0).total() > estimate_memory(*fa, 128, KvType::Q8_0).total());
        QVERIFY(estimate_memory(*fa, 512, KvType::F16).kv_cache > estimate_memory(*fa, 512, KvType::Q8_0).kv_cache);
        QVERIFY(estimate_memory(*fb, 512, KvType::Q8_0).vocab > estimate_memory(*fa, 512, KvType::Q8_0).vocab);
        QVERIFY(estimate_memory(*fb, 512, KvType::Q8_0).compute > estimate_memory(*fa, 512, KvType::Q8_0).compute);
    }

    void estimateMissingHyperparameter() {
        gguf::GgufWriter w;
        w.set_string("general.architecture", "llama");
        w.set_u32("llama.embedding_length", 64);
        const auto bytes = w.to_bytes();
        const auto file = gguf::GgufFile::parse(bytes, "broken.gguf");
        KMLM_VERIFY_THROWS(FormatError, estimate_memory(*file, 128, KvType::Q8_0));
    }

    // The GRU's original formats are estimated from the file size: F32 weights byte for byte,
    // and for JSON the text and its parsed document while loading.
    void estimateOtherFormats_data() {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<qulonglong>("compute");
        QTest::newRow("json") << QByteArray("{\"config\":") << 3ull;
        QTest::newRow("json after spaces") << QByteArray("  \n{") << 3ull;
        QTest::newRow("binary") << QByteArray("\x20\x00\x00\x00", 4) << 0ull;
        QTest::newRow("binary with a brace") << QByteArray("\x05\x7b\x00\x00", 4) << 0ull;
    }
    void estimateOtherFormats() {
        QFETCH(QByteArray, head);
        QFETCH(qulonglong, compute);
        QTemporaryDir dir;
        const QString path = dir.filePath("model");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(head + QByteArray(4000, ' '));
        f.close();
        const uint64_t size = uint64_t(head.size()) + 4000;
        const MemoryEstimate e = estimate_model_file(kmlm_test::toPath(path), 2048, KvType::Q8_0, 100);
        QCOMPARE(e.architecture, std::string("kmlm-gru"));
        QCOMPARE(e.weights, size);
        QCOMPARE(e.compute, compute * size);
        QCOMPARE(e.total(), e.weights + e.compute + 100);
        KMLM_VERIFY_THROWS(IoError, estimate_model_file("/nonexistent/model.bin", 2048, KvType::Q8_0));
    }

    void weightsAtQ4() {
        const auto bytes = make_llama(kSmall);
        const auto file = gguf::GgufFile::parse(bytes, "small.gguf");
        uint64_t expected = 0;
        for (const auto& t : file->tensors()) expected += t.dims.size() == 2 ? t.n_elements / 32 * 18 : t.n_elements * 4;
        QCOMPARE(weights_at_q4_0(*file), expected);
        QVERIFY(weights_at_q4_0(*file) < estimate_memory(*file, 0, KvType::Q8_0).weights / 5);
    }

    void fitContext_data() {
        QTest::addColumn<bool>("f16");
        QTest::newRow("q8_0") << false;
        QTest::newRow("f16") << true;
    }
    void fitContext() {
        QFETCH(bool, f16);
        const KvType kv = f16 ? KvType::F16 : KvType::Q8_0;
        const auto bytes = make_llama(kSmall);
        const auto file = gguf::GgufFile::parse(bytes, "small.gguf");
        const uint64_t baseline = 1 << 20;
        // Everything fits: the model's own context.
        QCOMPARE(fit_context(*file, kv, 1ull << 40, baseline), kSmall.ctx);
        // A limit that allows about 300 tokens: the answer fits and one more token does not.
        const uint64_t limit = estimate_memory(*file, 300, kv, baseline).total() + 7;
        const uint32_t ctx = fit_context(*file, kv, limit, baseline);
        QVERIFY(ctx >= 300 && ctx < kSmall.ctx);
        QVERIFY(estimate_memory(*file, ctx, kv, baseline).total() <= limit);
        QVERIFY(estimate_memory(*file, ctx + 1, kv, baseline).total() > limit);
        // Not even one token fits.
        QCOMPARE(fit_context(*file, kv, baseline, baseline), 0u);
    }

    void admissionMessage() {
        const auto bytes = make_llama(kSmall);
        const auto file = gguf::GgufFile::parse(bytes, "small.gguf");
        const MemoryEstimate e = estimate_memory(*file, 512, KvType::F16, 0);
        // Under or at the ceiling, or no ceiling: admitted.
        check_admission(e, e.total(), file.get(), "small.gguf");
        check_admission(e, 0, file.get(), "small.gguf");
        // Just enough for a shorter context, with F32 weights: every hint applies.
        const uint64_t limit = e.total() - e.kv_cache / 3; // q8_0 saves almost half of the KV cache
        try {
            check_admission(e, limit, file.get(), "small.gguf");
            QFAIL("admitted over the ceiling");
        } catch (const MemoryLimitError& err) {
            const QString msg = QString::fromUtf8(err.what());
            QVERIFY2(msg.startsWith("small.gguf needs about " + QString::fromStdString(format_bytes(e.total()))), qPrintable(msg));
            QVERIFY2(msg.contains(QString::fromStdString(format_bytes(e.total() - limit)) + " over the memory ceiling of " +
                                  QString::fromStdString(format_bytes(limit))),
                     qPrintable(msg));
            const uint32_t ctx = fit_context(*file, KvType::F16, limit, 0);
            QVERIFY2(msg.contains("a context of " + QString::number(ctx) + " tokens or less"), qPrintable(msg));
            QVERIFY2(msg.contains("the 8-bit KV cache"), qPrintable(msg));
            QVERIFY2(msg.contains("a Q4_0 quantization"), qPrintable(msg));
            QVERIFY2(msg.contains("the bundled GRU model"), qPrintable(msg));
        }
    }

    void loadModelRefusesOverCeiling() {
        QTemporaryDir dir;
        const auto bytes = make_llama(kSmall);
        const QString path = dir.filePath("small.gguf");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size()));
        f.close();
        LoadOptions options;
        options.n_ctx = 256;
        options.memory_limit = 1 << 20; // 1 MiB: less than the process alone
        try {
            load_model(kmlm_test::toPath(path), options);
            QFAIL("loaded over the ceiling");
        } catch (const MemoryLimitError& err) {
            const QString msg = QString::fromUtf8(err.what());
            QVERIFY2(msg.contains("over the memory ceiling of 1.00 MiB"), qPrintable(msg));
            QVERIFY2(msg.contains("the bundled GRU model"), qPrintable(msg));
        }
    }

    // The estimate from metadata against what the loaded model reports: weights and KV cache
    // exactly, scratch buffers at least.
    void estimateMatchesLoadedModel_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<uint>("embd");
        QTest::addColumn<uint>("heads");
        QTest::addColumn<uint>("headsKv");
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("f16");
        QTest::newRow("llama q8_0 kv") << "llama" << 128u << 4u << 2u << "Q8_0" << false;
        QTest::newRow("llama f16 kv") << "llama" << 128u << 4u << 4u << "Q4_0" << true;
        QTest::newRow("qwen2") << "qwen2" << 128u << 2u << 1u << "F16" << false;
        QTest::newRow("gptneox") << "gptneox" << 128u << 4u << 4u << "Q4_0" << false;
        QTest::newRow("exaone") << "exaone" << 64u << 2u << 2u << "F32" << false;
        // head size 16: the 8-bit cache's blocks would straddle heads, F16 is used instead
        QTest::newRow("head size 16") << "llama" << 64u << 4u << 4u << "F32" << false;
    }
    void estimateMatchesLoadedModel() {
        QFETCH(QString, arch);
        QFETCH(uint, embd);
        QFETCH(uint, heads);
        QFETCH(uint, headsKv);
        QFETCH(QString, type);
        QFETCH(bool, f16);
        RandomModelSpec spec;
        spec.arch = arch.toStdString();
        spec.n_embd = embd;
        spec.n_head = heads;
        spec.n_head_kv = headsKv;
        spec.n_ff = 2 * embd;
        spec.n_ctx = 512;
        spec.type = type.toStdString();
        QTemporaryDir dir;
        const auto path = kmlm_test::toPath(dir.filePath("model.gguf"));
        write_random_model(spec, path);
        LoadOptions options;
        options.n_ctx = 200;
        options.kv_type = f16 ? KvType::F16 : KvType::Q8_0;
        options.n_threads = 1;
        const auto file = gguf::GgufFile::open(path);
        const MemoryEstimate e = estimate_memory(*file, options.n_ctx, options.kv_type);
        const auto model = load_model(path, options);
        const MemoryUsage u = model->memory_usage();
        QCOMPARE(e.n_ctx, uint32_t(model->context_length()));
        QCOMPARE(e.weights, u.weights);
        QCOMPARE(e.kv_cache, u.kv_cache);
        QVERIFY2(e.compute >= u.compute, qPrintable(QString("%1 < %2").arg(e.compute).arg(u.compute)));
        // buffers at most twice over, plus the decoder's code paged in (about 1 MiB)
        QVERIFY2(e.compute <= 2 * u.compute + (2ull << 20), qPrintable(QString("%1 > 2 x %2").arg(e.compute).arg(u.compute)));
    }

    void estimateMatchesBundledGru() {
        const auto path = std::filesystem::path(KMLM_SOURCE_DIR) / "resources/models/kmlm-gru-ko.gguf";
        if (!std::filesystem::exists(path)) QSKIP("the bundled GRU model is not there yet");
        const auto file = gguf::GgufFile::open(path);
        const MemoryEstimate e = estimate_memory(*file, 2048, KvType::Q8_0);
        QCOMPARE(e.architecture, std::string("kmlm-gru"));
        const auto model = load_model(path);
        const std::vector<int32_t> tokens(100, 12);
        model->eval(tokens);
        const MemoryUsage u = model->memory_usage();
        QCOMPARE(e.weights, u.weights);
        QVERIFY(e.kv_cache >= u.kv_cache);
        QVERIFY(e.compute >= u.compute);
        QVERIFY(e.total() < (64ull << 20) + kAppBaselineBytes); // the fallback is always small
    }

    void formatBytes_data() {
        QTest::addColumn<qulonglong>("bytes");
        QTest::addColumn<QString>("text");
        QTest::newRow("bytes") << 512ull << "512 B";
        QTest::newRow("KiB") << 1536ull << "1.50 KiB";
        QTest::newRow("MiB") << (340ull << 20) << "340 MiB";
        QTest::newRow("GiB") << (3ull << 30) << "3.00 GiB";
        QTest::newRow("GiB fraction") << (1ull << 30) + (1ull << 29) << "1.50 GiB";
    }
    void formatBytes() {
        QFETCH(qulonglong, bytes);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(format_bytes(bytes)), text);
    }

    void parseProcStatus() {
        const char* text = "Name:\tkmlm\nVmPeak:\t  300000 kB\nVmSize:\t  250000 kB\nVmHWM:\t   120000 kB\n"
                           "VmRSS:\t   100000 kB\nRssAnon:\t    60000 kB\nRssFile:\t    39000 kB\nRssShmem:\t     1000 kB\n"
                           "Threads:\t3\n";
        const ProcessMemory m = parse_proc_status(text);
        QCOMPARE(m.rss, 100000ull * 1024);
        QCOMPARE(m.rss_anon, 60000ull * 1024);
        QCOMPARE(m.rss_file, 39000ull * 1024);
        QCOMPARE(m.rss_shmem, 1000ull * 1024);
        QCOMPARE(m.peak_rss, 120000ull * 1024);
        QCOMPARE(m.virtual_size, 250000ull * 1024);
        QCOMPARE(parse_proc_status("garbage\nVmRSS: lots\n").rss, 0ull);
    }

    void readsOwnProcess() {
        const ProcessMemory m = read_process_memory();
        QVERIFY(m.rss > 0);
        QVERIFY(m.peak_rss >= m.rss);
        QCOMPARE(m.rss_anon + m.rss_file + m.rss_shmem, m.rss);
        const uint64_t before = current_rss();
        QVERIFY(before > 0);
        std::vector<char> block(64 << 20, 1); // 64 MiB, written
        const uint64_t after = current_rss();
        QVERIFY2(after >= before + (60ull << 20), qPrintable(QString::number(after - before)));
        QVERIFY(block[12345] == 1);
    }

    void parseSmaps() {
        const char* text = "55d0c0000000-55d0c0010000 r-xp 00000000 08:01 1234                       /usr/bin/kmlm\n"
                           "Size:                 64 kB\nRss:                  40 kB\nPss:                  40 kB\n"
                           "7f0000000000-7f0000400000 r--p 00000000 08:01 99                         /models/a b.gguf\n"
                           "Size:               4096 kB\nRss:                1000 kB\nVmFlags: rd mr me\n"
                           "7f0000400000-7f0000800000 r--p 00400000 08:01 99                         /models/a b.gguf\n"
                           "Rss:                 500 kB\n"
                           "7f0000800000-7f0000900000 rw-p 00000000 00:00 0 \n"
                           "Rss:                 900 kB\n";
        QCOMPARE(parse_smaps_resident(text, "/models/a b.gguf"), 1500ull * 1024);
        QCOMPARE(parse_smaps_resident(text, "/usr/bin/kmlm"), 40ull * 1024);
        QCOMPARE(parse_smaps_resident(text, "/models/other.gguf"), 0ull);
    }

    void mappedFileResident() {
        QTemporaryDir dir;
        const QString path = dir.filePath("weights.bin");
        const size_t size = 8 << 20;
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(int(size), 'w'));
        }
        const int fd = ::open(path.toLocal8Bit().constData(), O_RDONLY);
        QVERIFY(fd >= 0);
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        QVERIFY(p != MAP_FAILED);
        unsigned sum = 0;
        for (size_t i = 0; i < size; i += 4096) sum += static_cast<const unsigned char*>(p)[i];
        QVERIFY(sum > 0);
        const uint64_t resident = mapped_file_resident(kmlm_test::toPath(path));
        QVERIFY2(resident >= size, qPrintable(QString::number(resident)));
        // It shows up in the meter as the model, not as the application.
        const MemorySample s = sample_memory(3ull << 30, kmlm_test::toPath(path), {});
        QVERIFY(s.model >= size);
        QCOMPARE(s.model + s.kv_cache + s.app, s.used);
        ::munmap(p, size);
        QCOMPARE(mapped_file_resident(kmlm_test::toPath(path)), 0ull);
    }

    void makeSample_data() {
        QTest::addColumn<qulonglong>("rss");
        QTest::addColumn<qulonglong>("fileResident");
        QTest::addColumn<qulonglong>("weights");
        QTest::addColumn<qulonglong>("kv");
        QTest::addColumn<qulonglong>("model");
        QTest::addColumn<qulonglong>("kvOut");
        QTest::addColumn<qulonglong>("app");
        QTest::newRow("mapped") << 1000ull << 600ull << 800ull << 100ull << 600ull << 100ull << 300ull;
        QTest::newRow("owned weights") << 1000ull << 0ull << 500ull << 200ull << 500ull << 200ull << 300ull;
        QTest::newRow("no model") << 1000ull << 0ull << 0ull << 0ull << 0ull << 0ull << 1000ull;
        // KV cache allocated but not yet all resident: never more than what is used.
        QTest::newRow("clamped") << 1000ull << 700ull << 700ull << 900ull << 700ull << 300ull << 0ull;
    }
    void makeSample() {
        QFETCH(qulonglong, rss);
        QFETCH(qulonglong, fileResident);
        QFETCH(qulonglong, weights);
        QFETCH(qulonglong, kv);
        QFETCH(qulonglong, model);
        QFETCH(qulonglong, kvOut);
        QFETCH(qulonglong, app);
        ProcessMemory p;
        p.rss = rss;
        const MemorySample s = make_sample(p, 5000, fileResident, MemoryUsage{weights, kv, 0, {}});
        QCOMPARE(s.used, rss);
        QCOMPARE(s.ceiling, 5000ull);
        QCOMPARE(s.model, model);
        QCOMPARE(s.kv_cache, kvOut);
        QCOMPARE(s.app, app);
    }

    void history() {
        MemoryHistory h(3);
        for (uint64_t used : {5, 9, 7, 4}) h.push(MemorySample{used, 10, 0, 0, used});
        QCOMPARE(h.samples().size(), size_t(3));
        QCOMPARE(h.samples().front().used, 9ull); // the oldest (5) was dropped
        QCOMPARE(h.samples().back().used, 4ull);
        QCOMPARE(h.peak_used(), 9ull);
    }

    void guard_data() {
        QTest::addColumn<qulonglong>("ceiling");
        QTest::addColumn<qulonglong>("margin");
        QTest::addColumn<qulonglong>("rss");
        QTest::addColumn<bool>("ok");
        QTest::newRow("room") << 1000ull << 100ull << 500ull << true;
        QTest::newRow("just under") << 1000ull << 100ull << 899ull << true;
        QTest::newRow("at the margin") << 1000ull << 100ull << 900ull << false;
        QTest::newRow("over") << 1000ull << 100ull << 2000ull << false;
        QTest::newRow("no ceiling") << 0ull << 100ull << 5000ull << true;
    }
    void guard() {
        QFETCH(qulonglong, ceiling);
        QFETCH(qulonglong, margin);
        QFETCH(qulonglong, rss);
        QFETCH(bool, ok);
        const MemoryGuard g(ceiling, margin, [rss] { return uint64_t(rss); });
        QCOMPARE(g.check(), ok);
        QCOMPARE(g.callback()(), ok);
        if (ceiling) QCOMPARE(g.last_rss(), uint64_t(rss)); // the callback shares the guard's state
        // A temporary guard's callback stays valid.
        const auto callback = MemoryGuard(ceiling, margin, [rss] { return uint64_t(rss); }).callback();
        QCOMPARE(callback(), ok);
        if (!ok) QVERIFY(QString::fromStdString(g.message()).contains("generation stopped"));
    }

    void defaultMargin() {
        QCOMPARE(MemoryGuard(3ull << 30).margin(), MemoryGuard::kDefaultMargin);
        QCOMPARE(MemoryGuard(64ull << 20).margin(), 2ull << 20); // a small ceiling: 1/32 of it
        QCOMPARE(MemoryGuard(0).margin(), 0ull);
        QVERIFY(MemoryGuard(0).check());
    }

    // A tight ceiling just above the current RSS: a model whose state grows 4 MiB a token
    // ends with MemoryLimit well before max_tokens, and the process stays under the ceiling.
    void generationStopsAtCeiling() {
        const uint64_t step = 4 << 20;
        GrowingModel model(step);
        const uint64_t ceiling = current_rss() + 48 * step;
        const MemoryGuard guard(ceiling, 8 * step);
        GenerateOptions options;
        options.sampling.temperature = 0;
        options.max_tokens = 1000;
        options.memory_ok = guard.callback();
        const std::vector<int32_t> prompt{1, 2};
        const GenerateResult r = generate(model, prompt, options);
        QCOMPARE(r.reason, StopReason::MemoryLimit);
        QVERIFY(r.stats.generated_tokens > 0);
        QVERIFY(r.stats.generated_tokens < 48);
        QVERIFY(!r.text.empty()); // what was generated is kept
        QVERIFY(current_rss() < ceiling);
        QVERIFY(guard.last_rss() + guard.margin() >= ceiling);
    }
};

QTEST_GUILESS_MAIN(TestMemory)
#include "tst_memory.moc"
