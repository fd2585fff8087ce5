// `kmlm bench-draft`: greedy generation speed with and without speculative decoding (prompt
// lookup drafts), and how many drafted tokens were accepted, on chatbot questions (answers
// in the model's chat format) and on continuing a source file.
#include "model_options.h"

#include "kmlm/chat_template.h"
#include "kmlm/cpu.h"
#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/utf8.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace kmlm::cli {
namespace {

// The prompts of one workload and how long each answer may be.
struct Workload {
    std::string name;
    std::vector<std::vector<int32_t>> prompts;
    std::vector<std::vector<std::string>> stops;
    int32_t max_tokens = 0;
};

struct Totals {
    int32_t tokens = 0, drafted = 0, accepted = 0;
    double seconds = 0;
    std::vector<int32_t> output; // every answer's tokens, to compare the two runs
    double tokens_per_second() const { return seconds > 0 ? tokens / seconds : 0; }
};

std::string read_text(const std::string& path, const char* what) {
    require_regular_file(path, what);
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    require_valid_utf8(text, path);
    return to_nfc(text);
}

// The first `count` questions of a question<TAB>answer file, each as a chat prompt.
Workload chat_workload(const LanguageModel& model, const std::string& path, int count, int32_t max_tokens) {
    Workload w{"korean-chat", {}, {}, max_tokens};
    std::istringstream lines(read_text(path, "question/answer file"));
    for (std::string line; int(w.prompts.size()) < count && std::getline(lines, line);) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos || tab == 0) continue;
        const std::vector<ChatMessage> messages{{"user", line.substr(0, tab)}};
        const ChatPrompt p = render_chat(model, messages);
        w.prompts.push_back(model.tokenizer().encode(p.text, true, true));
        w.stops.push_back(p.stop_strings);
    }
    if (w.prompts.empty()) throw InvalidArgument(path + " has no question<TAB>answer line");
    return w;
}

// The start of a source file, as long as the context allows beside the answer.
Workload code_workload(const LanguageModel& model, const std::string& path, int32_t max_tokens) {
    Workload w{"code", {}, {{}}, max_tokens};
    std::vector<int32_t> prompt = model.tokenizer().encode(read_text(path, "source file"), true);
    const size_t room = model.context_length() ? model.context_length() - size_t(max_tokens) - 1 : prompt.size();
    if (room < 16) throw InvalidArgument("the context is too short for " + std::to_string(max_tokens) + " tokens of code");
    prompt.resize(std::min(prompt.size(), std::min<size_t>(room, 1024)));
    w.prompts.push_back(std::move(prompt));
    return w;
}

Totals run(LanguageModel& model, const Workload& w, int32_t draft) {
    Totals t;
    for (size_t i = 0; i < w.prompts.size(); ++i) {
        GenerateOptions o;
        o.sampling.temperature = 0.0f;
        o.max_tokens = w.max_tokens;
        o.stop_strings = w.stops[i];
        o.draft_tokens = draft;
        o.ignore_eos = w.stops[i].empty();
        model.reset();
        const GenerateResult r = generate(model, w.prompts[i], o);
        t.tokens += r.stats.generated_tokens;
        t.seconds += r.stats.generate_seconds;
        t.drafted += r.stats.drafted_tokens;
        t.accepted += r.stats.accepted_tokens;
        t.output.insert(t.output.end(), r.tokens.begin(), r.tokens.end());
    }
    return t;
}

void setup_bench_draft(CLI::App& root) {
    auto* cmd = root.add_subcommand("bench-draft", "Measure greedy generation with and without speculative decoding");
    static ModelOptions opts;
    static std::string qa, code;
    static int questions = 20, runs = 3;
    static int32_t draft = kDefaultDraftTokens, max_tokens = 64, code_tokens = 256;
    add_model_options(cmd, opts);
    cmd->add_option("--qa", qa, "question<TAB>answer file: its questions are asked in the chat format");
    cmd->add_option("--questions", questions, "Questions asked")->capture_default_str()->check(CLI::Range(1, 10000));
    cmd->add_option("--runs", runs, "Runs of each workload, the fastest counts")->capture_default_str()->check(CLI::Range(1, 100));
    cmd->add_option("--code", code, "Source file whose start the model continues");
    cmd->add_option("--draft", draft, "Draft tokens per check")->capture_default_str()->check(CLI::Range(1, int(kDraftTokensRange.max)));
    cmd->add_option("--answer-tokens", max_tokens, "Tokens per answer at most")->capture_default_str()->check(CLI::Range(1, 4096));
    cmd->add_option("--code-tokens", code_tokens, "Tokens of code generated")->capture_default_str()->check(CLI::Range(1, 4096));
    cmd->callback([] {
        if (qa.empty() && code.empty()) throw InvalidArgument("bench-draft: give --qa FILE, --code FILE or both");
        auto model = load_model_from_options(opts);
        std::vector<Workload> workloads;
        if (!qa.empty()) workloads.push_back(chat_workload(*model, qa, questions, max_tokens));
        if (!code.empty()) workloads.push_back(code_workload(*model, code, code_tokens));
        std::printf("CPU: %s; model %s (%s, %s)\n", cpu_model_name().c_str(), model->info().name.c_str(),
                    model->info().architecture.c_str(), model->info().quantization.c_str());
        std::printf("%-12s %7s %12s %12s %8s %8s %8s %9s\n", "workload", "tokens", "plain tok/s", "draft tok/s", "speed-up", "drafted",
                    "accepted", "accept %");
        for (const Workload& w : workloads) {
            run(*model, {w.name, {w.prompts.front()}, {w.stops.front()}, 8}, 0); // warm-up: page in the weights
            const std::string load = load_average();
            // Plain and drafted in turn, the fastest of each: other work on the machine only slows.
            Totals plain, spec;
            for (int i = 0; i < runs; ++i) {
                const Totals p = run(*model, w, 0), s = run(*model, w, draft);
                if (i == 0 || p.seconds < plain.seconds) plain = p;
                if (i == 0 || s.seconds < spec.seconds) spec = s;
            }
            std::printf("%-12s %7d %12.1f %12.1f %7.2fx %8d %8d %8.1f%%   (load average before: %s)\n", w.name.c_str(), spec.tokens,
                        plain.tokens_per_second(), spec.tokens_per_second(),
                        plain.tokens_per_second() > 0 ? spec.tokens_per_second() / plain.tokens_per_second() : 0.0, spec.drafted,
                        spec.accepted, spec.drafted ? 100.0 * spec.accepted / spec.drafted : 0.0, load.c_str());
            if (spec.output != plain.output) {
                std::fprintf(stderr, "kmlm: %s: the output with drafts differs from plain greedy decoding\n", w.name.c_str());
                set_exit_code(kError);
            }
        }
        std::printf("load average after: %s\n", load_average().c_str());
    });
}
KMLM_CLI_COMMAND(71, setup_bench_draft);

} // namespace
} // namespace kmlm::cli
