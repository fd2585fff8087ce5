// `kmlm eval kobest`: the five KoBEST tasks as lm-evaluation-harness scores them.
// `kmlm eval text`: perplexity, bits per character and per Hangul syllable of a text, line
// by line, comparable between models with different vocabularies.
#include "model_options.h"
#include "progress.h"

#include "kmlm/error.h"
#include "kmlm/kobest.h"
#include "kmlm/loglik.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace kmlm::cli {
namespace {

namespace fs = std::filesystem;

struct KobestArgs {
    ModelOptions model;
    std::string tasks = "boolq,copa,hellaswag,sentineg,wic";
    std::string data, split = "dev", output;
    uint32_t shots = 0, seed = 1234;
    size_t limit = 0;
    bool no_bos = false;
};

std::vector<KobestTask> parse_tasks(const std::string& list) {
    std::vector<KobestTask> tasks;
    std::stringstream in(list);
    std::string name;
    while (std::getline(in, name, ','))
        if (!name.empty()) tasks.push_back(parse_kobest_task(name));
    if (tasks.empty()) throw InvalidArgument("--tasks names no task");
    return tasks;
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// DIR/<Task>/<split>.tsv, else the one .tsv file in DIR/<Task> whose name contains the
// split's name (the data repository's "SKT_BoolQ_Test.tsv" style).
fs::path split_file(const std::string& data, KobestTask task, const std::string& split) {
    if (data.empty()) throw InvalidArgument("--data DIR is needed to find the " + split + " split");
    const fs::path dir = fs::path(data) / std::string(kobest_task_dir(task));
    if (fs::exists(dir / (split + ".tsv"))) return dir / (split + ".tsv");
    std::error_code ec;
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = lower(e.path().filename().string());
        if (e.path().extension() == ".tsv" && name.find(lower(split)) != std::string::npos) found.push_back(e.path());
    }
    if (found.size() == 1) return found[0];
    throw IoError("no " + split + " split for " + std::string(kobest_task_name(task)) + " in " + dir.string() +
                  (found.empty() ? " (expected " + (dir / (split + ".tsv")).string() + ")" : " (several files match)"));
}

nlohmann::json item_json(const KobestItem& it) {
    return {{"gold", it.gold},
            {"pred", it.pred},
            {"pred_norm", it.pred_norm},
            {"log_likelihoods", it.log_likelihoods},
            {"continuation_tokens", it.tokens},
            {"context_tokens", it.context_tokens},
            {"truncated", it.truncated}};
}

void run_kobest_command(const KobestArgs& a) {
    const auto tasks = parse_tasks(a.tasks);
    const bool split_is_file = a.split != "dev" && a.split != "test" && a.split != "train";
    if (split_is_file && tasks.size() != 1) throw InvalidArgument("--split FILE needs exactly one task in --tasks");
    // Read every file before loading the model: a bad file fails fast.
    struct Job {
        KobestTask task;
        fs::path path;
        std::vector<KobestDoc> docs, train;
    };
    std::vector<Job> jobs;
    for (KobestTask t : tasks) {
        Job j{t, split_is_file ? fs::path(a.split) : split_file(a.data, t, a.split), {}, {}};
        j.docs = read_kobest_file(t, j.path);
        if (a.shots > 0) j.train = read_kobest_file(t, split_file(a.data, t, "train"));
        jobs.push_back(std::move(j));
    }
    auto model = load_model_from_options(a.model);
    nlohmann::json report = {{"model", model->info().name},
                             {"architecture", model->info().architecture},
                             {"quantization", model->info().quantization},
                             {"shots", a.shots},
                             {"seed", a.seed},
                             {"bos", !a.no_bos},
                             {"split", a.split},
                             {"tasks", nlohmann::json::object()}};
    std::printf("%-10s %5s %7s %9s %9s\n", "task", "n", "acc", "acc_norm", "macro_f1");
    for (const Job& j : jobs) {
        const std::string name(kobest_task_name(j.task));
        KobestOptions o;
        o.shots = a.shots;
        o.seed = a.seed;
        o.add_bos = !a.no_bos;
        o.limit = a.limit;
        const size_t total = a.limit ? std::min(a.limit, j.docs.size()) : j.docs.size();
        ProgressBar bar("kobest " + name, double(total), "docs");
        o.progress = [&](size_t done, size_t) { bar.update(double(done)); };
        const KobestResult r = run_kobest(*model, j.task, j.docs, j.train, o);
        bar.finish();
        const bool hellaswag = j.task == KobestTask::HellaSwag;
        char norm[16] = "-";
        if (hellaswag) std::snprintf(norm, sizeof norm, "%.4f", r.metrics.acc_norm);
        std::printf("%-10s %5zu %7.4f %9s %9.4f\n", name.c_str(), r.metrics.n, r.metrics.acc, norm, r.metrics.macro_f1);
        std::fflush(stdout);
        nlohmann::json t = {{"file", j.path.string()},
                            {"n", r.metrics.n},
                            {"acc", r.metrics.acc},
                            {"macro_f1", r.metrics.macro_f1},
                            {"items", nlohmann::json::array()}};
        if (hellaswag) t["acc_norm"] = r.metrics.acc_norm;
        size_t truncated = 0;
        for (const auto& it : r.items) {
            t["items"].push_back(item_json(it));
            truncated += it.truncated;
        }
        t["truncated_contexts"] = truncated;
        if (truncated)
            std::fprintf(stderr, "%s: %zu contexts were cut from the left to fit the model's context\n", name.c_str(), truncated);
        report["tasks"][name] = std::move(t);
    }
    if (!a.output.empty()) {
        std::ofstream out(a.output, std::ios::binary);
        if (!out) throw IoError("cannot write " + a.output);
        out << report.dump(1) << "\n";
        if (!out) throw IoError("cannot write " + a.output);
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TextArgs {
    ModelOptions model;
    std::string file;
    uint64_t lines = 0;
};

void run_text_command(const TextArgs& a) {
    const std::string text = read_file(a.file);
    auto model = load_model_from_options(a.model);
    TextScoreOptions o;
    o.max_lines = a.lines;
    ProgressBar bar("eval text", 0, "lines");
    o.progress = [&](uint64_t done, uint64_t total) {
        if (done == 1) bar = ProgressBar("eval text", double(total), "lines");
        bar.update(double(done));
    };
    const TextScore r = score_text(*model, text, o);
    bar.finish();
    std::printf("%llu lines, %llu tokens, %llu characters, %llu Hangul syllables\n", (unsigned long long)r.lines,
                (unsigned long long)r.tokens, (unsigned long long)r.counts.code_points, (unsigned long long)r.counts.syllables);
    std::printf("PPL = %.4f (per token), %.4f bits/token, %.4f bits/char, %.4f bits/syllable\n", r.ppl(), bits_per(r.nll, r.tokens),
                r.bits_per_char(), r.bits_per_syllable());
}

void setup_eval(CLI::App& root) {
    auto* cmd = root.add_subcommand("eval", "Korean quality: KoBEST tasks, bits per character of a text");
    cmd->require_subcommand(1);

    auto k = std::make_shared<KobestArgs>();
    auto* kb = cmd->add_subcommand("kobest", "KoBEST BoolQ, COPA, HellaSwag, SentiNeg, WiC (lm-evaluation-harness's prompts)");
    add_model_options(kb, k->model);
    kb->add_option("--tasks", k->tasks, "Comma-separated tasks")->capture_default_str();
    kb->add_option("--shots", k->shots, "Few-shot examples from the train split")->capture_default_str()->check(CLI::Range(0, 64));
    kb->add_option("--data", k->data, "KoBEST folder (BoolQ/, COPA/, ... with train.tsv, dev.tsv, test.tsv)");
    kb->add_option("--split", k->split, "dev, test, or a TSV file of the one task in --tasks")->capture_default_str();
    kb->add_option("--seed", k->seed, "Few-shot sampling seed (the harness's is 1234)")->capture_default_str();
    kb->add_option("--limit", k->limit, "Score only the first N items of each task (0 = all)");
    kb->add_flag("--no-bos", k->no_bos, "Do not start each request with BOS");
    kb->add_option("-o,--output", k->output, "Write a JSON report with every item's log-likelihoods");
    kb->footer("Each choice is scored by the summed log-probability of its tokens after the prompt\n"
               "(' ' + choice; a space ending the prompt moves into the choice). acc_norm divides by\n"
               "the choice's length in characters. Contexts too long for the model are cut from the left.");
    kb->callback([k] { run_kobest_command(*k); });

    auto t = std::make_shared<TextArgs>();
    auto* tx = cmd->add_subcommand("text", "PPL, bits per character and per Hangul syllable of a text, line by line");
    add_model_options(tx, t->model);
    tx->add_option("-f,--file", t->file, "UTF-8 text file, one document per line")->required();
    tx->add_option("--lines", t->lines, "Score only the first N non-empty lines (0 = all)");
    tx->footer("Each line is scored as BOS + line + EOS, every token after BOS predicted; EOS stands for\n"
               "the newline, which counts as one character. Bits = total negative log-likelihood in bits;\n"
               "characters = code points of the scored lines (NFC) + one newline each.");
    tx->callback([t] { run_text_command(*t); });
}
KMLM_CLI_COMMAND(62, setup_eval);

} // namespace
} // namespace kmlm::cli
