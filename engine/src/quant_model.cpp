// Requantizing a whole GGUF model: llama.cpp's presets and per-tensor type rules, and the
// conversion of each tensor row by row (dequantize, then quantize) over the thread pool.
#include "kmlm/quant.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/threadpool.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kmlm {
namespace {

// llama.cpp's llama_ftype numbers of the presets whose per-tensor rules differ.
enum Ftype : uint32_t {
    kQ2_K = 10,
    kQ3_K_S = 11,
    kQ3_K_M = 12,
    kQ3_K_L = 13,
    kQ4_K_M = 15,
    kQ5_K_M = 17,
    kIQ4_NL = 25,
    kIQ4_XS = 30,
};

struct PresetRow {
    std::string_view name;
    uint32_t file_type;
    GgmlType base;
};

constexpr std::array kPresets = {
    PresetRow{"F32", 0, GgmlType::F32},
    PresetRow{"F16", 1, GgmlType::F16},
    PresetRow{"BF16", 32, GgmlType::BF16},
    PresetRow{"Q8_0", 7, GgmlType::Q8_0},
    PresetRow{"Q4_0", 2, GgmlType::Q4_0},
    PresetRow{"Q4_1", 3, GgmlType::Q4_1},
    PresetRow{"Q5_0", 8, GgmlType::Q5_0},
    PresetRow{"Q5_1", 9, GgmlType::Q5_1},
    PresetRow{"Q2_K", kQ2_K, GgmlType::Q2_K},
    PresetRow{"Q3_K_S", kQ3_K_S, GgmlType::Q3_K},
    PresetRow{"Q3_K_M", kQ3_K_M, GgmlType::Q3_K},
    PresetRow{"Q3_K_L", kQ3_K_L, GgmlType::Q3_K},
    PresetRow{"Q4_K", 14, GgmlType::Q4_K},
    PresetRow{"Q4_K_S", 14, GgmlType::Q4_K},
    PresetRow{"Q4_K_M", kQ4_K_M, GgmlType::Q4_K},
    PresetRow{"Q5_K", 16, GgmlType::Q5_K},
    PresetRow{"Q5_K_S", 16, GgmlType::Q5_K},
    PresetRow{"Q5_K_M", kQ5_K_M, GgmlType::Q5_K},
    PresetRow{"Q6_K", 18, GgmlType::Q6_K},
    PresetRow{"IQ4_NL", kIQ4_NL, GgmlType::IQ4_NL},
    PresetRow{"IQ4_XS", kIQ4_XS, GgmlType::IQ4_XS},
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Layer index of "blk.<i>.<...>", or -1.
int layer_of(std::string_view name) {
    if (name.substr(0, 4) != "blk.") return -1;
    int i = 0;
    size_t p = 4;
    if (p >= name.size() || !std::isdigit(static_cast<unsigned char>(name[p]))) return -1;
    while (p < name.size() && std::isdigit(static_cast<unsigned char>(name[p]))) i = i * 10 + (name[p++] - '0');
    return i;
}

// llama.cpp's use_more_bits(): the first and last eighth of the layers, and every third.
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// A type whose blocks fit rows of this length (what llama.cpp falls back to).
GgmlType fit_row(GgmlType type, uint64_t row_length) {
    if (row_length % type_traits(type).block_size == 0) return type;
    switch (type) {
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::IQ4_XS: type = GgmlType::IQ4_NL; break;
    case GgmlType::Q4_K: type = GgmlType::Q5_0; break;
    case GgmlType::Q5_K: type = GgmlType::Q5_1; break;
    case GgmlType::Q6_K: type = GgmlType::Q8_0; break;
    default: break;
    }
    return row_length % type_traits(type).block_size == 0 ? type : GgmlType::F16;
}

bool is_float_type(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16; }

} // namespace

QuantPreset parse_quant_preset(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const auto& p : kPresets)
        if (p.name == upper) return {std::string(p.name), p.file_type, p.base};
    std::string known;
    for (const auto& n : quant_preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw InvalidArgument("unknown quantization type '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<std::string> quant_preset_names() {
    std::vector<std::string> names;
    for (const auto& p : kPresets) names.emplace_back(p.name);
    return names;
}

namespace {

// llama.cpp's llama_tensor_get_type() for the presets above, before the row-length fallback.
GgmlType mixed_type(uint32_t ft, GgmlType base, std::string_view name, int layer, int n_layer, uint32_t n_gqa) {
    const bool more = layer >= 0 && use_more_bits(layer, n_layer);
    const bool iq4 = ft == kIQ4_NL || ft == kIQ4_XS;
    if (contains(name, "attn_v.weight")) {
        if (ft == kQ2_K) return n_gqa >= 4 ? GgmlType::Q4_K : GgmlType::Q3_K;
        if (ft == kQ3_K_M) return layer < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
        if (ft == kQ3_K_L) return GgmlType::Q5_K;
        if (iq4 && n_gqa >= 4) return GgmlType::Q5_K;
        if ((ft == kQ4_K_M || ft == kQ5_K_M) && more) return GgmlType::Q6_K;
    } else if (contains(name, "ffn_down")) {
        if (ft == kQ2_K) return GgmlType::Q3_K;
        if (ft == kQ3_K_M) return layer < n_layer / 16 ? GgmlType::Q5_K : GgmlType::Q4_K;
        if (ft == kQ3_K_L) return GgmlType::Q5_K;
        if (ft == kQ4_K_M) return more ? GgmlType::Q6_K : base;
        if (iq4 && layer < n_layer / 8) return GgmlType::Q5_K;
        if (ft == kQ5_K_M && more) return GgmlType::Q6_K;
    } else if (contains(name, "attn_output.weight")) {
        if (ft == kQ2_K) return GgmlType::Q3_K;
        if (ft == kQ3_K_M) return GgmlType::Q4_K;
        if (ft == kQ3_K_L) return GgmlType::Q5_K;
    } else if (contains(name, "attn_qkv.weight")) {
        if (ft == kQ3_K_M || ft == kQ3_K_L) return GgmlType::Q4_K;
        if (ft == kQ4_K_M) return GgmlType::Q5_K;
        if (ft == kQ5_K_M) return GgmlType::Q6_K;
    }
    return base;
}

} // namespace

GgmlType preset_tensor_type(const QuantPreset& preset, std::string_view name, uint64_t row_length, uint32_t n_layer, bool has_output,
                            uint32_t n_gqa) {
    GgmlType type = preset.base;
    const bool is_output = name == "output.weight" || (!has_output && name == "token_embd.weight");
    if (is_output) {
        if (!is_float_type(type) && type != GgmlType::Q8_0) type = GgmlType::Q6_K;
    } else if (name != "token_embd.weight") {
        type = mixed_type(preset.file_type, type, name, layer_of(name), int(n_layer), n_gqa);
    }
    return fit_row(type, row_length);
}

namespace {

// Rows of `t` converted to `type`, in parallel chunks of rows.
std::vector<uint8_t> convert_tensor(const gguf::GgufFile& in, const gguf::TensorInfo& t, GgmlType type, ThreadPool& pool) {
    const uint64_t n = t.dims[0], rows = t.rows();
    const uint64_t rb_in = row_bytes(t.type, n), rb_out = row_bytes(type, n);
    const uint8_t* src = in.tensor_data(t);
    std::vector<uint8_t> out(rb_out * rows);
    if (type == t.type) {
        std::copy(src, src + out.size(), out.begin());
        return out;
    }
    if (!can_dequantize(t.type))
        throw InvalidArgument(in.source_name() + ": cannot convert tensor '" + t.name + "' from type " +
                              std::string(type_traits(t.type).name));
    constexpr uint64_t kRowsPerTask = 16;
    std::vector<std::vector<float>> scratch(size_t(pool.size()), std::vector<float>(n));
    pool.parallel_for((rows + kRowsPerTask - 1) / kRowsPerTask, [&](size_t task, int thread) {
        float* row = scratch[size_t(thread)].data();
        for (uint64_t r = task * kRowsPerTask; r < std::min(rows, (task + 1) * kRowsPerTask); ++r) {
            dequantize_row(t.type, src + r * rb_in, row, n);
            quantize_row(type, row, out.data() + r * rb_out, n);
        }
    });
    return out;
}

} // namespace

void quantize_model(const gguf::GgufFile& in, const std::filesystem::path& out, const QuantPreset& preset, ThreadPool& pool,
                    const std::function<void(size_t, size_t, const std::string&)>& progress) {
    gguf::GgufWriter w(in.alignment());
    w.copy_metadata(in);
    w.set_u32("general.file_type", preset.file_type);
    w.set_u32("general.quantization_version", 2);

    const std::string arch = in.get_string("general.architecture").value_or("");
    const uint32_t n_layer = uint32_t(in.get_uint(arch + ".block_count").value_or(0));
    const uint64_t n_head = in.get_uint(arch + ".attention.head_count").value_or(1);
    const uint64_t n_head_kv = in.get_uint(arch + ".attention.head_count_kv").value_or(n_head);
    const uint32_t n_gqa = n_head_kv ? uint32_t(n_head / n_head_kv) : 1;
    const bool has_output = in.find_tensor("output.weight") != nullptr;
    const auto& tensors = in.tensors();
    for (size_t i = 0; i < tensors.size(); ++i) {
        const gguf::TensorInfo& t = tensors[i];
        if (progress) progress(i, tensors.size(), t.name);
        const bool weight = t.dims.size() >= 2 && ends_with(t.name, "weight");
        const GgmlType type = weight ? preset_tensor_type(preset, t.name, t.dims[0], n_layer, has_output, n_gqa) : GgmlType::F32;
        w.add_tensor(t.name, type, t.dims, convert_tensor(in, t, type, pool));
    }
    if (progress) progress(tensors.size(), tensors.size(), "");
    w.write(out);
}

} // namespace kmlm
