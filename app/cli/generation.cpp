#include "generation.h"

#include "model_options.h"

#include <csignal>
#include <cstdio>

namespace kmlm::cli {
namespace {

std::atomic<bool> g_cancel{false};       // stops the current answer
std::atomic<int> g_prompt_interrupts{0}; // Ctrl-C while not generating
std::atomic<bool> g_generating{false};

extern "C" void on_sigint(int) {
    if (g_generating.load())
        g_cancel.store(true);
    else
        g_prompt_interrupts.fetch_add(1);
}

} // namespace

void install_sigint() {
    struct sigaction sa = {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
}

void restore_sigint() { std::signal(SIGINT, SIG_DFL); }

int prompt_interrupts() { return g_prompt_interrupts.load(); }
void clear_prompt_interrupts() { g_prompt_interrupts.store(0); }

Generating::Generating() {
    g_cancel.store(false);
    g_generating.store(true);
}

Generating::~Generating() { g_generating.store(false); }

const std::atomic<bool>* Generating::cancel() const { return &g_cancel; }

void add_margin_option(CLI::App* cmd, std::string& margin, const std::string& description) {
    cmd->add_option("--margin", margin, description + " (default: 64M, or 1/32 of a smaller ceiling)");
}

MemoryGuard memory_guard(uint64_t ceiling, const std::string& margin) {
    return margin.empty() ? MemoryGuard(ceiling) : MemoryGuard(ceiling, parse_byte_size(margin));
}

void print_text(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

GenerateResult stream_answer(LanguageModel& model, std::span<const int32_t> prompt, GenerateOptions gen, const MemoryGuard& guard) {
    const Generating generating;
    gen.cancel = generating.cancel();
    gen.memory_ok = guard.callback();
    gen.on_text = print_text;
    return generate(model, prompt, gen);
}

void report_end(const GenerateResult& result, const MemoryGuard& guard) {
    if (result.reason == StopReason::Cancelled) set_exit_code(kInterrupted);
    if (result.reason == StopReason::MemoryLimit) {
        std::fprintf(stderr, "kmlm: %s\n", guard.message().c_str());
        set_exit_code(kMemoryLimit);
    }
}

} // namespace kmlm::cli
