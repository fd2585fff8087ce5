// Subcommand registry of the kmlm tool. Each cli/*.cpp registers its subcommands with
// KMLM_CLI_COMMAND; main() builds the CLI11 app from them.
#pragma once
#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kmlm::cli {

// Exit codes, also listed in `kmlm --help`.
enum ExitCode : int {
    kOk = 0,
    kError = 1,       // runtime failure
    kUsage = 2,       // bad command line
    kBadInput = 3,    // malformed file, invalid UTF-8, bad token ids
    kMemoryLimit = 4, // refused: would not fit under the memory ceiling
    kInterrupted = 130,
};

// Adds a subcommand to root and sets its callback. A callback reports failure by throwing
// (kmlm::Error subclasses map to exit codes) or by calling set_exit_code().
using CommandSetup = std::function<void(CLI::App& root)>;

struct CommandRegistrar {
    CommandRegistrar(int order, CommandSetup setup);
};
std::vector<std::pair<int, CommandSetup>>& registered_commands();
void set_exit_code(int code);
int exit_code();

// The bundled GRU model (kmlm::find_bundled_model, kmlm/bundled_model.h); throws IoError
// when there is none.
std::filesystem::path default_model_path();

} // namespace kmlm::cli

#define KMLM_CLI_CONCAT2(a, b) a##b
#define KMLM_CLI_CONCAT(a, b) KMLM_CLI_CONCAT2(a, b)
// order: position in `kmlm --help` (lower first).
#define KMLM_CLI_COMMAND(order, setup) static ::kmlm::cli::CommandRegistrar KMLM_CLI_CONCAT(kmlm_cli_registrar_, __LINE__)(order, setup)
