// Sampler: greedy and top-k=1 pick the argmax, seeds reproduce, penalties and filters act.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/sampler.h"

#include <cmath>

using namespace kmlm;
using Floats = std::vector<float>;
Q_DECLARE_METATYPE(Floats)

class TestSampler : public QObject {
    Q_OBJECT
private slots:
    void argmax_data() {
        QTest::addColumn<Floats>("logits");
        QTest::addColumn<float>("temperature");
        QTest::addColumn<int>("topK");
        QTest::addColumn<int>("expected");
        const Floats l{0.5f, 2.0f, -1.0f, 1.9f, 0.0f};
        QTest::newRow("greedy") << l << 0.0f << 40 << 1;
        QTest::newRow("negative temperature is greedy") << l << -1.0f << 0 << 1;
        QTest::newRow("top-k 1 at high temperature") << l << 5.0f << 1 << 1;
        QTest::newRow("all negative") << Floats{-3.0f, -2.0f, -5.0f} << 0.0f << 0 << 1;
        QTest::newRow("tie takes the lower id") << Floats{1.0f, 3.0f, 3.0f} << 0.0f << 0 << 1;
    }
    void argmax() {
        QFETCH(Floats, logits);
        QFETCH(float, temperature);
        QFETCH(int, topK);
        QFETCH(int, expected);
        SamplingParams p;
        p.temperature = temperature;
        p.top_k = topK;
        p.repeat_penalty = 1.0f;
        Sampler s(p);
        for (int i = 0; i < 20; ++i) QCOMPARE(s.sample(logits, {}), expected);
    }

    void seedReproduces() {
        SamplingParams p;
        p.temperature = 1.5f;
        p.top_k = 0;
        p.top_p = 1.0f;
        p.min_p = 0.0f;
        p.seed = 77;
        const Floats logits{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
        Sampler a(p), b(p);
        std::vector<int32_t> ra, rb;
        for (int i = 0; i < 200; ++i) {
            ra.push_back(a.sample(logits, {}));
            rb.push_back(b.sample(logits, {}));
        }
        QCOMPARE(ra, rb);
        p.seed = 78;
        Sampler c(p);
        std::vector<int32_t> rc;
        for (int i = 0; i < 200; ++i) rc.push_back(c.sample(logits, {}));
        QVERIFY(rc != ra);
    }

    void frequenciesFollowTheSoftmax() {
        SamplingParams p;
        p.temperature = 1.0f;
        p.top_k = 0;
        p.top_p = 1.0f;
        p.min_p = 0.0f;
        p.repeat_penalty = 1.0f;
        p.seed = 3;
        const Floats logits{0.0f, 1.0f, 2.0f};
        Sampler s(p);
        std::vector<int> counts(3);
        const int n = 30000;
        for (int i = 0; i < n; ++i) ++counts[size_t(s.sample(logits, {}))];
        const double z = 1 + std::exp(1.0) + std::exp(2.0);
        for (int k = 0; k < 3; ++k) QVERIFY(std::abs(counts[size_t(k)] / double(n) - std::exp(double(k)) / z) < 0.015);
    }

    void repetitionPenalty() {
        SamplingParams p;
        p.temperature = 0.0f;
        p.repeat_penalty = 2.0f;
        p.repeat_last_n = 4;
        Sampler s(p);
        const Floats logits{1.0f, 3.0f, 2.0f, -1.0f};
        QCOMPARE(s.sample(logits, std::vector<int32_t>{1}), 2);             // 3/2 = 1.5 < 2
        QCOMPARE(s.sample(logits, std::vector<int32_t>{1, 0, 0, 0, 0}), 1); // 1 fell out of the window
        p.repeat_penalty = 1.0f;
        Sampler off(p);
        QCOMPARE(off.sample(logits, std::vector<int32_t>{1}), 1);
    }

    void presencePenalty() {
        SamplingParams p;
        p.temperature = 0.0f;
        p.repeat_penalty = 1.0f;
        p.presence_penalty = 1.5f;
        Sampler s(p);
        QCOMPARE(s.sample(Floats{2.0f, 1.0f}, std::vector<int32_t>{0}), 1);
    }

    // Frequency penalty: once per occurrence, so a token seen twice loses twice as much.
    void frequencyPenalty() {
        SamplingParams p;
        p.temperature = 0.0f;
        p.repeat_penalty = 1.0f;
        p.frequency_penalty = 0.6f;
        Sampler s(p);
        QCOMPARE(s.sample(Floats{2.0f, 1.0f}, std::vector<int32_t>{0}), 0);    // 2 - 0.6 > 1
        QCOMPARE(s.sample(Floats{2.0f, 1.0f}, std::vector<int32_t>{0, 0}), 1); // 2 - 1.2 < 1
    }

    void topPAndMinPCutTheTail() {
        SamplingParams p;
        p.temperature = 1.0f;
        p.top_k = 0;
        p.repeat_penalty = 1.0f;
        p.seed = 5;
        const Floats logits{5.0f, 0.0f, 0.0f, 0.0f}; // p(0) ≈ 0.98
        p.top_p = 0.5f;
        p.min_p = 0.0f;
        Sampler tp(p);
        for (int i = 0; i < 500; ++i) QCOMPARE(tp.sample(logits, {}), 0);
        p.top_p = 1.0f;
        p.min_p = 0.1f; // others are ~0.007 of the best
        Sampler mp(p);
        for (int i = 0; i < 500; ++i) QCOMPARE(mp.sample(logits, {}), 0);
        p.top_k = 2;
        p.min_p = 0.0f;
        Sampler tk(p);
        for (int i = 0; i < 500; ++i) QVERIFY(tk.sample(Floats{1.0f, 1.0f, 5.0f, 1.0f}, {}) <= 2);
    }

    // The engine's own check of sampling options, for requests from outside (a server).
    void validateRefusesOutOfRange() {
        kmlm::GenerateOptions ok;
        kmlm::validate(ok);
        auto refused = [](auto change) {
            kmlm::GenerateOptions o;
            change(o);
            try {
                kmlm::validate(o);
            } catch (const kmlm::InvalidArgument&) {
                return true;
            }
            return false;
        };
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.max_tokens = -5; }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.temperature = -1; }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.top_p = std::nanf(""); }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.min_p = INFINITY; }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.top_k = -1; }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.repeat_penalty = 0; }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.repeat_last_n = -1; }));
        QVERIFY(refused([](kmlm::GenerateOptions& o) { o.sampling.presence_penalty = 100; }));
        try {
            kmlm::GenerateOptions o;
            o.sampling.temperature = -1;
            kmlm::validate(o);
        } catch (const kmlm::InvalidArgument& e) {
            QCOMPARE(std::string(e.what()), std::string("temperature -1 is out of range (0 to 5)"));
        }
    }
};

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
