// load_model(): picks the loader from the file's contents, not its name.
#include "loaders.h"

#include "kmlm/error.h"
#include "kmlm/memory.h"

#include <cstring>
#include <fstream>

namespace kmlm {
namespace {

// Admission before any tensor is touched; the baseline is this process as it is now. A file
// whose hyperparameters cannot be estimated is left to its loader, which names the problem.
void admit(const gguf::GgufFile& file, const std::filesystem::path& path, const LoadOptions& options) {
    if (options.memory_limit == 0) return;
    MemoryEstimate estimate;
    try {
        estimate = estimate_memory(file, options.n_ctx, options.kv_type, current_rss());
    } catch (const FormatError&) {
        return;
    }
    check_admission(estimate, options.memory_limit, &file, path.filename().string());
}

} // namespace

std::unique_ptr<LanguageModel> load_model(const std::filesystem::path& path, const LoadOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw IoError(path.string() + " is a directory, not a model file");
    if (!std::filesystem::is_regular_file(path, ec))
        throw IoError("model file not found: " + path.string());
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() < 4) throw FormatError(path.string() + ": file too short to be a model");

    if (std::memcmp(magic, "GGUF", 4) == 0) {
        auto file = gguf::GgufFile::open(path);
        admit(*file, path, options);
        if (file->architecture() == "kmlm-gru") return load_gru_gguf(std::move(file), options);
        return load_transformer(std::move(file), options);
    }
    check_admission(estimate_model_file(path, options.n_ctx, options.kv_type, current_rss()),
                    options.memory_limit, nullptr, path.filename().string());
    // The original library's JSON starts with '{' (maybe after whitespace); its binary
    // format starts with the uint32 length of the config JSON.
    for (char c : magic) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '{') return load_gru_json(path, options);
        break;
    }
    return load_gru_binary(path, options);
}

} // namespace kmlm
