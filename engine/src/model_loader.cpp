// load_model(): picks the loader from the file's contents, not its name.
#include "loaders.h"

#include "kmlm/error.h"
#include "kmlm/memory.h"
#include "kmlm/model_file.h"

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

std::unique_ptr<LanguageModel> open_model(const std::filesystem::path& path, const LoadOptions& options) {
    const ModelFormat format = detect_model_format(path);
    if (format == ModelFormat::Gguf) {
        auto file = gguf::GgufFile::open(path);
        admit(*file, path, options);
        load_step(options, 0.1f);
        if (file->architecture() == kGruArchitecture) return load_gru_gguf(std::move(file), options);
        return load_transformer(std::move(file), options);
    }
    check_admission(estimate_model_file(path, options.n_ctx, options.kv_type, current_rss()), options.memory_limit, nullptr,
                    path.filename().string());
    load_step(options, 0.1f);
    if (format == ModelFormat::GruJson) return load_gru_json(path, options);
    return load_gru_binary(path, options);
}

} // namespace

// The weights are mapped (decoders) or small (the GRU): loading is checking the file, reading
// the GRU's tensors and building the tokenizer, so progress reports the steps between which
// it can stop.
void load_step(const LoadOptions& options, float fraction) {
    if (options.cancel && options.cancel->load()) throw CancelledError("loading the model was cancelled");
    if (options.progress) options.progress(fraction);
}

std::unique_ptr<LanguageModel> load_model(const std::filesystem::path& path, const LoadOptions& options) {
    load_step(options, 0.0f);
    auto model = open_model(path, options);
    load_step(options, 1.0f);
    return model;
}

} // namespace kmlm
