// What a model file is, from its header alone: format, architecture, whether this engine can
// run it (and why not), parameters, tensor types, context, hyperparameters and the memory it
// would need. One place for every caller: load_model(), `kmlm info` / `memory` / `bench`, the
// app's model registry and engine thread, the model catalog.
#pragma once
#include "kmlm/gru.h"
#include "kmlm/memory.h"
#include "kmlm/transformer.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace kmlm {

enum class ModelFormat {
    Gguf,      // any GGUF file (decoder, GRU, vocabulary only, or something else)
    GruJson,   // the original GRU library's JSON
    GruBinary, // the original GRU library's binary export
};

// From the first bytes: "GGUF"; '{' after optional whitespace (JSON); anything else is taken
// for the GRU binary format, whose reader checks its header. Throws IoError for a missing
// path, a directory or an unreadable file, FormatError for a file too short to be a model.
ModelFormat detect_model_format(const std::filesystem::path& path);

struct TensorTypeStats {
    uint64_t tensors = 0, elements = 0, bytes = 0;
};

struct ModelFileInfo {
    std::filesystem::path path;
    ModelFormat format = ModelFormat::Gguf;
    uint32_t gguf_version = 0;
    uint64_t file_size = 0;
    std::string name;         // general.name, else the file name without extension
    std::string architecture; // "llama", "qwen2", ..., "kmlm-gru"; empty when unknown
    bool supported = false;   // load_model() can run it
    std::string reason;       // why not, when !supported (one sentence, no file name)
    std::string quantization; // "Q4_K_M", "F32", ...
    uint64_t parameters = 0;
    std::map<std::string, TensorTypeStats> tensor_types; // by type name
    uint32_t context_length = 0;                         // training context; 0: unbounded (GRU)
    uint32_t vocab_size = 0;
    std::string tokenizer; // tokenizer.ggml.model
    bool has_chat_template = false;
    std::optional<TransformerHParams> hparams; // decoders
    std::optional<GruConfig> gru;              // the jamo GRU
    std::optional<MemoryEstimate> memory;      // when supported, at the context and KV type asked
};

// Describes a model file from its header (GGUF metadata and tensor infos; the GRU formats'
// header). Never reads tensor data. An unsupported file is described (supported false,
// reason set), not thrown; IoError/FormatError only when the file cannot be read or parsed
// at all. n_ctx 0: the model's context.
ModelFileInfo describe_model_file(const std::filesystem::path& path, uint32_t n_ctx = 0, KvType kv_type = KvType::Q8_0,
                                  uint64_t baseline = kAppBaselineBytes);

} // namespace kmlm
