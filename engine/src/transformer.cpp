// load_transformer(): the GGUF transformer decoders (llama, qwen2, exaone, gptneox).
#include "loaders.h"

#include "kmlm/error.h"

namespace kmlm {

std::unique_ptr<LanguageModel> load_transformer(std::unique_ptr<gguf::GgufFile> file, const LoadOptions& options) {
    throw FormatError(file->source_name() + ": architecture '" + file->architecture() + "' is not supported");
}

} // namespace kmlm
