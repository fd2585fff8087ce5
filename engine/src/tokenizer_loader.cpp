// load_tokenizer(): a model file's tokenizer without its weights (kmlm/vocab.h).
#include "kmlm/vocab.h"

#include "kmlm/gguf.h"
#include "kmlm/gru.h"
#include "kmlm/model_file.h"

namespace kmlm {

std::shared_ptr<const Tokenizer> load_tokenizer(const std::filesystem::path& path) {
    if (detect_model_format(path) == ModelFormat::Gguf) {
        const auto file = gguf::GgufFile::open(path);
        if (file->architecture() != kGruArchitecture) return load_gguf_tokenizer(*file);
    }
    // The GRU's tokenizer lives in its model; keep the model alive with it.
    std::shared_ptr<LanguageModel> model = load_model(path, LoadOptions{});
    return std::shared_ptr<const Tokenizer>(model, &model->tokenizer());
}

} // namespace kmlm
