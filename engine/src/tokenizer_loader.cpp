// load_tokenizer(): a model file's tokenizer without its weights (kmlm/vocab.h).
#include "kmlm/vocab.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"

#include <cstring>
#include <fstream>

namespace kmlm {

std::shared_ptr<const Tokenizer> load_tokenizer(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError("model file not found: " + path.string());
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0) {
        const auto file = gguf::GgufFile::open(path);
        if (file->get_string("general.architecture").value_or("") != "kmlm-gru") return load_gguf_tokenizer(*file);
    }
    // The GRU's tokenizer lives in its model; keep the model alive with it.
    std::shared_ptr<LanguageModel> model = load_model(path, LoadOptions{});
    return std::shared_ptr<const Tokenizer>(model, &model->tokenizer());
}

} // namespace kmlm
