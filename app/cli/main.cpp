// kmlm: the Korean Mini LM command-line tool.
#include "command.h"

#include "kmlm/error.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace kmlm::cli {
namespace {
int g_exit_code = kOk;
}

std::vector<std::pair<int, CommandSetup>>& registered_commands() {
    static std::vector<std::pair<int, CommandSetup>> commands;
    return commands;
}

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup) {
    registered_commands().emplace_back(order, std::move(setup));
}

void set_exit_code(int code) { g_exit_code = code; }
int exit_code() { return g_exit_code; }

std::filesystem::path default_model_path() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("KMLM_MODEL"); env && *env) return env;
    const char* name = "models/kmlm-gru-ko.gguf";
    for (const auto& dir : {fs::path(KMLM_DATADIR), fs::path(KMLM_SOURCE_RESOURCES)}) {
        std::error_code ec;
        if (fs::exists(dir / name, ec)) return dir / name;
    }
    return fs::path(KMLM_SOURCE_RESOURCES) / name;
}

} // namespace kmlm::cli

int main(int argc, char** argv) {
    using namespace kmlm::cli;
    CLI::App app{"kmlm: Korean Mini LM, offline Korean language models (jamo GRU and GGUF decoders)"};
    app.require_subcommand(1);
    app.footer("Exit codes: 0 ok, 1 error, 2 usage, 3 bad input (malformed file, invalid UTF-8),\n"
               "4 over the memory ceiling, 130 interrupted.");
    app.set_version_flag("--version", "kmlm 0.1.0");

    auto& commands = registered_commands();
    std::stable_sort(commands.begin(), commands.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, setup] : commands) setup(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? kOk : kUsage;
    } catch (const kmlm::MemoryLimitError& e) {
        std::cerr << "kmlm: " << e.what() << "\n";
        return kMemoryLimit;
    } catch (const kmlm::FormatError& e) {
        std::cerr << "kmlm: " << e.what() << "\n";
        return kBadInput;
    } catch (const kmlm::InvalidArgument& e) {
        std::cerr << "kmlm: " << e.what() << "\n";
        return kBadInput;
    } catch (const std::exception& e) {
        std::cerr << "kmlm: " << e.what() << "\n";
        return kError;
    }
    return exit_code();
}
