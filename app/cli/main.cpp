// kmlm: the Korean Mini LM command-line tool.
#include "command.h"

#include "kmlm/bundled_model.h"
#include "kmlm/error.h"

#include <algorithm>
#include <iostream>

namespace kmlm::cli {
namespace {
int g_exit_code = kOk;
}

std::vector<std::pair<int, CommandSetup>>& registered_commands() {
    static std::vector<std::pair<int, CommandSetup>> commands;
    return commands;
}

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup) { registered_commands().emplace_back(order, std::move(setup)); }

void set_exit_code(int code) { g_exit_code = code; }
int exit_code() { return g_exit_code; }

std::filesystem::path default_model_path() {
    const std::filesystem::path found = find_bundled_model();
    if (found.empty())
        throw IoError("the bundled model (" + std::string(kBundledModelFile) + ") is not installed: give --model FILE or set KMLM_MODEL");
    return found;
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
    std::stable_sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
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
