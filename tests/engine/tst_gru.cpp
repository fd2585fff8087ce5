// The jamo GRU model and its files: parameter count, a hand-computed forward pass on an
// original-library JSON/binary file, format round trips, malformed files, state handling.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/gguf.h"
#include "kmlm/gru_io.h"

#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace kmlm;

namespace {

using json = nlohmann::json;

// A tiny original-format model: V = 77, E = 2, H = 2 with simple distinct values.
struct Fixture {
    static constexpr int V = 77, E = 2, H = 2;
    std::vector<double> emb, wi, wh, bi, bh, ow, ob;
    Fixture() {
        for (int i = 0; i < V * E; ++i) emb.push_back(std::sin(0.37 * i));
        for (int i = 0; i < E * 3 * H; ++i) wi.push_back(0.1 * (i % 7) - 0.3);
        for (int i = 0; i < H * 3 * H; ++i) wh.push_back(0.05 * (i % 5) - 0.1);
        for (int i = 0; i < 3 * H; ++i) bi.push_back(0.01 * i);
        for (int i = 0; i < 3 * H; ++i) bh.push_back(-0.02 * i);
        for (int i = 0; i < H * V; ++i) ow.push_back(std::cos(0.11 * i));
        for (int i = 0; i < V; ++i) ob.push_back(0.001 * i);
    }
    // The equations of the original library, written out in doubles.
    std::vector<double> next_token_probs(const std::vector<int>& tokens) const {
        std::vector<double> h(H, 0.0);
        auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
        for (int t : tokens) {
            std::vector<double> gx(3 * H), gh(3 * H);
            for (int j = 0; j < 3 * H; ++j) {
                gx[j] = bi[j];
                gh[j] = bh[j];
                for (int e = 0; e < E; ++e) gx[j] += emb[t * E + e] * wi[e * 3 * H + j];
                for (int k = 0; k < H; ++k) gh[j] += h[k] * wh[k * 3 * H + j];
            }
            std::vector<double> nh(H);
            for (int j = 0; j < H; ++j) {
                const double z = sig(gx[j] + gh[j]), r = sig(gx[H + j] + gh[H + j]);
                const double n = std::tanh(gx[2 * H + j] + r * gh[2 * H + j]);
                nh[j] = (1 - z) * h[j] + z * n;
            }
            h = nh;
        }
        std::vector<double> p(V);
        double sum = 0;
        for (int v = 0; v < V; ++v) {
            p[v] = ob[v];
            for (int k = 0; k < H; ++k) p[v] += h[k] * ow[k * V + v];
            sum += (p[v] = std::exp(p[v]));
        }
        for (double& x : p) x /= sum;
        return p;
    }
    // JSON.stringify of a Float32Array gives {"0": .., "1": ..}
    static json as_object(const std::vector<double>& v) {
        json o = json::object();
        for (size_t i = 0; i < v.size(); ++i) o[std::to_string(i)] = v[i];
        return o;
    }
    json to_json(bool index_keyed) const {
        auto arr = [&](const std::vector<double>& v) { return index_keyed ? as_object(v) : json(v); };
        return {{"config", {{"vocabSize", V}, {"embedDim", E}, {"hiddenDim", H}}},
                {"embedding", {{"weights", arr(emb)}}},
                {"gru", {{"Wi", arr(wi)}, {"Wh", arr(wh)}, {"bi", arr(bi)}, {"bh", arr(bh)}}},
                {"output", {{"weights", arr(ow)}, {"bias", arr(ob)}}}};
    }
    // exportBinary(): uint32 LE config length, config JSON, float32 LE arrays
    std::string to_binary() const {
        const std::string cfg = R"({"vocabSize":77,"embedDim":2,"hiddenDim":2})";
        std::string out;
        auto put32 = [&](uint32_t u) {
            for (int k = 0; k < 4; ++k) out += char(u >> (8 * k));
        };
        put32(uint32_t(cfg.size()));
        out += cfg;
        for (const auto* v : {&emb, &wi, &wh, &bi, &bh, &ow, &ob})
            for (double d : *v) {
                const float f = float(d);
                uint32_t u;
                std::memcpy(&u, &f, 4);
                put32(u);
            }
        return out;
    }
};

void write_file(const QString& path, const std::string& bytes) {
    std::ofstream(kmlm_test::toPath(path), std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<double> model_probs(LanguageModel& m, const std::vector<int32_t>& tokens) {
    m.reset();
    const auto logits = m.eval(tokens);
    double mx = -1e30, sum = 0;
    for (float l : logits) mx = std::max(mx, double(l));
    std::vector<double> p;
    for (float l : logits) sum += std::exp(double(l) - mx);
    for (float l : logits) p.push_back(std::exp(double(l) - mx) / sum);
    return p;
}

bool same_weights(const GruWeights& a, const GruWeights& b, float tol) {
    if (a.config.vocab_size != b.config.vocab_size || a.config.embed_dim != b.config.embed_dim ||
        a.config.hidden_dim != b.config.hidden_dim)
        return false;
    const auto ta = a.tensors(), tb = b.tensors();
    for (size_t k = 0; k < ta.size(); ++k) {
        if (ta[k]->size() != tb[k]->size()) return false;
        for (size_t i = 0; i < ta[k]->size(); ++i)
            if (std::abs((*ta[k])[i] - (*tb[k])[i]) > tol * (1 + std::abs((*ta[k])[i]))) return false;
    }
    return true;
}

} // namespace

class TestGru : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString path(const char* name) const { return dir_.filePath(name); }

private slots:
    void parameterCount_data() {
        QTest::addColumn<int>("vocab");
        QTest::addColumn<int>("embed");
        QTest::addColumn<int>("hidden");
        QTest::addColumn<qulonglong>("expected");
        QTest::newRow("original 128x256") << 77 << 128 << 256 << 326093ull;
        QTest::newRow("original 64x128") << 77 << 64 << 128 << 89357ull;
        QTest::newRow("original 256x512") << 77 << 256 << 512 << 1241933ull;
        QTest::newRow("byte fallback 128x256") << 384 << 128 << 256 << 444288ull;
    }
    void parameterCount() {
        QFETCH(int, vocab);
        QFETCH(int, embed);
        QFETCH(int, hidden);
        QFETCH(qulonglong, expected);
        const GruConfig cfg{vocab, embed, hidden};
        QCOMPARE(cfg.param_count(), uint64_t(expected));
        // the tensors hold exactly that many floats
        uint64_t n = 0;
        const GruWeights w = GruWeights::zeros(cfg); // named: tensors() points into it
        for (const auto* t : w.tensors()) n += t->size();
        QCOMPARE(n, uint64_t(expected));
    }

    void originalJsonGivesTheSameDistribution_data() {
        QTest::addColumn<bool>("indexKeyed");
        QTest::newRow("arrays") << false;
        QTest::newRow("index-keyed objects") << true;
    }
    void originalJsonGivesTheSameDistribution() {
        QFETCH(bool, indexKeyed);
        const Fixture f;
        write_file(path("original.json"), f.to_json(indexKeyed).dump());
        auto model = load_model(kmlm_test::toPath(path("original.json")));
        QCOMPARE(model->info().architecture, std::string("kmlm-gru"));
        QCOMPARE(model->tokenizer().vocab_size(), 77);
        for (const std::vector<int>& seq : {std::vector<int>{2}, {2, 10, 29, 50}, {2, 21, 29, 70, 4, 12, 33}}) {
            const auto expected = f.next_token_probs(seq);
            const auto got = model_probs(*model, std::vector<int32_t>(seq.begin(), seq.end()));
            for (int v = 0; v < Fixture::V; ++v) QVERIFY(std::abs(expected[v] - got[v]) < 1e-5);
        }
    }

    void originalBinaryGivesTheSameDistribution() {
        const Fixture f;
        write_file(path("original.bin"), f.to_binary());
        auto model = load_model(kmlm_test::toPath(path("original.bin")));
        const std::vector<int> seq{2, 10, 29, 50, 4};
        const auto expected = f.next_token_probs(seq);
        const auto got = model_probs(*model, std::vector<int32_t>(seq.begin(), seq.end()));
        for (int v = 0; v < Fixture::V; ++v) QVERIFY(std::abs(expected[v] - got[v]) < 1e-5);
    }

    void formatsRoundTrip_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<float>("tolerance");
        QTest::newRow("json") << "m.json" << 0.0f;
        QTest::newRow("binary") << "m.bin" << 0.0f;
        QTest::newRow("gguf f32") << "m32.gguf" << 0.0f;
        QTest::newRow("gguf f16") << "m16.gguf" << 1e-3f;
    }
    void formatsRoundTrip() {
        QFETCH(QString, file);
        QFETCH(float, tolerance);
        const GruWeights w = GruWeights::random({384, 16, 24}, 5);
        const auto p = kmlm_test::toPath(dir_.filePath(file));
        const GgmlType type = file.contains("16") ? GgmlType::F16 : GgmlType::F32;
        write_gru_file(w, p, gru_format_from_extension(p), type);
        QVERIFY(same_weights(w, read_gru_file(p), tolerance));
        // and it loads as a model through load_model()
        auto m = load_model(p);
        QCOMPARE(m->info().parameters, w.config.param_count());
    }

