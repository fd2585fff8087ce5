// `kmlm run` (one prompt, the answer streamed to stdout) and `kmlm chat` (an interactive
// conversation in the model's chat format), on a local model or on an OpenAI-compatible
// server (--endpoint). Ctrl-C stops the answer being written; in chat, a second Ctrl-C at
// the prompt ends the program.
#include "generation.h"
#include "model_options.h"

#include "kmlm_server/remote_client.h"

#include "kmlm/chat_template.h"
#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/memory.h"
#include "kmlm/utf8.h"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>

namespace kmlm::cli {
namespace {

// The model's chat prompt; when its template fails (unsupported, or a runaway or hostile
// template stopped by the interpreter's budgets) a warning names the file, once.
ChatPrompt chat_prompt(const LanguageModel& model, const std::vector<ChatMessage>& messages, const std::string& format,
                       const ModelOptions& opts, bool* warned) {
    ChatPrompt p = render_chat(model, messages, format);
    if (!p.template_error.empty() && !*warned) {
        const std::string file = opts.model.empty() ? default_model_path().string() : opts.model;
        std::fprintf(stderr, "warning: the chat template of %s cannot be used (%s); using the built-in %s format\n", file.c_str(),
                     p.template_error.c_str(), std::string(to_string(p.family)).c_str());
        *warned = true;
    }
    return p;
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
        ->needs(url)
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd->add_flag("--ignore-eos", r.ignore_eos, "Go on past the end-of-text token (tests, benchmarks)");
}

// The server's only model when none was named.
void resolve_remote_model(server::RemoteEndpoint& e) {
    if (!e.model.empty()) return;
    const std::vector<std::string> ids = server::remote_models(e);
    if (ids.size() != 1) {
        std::string list;
        for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
        throw InvalidArgument(e.base_url + " serves " + std::to_string(ids.size()) + " models" + (list.empty() ? "" : " (" + list + ")") +
                              ": choose one with --remote-model");
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
    try {
        const Generating generating;
        return server::remote_generate(remote.endpoint, request, print_text, generating.cancel());
    } catch (const server::RemoteError& e) {
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
        drafts =
            ", " + std::to_string(r.stats.accepted_tokens) + " of " + std::to_string(r.stats.drafted_tokens) + " drafted tokens accepted";
    std::fprintf(stderr, "[%d prompt tokens (%d reused) in %.2f s, %d generated at %.1f tokens/s%s, %s]\n", r.stats.prompt_tokens,
                 r.stats.reused_tokens, r.stats.prompt_seconds, r.stats.generated_tokens, r.stats.tokens_per_second(), drafts.c_str(),
                 std::string(to_string(r.reason)).c_str());
}

void setup_run(CLI::App& root) {
    auto* cmd = root.add_subcommand("run", "Complete a prompt and stream the text (prompt from -p or stdin)");
    static ModelOptions opts;
    static GenerateOptions gen;
    static std::string prompt, format, margin;
    static bool chat = false, show_stats = false;
    static RemoteOptions remote;
    add_model_options(cmd, opts);
    add_margin_option(cmd, margin, "Stop generating when resident memory comes this close to the ceiling");
    add_remote_options(cmd, remote);
    add_sampling_options(cmd, gen.sampling);
    cmd->add_option("-p,--prompt", prompt, "Prompt text (default: read stdin)");
    add_max_tokens_option(cmd, gen.max_tokens, "Tokens to generate at most");
    add_draft_options(cmd, gen.draft_tokens);
    cmd->add_option("--stop", gen.stop_strings, "Stop before this text (repeatable)");
    cmd->add_flag("--chat", chat, "Wrap the prompt as a user message in the model's chat format");
    cmd->add_option("--chat-format", format,
                    "Chat format instead of the model's: chatml, qwen3, llama3, exaone, exaone4, gemma, phi3, plain");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed on stderr");
    cmd->get_option("--chat-format")->excludes(cmd->get_option("--endpoint"));
    auto run_remote = [](const std::string& text, bool as_chat, const GenerateOptions& g, bool stats) {
        resolve_remote_model(remote.endpoint);
        server::GenerationRequest request;
        request.chat = as_chat;
        if (as_chat)
            request.messages = {{"user", to_nfc(text)}};
        else
            request.prompt = to_nfc(text);
        install_sigint();
        const auto r = remote_answer(remote, std::move(request), g);
        restore_sigint();
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
        const MemoryGuard guard = memory_guard(to_load_options(opts).memory_limit, margin);
        const GenerateResult r = stream_answer(*model, tokens, g, guard);
        restore_sigint();
        std::printf("\n");
        if (show_stats) print_stats(r);
        report_end(r, guard);
    });
}
KMLM_CLI_COMMAND(20, setup_run);

void setup_chat(CLI::App& root) {
    auto* cmd = root.add_subcommand("chat", "Chat with a model in the terminal (/reset, /exit; Ctrl-C stops an answer)");
    static ModelOptions opts;
    static GenerateOptions gen;
    static std::string system, format, margin;
    static bool show_stats = false;
    static RemoteOptions remote;
    gen.max_tokens = kChatMaxTokens;
    add_model_options(cmd, opts);
    add_margin_option(cmd, margin, "Stop an answer when resident memory comes this close to the ceiling");
    add_remote_options(cmd, remote);
    add_sampling_options(cmd, gen.sampling);
    add_max_tokens_option(cmd, gen.max_tokens, "Tokens per answer at most");
    add_draft_options(cmd, gen.draft_tokens);
    cmd->add_option("--system", system, "System message");
    cmd->add_option("--chat-format", format,
                    "Chat format instead of the model's: chatml, qwen3, llama3, exaone, exaone4, gemma, phi3, plain");
    cmd->add_flag("--stats", show_stats, "Print token counts and speed after each answer");
    cmd->get_option("--chat-format")->excludes(cmd->get_option("--endpoint"));
    cmd->callback([] {
        require_valid_utf8(system, "the system message");
        std::unique_ptr<LanguageModel> model;
        MemoryGuard guard(0);
        std::string banner;
        if (remote.active()) {
            resolve_remote_model(remote.endpoint);
            banner = remote.endpoint.model + " on " + remote.endpoint.base_url;
        } else {
            model = load_model_from_options(opts);
            guard = memory_guard(to_load_options(opts).memory_limit, margin);
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
            const GenerateResult r = stream_answer(*model, model->tokenizer().encode(p.text, true, true), g, guard);
            std::printf(r.reason == StopReason::Cancelled ? " [stopped]\n" : "\n");
            if (show_stats) print_stats(r);
            if (r.reason == StopReason::MemoryLimit) {
                report_end(r, guard);
                std::fprintf(stderr, "(memory ceiling reached: /reset to continue)\n");
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
                const int interrupts = prompt_interrupts();
                if (interrupts == 0 || interrupts >= 2) break; // Ctrl-D, or a second Ctrl-C
                std::cin.clear();
                std::fprintf(stderr, "\n(Ctrl-C again or /exit to quit)\n");
                continue;
            }
            clear_prompt_interrupts();
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
        restore_sigint();
        std::printf("\n");
    });
}
KMLM_CLI_COMMAND(30, setup_chat);

} // namespace
} // namespace kmlm::cli
