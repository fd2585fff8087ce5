// GRU training: finite-difference gradient check, loss goes down, determinism across
// thread counts, exact resume from a checkpoint.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gru_train.h"

#include <QTemporaryDir>

#include <cmath>
#include <fstream>

using namespace kmlm;

namespace {

GruBatch make_batch(const std::vector<int32_t>& in, const std::vector<int32_t>& out, int B, int T) { return GruBatch{B, T, in, out}; }

// A small repetitive corpus the model can learn quickly.
std::vector<uint16_t> toy_stream(const JamoTokenizer& tok, int copies) {
    std::vector<uint16_t> s;
    const char* lines[] = {"안녕하세요 반갑습니다.", "오늘 날씨가 좋네요!", "ㅋㅋㅋ 정말 재미있어요", "hello 세계"};
    for (int c = 0; c < copies; ++c)
        for (const char* l : lines)
            for (int32_t id : tok.encode_line(l)) s.push_back(uint16_t(id));
    return s;
}

} // namespace

class TestGruTrain : public QObject {
    Q_OBJECT
private slots:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("2 threads") << 2;
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, threads);
        const GruConfig cfg{JamoTokenizer::kOriginalVocabSize, 4, 5};
        GruWeights w = GruWeights::random(cfg, 7);
        for (float& x : w.bi) x = 0.1f; // non-zero biases so their gradients are tested
        for (float& x : w.bh) x = -0.2f;
        for (float& x : w.out_b) x = 0.05f;
        const int B = 2, T = 4;
        // time-major [T][B]; a BOS in the middle tests the state reset
        const std::vector<int32_t> in = {2, 12, 30, 31, 2, 50, 40, 4};
        const std::vector<int32_t> out = {12, 30, 31, 55, 50, 40, 4, 3};
        const std::vector<float> h_init = {0.1f, -0.2f, 0.3f, 0.0f, 0.5f, -0.4f, 0.2f, 0.1f, -0.1f, 0.3f};

        GruWeights grad = GruWeights::zeros(cfg);
        std::vector<float> h = h_init;
        gru_forward_backward(w, make_batch(in, out, B, T), h, &grad, threads);

        auto loss_at = [&](GruWeights& ww) {
            std::vector<float> h0 = h_init;
            return double(gru_forward_backward(ww, make_batch(in, out, B, T), h0, nullptr, threads));
        };
        auto params = w.tensors();
        auto grads = grad.tensors();
        const char* names[] = {"embedding", "Wi", "Wh", "bi", "bh", "out_w", "out_b"};
        for (size_t k = 0; k < params.size(); ++k) {
            std::vector<float>& p = *params[k];
            for (size_t i = 0; i < p.size(); ++i) {
                // embedding: the rows of three of the inputs (the others work the same way)
                if (k == 0 && (i / 4) != 12 && (i / 4) != 2 && (i / 4) != 50) continue;
                const float saved = p[i];
                const float eps = 1e-2f;
                p[i] = saved + eps;
                const double up = loss_at(w);
                p[i] = saved - eps;
                const double down = loss_at(w);
                p[i] = saved;
                const double numeric = (up - down) / (2 * eps);
                const double analytic = (*grads[k])[i];
                const double tol = 2e-3 + 2e-2 * std::abs(numeric);
                if (std::abs(numeric - analytic) > tol)
                    QFAIL(qPrintable(QString("%1[%2]: analytic %3, numeric %4").arg(names[k]).arg(i).arg(analytic).arg(numeric)));
            }
        }
    }

    void trainingLowersLoss() {
        JamoTokenizer tok;
        GruTrainOptions o;
        o.config = {JamoTokenizer::kFullVocabSize, 16, 32};
        o.batch = 4;
        o.bptt = 16;
        o.epochs = 30;
        o.warmup_steps = 5;
        o.learning_rate = 1e-2;
        GruTrainer tr(o, toy_stream(tok, 4));
        float first = 0, last = 0;
        int n = 0;
        while (!tr.done()) {
            const float l = tr.step();
            if (n++ < 3) first += l / 3;
            last = l;
        }
        QVERIFY2(last < first * 0.6f, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
    }

    void deterministicAcrossThreadCounts() {
        JamoTokenizer tok;
        GruTrainOptions o;
        o.config = {JamoTokenizer::kFullVocabSize, 16, 64};
        o.batch = 8;
        o.bptt = 8;
        o.epochs = 2;
        std::vector<float> out_w[2];
        for (int threads : {1, 2}) {
            o.threads = threads;
            GruTrainer tr(o, toy_stream(tok, 3));
            while (!tr.done()) tr.step();
            out_w[threads - 1] = tr.weights().out_w;
        }
        QVERIFY(out_w[0] == out_w[1]);
    }

    void resumeIsExact() {
        JamoTokenizer tok;
        GruTrainOptions o;
        o.config = {JamoTokenizer::kFullVocabSize, 8, 16};
        o.batch = 4;
        o.bptt = 8;
        o.epochs = 3;
        const auto corpus = toy_stream(tok, 3);
        GruTrainer whole(o, corpus);
        while (!whole.done()) whole.step();

        QTemporaryDir dir;
        const auto ckpt = kmlm_test::toPath(dir.filePath("run.ckpt"));
        GruTrainer first(o, corpus);
        for (int i = 0; i < first.total_steps() / 2 + 1; ++i) first.step();
        first.save_checkpoint(ckpt);
        GruTrainer second(o, corpus);
        second.load_checkpoint(ckpt);
        QCOMPARE(second.step_index(), first.step_index());
        while (!second.done()) second.step();
        QVERIFY(second.weights().wh == whole.weights().wh);
        QVERIFY(second.weights().embedding == whole.weights().embedding);
    }

    void checkpointWithOtherSettingsIsRefused() {
        JamoTokenizer tok;
        GruTrainOptions o;
        o.config = {JamoTokenizer::kFullVocabSize, 8, 16};
        o.batch = 4;
        o.bptt = 8;
        QTemporaryDir dir;
        const auto ckpt = kmlm_test::toPath(dir.filePath("run.ckpt"));
        GruTrainer a(o, toy_stream(tok, 2));
        a.save_checkpoint(ckpt);
        o.config.hidden_dim = 32;
        GruTrainer b(o, toy_stream(tok, 2));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (b.load_checkpoint(ckpt)));
        std::ofstream(ckpt, std::ios::binary | std::ios::trunc) << "KMLMGRUC";
        KMLM_VERIFY_THROWS(kmlm::FormatError, (b.load_checkpoint(ckpt)));
    }
};

QTEST_GUILESS_MAIN(TestGruTrain)
#include "tst_gru_train.moc"
