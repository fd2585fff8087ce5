// load_model(): picks the loader from the file's contents, not its name.
#include "loaders.h"

#include "kmlm/error.h"

#include <cstring>
#include <fstream>

namespace kmlm {

std::unique_ptr<LanguageModel> load_model(const std::filesystem::path& path, const LoadOptions& options) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw IoError("model file not found: " + path.string());
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() < 4) throw FormatError(path.string() + ": file too short to be a model");

    if (std::memcmp(magic, "GGUF", 4) == 0) {
        auto file = gguf::GgufFile::open(path);
        if (file->architecture() == "kmlm-gru") return load_gru_gguf(std::move(file), options);
        return load_transformer(std::move(file), options);
    }
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
