// KoBEST (Kim et al. 2022, arXiv:2204.04541) as lm-evaluation-harness formulates its five
// tasks (lm_eval/tasks/kobest): the same prompts, choices, target delimiter " ", few-shot
// separator "\n\n", few-shot examples drawn from the train split by Python's
// random.Random(1234).sample, and scoring by the summed log-likelihood of each choice.
#pragma once
#include "kmlm/language_model.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

enum class KobestTask { BoolQ, Copa, HellaSwag, SentiNeg, WiC };

// "boolq", "copa", "hellaswag", "sentineg", "wic" (any case). Throws InvalidArgument.
KobestTask parse_kobest_task(std::string_view name);
std::string_view kobest_task_name(KobestTask task); // "boolq", ...
std::string_view kobest_task_dir(KobestTask task);  // the data repository's folder: "BoolQ", ...

// One item as the harness sees it: the prompt (doc_to_text), the choices and the gold index.
struct KobestDoc {
    std::string text;
    std::vector<std::string> choices;
    int gold = 0;
};

// Reads a split file of the task (train, dev or test TSV of the KoBEST data repository:
// header row, tab-separated, CRLF or LF). Columns are found by their header names, so the
// train, dev and test layouts all work. Throws FormatError naming the file, line and column
// for a missing column, a short row or a label that is not one of the task's.
std::vector<KobestDoc> read_kobest_tsv(KobestTask task, std::string_view tsv, const std::string& source);
std::vector<KobestDoc> read_kobest_file(KobestTask task, const std::filesystem::path& path);

// Python's random.Random(seed) (MT19937 seeded by init_by_array) and its sample() of a
// population of n, as indices: the same seed draws the same few-shot examples as the harness.
class PyRandom {
public:
    explicit PyRandom(uint32_t seed);
    uint32_t next_u32();                            // genrand_uint32
    uint32_t below(uint32_t n);                     // _randbelow(n), n > 0
    std::vector<size_t> sample(size_t n, size_t k); // random.sample(range(n), k)

private:
    uint32_t mt_[624];
    int index_ = 624;
};

// The harness's prompt for a doc after its few-shot examples: each example is its text, " "
// and its gold choice, followed by "\n\n".
std::string kobest_context(const KobestDoc& doc, const std::vector<const KobestDoc*>& examples);

struct KobestItem {
    std::vector<double> log_likelihoods; // per choice
    std::vector<size_t> tokens;          // continuation tokens per choice
    int gold = 0;
    int pred = 0;      // argmax log-likelihood
    int pred_norm = 0; // argmax log-likelihood / choice length in code points (acc_norm)
    size_t context_tokens = 0;
    bool truncated = false; // the context was cut from the left to fit the model
};

struct KobestMetrics {
    double acc = 0, acc_norm = 0, macro_f1 = 0;
    size_t n = 0;
};

struct KobestOptions {
    uint32_t shots = 0;
    uint32_t seed = 1234; // the harness's default few-shot seed
    bool add_bos = true;  // BOS first when the vocabulary adds one (as llama.cpp does)
    size_t limit = 0;     // score the first `limit` docs only (0 = all)
    std::function<void(size_t done, size_t total)> progress;
};

struct KobestResult {
    KobestTask task = KobestTask::BoolQ;
    std::vector<KobestItem> items;
    KobestMetrics metrics;
};

// Scores docs with few-shot examples from train (which may be empty when shots is 0).
// Throws InvalidArgument when shots exceeds the train docs.
KobestResult run_kobest(LanguageModel& model, KobestTask task, const std::vector<KobestDoc>& docs, const std::vector<KobestDoc>& train,
                        const KobestOptions& options);

// sklearn's f1_score(average="macro"): the mean over the labels present in gold or pred of
// 2TP / (2TP + FP + FN). 0 for empty input.
double macro_f1(const std::vector<int>& gold, const std::vector<int>& pred);
KobestMetrics kobest_metrics(const std::vector<KobestItem>& items);

} // namespace kmlm
