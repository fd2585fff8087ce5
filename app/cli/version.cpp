// `kmlm version`: build information (also a minimal command that is always present).
#include "command.h"

#include <iostream>

namespace {
void setup_version(CLI::App& root) {
    auto* cmd = root.add_subcommand("version", "Print the version and build information");
    cmd->callback([] {
        std::cout << "kmlm 0.1.0 (C++" << __cplusplus / 100 % 100 << ", "
#if defined(__AVX2__)
                  << "built with AVX2"
#else
                  << "portable build, SIMD chosen at run time"
#endif
                  << ")\n";
    });
}
KMLM_CLI_COMMAND(100, setup_version);
} // namespace
