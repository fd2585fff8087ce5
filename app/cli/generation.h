// The one generation loop of `kmlm run`, `kmlm generate` and `kmlm chat`: the answer streamed
// to stdout, Ctrl-C as its cancel flag (one SIGINT handler), the memory guard as a stop
// condition, and the exit code that says how it ended (130 interrupted, 4 memory ceiling).
#pragma once
#include "command.h"

#include "kmlm/generate.h"
#include "kmlm/memory.h"

#include <atomic>
#include <span>
#include <string>

namespace kmlm::cli {

// Ctrl-C while generating stops the answer; otherwise it is counted (chat's prompt). Installed
// without SA_RESTART, so that a Ctrl-C at the prompt interrupts the blocking read.
void install_sigint();
void restore_sigint();
int prompt_interrupts();
void clear_prompt_interrupts();

// While one lives, Ctrl-C sets cancel() (cleared when it starts): for a remote answer too.
class Generating {
public:
    Generating();
    ~Generating();
    Generating(const Generating&) = delete;
    Generating& operator=(const Generating&) = delete;
    const std::atomic<bool>* cancel() const;
};

// --margin: how close resident memory may come to the ceiling before generation stops.
void add_margin_option(CLI::App* cmd, std::string& margin, const std::string& description);
// The guard for ceiling with margin ("64M"; empty: MemoryGuard's default).
MemoryGuard memory_guard(uint64_t ceiling, const std::string& margin);

void print_text(std::string_view text); // to stdout, flushed

// Generates from prompt, streaming the text to stdout, until gen's limits, Ctrl-C or the guard.
GenerateResult stream_answer(LanguageModel& model, std::span<const int32_t> prompt, GenerateOptions gen, const MemoryGuard& guard);
// Sets the exit code for how the answer ended (interrupted, memory ceiling); at the ceiling
// the guard's message goes to stderr.
void report_end(const GenerateResult& result, const MemoryGuard& guard);

} // namespace kmlm::cli
