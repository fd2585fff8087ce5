// Internal: the per-family loaders that load_model() dispatches to.
#pragma once
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"

#include <filesystem>
#include <memory>

namespace kmlm {

// Stops with CancelledError when options.cancel is set, else reports fraction (0..1) to
// options.progress. Defined in model_loader.cpp.
void load_step(const LoadOptions& options, float fraction);

// GRU in GGUF (architecture "kmlm-gru"). Defined in gru_io.cpp.
std::unique_ptr<LanguageModel> load_gru_gguf(std::unique_ptr<gguf::GgufFile> file, const LoadOptions& options);
// GRU in the original JSON or binary format. Defined in gru_io.cpp.
std::unique_ptr<LanguageModel> load_gru_json(const std::filesystem::path& path, const LoadOptions& options);
std::unique_ptr<LanguageModel> load_gru_binary(const std::filesystem::path& path, const LoadOptions& options);
// Transformer decoders (llama, qwen2, exaone, gptneox). Defined in transformer.cpp.
std::unique_ptr<LanguageModel> load_transformer(std::unique_ptr<gguf::GgufFile> file, const LoadOptions& options);

} // namespace kmlm
