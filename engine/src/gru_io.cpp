// Loading and saving the jamo GRU: GGUF (kmlm-gru), the original JSON and binary formats.
#include "kmlm/gru_io.h"
#include "kmlm/model_file.h"

#include "kmlm/error.h"
#include "kmlm/quant.h"
#include "loaders.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <functional>
#include <limits>

namespace kmlm {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// The size of a model file, checked against the most any GRU model takes before a byte is read.
uint64_t model_file_size(const fs::path& path, uint64_t max_bytes) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw IoError(path.string() + " is a directory, not a model file");
    const auto size = fs::file_size(path, ec);
    if (ec) throw IoError("cannot open " + path.string() + ": " + ec.message());
    if (size > max_bytes)
        throw FormatError(path.string() + ": file is " + std::to_string(size) + " bytes, more than any GRU model (" +
                          std::to_string(max_bytes) + ")");
    return size;
}

// The largest valid model (V 384, E = H = 4096) in float32 text is well under 4 GB; a
// sanity bound that keeps a hostile file from being read whole. The binary format's config
// is a few dozen bytes of JSON.
constexpr uint64_t kMaxJsonBytes = 4ull << 30, kMaxBinaryBytes = 1ull << 30, kMaxConfigBytes = 64u << 10;

// Values in the largest valid model's JSON (its weights, and as many keys in the object form).
uint64_t max_json_values() { return 2 * GruConfig{384, 4096, 4096}.param_count() + 1024; }

// Counts values while the parser streams the file, without building anything: junk fails at
// its first bad byte, and a file of more numbers than any model stops there, before the
// document (many times the text in memory) is built.
struct JsonCounter : nlohmann::json_sax<json> {
    uint64_t values = 0, limit = 0;
    bool value() { return ++values <= limit; }
    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return value(); }
    bool key(string_t&) override { return value(); }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return value(); }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        throw FormatError(std::string("not valid JSON: ") + e.what());
    }
};

json parse_json_file(const fs::path& path) {
    const std::string src = path.string();
    model_file_size(path, kMaxJsonBytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open " + src);
    JsonCounter counter;
    counter.limit = max_json_values();
    try {
        if (!json::sax_parse(in, &counter))
            throw FormatError(src + ": more values than any GRU model holds (" + std::to_string(counter.limit) + ")");
    } catch (const FormatError& e) {
        if (std::string_view(e.what()).starts_with(src)) throw;
        throw FormatError(src + ": " + e.what());
    }
    in.clear();
    in.seekg(0);
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw FormatError(src + ": not valid JSON: " + e.what());
    }
}

int32_t config_int(const json& c, const char* key, const std::string& src) {
    const auto it = c.find(key);
    if (it == c.end()) throw FormatError(src + ": config has no \"" + key + "\"");
    if (!it->is_number_integer() && !it->is_number_unsigned()) throw FormatError(src + ": config \"" + key + "\" is not an integer");
    const auto v = it->get<int64_t>();
    if (v < 0 || v > std::numeric_limits<int32_t>::max())
        throw FormatError(src + ": config \"" + key + "\" is out of range: " + std::to_string(v));
    return int32_t(v);
}

GruConfig parse_config(const json& c, const std::string& src) {
    if (!c.is_object()) throw FormatError(src + ": \"config\" is not an object");
    GruConfig cfg{config_int(c, "vocabSize", src), config_int(c, "embedDim", src), config_int(c, "hiddenDim", src)};
    cfg.validate(src);
    return cfg;
}

