// Loading and saving the jamo GRU: GGUF (kmlm-gru), the original JSON and binary formats.
#include "loaders.h"

#include "kmlm/error.h"

namespace kmlm {

std::unique_ptr<LanguageModel> load_gru_gguf(std::unique_ptr<gguf::GgufFile> file, const LoadOptions&) {
    throw FormatError(file->source_name() + ": kmlm-gru models are not supported by this build yet");
}

std::unique_ptr<LanguageModel> load_gru_json(const std::filesystem::path& path, const LoadOptions&) {
    throw FormatError(path.string() + ": GRU JSON models are not supported by this build yet");
}

std::unique_ptr<LanguageModel> load_gru_binary(const std::filesystem::path& path, const LoadOptions&) {
    throw FormatError(path.string() + ": GRU binary models are not supported by this build yet");
}

} // namespace kmlm
