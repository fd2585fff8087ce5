// KoBEST as lm-evaluation-harness formulates it: each task's prompt and choices against
// strings written by hand from the harness's yaml and utils.py, its few-shot sampler
// against CPython's random module, macro-F1 against hand-computed cases, and the
// log-likelihood scoring against a direct token-by-token computation on tiny models.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gru.h"
#include "kmlm/kobest.h"
#include "kmlm/loglik.h"
#include "kmlm/model_random.h"

#include <QTemporaryDir>

#include <cmath>

using namespace kmlm;

namespace {

// log softmax by hand, in long double, for the reference sums.
double reference_log_prob(std::span<const float> logits, int32_t target) {
    long double max = logits[0], sum = 0;
    for (float l : logits) max = std::max<long double>(max, l);
    for (float l : logits) sum += std::exp(l - max);
    return double(logits[size_t(target)] - max - std::log(sum));
}

// Sum of log p(cont[i] | context, cont[<i]) with a fresh state and one token per eval().
double direct_score(LanguageModel& m, const std::vector<int32_t>& context, const std::vector<int32_t>& cont) {
    m.reset();
    std::vector<float> logits;
    for (int32_t t : context) {
        const auto l = m.eval(std::span(&t, 1));
        logits.assign(l.begin(), l.begin() + m.tokenizer().vocab_size());
    }
    double sum = 0;
    for (int32_t t : cont) {
        sum += reference_log_prob(logits, t);
        const auto l = m.eval(std::span(&t, 1));
        logits.assign(l.begin(), l.begin() + m.tokenizer().vocab_size());
    }
    return sum;
}

} // namespace