// A float array, or an object {"0": x, "1": y, ...} (JSON.stringify of a Float32Array).
void parse_floats(const json& j, std::vector<float>& out, const std::string& what, const std::string& src) {
    const size_t n = out.size();
    if (j.size() != n) throw FormatError(src + ": " + what + " has " + std::to_string(j.size()) + " values, expected " + std::to_string(n));
    auto take = [&](const json& v, size_t i) {
        if (!v.is_number()) throw FormatError(src + ": " + what + "[" + std::to_string(i) + "] is not a number");
        out[i] = v.get<float>();
    };
    if (j.is_array()) {
        for (size_t i = 0; i < n; ++i) take(j[i], i);
    } else if (j.is_object()) {
        for (size_t i = 0; i < n; ++i) {
            const auto it = j.find(std::to_string(i));
            if (it == j.end()) throw FormatError(src + ": " + what + " has no index " + std::to_string(i));
            take(*it, i);
        }
    } else {
        throw FormatError(src + ": " + what + " is not an array");
    }
}

const json& member(const json& j, const char* key, const std::string& src, const std::string& where) {
    if (!j.is_object()) throw FormatError(src + ": " + where + " is not an object");
    const auto it = j.find(key);
    if (it == j.end()) throw FormatError(src + ": " + where + " has no \"" + key + "\"");
    return *it;
}

json float_array(const std::vector<float>& v) { return json(v); }

json config_json(const GruConfig& c) { return {{"vocabSize", c.vocab_size}, {"embedDim", c.embed_dim}, {"hiddenDim", c.hidden_dim}}; }

void write_bytes(const fs::path& path, const void* data, size_t n) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError("cannot write " + path.string());
        out.write(static_cast<const char*>(data), std::streamsize(n));
        if (!out.flush()) throw IoError("cannot write " + path.string());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw IoError("cannot write " + path.string() + ": " + ec.message());
}

struct TensorSpec {
    const char* name;
    uint64_t rows, cols;
};
std::vector<TensorSpec> tensor_specs(const GruConfig& c) {
    const uint64_t V = uint64_t(c.vocab_size), E = uint64_t(c.embed_dim), H = uint64_t(c.hidden_dim);
    return {{"token_embd.weight", V, E}, {"gru.wi", E, 3 * H},    {"gru.wh", H, 3 * H}, {"gru.bi", 1, 3 * H},
            {"gru.bh", 1, 3 * H},        {"output.weight", H, V}, {"output.bias", 1, V}};
}

ModelInfo info_for(const std::string& name, const std::string& quantization, uint64_t file_size) {
    ModelInfo info;
    info.name = name;
    info.quantization = quantization;
    info.file_size = file_size;
    return info;
}

// Called with the number of tensors read so far (0 once a JSON file is parsed): the loaders
// report progress and stop on cancel there.
using TensorHook = std::function<void(size_t done)>;

// The loaders' share of the progress, between load_model()'s admission (0.1) and the ready
// model (1).
TensorHook progress_hook(const LoadOptions& options) {
    constexpr float kFrom = 0.1f, kTo = 0.9f;
    return [&options](size_t done) { load_step(options, kFrom + (kTo - kFrom) * float(done) / float(GruWeights::kTensorRoles.size())); };
}

uint64_t file_size_or_zero(const fs::path& path) {
    std::error_code ec;
    const auto n = fs::file_size(path, ec);
    return ec ? 0 : n;
}

} // namespace

GruFormat gru_format_from_extension(const fs::path& path) {
    const auto ext = path.extension().string();
    if (ext == ".gguf") return GruFormat::Gguf;
    if (ext == ".json") return GruFormat::Json;
    if (ext == ".bin") return GruFormat::Binary;
    throw InvalidArgument("cannot tell the model format from '" + path.string() + "' (use .gguf, .json or .bin)");
}

