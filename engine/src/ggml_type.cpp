// The table of ggml tensor types: block sizes and bytes per block, as laid out in GGUF files.
#include "kmlm/ggml_type.h"

#include "kmlm/error.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace kmlm {
namespace {

struct Row {
    GgmlType type;
    TypeTraits traits;
};

// Bytes per block follow ggml's structs, e.g. Q4_K = fp16 d + fp16 dmin + 12 scale bytes + 128.
constexpr std::array kTypes = {
    Row{GgmlType::F32, {"F32", 1, 4, true}},
    Row{GgmlType::F16, {"F16", 1, 2, true}},
    Row{GgmlType::Q4_0, {"Q4_0", 32, 2 + 16, true}},
    Row{GgmlType::Q4_1, {"Q4_1", 32, 2 + 2 + 16, true}},
    Row{GgmlType::Q5_0, {"Q5_0", 32, 2 + 4 + 16, true}},
    Row{GgmlType::Q5_1, {"Q5_1", 32, 2 + 2 + 4 + 16, true}},
    Row{GgmlType::Q8_0, {"Q8_0", 32, 2 + 32, true}},
    Row{GgmlType::Q8_1, {"Q8_1", 32, 2 + 2 + 32, false}},
    Row{GgmlType::Q2_K, {"Q2_K", 256, 16 + 64 + 2 + 2, true}},
    Row{GgmlType::Q3_K, {"Q3_K", 256, 32 + 64 + 12 + 2, true}},
    Row{GgmlType::Q4_K, {"Q4_K", 256, 2 + 2 + 12 + 128, true}},
    Row{GgmlType::Q5_K, {"Q5_K", 256, 2 + 2 + 12 + 32 + 128, true}},
    Row{GgmlType::Q6_K, {"Q6_K", 256, 128 + 64 + 16 + 2, true}},
    Row{GgmlType::Q8_K, {"Q8_K", 256, 4 + 256 + 2 * 16, false}},
    Row{GgmlType::IQ4_NL, {"IQ4_NL", 32, 2 + 16, true}},
    Row{GgmlType::IQ4_XS, {"IQ4_XS", 256, 2 + 2 + 4 + 128, true}},
    // Known so that files holding them parse and get an error naming the type, not a number.
    Row{GgmlType::IQ2_XXS, {"IQ2_XXS", 256, 2 + 64, false}},
    Row{GgmlType::IQ2_XS, {"IQ2_XS", 256, 2 + 64 + 8, false}},
    Row{GgmlType::IQ2_S, {"IQ2_S", 256, 2 + 64 + 8 + 8, false}},
    Row{GgmlType::IQ3_XXS, {"IQ3_XXS", 256, 2 + 96, false}},
    Row{GgmlType::IQ3_S, {"IQ3_S", 256, 2 + 64 + 8 + 32 + 4, false}},
    Row{GgmlType::IQ1_S, {"IQ1_S", 256, 2 + 32 + 16, false}},
    Row{GgmlType::IQ1_M, {"IQ1_M", 256, 32 + 16 + 8, false}},
    Row{GgmlType::TQ1_0, {"TQ1_0", 256, 48 + 4 + 2, false}},
    Row{GgmlType::TQ2_0, {"TQ2_0", 256, 64 + 2, false}},
    Row{GgmlType::MXFP4, {"MXFP4", 32, 1 + 16, false}},
    Row{GgmlType::I8, {"I8", 1, 1, false}},
    Row{GgmlType::I16, {"I16", 1, 2, false}},
    Row{GgmlType::I32, {"I32", 1, 4, false}},
    Row{GgmlType::I64, {"I64", 1, 8, false}},
    Row{GgmlType::F64, {"F64", 1, 8, false}},
    Row{GgmlType::BF16, {"BF16", 1, 2, true}},
};

const Row* find_row(uint32_t raw) {
    for (const auto& row : kTypes)
        if (static_cast<uint32_t>(row.type) == raw) return &row;
    return nullptr;
}

} // namespace

const TypeTraits& type_traits(GgmlType type) {
    const Row* row = find_row(static_cast<uint32_t>(type));
    if (!row) throw FormatError("unknown tensor type " + std::to_string(static_cast<uint32_t>(type)));
    return row->traits;
}

bool is_known_type(uint32_t raw_type) { return find_row(raw_type) != nullptr; }

uint64_t row_bytes(GgmlType type, uint64_t n) {
    const TypeTraits& t = type_traits(type);
    if (n % t.block_size != 0)
        throw FormatError("row of " + std::to_string(n) + " elements is not a multiple of the " + std::string(t.name) + " block size " +
                          std::to_string(t.block_size));
    return n / t.block_size * t.type_size;
}

GgmlType parse_type(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const auto& row : kTypes)
        if (row.traits.name == upper) return row.type;
    throw InvalidArgument("unknown tensor type '" + std::string(name) + "'");
}

} // namespace kmlm