    void ggufMetadata() {
        const GruWeights w = GruWeights::random({384, 8, 16}, 1);
        const auto p = kmlm_test::toPath(path("meta.gguf"));
        write_gru_gguf(w, p, GgmlType::F16, "test-model");
        auto f = gguf::GgufFile::open(p);
        QCOMPARE(f->architecture(), std::string("kmlm-gru"));
        QCOMPARE(f->get_uint("kmlm-gru.embedding_length").value_or(0), uint64_t(8));
        QCOMPARE(f->get_uint("kmlm-gru.hidden_length").value_or(0), uint64_t(16));
        QCOMPARE(f->get_string("tokenizer.ggml.model").value_or(""), std::string("kmlm-jamo"));
        QCOMPARE(f->get_string_array("tokenizer.ggml.tokens")->size(), size_t(384));
        QCOMPARE(f->tensor("gru.wh").dims, (std::vector<uint64_t>{48, 16}));
        QCOMPARE(f->tensor("gru.wh").type, GgmlType::F16);
        auto m = load_model(p);
        QCOMPARE(m->info().name, std::string("test-model"));
        QCOMPARE(m->info().quantization, std::string("F16"));
    }

    void malformedFilesAreRejected_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("name");
        const Fixture f;
        const std::string bin = f.to_binary();
        auto big_len = [&](uint32_t len) {
            std::string s = bin;
            for (int k = 0; k < 4; ++k) s[size_t(k)] = char(len >> (8 * k));
            return QByteArray::fromStdString(s);
        };
        QTest::newRow("binary truncated") << QByteArray::fromStdString(bin.substr(0, bin.size() - 7)) << "t.bin";
        QTest::newRow("binary trailing data") << QByteArray::fromStdString(bin + "xxxx") << "t.bin";
        QTest::newRow("binary config length past the end") << big_len(0xFFFFFFF0u) << "t.bin";
        QTest::newRow("binary config length cuts the JSON") << big_len(10) << "t.bin";
        QTest::newRow("binary too short") << QByteArray("\x05\x00") << "t.bin";
        auto bin_with_config = [&](const std::string& cfg) {
            std::string s;
            for (int k = 0; k < 4; ++k) s += char(uint32_t(cfg.size()) >> (8 * k));
            return QByteArray::fromStdString(s + cfg + std::string(64, '\0'));
        };
        QTest::newRow("binary hidden dim absurd") << bin_with_config(R"({"vocabSize":77,"embedDim":2,"hiddenDim":1000000000})") << "t.bin";
        QTest::newRow("binary vocab*embed overflow")
            << bin_with_config(R"({"vocabSize":4294967295,"embedDim":4294967295,"hiddenDim":2})") << "t.bin";
        QTest::newRow("binary negative dim") << bin_with_config(R"({"vocabSize":77,"embedDim":-2,"hiddenDim":2})") << "t.bin";
        QTest::newRow("json not json") << QByteArray("{\"config\": [1, 2") << "t.json";
        QTest::newRow("json no config") << QByteArray("{\"embedding\": {}}") << "t.json";
        auto json_edit = [&](auto edit) {
            json j = f.to_json(false);
            edit(j);
            return QByteArray::fromStdString(j.dump());
        };
        QTest::newRow("json dim is a string") << json_edit([](json& j) { j["config"]["embedDim"] = "2"; }) << "t.json";
        QTest::newRow("json short array") << json_edit([](json& j) { j["gru"]["bi"].erase(0); }) << "t.json";
        QTest::newRow("json value not a number") << json_edit([](json& j) { j["gru"]["Wh"][3] = "x"; }) << "t.json";
        QTest::newRow("json missing tensor") << json_edit([](json& j) { j["output"].erase("bias"); }) << "t.json";
        QTest::newRow("json index-keyed with a gap") << json_edit([](json& j) {
            j["gru"]["bh"] = Fixture::as_object({1, 2, 3, 4, 5, 6});
            j["gru"]["bh"].erase("3");
            j["gru"]["bh"]["9"] = 1;
        }) << "t.json";
        QTest::newRow("json huge vocab") << json_edit([](json& j) { j["config"]["vocabSize"] = 1 << 30; }) << "t.json";
        QTest::newRow("gguf truncated") << QByteArray("GGUF\x03\x00\x00\x00\x05", 9) << "t.gguf";
    }
    void malformedFilesAreRejected() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, name);
        write_file(path(qPrintable(name)), bytes.toStdString());
        KMLM_VERIFY_THROWS(kmlm::FormatError, (load_model(kmlm_test::toPath(path(qPrintable(name))))));
    }

    void missingFileIsAnIoError() {
        KMLM_VERIFY_THROWS(kmlm::IoError, (load_model(kmlm_test::toPath(path("none.gguf")))));
        KMLM_VERIFY_THROWS(kmlm::IoError, (read_gru_json(kmlm_test::toPath(path("none.json")))));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (gru_format_from_extension("model.txt")));
    }

    void truncateRecomputesTheState() {
        GruModel m(GruWeights::random({384, 16, 32}, 3), {});
        const std::vector<int32_t> a{2, 10, 29, 50, 4, 12, 33}, b{2, 10, 29, 21, 33};
        const auto fresh_b = model_probs(m, b);
        m.reset();
        m.eval(a);
        m.truncate(3);
        QCOMPARE(m.history(), (std::vector<int32_t>{2, 10, 29}));
        const auto logits = m.eval(std::vector<int32_t>{21, 33});
        double mx = -1e30, sum = 0;
        for (float l : logits) mx = std::max(mx, double(l));
        for (float l : logits) sum += std::exp(double(l) - mx);
        for (size_t v = 0; v < logits.size(); ++v) QVERIFY(std::abs(std::exp(double(logits[v]) - mx) / sum - fresh_b[v]) < 1e-6);
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (m.eval(std::vector<int32_t>{384})));
    }

    void seededGenerationIsDeterministic() {
        GruModel m(GruWeights::random({384, 16, 32}, 9), {});
        GenerateOptions o;
        o.max_tokens = 60;
        o.sampling.seed = 1234;
        o.sampling.temperature = 1.0f;
        const std::vector<int32_t> prompt{2, 10, 29};
        const auto first = generate(m, prompt, o);
        m.reset();
        const auto second = generate(m, prompt, o);
        QCOMPARE(first.tokens, second.tokens);
        QCOMPARE(first.text, second.text);
        o.sampling.seed = 99;
        const auto other = generate(m, prompt, o);
        QVERIFY(other.tokens != first.tokens);
    }

    void scoringIsThreadIndependentAndMatchesTokenLogProbs() {
        GruModel m(GruWeights::random({384, 16, 32}, 4), {});
        const std::vector<std::string> lines{"안녕하세요", "ㅋㅋㅋ 재밌다", "", "hello 세계!", "마지막 줄."};
        const ScoreResult one = score_lines(m, lines, 1), two = score_lines(m, lines, 2);
        QCOMPARE(one.log_likelihood, two.log_likelihood);
        QCOMPARE(one.lines, uint64_t(5));
        // code points including one '\n' per line
        QCOMPARE(one.code_points, uint64_t(5 + 7 + 0 + 9 + 6) + 5);
        double manual = 0;
        uint64_t tokens = 0;
        for (const auto& l : lines) {
            const auto lp = m.token_log_probs(m.jamo_tokenizer().encode_line(l));
            for (float x : lp) manual += x;
            tokens += lp.size();
        }
        QCOMPARE(one.tokens, tokens);
        QVERIFY(std::abs(one.log_likelihood - manual) < 1e-6 * std::abs(manual));
        QVERIFY(std::abs(one.bits_per_char() / (-manual / std::log(2.0) / double(one.code_points)) - 1) < 1e-6);
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (score_lines(m, {std::string("a\xff")}, 2)));
    }

    // The GRU loaders report each tensor they read and stop there when cancelled.
    void loadersReportTensorsAndStopOnCancel_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("json") << "p.json";
        QTest::newRow("binary") << "p.bin";
        QTest::newRow("gguf") << "p.gguf";
    }
    void loadersReportTensorsAndStopOnCancel() {
        QFETCH(QString, file);
        const auto p = kmlm_test::toPath(dir_.filePath(file));
        write_gru_file(GruWeights::random({77, 8, 16}, 3), p, gru_format_from_extension(p));
        std::vector<float> seen;
        LoadOptions lo;
        lo.progress = [&](float f) { seen.push_back(f); };
        QVERIFY(load_model(p, lo) != nullptr);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.back(), 1.0f);
        const auto inside = std::count_if(seen.begin(), seen.end(), [](float f) { return f > 0.1f && f < 1.0f; });
        QCOMPARE(size_t(inside), GruWeights::kTensorRoles.size());
        // Cancelled after the third tensor: the load stops there, before the fourth is reported.
        std::atomic<bool> cancel{false};
        int after = 0;
        seen.clear();
        lo.cancel = &cancel;
        lo.progress = [&](float f) {
            seen.push_back(f);
            if (f > 0.1f && f < 1.0f && ++after == 3) cancel = true;
        };
        KMLM_VERIFY_THROWS(CancelledError, load_model(p, lo));
        QCOMPARE(after, 3);
        QVERIFY(seen.back() < 1.0f);
    }

    void bundledModelLoads() {
        const auto p = kmlm_test::toPath(QStringLiteral(KMLM_SOURCE_DIR "/resources/models/kmlm-gru-ko.gguf"));
        if (!std::filesystem::exists(p)) QSKIP("the bundled model is not there");
        auto m = load_model(p);
        QCOMPARE(m->info().architecture, std::string("kmlm-gru"));
        QVERIFY(m->info().file_size <= 5u * 1024 * 1024);
        QCOMPARE(m->tokenizer().vocab_size(), 384);
    }
};

QTEST_GUILESS_MAIN(TestGru)
#include "tst_gru.moc"