namespace {

GruWeights read_json(const fs::path& path, const TensorHook& hook) {
    const std::string src = path.string();
    const json j = parse_json_file(path);
    if (hook) hook(0);
    GruWeights w = GruWeights::zeros(parse_config(member(j, "config", src, "the file"), src));
    const json& emb = member(j, "embedding", src, "the file");
    const json& gru = member(j, "gru", src, "the file");
    const json& out = member(j, "output", src, "the file");
    size_t done = 0;
    auto read = [&](const json& from, std::vector<float>& to, const std::string& what) {
        parse_floats(from, to, what, src);
        if (hook) hook(++done);
    };
    read(member(emb, "weights", src, "\"embedding\""), w.embedding, "embedding.weights");
    read(member(gru, "Wi", src, "\"gru\""), w.wi, "gru.Wi");
    read(member(gru, "Wh", src, "\"gru\""), w.wh, "gru.Wh");
    read(member(gru, "bi", src, "\"gru\""), w.bi, "gru.bi");
    read(member(gru, "bh", src, "\"gru\""), w.bh, "gru.bh");
    read(member(out, "weights", src, "\"output\""), w.out_w, "output.weights");
    read(member(out, "bias", src, "\"output\""), w.out_b, "output.bias");
    return w;
}

} // namespace

GruWeights read_gru_json(const fs::path& path) { return read_json(path, {}); }

void write_gru_json(const GruWeights& w, const fs::path& path) {
    const json j = {{"config", config_json(w.config)},
                    {"embedding", {{"weights", float_array(w.embedding)}}},
                    {"gru", {{"Wi", float_array(w.wi)}, {"Wh", float_array(w.wh)}, {"bi", float_array(w.bi)}, {"bh", float_array(w.bh)}}},
                    {"output", {{"weights", float_array(w.out_w)}, {"bias", float_array(w.out_b)}}}};
    const std::string text = j.dump();
    write_bytes(path, text.data(), text.size());
}

