// `kmlm run`: one prompt, the answer streamed to stdout. Ctrl-C stops the answer.
#include "model_options.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/memory.h"
#include "kmlm/utf8.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <iterator>

namespace kmlm::cli {
namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_sigint(int) { g_cancel.store(true); }

void setup_run(CLI::App& root) {
    auto* cmd = root.add_subcommand("run", "Complete a prompt and stream the text (prompt from -p or stdin)");
    static ModelOptions opts;
    static GenerateOptions gen;
    static std::string prompt;
    static bool show_stats = false;
    add_model_options(cmd, opts);
    add_sampling_options(cmd, gen.sampling);
    cmd->add_option("-p,--prompt", prompt, "Prompt text (default: read stdin)");
    cmd->add_option("-n,--max-tokens", gen.max_tokens, "Tokens to generate at most")->capture_default_str();
    cmd->add_option("--stop", gen.stop_strings, "Stop before this text (repeatable)");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed on stderr");
    cmd->callback([cmd] {
        if (cmd->count("--prompt") == 0) prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
        require_valid_utf8(prompt, "the prompt");
        auto model = load_model_from_options(opts);
        const std::vector<int32_t> tokens = model->tokenizer().encode(to_nfc(prompt), true);
        std::signal(SIGINT, on_sigint);
        gen.cancel = &g_cancel;
        gen.memory_ok = MemoryGuard(to_load_options(opts).memory_limit).callback();
        gen.on_text = [](std::string_view text) {
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
        };
        const GenerateResult r = generate(*model, tokens, gen);
        std::signal(SIGINT, SIG_DFL);
        std::printf("\n");
        if (show_stats)
            std::fprintf(stderr, "%d prompt tokens in %.2f s, %d generated at %.1f tokens/s (%s)\n",
                         r.stats.prompt_tokens, r.stats.prompt_seconds, r.stats.generated_tokens,
                         r.stats.tokens_per_second(), std::string(to_string(r.reason)).c_str());
        if (r.reason == StopReason::Cancelled) set_exit_code(kInterrupted);
        if (r.reason == StopReason::MemoryLimit) set_exit_code(kMemoryLimit);
    });
}
KMLM_CLI_COMMAND(20, setup_run);

} // namespace
} // namespace kmlm::cli
