#include "kmlm/bundled_model.h"

#include <cstdlib>
#include <system_error>

namespace kmlm {

namespace fs = std::filesystem;

std::vector<fs::path> bundled_model_dirs() {
    std::vector<fs::path> dirs;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / KMLM_DATADIR_NAME);
    dirs.push_back(KMLM_DATADIR);
    dirs.push_back(KMLM_SOURCE_RESOURCES);
    return dirs;
}

fs::path find_bundled_file(std::span<const fs::path> dirs, std::string_view relative) {
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        const fs::path file = dir / relative;
        if (fs::is_regular_file(file, ec)) return file;
    }
    return {};
}

fs::path find_bundled_file(std::string_view relative) { return find_bundled_file(bundled_model_dirs(), relative); }

fs::path find_bundled_model(std::span<const fs::path> dirs) {
    if (const char* env = std::getenv("KMLM_MODEL"); env && *env) return env;
    return find_bundled_file(dirs, kBundledModelFile);
}

fs::path find_bundled_model() { return find_bundled_model(bundled_model_dirs()); }

} // namespace kmlm
