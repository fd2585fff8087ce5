// describe_model_file(): what a model file is, from the same parsers the loaders use
// (read_hparams and bind_weights for decoders, read_gru_config for the GRU).
#include "kmlm/model_file.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/gru_io.h"
#include "transformer_model.h"

#include <cstring>
#include <fstream>

namespace kmlm {
namespace {

// "model.gguf: tensor 'x' is missing" -> "tensor 'x' is missing": the caller names the file.
std::string without_source(const std::string& message, const std::string& source) {
    const std::string prefix = source + ": ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

void count_tensors(const gguf::GgufFile& file, ModelFileInfo& d) {
    for (const auto& t : file.tensors()) {
        TensorTypeStats& s = d.tensor_types[std::string(type_traits(t.type).name)];
        ++s.tensors;
        s.elements += t.n_elements;
        s.bytes += t.n_bytes;
        d.parameters += t.n_elements;
    }
}

// Why a GGUF file that is not a decoder or GRU cannot be run; empty when it may be one.
std::string not_a_model_reason(const gguf::GgufFile& file) {
    const std::string arch = file.architecture();
    if (arch == "clip" || file.has("clip.has_vision_encoder"))
        return "it is a vision projector (mmproj), not a language model: open the model's own GGUF file instead";
    if (file.tensors().empty())
        return file.has("tokenizer.ggml.tokens") ? "it holds a vocabulary only (no weights): it can be used by kmlm tokenize"
                                                 : "it holds no tensors";
    return {};
}

void describe_gguf(const gguf::GgufFile& file, uint32_t n_ctx, KvType kv_type, uint64_t baseline, ModelFileInfo& d) {
    d.gguf_version = file.version();
    d.architecture = file.architecture();
    if (auto name = file.get_string("general.name"); name && !name->empty()) d.name = *name;
    d.tokenizer = file.get_string("tokenizer.ggml.model").value_or("");
    d.has_chat_template = file.has("tokenizer.chat_template");
    if (const auto* tokens = file.find("tokenizer.ggml.tokens"))
        if (const auto* list = std::get_if<std::vector<std::string>>(&tokens->data)) d.vocab_size = uint32_t(list->size());
    count_tensors(file, d);
    d.quantization = quantization_name(file);
    if (d.reason = not_a_model_reason(file); !d.reason.empty()) return;
    try {
        if (d.architecture == kGruArchitecture) {
            d.gru = read_gru_config(file);
            if (const auto* wh = file.find_tensor("gru.wh")) d.quantization = std::string(type_traits(wh->type).name);
        } else if (!is_transformer_arch(d.architecture)) {
            d.reason = "its architecture '" + d.architecture + "' is not supported (" + supported_architectures() + " are)";
            return;
        } else {
            d.hparams = read_hparams(file);
            d.context_length = d.hparams->n_ctx_train;
            bind_weights(file, *d.hparams); // presence, type and shape of every tensor
        }
        d.memory = estimate_memory(file, n_ctx, kv_type, baseline);
        d.supported = true;
    } catch (const FormatError& e) {
        d.reason = without_source(e.what(), file.source_name());
    }
}

// The GRU's own formats are small: read whole, which also checks them.
void describe_gru_file(const std::filesystem::path& path, uint32_t n_ctx, KvType kv_type, uint64_t baseline, ModelFileInfo& d) {
    d.architecture = std::string(kGruArchitecture);
    d.quantization = "F32";
    try {
        const GruWeights w = read_gru_file(path);
        d.gru = w.config;
        d.parameters = w.config.param_count();
        d.vocab_size = uint32_t(w.config.vocab_size);
        d.memory = estimate_model_file(path, n_ctx, kv_type, baseline);
        d.supported = true;
    } catch (const FormatError& e) {
        d.reason = without_source(e.what(), path.string());
    }
}

} // namespace

ModelFormat detect_model_format(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw IoError(path.string() + " is a directory, not a model file");
    if (!std::filesystem::exists(path, ec)) throw IoError("model file not found: " + path.string());
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path.string() + " is not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open model file: " + path.string());
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() < 4) throw FormatError(path.string() + ": file too short to be a model");
    if (std::memcmp(magic, "GGUF", 4) == 0) return ModelFormat::Gguf;
    for (char c : magic) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '{') return ModelFormat::GruJson;
        break;
    }
    return ModelFormat::GruBinary;
}

ModelFileInfo describe_model_file(const std::filesystem::path& path, uint32_t n_ctx, KvType kv_type, uint64_t baseline) {
    ModelFileInfo d;
    d.path = path;
    d.format = detect_model_format(path);
    d.name = path.stem().string();
    std::error_code ec;
    d.file_size = std::filesystem::file_size(path, ec);
    if (d.format == ModelFormat::Gguf)
        describe_gguf(*gguf::GgufFile::open(path), n_ctx, kv_type, baseline, d);
    else
        describe_gru_file(path, n_ctx, kv_type, baseline, d);
    return d;
}

} // namespace kmlm
