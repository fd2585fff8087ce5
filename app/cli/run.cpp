// `kmlm run` (one prompt, the answer streamed to stdout) and `kmlm chat` (an interactive
// conversation in the model's chat format). Ctrl-C stops the answer being written; in chat,
// a second Ctrl-C at the prompt ends the program.
#include "model_options.h"

#include "kmlm/chat_template.h"
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

std::atomic<bool> g_cancel{false};      // stops the current answer
std::atomic<int> g_prompt_interrupts{0}; // Ctrl-C while waiting for input
std::atomic<bool> g_generating{false};

extern "C" void on_sigint(int) {
    if (g_generating.load()) g_cancel.store(true);
    else g_prompt_interrupts.fetch_add(1);
}

// Without SA_RESTART, so that a Ctrl-C at the prompt interrupts the blocking read.
void install_sigint() {
    struct sigaction sa = {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
}

void print_text(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

ChatPrompt chat_prompt(const LanguageModel& model, const std::vector<ChatMessage>& messages, const std::string& format) {
    const Tokenizer& tok = model.tokenizer();
    ChatOptions co;
    co.chat_template = model.info().chat_template;
    co.architecture = model.info().architecture;
    co.override_template = format;
    if (tok.bos() >= 0) co.bos_token = tok.token_text(tok.bos());
    if (tok.eos() >= 0) co.eos_token = tok.token_text(tok.eos());
    return render_chat(messages, co);
}

// Generates with Ctrl-C as the cancel flag and the memory ceiling as a stop condition.
GenerateResult answer(LanguageModel& model, std::span<const int32_t> prompt, GenerateOptions gen, uint64_t ceiling) {
    g_cancel.store(false);
    gen.cancel = &g_cancel;
    gen.memory_ok = MemoryGuard(ceiling).callback();
    gen.on_text = print_text;
    g_generating.store(true);
    GenerateResult r = generate(model, prompt, gen);
    g_generating.store(false);
    return r;
}

void print_stats(const GenerateResult& r) {
    std::fprintf(stderr, "[%d prompt tokens (%d reused) in %.2f s, %d generated at %.1f tokens/s, %s]\n",
                 r.stats.prompt_tokens, r.stats.reused_tokens, r.stats.prompt_seconds, r.stats.generated_tokens,
                 r.stats.tokens_per_second(), std::string(to_string(r.reason)).c_str());
}

void setup_run(CLI::App& root) {
    auto* cmd = root.add_subcommand("run", "Complete a prompt and stream the text (prompt from -p or stdin)");
    static ModelOptions opts;
    static GenerateOptions gen;
    static std::string prompt, format;
    static bool chat = false, show_stats = false;
    add_model_options(cmd, opts);
    add_sampling_options(cmd, gen.sampling);
    cmd->add_option("-p,--prompt", prompt, "Prompt text (default: read stdin)");
    cmd->add_option("-n,--max-tokens", gen.max_tokens, "Tokens to generate at most")->capture_default_str();
    cmd->add_option("--stop", gen.stop_strings, "Stop before this text (repeatable)");
    cmd->add_flag("--chat", chat, "Wrap the prompt as a user message in the model's chat format");
    cmd->add_option("--chat-format", format, "Chat format instead of the model's: chatml, qwen3, llama3, exaone, exaone4, gemma, phi3, plain");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed on stderr");
    cmd->callback([cmd] {
        if (cmd->count("--prompt") == 0) prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
        require_valid_utf8(prompt, "the prompt");
        auto model = load_model_from_options(opts);
        std::vector<int32_t> tokens;
        GenerateOptions g = gen;
        if (chat) {
            const ChatPrompt p = chat_prompt(*model, {{"user", to_nfc(prompt)}}, format);
            tokens = model->tokenizer().encode(p.text, true, true);
            g.stop_strings.insert(g.stop_strings.end(), p.stop_strings.begin(), p.stop_strings.end());
        } else {
            tokens = model->tokenizer().encode(to_nfc(prompt), true);
        }
        install_sigint();
        const GenerateResult r = answer(*model, tokens, g, to_load_options(opts).memory_limit);
        std::signal(SIGINT, SIG_DFL);
        std::printf("\n");
        if (show_stats) print_stats(r);
        if (r.reason == StopReason::Cancelled) set_exit_code(kInterrupted);
        if (r.reason == StopReason::MemoryLimit) set_exit_code(kMemoryLimit);
    });
}
KMLM_CLI_COMMAND(20, setup_run);

void setup_chat(CLI::App& root) {
    auto* cmd = root.add_subcommand("chat", "Chat with a model in the terminal (/reset, /exit; Ctrl-C stops an answer)");
    static ModelOptions opts;
    static GenerateOptions gen;
    static std::string system, format;
    static bool show_stats = false;
    gen.max_tokens = 512;
    add_model_options(cmd, opts);
    add_sampling_options(cmd, gen.sampling);
    cmd->add_option("-n,--max-tokens", gen.max_tokens, "Tokens per answer at most")->capture_default_str();
    cmd->add_option("--system", system, "System message");
    cmd->add_option("--chat-format", format, "Chat format instead of the model's: chatml, qwen3, llama3, exaone, exaone4, gemma, phi3, plain");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed after each answer");
    cmd->callback([] {
        require_valid_utf8(system, "the system message");
        auto model = load_model_from_options(opts);
        const uint64_t ceiling = to_load_options(opts).memory_limit;
        std::vector<ChatMessage> messages;
        auto restart = [&] {
            messages.clear();
            if (!system.empty()) messages.push_back({"system", to_nfc(system)});
        };
        restart();
        std::fprintf(stderr, "%s (%s). /reset starts over, /exit or Ctrl-D ends, Ctrl-C stops an answer.\n",
                     model->info().name.c_str(), model->info().architecture.c_str());
        install_sigint();
        std::string line;
        for (;;) {
            std::printf("> ");
            std::fflush(stdout);
            if (!std::getline(std::cin, line)) {
                // An interrupted read fails like the end of input: the counter tells them apart.
                const int interrupts = g_prompt_interrupts.load();
                if (interrupts == 0 || interrupts >= 2) break; // Ctrl-D, or a second Ctrl-C
                std::cin.clear();
                std::fprintf(stderr, "\n(Ctrl-C again or /exit to quit)\n");
                continue;
            }
            g_prompt_interrupts.store(0);
            if (line == "/exit" || line == "/quit") break;
            if (line == "/reset") {
                restart();
                model->reset();
                std::fprintf(stderr, "(conversation cleared)\n");
                continue;
            }
            if (line.empty()) continue;
            if (!is_valid_utf8(line)) {
                std::fprintf(stderr, "(the input is not valid UTF-8)\n");
                continue;
            }
            messages.push_back({"user", to_nfc(line)});
            const ChatPrompt p = chat_prompt(*model, messages, format);
            GenerateOptions g = gen;
            g.stop_strings.insert(g.stop_strings.end(), p.stop_strings.begin(), p.stop_strings.end());
            const GenerateResult r = answer(*model, model->tokenizer().encode(p.text, true, true), g, ceiling);
            std::printf(r.reason == StopReason::Cancelled ? " [stopped]\n" : "\n");
            if (show_stats) print_stats(r);
            messages.push_back({"assistant", r.text});
            if (r.reason == StopReason::MemoryLimit) {
                std::fprintf(stderr, "(memory ceiling reached: /reset to continue)\n");
                set_exit_code(kMemoryLimit);
            }
        }
        std::signal(SIGINT, SIG_DFL);
        std::printf("\n");
    });
}
KMLM_CLI_COMMAND(30, setup_chat);

} // namespace
} // namespace kmlm::cli
