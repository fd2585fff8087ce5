// Tensor element types with ggml's numbering and block layouts (as stored in GGUF files).
#pragma once
#include <cstdint>
#include <string_view>

namespace kmlm {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
};

struct TypeTraits {
    std::string_view name; // "Q4_K"
    uint32_t block_size;   // elements per block (1 for plain types)
    uint32_t type_size;    // bytes per block
    bool computable;       // the engine has kernels for it
};

// Throws FormatError for a type id the engine does not know.
const TypeTraits& type_traits(GgmlType type);
bool is_known_type(uint32_t raw_type);
// Bytes of a row of n elements; throws FormatError if n is not a multiple of the block size.
uint64_t row_bytes(GgmlType type, uint64_t n);
// Parses "Q4_K", "q8_0", "F16"... Throws InvalidArgument when unknown.
GgmlType parse_type(std::string_view name);

} // namespace kmlm
