// `kmlm run` (one prompt, the answer streamed to stdout) and `kmlm chat` (an interactive
// conversation in the model's chat format), on a local model or on an OpenAI-compatible
// server (--endpoint). Ctrl-C stops the answer being written; in chat, a second Ctrl-C at
// the prompt ends the program.
#include "model_options.h"

#include "kmlm_server/remote_client.h"

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
#include <optional>

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

// The model's chat prompt; when its template fails (unsupported, or a runaway or hostile
// template stopped by the interpreter's budgets) a warning names the file, once.
ChatPrompt chat_prompt(const LanguageModel& model, const std::vector<ChatMessage>& messages, const std::string& format,
                       const ModelOptions& opts, bool* warned) {
    ChatPrompt p = render_chat(model, messages, format);
    if (!p.template_error.empty() && !*warned) {
        const std::string file = opts.model.empty() ? default_model_path().string() : opts.model;
        std::fprintf(stderr, "warning: the chat template of %s cannot be used (%s); using the built-in %s format\n",
                     file.c_str(), p.template_error.c_str(), std::string(to_string(p.family)).c_str());
        *warned = true;
    }
    return p;
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

// --endpoint URL --remote-model NAME: the same commands on an OpenAI-compatible server.
struct RemoteOptions {
    server::RemoteEndpoint endpoint;
    bool ignore_eos = false;
    bool active() const { return !endpoint.base_url.empty(); }
};

void add_remote_options(CLI::App* cmd, RemoteOptions& r) {
    auto* url = cmd->add_option("--endpoint", r.endpoint.base_url,
                                "OpenAI-compatible server instead of a local model, e.g. http://127.0.0.1:8080/v1");
    url->excludes(cmd->get_option("--model"));
    cmd->add_option("--remote-model", r.endpoint.model, "Model name on the server (default: its only model)")->needs(url);
    cmd->add_option("--api-key", r.endpoint.api_key, "API key for the server")->needs(url)->envname("KMLM_API_KEY");
    cmd->add_option("--remote-timeout", r.endpoint.timeout_seconds, "Seconds to wait for the server (connecting, between pieces)")
        ->needs(url)->capture_default_str()->check(CLI::Range(1, 3600));
    cmd->add_flag("--ignore-eos", r.ignore_eos, "Go on past the end-of-text token (tests, benchmarks)");
}

// The server's only model when none was named.
void resolve_remote_model(server::RemoteEndpoint& e) {
    if (!e.model.empty()) return;
    const std::vector<std::string> ids = server::remote_models(e);
    if (ids.size() != 1) {
        std::string list;
        for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
        throw InvalidArgument(e.base_url + " serves " + std::to_string(ids.size()) + " models" +
                              (list.empty() ? "" : " (" + list + ")") + ": choose one with --remote-model");
    }
    e.model = ids.front();
}

// One answer from the server, streamed to stdout; Ctrl-C cancels. A failure prints what came
// (it is already on stdout), the reason on stderr, and sets exit code 1.
std::optional<server::RemoteResult> remote_answer(const RemoteOptions& remote, server::GenerationRequest request,
                                                  const GenerateOptions& gen) {
    request.params.sampling = gen.sampling;
    request.params.max_tokens = gen.max_tokens;
    request.params.stop = gen.stop_strings;
    request.params.ignore_eos = remote.ignore_eos;
    g_cancel.store(false);
    g_generating.store(true);
    try {
        server::RemoteResult r = server::remote_generate(remote.endpoint, request, print_text, &g_cancel);
        g_generating.store(false);
        return r;
    } catch (const server::RemoteError& e) {
        g_generating.store(false);
        std::printf("\n");
        std::fflush(stdout);
        std::fprintf(stderr, "kmlm: %s\n", e.what());
        set_exit_code(kError);
        return std::nullopt;
    }
}

void print_remote_stats(const server::RemoteResult& r) {
    std::fprintf(stderr, "[%d prompt tokens, %d generated, %s]\n", r.usage.prompt_tokens, r.usage.completion_tokens,
                 r.cancelled ? "cancelled" : r.finish_reason.c_str());
}

void print_stats(const GenerateResult& r) {
    std::string drafts;
    if (r.stats.drafted_tokens > 0)
        drafts = ", " + std::to_string(r.stats.accepted_tokens) + " of " + std::to_string(r.stats.drafted_tokens) +
                 " drafted tokens accepted";
    std::fprintf(stderr, "[%d prompt tokens (%d reused) in %.2f s, %d generated at %.1f tokens/s%s, %s]\n",
                 r.stats.prompt_tokens, r.stats.reused_tokens, r.stats.prompt_seconds, r.stats.generated_tokens,
                 r.stats.tokens_per_second(), drafts.c_str(), std::string(to_string(r.reason)).c_str());
}

void setup_run(CLI::App& root) {
    auto* cmd = root.add_subcommand("run", "Complete a prompt and stream the text (prompt from -p or stdin)");
    static ModelOptions opts;
    static GenerateOptions gen;
    static std::string prompt, format;
    static bool chat = false, show_stats = false;
    static RemoteOptions remote;
    add_model_options(cmd, opts);
    add_remote_options(cmd, remote);
    add_sampling_options(cmd, gen.sampling);
    cmd->add_option("-p,--prompt", prompt, "Prompt text (default: read stdin)");
    add_max_tokens_option(cmd, gen.max_tokens, "Tokens to generate at most");
    add_draft_options(cmd, gen.draft_tokens);
    cmd->add_option("--stop", gen.stop_strings, "Stop before this text (repeatable)");
    cmd->add_flag("--chat", chat, "Wrap the prompt as a user message in the model's chat format");
    cmd->add_option("--chat-format", format, "Chat format instead of the model's: chatml, qwen3, llama3, exaone, exaone4, gemma, phi3, plain");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed on stderr");
    cmd->get_option("--chat-format")->excludes(cmd->get_option("--endpoint"));
    auto run_remote = [](const std::string& text, bool as_chat, const GenerateOptions& g, bool stats) {
        resolve_remote_model(remote.endpoint);
        server::GenerationRequest request;
        request.chat = as_chat;
        if (as_chat) request.messages = {{"user", to_nfc(text)}};
        else request.prompt = to_nfc(text);
        install_sigint();
        const auto r = remote_answer(remote, std::move(request), g);
        std::signal(SIGINT, SIG_DFL);
        if (!r) return;
        std::printf("\n");
        if (stats) print_remote_stats(*r);
        if (r->cancelled) set_exit_code(kInterrupted);
    };
    cmd->callback([cmd, run_remote] {
        if (cmd->count("--prompt") == 0) prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
        require_valid_utf8(prompt, "the prompt");
        if (remote.active()) return run_remote(prompt, chat, gen, show_stats);
        auto model = load_model_from_options(opts);
        std::vector<int32_t> tokens;
        GenerateOptions g = gen;
        if (chat) {
            bool warned = false;
            const ChatPrompt p = chat_prompt(*model, {{"user", to_nfc(prompt)}}, format, opts, &warned);
            tokens = model->tokenizer().encode(p.text, true, true);
            g.stop_strings.insert(g.stop_strings.end(), p.stop_strings.begin(), p.stop_strings.end());
        } else {
            tokens = model->tokenizer().encode(to_nfc(prompt), true);
        }
        install_sigint();
        g.ignore_eos = remote.ignore_eos;
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
    static RemoteOptions remote;
    gen.max_tokens = 512;
    add_model_options(cmd, opts);
    add_remote_options(cmd, remote);
    add_sampling_options(cmd, gen.sampling);
    add_max_tokens_option(cmd, gen.max_tokens, "Tokens per answer at most");
    add_draft_options(cmd, gen.draft_tokens);
    cmd->add_option("--system", system, "System message");
    cmd->add_option("--chat-format", format, "Chat format instead of the model's: chatml, qwen3, llama3, exaone, exaone4, gemma, phi3, plain");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed after each answer");
    cmd->get_option("--chat-format")->excludes(cmd->get_option("--endpoint"));
    cmd->callback([] {
        require_valid_utf8(system, "the system message");
        std::unique_ptr<LanguageModel> model;
        uint64_t ceiling = 0;
        std::string banner;
        if (remote.active()) {
            resolve_remote_model(remote.endpoint);
            banner = remote.endpoint.model + " on " + remote.endpoint.base_url;
        } else {
            model = load_model_from_options(opts);
            ceiling = to_load_options(opts).memory_limit;
            banner = model->info().name + " (" + model->info().architecture + ")";
        }
        bool template_warned = false;
        // The answer to the conversation so far, streamed; nullopt when the server failed.
        auto reply = [&](const std::vector<ChatMessage>& messages) -> std::optional<std::string> {
            if (!model) {
                server::GenerationRequest request;
                request.messages = messages;
                const auto r = remote_answer(remote, std::move(request), gen);
                if (!r) return std::nullopt;
                std::printf(r->cancelled ? " [stopped]\n" : "\n");
                if (show_stats) print_remote_stats(*r);
                return r->text;
            }
            const ChatPrompt p = chat_prompt(*model, messages, format, opts, &template_warned);
            GenerateOptions g = gen;
            g.stop_strings.insert(g.stop_strings.end(), p.stop_strings.begin(), p.stop_strings.end());
            g.ignore_eos = remote.ignore_eos;
            const GenerateResult r = answer(*model, model->tokenizer().encode(p.text, true, true), g, ceiling);
            std::printf(r.reason == StopReason::Cancelled ? " [stopped]\n" : "\n");
            if (show_stats) print_stats(r);
            if (r.reason == StopReason::MemoryLimit) {
                std::fprintf(stderr, "(memory ceiling reached: /reset to continue)\n");
                set_exit_code(kMemoryLimit);
            }
            return r.text;
        };
        std::vector<ChatMessage> messages;
        auto restart = [&] {
            messages.clear();
            if (!system.empty()) messages.push_back({"system", to_nfc(system)});
        };
        restart();
        std::fprintf(stderr, "%s. /reset starts over, /exit or Ctrl-D ends, Ctrl-C stops an answer.\n", banner.c_str());
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
                if (model) model->reset();
                std::fprintf(stderr, "(conversation cleared)\n");
                continue;
            }
            if (line.empty()) continue;
            if (!is_valid_utf8(line)) {
                std::fprintf(stderr, "(the input is not valid UTF-8)\n");
                continue;
            }
            messages.push_back({"user", to_nfc(line)});
            const std::optional<std::string> text = reply(messages);
            if (!text) {
                messages.pop_back();
                std::fprintf(stderr, "(not answered; the question is not part of the conversation: ask again or /exit)\n");
                continue;
            }
            messages.push_back({"assistant", *text});
        }
        std::signal(SIGINT, SIG_DFL);
        std::printf("\n");
    });
}
KMLM_CLI_COMMAND(30, setup_chat);

} // namespace
} // namespace kmlm::cli
