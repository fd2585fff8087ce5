// `kmlm memory`: the memory a model would need under the ceiling (estimate, what fits), and
// with --fill the measured peak: load it, fill the whole context, compare with the estimate.
#include "generation.h"
#include "model_options.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/gguf.h"
#include "kmlm/memory.h"
#include "kmlm/model_file.h"

#include <cstdio>
#include <iostream>
#include <random>

namespace kmlm::cli {
namespace {

struct MemoryCommand {
    ModelOptions model;
    bool fill = false;
    int32_t generate_tokens = 64;
    std::string margin; // the memory guard's margin; empty: MemoryGuard's default
};

std::filesystem::path model_path(const ModelOptions& opts) {
    return opts.model.empty() ? default_model_path() : std::filesystem::path(opts.model);
}

bool is_gguf(const std::filesystem::path& path) { return detect_model_format(path) == ModelFormat::Gguf; }

// Prints the estimate (this process as the baseline) and what fits under the ceiling.
// Returns the estimate.
MemoryEstimate print_estimate(const std::filesystem::path& path, const LoadOptions& lo) {
    const uint64_t baseline = current_rss();
    const MemoryEstimate e = estimate_model_file(path, lo.n_ctx, lo.kv_type, baseline);
    std::cout << "model:   " << path.filename().string() << " (" << e.architecture << ")\n" << describe(e);
    if (lo.memory_limit == 0) {
        std::cout << "ceiling: none\n";
        return e;
    }
    std::cout << "ceiling: " << format_bytes(lo.memory_limit) << ", "
              << (e.total() <= lo.memory_limit ? format_bytes(lo.memory_limit - e.total()) + " to spare"
                                               : format_bytes(e.total() - lo.memory_limit) + " over")
              << "\n";
    if (is_gguf(path) && e.architecture != kGruArchitecture) {
        const auto file = gguf::GgufFile::open(path);
        std::cout << "longest context under the ceiling: " << fit_context(*file, KvType::Q8_0, lo.memory_limit, baseline)
                  << " (q8_0 KV cache), " << fit_context(*file, KvType::F16, lo.memory_limit, baseline) << " (f16 KV cache)\n";
    }
    std::cout << std::flush;
    return e;
}

// Loads the model and fills its context: a prompt of random token ids, then generation
// with the memory guard, then single tokens until the context is full. Prints the peak.
void fill_context(const MemoryCommand& cmd, const LoadOptions& lo, const MemoryEstimate& estimate) {
    const auto model = load_model(model_path(cmd.model), lo);
    const size_t n_ctx = model->context_length() ? model->context_length() : estimate.n_ctx;
    const int32_t vocab = model->tokenizer().vocab_size();
    const int32_t gen = std::min<int32_t>(cmd.generate_tokens, int32_t(n_ctx / 2));
    std::mt19937 rng(42);
    std::uniform_int_distribution<int32_t> pick(0, vocab - 1);
    std::vector<int32_t> prompt(n_ctx - gen);
    for (auto& t : prompt) t = pick(rng);

    const MemoryGuard guard = memory_guard(lo.memory_limit, cmd.margin);
    GenerateOptions go;
    go.sampling.temperature = 0;
    go.max_tokens = gen;
    go.memory_ok = guard.callback();
    const GenerateResult r = generate(*model, prompt, go);
    if (r.reason == StopReason::MemoryLimit) std::cout << guard.message() << "\n";
    // Generation may end early (an end-of-text token): evaluate on to the end of the context.
    while (model->history().size() < n_ctx && guard.check()) {
        const int32_t t = pick(rng);
        model->eval(std::span<const int32_t>(&t, 1));
    }

    const ProcessMemory m = read_process_memory();
    const MemoryUsage u = model->memory_usage();
    const double diff = 100.0 * (double(estimate.total()) - double(m.peak_rss)) / double(m.peak_rss);
    std::printf("filled:  %zu tokens (prompt %zu, generated %d, %s)\n", model->history().size(), prompt.size(), r.stats.generated_tokens,
                std::string(to_string(r.reason)).c_str());
    std::printf("model reports: weights %s, KV cache %s, compute %s\n", format_bytes(u.weights).c_str(), format_bytes(u.kv_cache).c_str(),
                format_bytes(u.compute).c_str());
    std::printf("peak RSS (VmHWM): %s (%llu bytes); now RSS %s (anon %s, file %s, of which the model file %s)\n",
                format_bytes(m.peak_rss).c_str(), (unsigned long long)m.peak_rss, format_bytes(m.rss).c_str(),
                format_bytes(m.rss_anon).c_str(), format_bytes(m.rss_file).c_str(),
                format_bytes(mapped_file_resident(model_path(cmd.model))).c_str());
    std::printf("estimate: %s (%llu bytes), %+.1f%% of the measured peak\n", format_bytes(estimate.total()).c_str(),
                (unsigned long long)estimate.total(), diff);
}

void setup_memory(CLI::App& root) {
    auto* sub = root.add_subcommand("memory", "Memory a model needs under the ceiling: estimate from metadata, longest context that fits; "
                                              "--fill loads it, fills the context and prints the measured peak");
    static MemoryCommand cmd;
    add_model_options(sub, cmd.model);
    sub->add_flag("--fill", cmd.fill, "Load the model, fill the whole context (prompt + generation), print peak RSS");
    sub->add_option("--generate", cmd.generate_tokens, "Tokens generated at the end of the context with --fill")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    add_margin_option(sub, cmd.margin, "With --fill: generation stops when resident memory comes this close to the ceiling");
    sub->callback([] {
        const std::filesystem::path path = model_path(cmd.model);
        const LoadOptions lo = to_load_options(cmd.model);
        const MemoryEstimate e = print_estimate(path, lo);
        if (lo.memory_limit != 0 && e.total() > lo.memory_limit) { // explains what would fit; exit code 4
            const auto file = is_gguf(path) ? gguf::GgufFile::open(path) : nullptr;
            check_admission(e, lo.memory_limit, file.get(), path.filename().string());
        }
        if (cmd.fill) fill_context(cmd, lo, e);
    });
}
KMLM_CLI_COMMAND(45, setup_memory);

} // namespace
} // namespace kmlm::cli