class TestKobest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void prompts_data() {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("tsv");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("choices");
        QTest::addColumn<int>("gold");
        // doc_to_text: "{{paragraph}} 질문: {{question}} 답변: ", choices 아니오/예, label True=1.
        QTest::newRow("boolq") << "boolq"
                               << "ID\tText\tQuestion\tAnswer\r\n1\t문단이다.\t참인가\tTRUE\r\n"
                               << "문단이다. 질문: 참인가 답변: " << QStringList{"아니오", "예"} << 1;
        // copa_doc_to_text: f"{premise} {connector}", connector " 왜냐하면" (원인) / " 그래서" (결과).
        QTest::newRow("copa cause") << "copa"
                                    << "ID\tsentence\tquestion\t1\t2\tAnswer\r\n1\t비가 왔다.\t원인 \t구름\t해\t1\r\n"
                                    << "비가 왔다.  왜냐하면" << QStringList{"구름", "해"} << 0;
        QTest::newRow("copa effect") << "copa"
                                     << "ID\tsentence\tquestion\t1\t2\tAnswer\n1\t넘어졌다.\t결과\t울었다.\t웃었다.\t2\n"
                                     << "넘어졌다.  그래서" << QStringList{"울었다.", "웃었다."} << 1;
        // hellaswag_process_doc: query "문장: {context}", the four endings, gold int(label).
        QTest::newRow("hellaswag") << "hellaswag"
                                   << "context\tchoice1\tchoice2\tchoice3\tchoice4\tlabel\n문을 열었다\t가\t나\t다\t라\t2\n"
                                   << "문장: 문을 열었다" << QStringList{"가", "나", "다", "라"} << 2;
        // sentineg_doc_to_text: f"문장: {sentence} 긍부정:", choices 부정/긍정; the dev layout.
        QTest::newRow("sentineg dev") << "sentineg"
                                      << "ID\tLabel\tText\r\n1\t0\t별로다\r\n"
                                      << "문장: 별로다 긍부정:" << QStringList{"부정", "긍정"} << 0;
        QTest::newRow("sentineg train") << "sentineg"
                                        << "ID\tText\tLabel\r\n1\t좋다\t1\r\n"
                                        << "문장: 좋다 긍부정:" << QStringList{"부정", "긍정"} << 1;
        // The held-out test layout has more columns; Text and Label are the ones scored.
        QTest::newRow("sentineg test") << "sentineg"
                                       << "ID\tLabel_origin\tText_origin\tLabel\tText\tCategory_neg\n1\t1\t좋다\t0\t안 좋다\tneg\n"
                                       << "문장: 안 좋다 긍부정:" << QStringList{"부정", "긍정"} << 0;
        // wic_doc_to_text: f"문장1: {context_1} 문장2: {context_2} 두 문장에서 {word}가 같은 뜻으로 쓰였나?"
        QTest::newRow("wic") << "wic"
                             << "ID\tTarget\tSENTENCE1\tDictionary 1\tLink 1\tSENTENCE2\tDictionary 2\tLink2\tANSWER\r\n"
                                "1\t배\t배가 아프다.\td1\tl1\t배를 탔다.\td2\tl2\tFalse\r\n"
                             << "문장1: 배가 아프다. 문장2: 배를 탔다. 두 문장에서 배가 같은 뜻으로 쓰였나?" << QStringList{"아니오", "예"}
                             << 0;
    }
    void prompts() {
        QFETCH(QString, task);
        QFETCH(QString, tsv);
        QFETCH(QString, text);
        QFETCH(QStringList, choices);
        QFETCH(int, gold);
        const auto docs = read_kobest_tsv(parse_kobest_task(task.toStdString()), tsv.toStdString(), "test.tsv");
        QCOMPARE(docs.size(), size_t(1));
        QCOMPARE(QString::fromStdString(docs[0].text), text);
        QStringList got;
        for (const auto& c : docs[0].choices) got << QString::fromStdString(c);
        QCOMPARE(got, choices);
        QCOMPARE(docs[0].gold, gold);
    }

    void fewshot_context() {
        // Each example: text + target delimiter " " + gold choice, then the separator "\n\n".
        const auto train =
            read_kobest_tsv(KobestTask::BoolQ, "ID\tText\tQuestion\tAnswer\n1\tA.\tQ1\tTrue\n2\tB.\tQ2\tFalse\n", "train.tsv");
        const auto dev = read_kobest_tsv(KobestTask::BoolQ, "ID\tText\tQuestion\tAnswer\n1\tC.\tQ3\tTrue\n", "dev.tsv");
        QCOMPARE(QString::fromStdString(kobest_context(dev[0], {&train[1], &train[0]})),
                 QString("B. 질문: Q2 답변:  아니오\n\nA. 질문: Q1 답변:  예\n\nC. 질문: Q3 답변: "));
        QCOMPARE(QString::fromStdString(kobest_context(dev[0], {})), QString("C. 질문: Q3 답변: "));
    }

    void python_random() {
        // CPython 3: r = random.Random(1234); [r.getrandbits(32) for _ in range(3)]
        PyRandom bits(1234);
        QCOMPARE(bits.next_u32(), 4150886329u);
        QCOMPARE(bits.next_u32(), 3342196574u);
        QCOMPARE(bits.next_u32(), 1892932127u);
        // r = random.Random(1234); r.sample(range(3665), 5) twice, then r.sample(range(10), 5)
        // (the set-based and the pool-based branches of sample()).
        PyRandom r(1234);
        QCOMPARE(r.sample(3665, 5), (std::vector<size_t>{3187, 1805, 478, 30, 371}));
        QCOMPARE(r.sample(3665, 5), (std::vector<size_t>{3305, 2384, 143, 2750, 2838}));
        QCOMPARE(r.sample(10, 5), (std::vector<size_t>{1, 9, 5, 8, 0}));
    }

    void macro_f1_data() {
        QTest::addColumn<QList<int>>("gold");
        QTest::addColumn<QList<int>>("pred");
        QTest::addColumn<double>("f1");
        // label 0: 2*1/(2+0+1) = 2/3; label 1: 2*2/(4+1+0) = 4/5
        QTest::newRow("binary") << QList<int>{0, 0, 1, 1} << QList<int>{0, 1, 1, 1} << (2.0 / 3 + 4.0 / 5) / 2;
        // always "1": label 0 scores 0, label 1 2*2/(4+2) = 2/3
        QTest::newRow("one class") << QList<int>{0, 1, 0, 1} << QList<int>{1, 1, 1, 1} << (0 + 2.0 / 3) / 2;
        QTest::newRow("perfect") << QList<int>{0, 1, 2, 3} << QList<int>{0, 1, 2, 3} << 1.0;
        // labels 0: 1, 1: 0, 2: 2*1/(2+1+1) = 1/2
        QTest::newRow("three") << QList<int>{0, 1, 2, 2} << QList<int>{0, 2, 2, 1} << 0.5;
        // a label only predicted still counts (sklearn's union of labels)
        QTest::newRow("pred only") << QList<int>{0, 0} << QList<int>{0, 1} << (2.0 / 3 + 0) / 2;
    }
    void macro_f1() {
        QFETCH(QList<int>, gold);
        QFETCH(QList<int>, pred);
        QFETCH(double, f1);
        const std::vector<int> g(gold.begin(), gold.end()), p(pred.begin(), pred.end());
        QVERIFY(std::abs(kmlm::macro_f1(g, p) - f1) < 1e-12);
    }

    void malformed_data() {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("tsv");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "boolq"
                               << ""
                               << "empty file";
        QTest::newRow("wrong file") << "copa"
                                    << "ID\tText\tQuestion\tAnswer\n1\ta\tb\tTrue\n"
                                    << "no column 'sentence'";
        QTest::newRow("short row") << "boolq"
                                   << "ID\tText\tQuestion\tAnswer\n1\ta\tb\n"
                                   << "x.tsv:2: 3 fields";
        QTest::newRow("bad bool") << "boolq"
                                  << "ID\tText\tQuestion\tAnswer\n1\ta\tb\tyes\n"
                                  << "column 'Answer' is 'yes'";
        QTest::newRow("bad label") << "hellaswag"
                                   << "context\tchoice1\tchoice2\tchoice3\tchoice4\tlabel\nc\ta\tb\tc\td\t4\n"
                                   << "column 'label' is '4', expected 0..3";
        QTest::newRow("bad question") << "copa"
                                      << "ID\tsentence\tquestion\t1\t2\tAnswer\n1\ts\t이유\ta\tb\t1\n"
                                      << "column 'question' is '이유'";
        QTest::newRow("no rows") << "wic"
                                 << "ID\tTarget\tSENTENCE1\tSENTENCE2\tANSWER\n"
                                 << "no rows";
        QTest::newRow("bad utf-8") << "boolq" << QString() << "invalid UTF-8";
    }
    void malformed() {
        QFETCH(QString, task);
        QFETCH(QString, tsv);
        QFETCH(QString, message);
        std::string bytes = tsv.toStdString();
        if (QString(QTest::currentDataTag()) == "bad utf-8") bytes = "ID\tText\tQuestion\tAnswer\n1\t\xff\tb\tTrue\n";
        try {
            read_kobest_tsv(parse_kobest_task(task.toStdString()), bytes, "x.tsv");
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
    }

    void unknown_task() { KMLM_VERIFY_THROWS(InvalidArgument, parse_kobest_task("kobest_foo")); }

    void encode_pair_split() {
        RandomModelSpec spec;
        const auto path = kmlm_test::toPath(dir_.filePath("pair.gguf"));
        write_random_model(spec, path);
        auto m = load_model(path);
        const Tokenizer& tok = m->tokenizer();
        // A space ending the context moves into the continuation: "답변:" + "  예".
        const TokenPair p = encode_pair(tok, "질문 답변: ", " 예", true);
        QCOMPARE(p.context, tok.encode("질문 답변:", true));
        const auto whole = tok.encode("질문 답변:  예", true);
        QCOMPARE(p.continuation, std::vector<int32_t>(whole.begin() + long(p.context.size()), whole.end()));
        QVERIFY(!p.continuation.empty());
    }

    void scoring_matches_direct_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("llama") << "llama";
        QTest::newRow("qwen2") << "qwen2";
        QTest::newRow("gptneox") << "gptneox";
        QTest::newRow("gru") << "gru";
    }
    void scoring_matches_direct() {
        QFETCH(QString, model);
        std::unique_ptr<LanguageModel> m;
        if (model == "gru") {
            m = std::make_unique<GruModel>(GruWeights::random({384, 16, 32}, 7), ModelInfo{});
        } else {
            RandomModelSpec spec;
            spec.arch = model.toStdString();
            spec.n_layer = 2;
            spec.seed = 11;
            const auto path = kmlm_test::toPath(dir_.filePath(model + ".gguf"));
            write_random_model(spec, path);
            m = load_model(path);
        }
        const Tokenizer& tok = m->tokenizer();
        const std::string context = "오늘 날씨가 맑다. 질문: 비가 오나? 답변: ";
        std::vector<std::vector<int32_t>> conts;
        std::vector<int32_t> ctx;
        for (const char* choice : {" 아니오", " 예", " 모르겠다 정말로"}) {
            TokenPair p = encode_pair(tok, context, choice, true);
            ctx = p.context;
            conts.push_back(p.continuation);
        }
        const auto scores = score_continuations(*m, ctx, conts);
        QCOMPARE(scores.size(), conts.size());
        // The state is the context plus the last continuation but its final token.
        QCOMPARE(m->history().size(), ctx.size() + conts.back().size() - 1);
        for (size_t c = 0; c < conts.size(); ++c) {
            const double want = direct_score(*m, ctx, conts[c]);
            QCOMPARE(scores[c].tokens, conts[c].size());
            QVERIFY2(std::abs(scores[c].log_likelihood - want) <= 1e-4 * std::max(1.0, std::abs(want)),
                     qPrintable(QString("choice %1: %2 vs %3").arg(c).arg(scores[c].log_likelihood).arg(want)));
            QVERIFY(scores[c].log_likelihood < 0);
        }
    }

    void run_kobest_scores_each_choice() {
        RandomModelSpec spec;
        spec.seed = 5;
        const auto path = kmlm_test::toPath(dir_.filePath("run.gguf"));
        write_random_model(spec, path);
        auto m = load_model(path);
        const auto train = read_kobest_tsv(KobestTask::Copa,
                                           "ID\tsentence\tquestion\t1\t2\tAnswer\n1\t가\t원인\t나\t다\t1\n2\t라\t결과\t마\t바\t2\n"
                                           "3\t사\t원인\t아\t자\t1\n",
                                           "train.tsv");
        const auto dev = read_kobest_tsv(
            KobestTask::Copa, "ID\tsentence\tquestion\t1\t2\tAnswer\n1\t차\t결과\t카\t타 파\t2\n2\t하\t원인\t거\t너\t1\n", "dev.tsv");
        KobestOptions o;
        o.shots = 2;
        const KobestResult r = run_kobest(*m, KobestTask::Copa, dev, train, o);
        QCOMPARE(r.items.size(), size_t(2));
        PyRandom rnd(1234);
        for (size_t i = 0; i < dev.size(); ++i) {
            std::vector<const KobestDoc*> ex;
            for (size_t k : rnd.sample(train.size(), 2)) ex.push_back(&train[k]);
            const std::string ctx = kobest_context(dev[i], ex);
            for (size_t c = 0; c < 2; ++c) {
                const TokenPair p = encode_pair(m->tokenizer(), ctx, " " + dev[i].choices[c], true);
                const double want = direct_score(*m, p.context, p.continuation);
                QVERIFY(std::abs(r.items[i].log_likelihoods[c] - want) <= 1e-4 * std::max(1.0, std::abs(want)));
            }
            const auto& ll = r.items[i].log_likelihoods;
            QCOMPARE(r.items[i].pred, ll[1] > ll[0] ? 1 : 0);
            QCOMPARE(r.items[i].gold, dev[i].gold);
        }
        KobestOptions four_shots;
        four_shots.shots = 4;
        KMLM_VERIFY_THROWS(InvalidArgument, run_kobest(*m, KobestTask::Copa, dev, train, four_shots));
    }

    void context_cut_from_left() {
        std::vector<int32_t> ctx{1, 2, 3, 4, 5, 6};
        fit_context(ctx, {{7, 8, 9}}, 6); // 3 continuation tokens: 2 are fed, 4 context tokens fit
        QCOMPARE(ctx, (std::vector<int32_t>{3, 4, 5, 6}));
        std::vector<int32_t> keep{1, 2};
        fit_context(keep, {{7}}, 0);
        QCOMPARE(keep, (std::vector<int32_t>{1, 2}));
        KMLM_VERIFY_THROWS(InvalidArgument, fit_context(keep, {{1, 2, 3, 4}}, 3));
    }

    void bits_per_character() {
        const TextCounts c = count_text("가나 a\n힣");
        QCOMPARE(c.code_points, uint64_t(6));
        QCOMPARE(c.syllables, uint64_t(3));
        QCOMPARE(bits_per(std::log(2.0) * 12, 6), 2.0);
        QCOMPARE(bits_per(1.0, 0), 0.0);
        // score_text: the sum of each line's direct log-likelihood (BOS + line + EOS), over
        // the code points of the lines plus one newline each.
        auto gru = std::make_unique<GruModel>(GruWeights::random({384, 16, 32}, 2), ModelInfo{});
        const std::string text = "안녕하세요\n\n오늘은 맑음.\r\n";
        const TextScore s = score_text(*gru, text);
        double want = 0;
        uint64_t tokens = 0;
        for (const char* line : {"안녕하세요", "오늘은 맑음."}) {
            std::vector<int32_t> ids = gru->tokenizer().encode(line, false);
            ids.push_back(gru->tokenizer().eos());
            want -= direct_score(*gru, {gru->tokenizer().bos()}, ids);
            tokens += ids.size();
        }
        QCOMPARE(s.lines, uint64_t(2));
        QCOMPARE(s.tokens, tokens);
        QCOMPARE(s.counts.code_points, uint64_t(5 + 1 + 7 + 1));
        QCOMPARE(s.counts.syllables, uint64_t(5 + 5));
        QVERIFY(std::abs(s.nll - want) < 1e-6 * want);
        QVERIFY(std::abs(s.bits_per_char() - want / std::log(2.0) / 14) < 1e-9);
        // The same figure as the GRU's own line scorer.
        const ScoreResult g = score_lines(*gru, {"안녕하세요", "오늘은 맑음."}, 1);
        QVERIFY(std::abs(g.bits_per_char() - s.bits_per_char()) < 1e-4);
    }

    void long_lines_in_windows() {
        RandomModelSpec spec;
        spec.n_ctx = 32;
        const auto path = kmlm_test::toPath(dir_.filePath("short-ctx.gguf"));
        write_random_model(spec, path);
        auto m = load_model(path);
        std::string line;
        for (int i = 0; i < 20; ++i) line += "가나다라 ";
        const TextScore s = score_text(*m, line);
        std::vector<int32_t> ids = m->tokenizer().encode(line, false);
        QVERIFY(ids.size() > 64); // several windows
        QCOMPARE(s.tokens, uint64_t(ids.size() + 1));
        QVERIFY(std::isfinite(s.nll) && s.nll > 0);
    }

    void shared_dev_splits_data() {
        QTest::addColumn<QString>("task");
        QTest::addColumn<int>("rows");
        QTest::newRow("boolq") << "boolq" << 700;
        QTest::newRow("copa") << "copa" << 500;
        QTest::newRow("hellaswag") << "hellaswag" << 500;
        QTest::newRow("sentineg") << "sentineg" << 400;
        QTest::newRow("wic") << "wic" << 610;
    }
    void shared_dev_splits() {
        QFETCH(QString, task);
        QFETCH(int, rows);
        KMLM_REQUIRE_SHARED(dir, "kobest");
        const KobestTask t = parse_kobest_task(task.toStdString());
        const auto docs = read_kobest_file(t, kmlm_test::toPath(dir) / std::string(kobest_task_dir(t)) / "dev.tsv");
        QCOMPARE(int(docs.size()), rows);
        const auto train = read_kobest_file(t, kmlm_test::toPath(dir) / std::string(kobest_task_dir(t)) / "train.tsv");
        QVERIFY(train.size() > docs.size());
        for (const auto& d : docs) {
            QVERIFY(d.gold >= 0 && size_t(d.gold) < d.choices.size());
            QVERIFY(!d.text.empty());
        }
    }
};

QTEST_APPLESS_MAIN(TestKobest)
#include "tst_kobest.moc"