uint32_t read_u32le(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

namespace {

// The header (config length, config) and the size it implies are checked before the
// weights are read; the weights go straight into the tensors.
GruWeights read_binary(const fs::path& path, const TensorHook& hook) {
    const std::string src = path.string();
    const uint64_t size = model_file_size(path, kMaxBinaryBytes);
    if (size < 4) throw FormatError(src + ": file too short for the config length");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open " + src);
    uint8_t head[4];
    in.read(reinterpret_cast<char*>(head), 4);
    const uint32_t len = read_u32le(head);
    if (len > size - 4)
        throw FormatError(src + ": config length " + std::to_string(len) + " is beyond the end of the file (" + std::to_string(size) +
                          " bytes)");
    if (len > kMaxConfigBytes)
        throw FormatError(src + ": config length " + std::to_string(len) + " is more than a config takes (" +
                          std::to_string(kMaxConfigBytes) + ")");
    std::string config(len, '\0');
    in.read(config.data(), std::streamsize(len));
    if (!in) throw IoError("cannot read " + src);
    json cj;
    try {
        cj = json::parse(config);
    } catch (const json::exception& e) {
        throw FormatError(src + ": config is not valid JSON: " + e.what());
    }
    if (cj.is_object() && cj.contains("config")) cj = cj["config"];
    GruWeights w = GruWeights::zeros(parse_config(cj, src));
    const uint64_t expected = 4 + uint64_t(len) + w.config.param_count() * 4;
    if (size != expected)
        throw FormatError(src + ": file is " + std::to_string(size) + " bytes, the config needs exactly " + std::to_string(expected) +
                          (size < expected ? " (truncated)" : " (trailing data)"));
    std::vector<uint8_t> bytes;
    size_t done = 0;
    for (auto* t : w.tensors()) {
        bytes.resize(t->size() * 4);
        in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
        if (!in) throw IoError("cannot read " + src);
        for (size_t k = 0; k < t->size(); ++k) {
            const uint32_t u = read_u32le(&bytes[4 * k]);
            std::memcpy(&(*t)[k], &u, 4);
        }
        if (hook) hook(++done);
    }
    return w;
}

} // namespace

GruWeights read_gru_binary(const fs::path& path) { return read_binary(path, {}); }

void write_gru_binary(const GruWeights& w, const fs::path& path) {
    const std::string cfg = config_json(w.config).dump();
    size_t floats = 0;
    for (const auto* t : w.tensors()) floats += t->size();
    std::vector<uint8_t> out(4 + cfg.size() + 4 * floats);
    size_t at = 0;
    auto put32 = [&](uint32_t u) {
        for (int k = 0; k < 4; ++k) out[at++] = uint8_t(u >> (8 * k));
    };
    put32(uint32_t(cfg.size()));
    std::memcpy(out.data() + at, cfg.data(), cfg.size());
    at += cfg.size();
    for (const auto* t : w.tensors())
        for (float x : *t) {
            uint32_t u;
            std::memcpy(&u, &x, 4);
            put32(u);
        }
    write_bytes(path, out.data(), out.size());
}

GruConfig read_gru_config(const gguf::GgufFile& f) {
    const std::string src = f.source_name();
    if (f.architecture() != kGruArchitecture) throw FormatError(src + ": architecture is '" + f.architecture() + "', not kmlm-gru");
    auto dim = [&](const char* key) -> int32_t {
        const auto v = f.get_uint(key);
        if (!v) throw FormatError(src + ": missing " + key);
        if (*v > 4096) throw FormatError(src + ": " + key + " = " + std::to_string(*v) + " is out of range (1-4096)");
        return int32_t(*v);
    };
    const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
    if (!tokens) throw FormatError(src + ": missing tokenizer.ggml.tokens");
    if (f.get_string("tokenizer.ggml.model").value_or("") != "kmlm-jamo")
        throw FormatError(src + ": tokenizer.ggml.model is not kmlm-jamo");
    const GruConfig cfg{int32_t(std::min<size_t>(tokens->size(), 1u << 20)), dim("kmlm-gru.embedding_length"),
                        dim("kmlm-gru.hidden_length")};
    cfg.validate(src);
    return cfg;
}

namespace {

GruWeights read_gguf(const gguf::GgufFile& f, const TensorHook& hook) {
    const std::string src = f.source_name();
    const GruConfig cfg = read_gru_config(f);
    const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
    if (*tokens != JamoTokenizer(cfg.vocab_size).token_texts())
        throw FormatError(src + ": tokenizer.ggml.tokens is not the jamo vocabulary");
    GruWeights w = GruWeights::zeros(cfg);
    const auto specs = tensor_specs(cfg);
    const auto targets = w.tensors();
    for (size_t k = 0; k < specs.size(); ++k) {
        const auto& s = specs[k];
        const gguf::TensorInfo& t = f.tensor(s.name);
        const bool shape_ok =
            s.rows == 1 ? (t.dims.size() == 1 && t.dims[0] == s.cols) : (t.dims.size() == 2 && t.dims[0] == s.cols && t.dims[1] == s.rows);
        if (!shape_ok) throw FormatError(src + ": tensor " + s.name + " has the wrong shape");
        const uint8_t* data = f.tensor_data(t);
        std::vector<float>& dst = *targets[k];
        if (t.type == GgmlType::F32) {
            std::memcpy(dst.data(), data, dst.size() * 4);
        } else if (t.type == GgmlType::F16) {
            for (size_t i = 0; i < dst.size(); ++i) {
                uint16_t h;
                std::memcpy(&h, data + 2 * i, 2);
                dst[i] = fp16_to_fp32(h);
            }
        } else {
            throw FormatError(src + ": tensor " + s.name + " has type " + std::string(type_traits(t.type).name) +
                              " (kmlm-gru needs F32 or F16)");
        }
        if (hook) hook(k + 1);
    }
    return w;
}

} // namespace

GruWeights read_gru_gguf(const gguf::GgufFile& f) { return read_gguf(f, {}); }

void write_gru_gguf(const GruWeights& w, const fs::path& path, GgmlType type, const std::string& name) {
    if (type != GgmlType::F32 && type != GgmlType::F16) throw InvalidArgument("kmlm-gru tensors must be F32 or F16");
    gguf::GgufWriter out;
    out.set_string("general.architecture", std::string(kGruArchitecture));
    out.set_string("general.name", name);
    out.set_u32("general.file_type", type == GgmlType::F16 ? 1 : 0);
    out.set_u32("kmlm-gru.embedding_length", uint32_t(w.config.embed_dim));
    out.set_u32("kmlm-gru.hidden_length", uint32_t(w.config.hidden_dim));
    out.set_u32("kmlm-gru.vocab_size", uint32_t(w.config.vocab_size));
    out.set_string("tokenizer.ggml.model", "kmlm-jamo");
    out.set_string_array("tokenizer.ggml.tokens", JamoTokenizer(w.config.vocab_size).token_texts());
    out.set_u32("tokenizer.ggml.bos_token_id", uint32_t(JamoTokenizer::kBos));
    out.set_u32("tokenizer.ggml.eos_token_id", uint32_t(JamoTokenizer::kEos));
    out.set_u32("tokenizer.ggml.unknown_token_id", uint32_t(JamoTokenizer::kUnk));
    out.set_u32("tokenizer.ggml.padding_token_id", uint32_t(JamoTokenizer::kPad));
    const auto specs = tensor_specs(w.config);
    const auto tensors = w.tensors();
    for (size_t k = 0; k < specs.size(); ++k) {
        const auto& s = specs[k];
        std::vector<uint64_t> dims = s.rows == 1 ? std::vector<uint64_t>{s.cols} : std::vector<uint64_t>{s.cols, s.rows};
        const std::vector<float>& src = *tensors[k];
        if (type == GgmlType::F32) {
            out.add_tensor_f32(s.name, dims, src);
        } else {
            std::vector<uint8_t> data(src.size() * 2);
            for (size_t i = 0; i < src.size(); ++i) {
                const uint16_t h = fp32_to_fp16(src[i]);
                std::memcpy(data.data() + 2 * i, &h, 2);
            }
            out.add_tensor(s.name, GgmlType::F16, dims, std::move(data));
        }
    }
    out.write(path);
}

void write_gru_file(const GruWeights& w, const fs::path& path, GruFormat format, GgmlType gguf_type) {
    switch (format) {
    case GruFormat::Gguf: return write_gru_gguf(w, path, gguf_type, path.stem().string());
    case GruFormat::Json: return write_gru_json(w, path);
    case GruFormat::Binary: return write_gru_binary(w, path);
    }
}

GruWeights read_gru_file(const fs::path& path) {
    switch (detect_model_format(path)) {
    case ModelFormat::Gguf: return read_gru_gguf(*gguf::GgufFile::open(path));
    case ModelFormat::GruJson: return read_gru_json(path);
    case ModelFormat::GruBinary: break;
    }
    return read_gru_binary(path);
}

std::unique_ptr<LanguageModel> load_gru_gguf(std::unique_ptr<gguf::GgufFile> file, const LoadOptions& options) {
    GruWeights w = read_gguf(*file, progress_hook(options));
    const bool f16 = file->tensor("gru.wh").type == GgmlType::F16;
    return std::make_unique<GruModel>(
        std::move(w), info_for(file->get_string("general.name").value_or(file->source_name()), f16 ? "F16" : "F32", file->file_size()));
}

std::unique_ptr<LanguageModel> load_gru_json(const fs::path& path, const LoadOptions& options) {
    return std::make_unique<GruModel>(read_json(path, progress_hook(options)),
                                      info_for(path.stem().string(), "F32", file_size_or_zero(path)));
}

std::unique_ptr<LanguageModel> load_gru_binary(const fs::path& path, const LoadOptions& options) {
    return std::make_unique<GruModel>(read_binary(path, progress_hook(options)),
                                      info_for(path.stem().string(), "F32", file_size_or_zero(path)));
}

} // namespace kmlm
