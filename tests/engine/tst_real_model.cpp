// A real (tiny) Korean llama model from ../shared/data/models: perplexity as llama.cpp's tool
// measures it, for the files llama.cpp quantized to each type, and greedy generation. Proves
// the llama path, the kernels of every type in those files and the SentencePiece tokenizer
// together. Skips when the shared data (or one of the files) is absent.
#include "kmlm_test.h"

#include "kmlm/generate.h"
#include "kmlm/language_model.h"
#include "kmlm/perplexity.h"
#include "kmlm/utf8.h"

#include <QFile>

using namespace kmlm;

class TestRealModel : public QObject {
    Q_OBJECT
private slots:
    void perplexityMatchesReference_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("reference");
        // llama.cpp's perplexity tool, -c 256 -b 256 (../shared/data/models/README.md).
        QTest::newRow("Q8_0") << "ko-tiny-llama-Q8_0.gguf" << 345.2620;
        QTest::newRow("Q4_K_M") << "ko-tiny-llama-Q4_K_M.gguf" << 346.0091;
        QTest::newRow("Q5_1") << "quants/ko-tiny-llama-Q5_1.gguf" << 345.2899;
        QTest::newRow("Q3_K_M") << "quants/ko-tiny-llama-Q3_K_M.gguf" << 346.3308;
        QTest::newRow("Q2_K") << "quants/ko-tiny-llama-Q2_K.gguf" << 352.7560;
        QTest::newRow("IQ4_NL") << "quants/ko-tiny-llama-IQ4_NL.gguf" << 345.8266;
        QTest::newRow("IQ4_XS") << "quants/ko-tiny-llama-IQ4_XS.gguf" << 345.8171;
    }
    void perplexityMatchesReference() {
        QFETCH(QString, file);
        QFETCH(double, reference);
        KMLM_REQUIRE_SHARED(models, "models");
        if (!QFile::exists(models + "/" + file)) QSKIP("file absent");
        QFile text(models + "/ppl-valid.txt");
        QVERIFY(text.open(QIODevice::ReadOnly));
        const QByteArray bytes = text.readAll();
        LoadOptions o;
        o.n_ctx = 256;
        o.kv_type = KvType::F16;
        auto model = load_model(kmlm_test::toPath(models + "/" + file), o);
        PerplexityOptions po;
        po.n_ctx = 256;
        const PerplexityResult r = perplexity(*model, std::string_view(bytes.constData(), size_t(bytes.size())), po);
        qInfo("%s: PPL %.4f +/- %.4f (reference %.4f), %llu tokens, %.1f s", qPrintable(file), r.ppl, r.ppl_error, reference,
              (unsigned long long)r.n_tokens, r.seconds);
        QVERIFY2(std::fabs(r.ppl / reference - 1.0) < 0.0005, qPrintable(QString::number(r.ppl, 'f', 4)));
    }

    void greedyGenerationIsKorean() {
        KMLM_REQUIRE_SHARED(models, "models");
        auto model = load_model(kmlm_test::toPath(models + "/ko-tiny-llama-Q8_0.gguf"));
        GenerateOptions g;
        g.sampling.temperature = 0;
        g.sampling.repeat_penalty = 1.0f;
        g.max_tokens = 24;
        const auto prompt = model->tokenizer().encode("오늘 날씨가", true);
        const GenerateResult r = generate(*model, prompt, g);
        qInfo("오늘 날씨가|%s", r.text.c_str());
        QVERIFY(is_valid_utf8(r.text));
        int hangul = 0;
        for (char32_t c : decode_utf8(r.text)) hangul += c >= 0xAC00 && c <= 0xD7A3;
        QVERIFY2(hangul >= 5, r.text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestRealModel)
#include "tst_real_model.moc"
