// Conversions between float32 and the stored tensor types: fp16/bf16 scalars and rows, and
// quantize/dequantize of ggml's block formats (bit-exact layouts, see quant_blocks.h).
#pragma once
#include "kmlm/ggml_type.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

class ThreadPool;

// IEEE half <-> float, round to nearest even (what F16C does).
float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);
// bfloat16 <-> float, round to nearest even; NaN stays NaN.
inline float bf16_to_fp32(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    __builtin_memcpy(&f, &bits, 4);
    return f;
}
uint16_t fp32_to_bf16(float f);

// Rows of fp16 (F16C when the CPU has it).
void fp16_to_fp32_row(const uint16_t* x, float* y, size_t n);
void fp32_to_fp16_row(const float* x, uint16_t* y, size_t n);

// True for the types quantize_row() can write: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS.
bool can_quantize(GgmlType type);
// True for the types dequantize_row() can read (the same list).
bool can_dequantize(GgmlType type);

// x[n] -> n / block_size blocks at y. n must be a multiple of the block size
// (FormatError otherwise). The rounding follows ggml's reference quantizers.
void quantize_row(GgmlType type, const float* x, void* y, uint64_t n);
// blocks at x -> y[n]. InvalidArgument for a type it cannot read.
void dequantize_row(GgmlType type, const void* x, float* y, uint64_t n);

// A whole [rows][n] tensor, rows quantized in parallel when a pool is given.
std::vector<uint8_t> quantize_tensor(GgmlType type, const float* x, uint64_t rows, uint64_t n, ThreadPool* pool = nullptr);

namespace gguf {
class GgufFile;
}

// A quantization preset as llama.cpp names them: one base type for the 2-D weights and, for
// the mixes (Q2_K, Q3_K_M/L, Q4_K_M, Q5_K_M, IQ4_NL, IQ4_XS), more bits where they matter most.
struct QuantPreset {
    std::string name;       // "Q4_K_M", "Q8_0", "F16", ...
    uint32_t file_type = 0; // general.file_type, llama.cpp's llama_ftype numbering (picks the mix)
    GgmlType base = GgmlType::F32;
};

// "Q4_0", "q4_k_m", "F16", ... Throws InvalidArgument naming the known presets.
QuantPreset parse_quant_preset(std::string_view name);
// The names parse_quant_preset() knows, for help texts.
std::vector<std::string> quant_preset_names();

// The type llama.cpp's rules (llama_tensor_get_type) give a 2-D weight named `name` (e.g.
// "blk.3.ffn_down.weight") with rows of row_length elements in a model of n_layer blocks whose
// query heads share a KV head n_gqa at a time:
//   output.weight (or token_embd.weight when there is no output): Q6_K unless base is Q8_0/F16/F32/BF16
//   Q4_K_M/Q5_K_M: attn_v and ffn_down Q6_K in layers i < n/8, i >= 7n/8 and every third
//   between; the fused attn_qkv one K-type up.
//   Q3_K_M: attn_v Q5_K in layers 0-1, else Q4_K; attn_output, attn_qkv and ffn_down Q4_K
//   (Q5_K in layers i < n/16). Q3_K_L: attn_v, attn_output and ffn_down Q5_K, attn_qkv Q4_K.
//   Q2_K: attn_v Q4_K (n_gqa >= 4) or Q3_K; attn_output and ffn_down Q3_K.
//   IQ4_NL/IQ4_XS: attn_v Q5_K when n_gqa >= 4; ffn_down Q5_K in layers i < n/8.
//   Rows that are not whole blocks fall back: Q2_K/Q3_K/IQ4_XS -> IQ4_NL, Q4_K -> Q5_0,
//   Q5_K -> Q5_1, Q6_K -> Q8_0, 32-element types -> F16.
GgmlType preset_tensor_type(const QuantPreset& preset, std::string_view name, uint64_t row_length, uint32_t n_layer, bool has_output,
                            uint32_t n_gqa = 1);

// Writes `in` requantized to `out` with the preset: every metadata key copied,
// general.file_type and general.quantization_version set, 2-D weights converted per
// preset_tensor_type(), 1-D tensors (norms, biases) stored as F32. progress(done, total,
// tensor name) is called before each tensor. Throws InvalidArgument for an input tensor
// type it cannot read, IoError when writing fails.
void quantize_model(const gguf::GgufFile& in, const std::filesystem::path& out, const QuantPreset& preset, ThreadPool& pool,
                    const std::function<void(size_t done, size_t total, const std::string& tensor)>& progress = {});

} // namespace kmlm
