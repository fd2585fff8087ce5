#include "model_options.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/memory.h"

#include <cctype>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace kmlm::cli {

void add_model_options(CLI::App* cmd, ModelOptions& opts) {
    cmd->add_option("-m,--model", opts.model, "Model file: GGUF, or GRU .json/.bin (default: the bundled GRU model)");
    cmd->add_option("-t,--threads", opts.threads, "Threads (0 = all cores)")->check(CLI::Range(0, 256));
    cmd->add_option("-c,--ctx", opts.ctx, "Context length in tokens (clamped to the model's)")->check(CLI::Range(16u, 1u << 20));
    cmd->add_option("--kv-type", opts.kv_type, "KV cache type: f16 or q8_0")->check(CLI::IsMember({"f16", "q8_0"}, CLI::ignore_case));
    cmd->add_option("--mem-limit", opts.mem_limit,
                    "Memory ceiling, e.g. 3G, 1536M, or none (default: " + format_bytes(kDefaultMemoryLimit) + ")");
}

CLI::Validator in_range(OptionRange range) {
    std::ostringstream desc;
    desc << std::setprecision(10) << "[" << range.min << " - " << range.max << "]";
    const std::string allowed = desc.str();
    return CLI::Validator(
        [range, allowed](std::string& text) -> std::string {
            char* end = nullptr;
            const double x = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0') return "not a number: " + text;
            if (!range.contains(x)) return "value " + text + " not in range " + allowed;
            return {};
        },
        allowed);
}

void add_sampling_options(CLI::App* cmd, SamplingParams& p) {
    cmd->add_option("--temp", p.temperature, "Temperature (0 = greedy)")->capture_default_str()->check(in_range(kTemperatureRange));
    cmd->add_option("--top-k", p.top_k, "Top-k (0 = off)")->capture_default_str()->check(in_range(kTopKRange));
    cmd->add_option("--top-p", p.top_p, "Top-p (1 = off)")->capture_default_str()->check(in_range(kTopPRange));
    cmd->add_option("--min-p", p.min_p, "Min-p (0 = off)")->capture_default_str()->check(in_range(kMinPRange));
    cmd->add_option("--repeat-penalty", p.repeat_penalty, "Repetition penalty (1 = off)")
        ->capture_default_str()
        ->check(in_range(kRepeatPenaltyRange));
    cmd->add_option("--repeat-last-n", p.repeat_last_n, "Tokens looked back for penalties")
        ->capture_default_str()
        ->check(in_range(kRepeatLastNRange));
    cmd->add_option("--presence-penalty", p.presence_penalty, "Presence penalty (0 = off)")
        ->capture_default_str()
        ->check(in_range(kPresencePenaltyRange));
    cmd->add_option_function<uint64_t>(
        "--seed", [&p](const uint64_t& s) { p.seed = s; }, "Random seed (default: random)");
}

uint64_t parse_byte_size(const std::string& text) {
    std::string s;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s == "NONE" || s == "0") return 0;
    size_t pos = 0;
    double value = 0;
    try {
        value = std::stod(s, &pos);
    } catch (const std::exception&) {
        pos = 0;
    }
    if (pos == 0 || value < 0) throw InvalidArgument("not a memory size: '" + text + "' (examples: 3G, 1536M, none)");
    std::string unit = s.substr(pos);
    if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();
    if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();
    double scale = 1;
    if (unit == "K")
        scale = 1024.0;
    else if (unit == "M")
        scale = 1024.0 * 1024;
    else if (unit == "G")
        scale = 1024.0 * 1024 * 1024;
    else if (!unit.empty() && unit != "B")
        throw InvalidArgument("unknown memory unit in '" + text + "' (use K, M or G)");
    return static_cast<uint64_t>(value * scale);
}

LoadOptions to_load_options(const ModelOptions& opts) {
    LoadOptions lo;
    lo.n_threads = opts.threads;
    lo.n_ctx = opts.ctx;
    lo.kv_type = (opts.kv_type == "f16" || opts.kv_type == "F16") ? KvType::F16 : KvType::Q8_0;
    lo.memory_limit = opts.mem_limit.empty() ? kDefaultMemoryLimit : parse_byte_size(opts.mem_limit);
    return lo;
}

void add_max_tokens_option(CLI::App* cmd, int32_t& max_tokens, const std::string& description) {
    cmd->add_option("-n,--max-tokens", max_tokens, description)->capture_default_str()->check(in_range(kMaxTokensRange));
}

void add_draft_options(CLI::App* cmd, int32_t& draft_tokens) {
    auto* draft =
        cmd->add_option("--draft", draft_tokens, "Greedy sampling: tokens guessed from earlier text and checked in one pass (0 = off)")
            ->capture_default_str()
            ->check(in_range(kDraftTokensRange));
    cmd->add_flag_callback(
           "--no-draft", [&draft_tokens] { draft_tokens = 0; }, "Greedy sampling without guessed tokens (--draft 0)")
        ->excludes(draft);
}

void require_regular_file(const std::filesystem::path& path, const std::string& what) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw IoError(path.string() + " is a directory, not a " + what);
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError(what + " not found: " + path.string());
}

std::unique_ptr<LanguageModel> load_model_from_options(const ModelOptions& opts) {
    const std::filesystem::path path = opts.model.empty() ? default_model_path() : std::filesystem::path(opts.model);
    LoadOptions lo = to_load_options(opts);
    return load_model(path, lo);
}

} // namespace kmlm::cli
