// Files of the jamo GRU:
//   .gguf  the project's format: architecture "kmlm-gru", F32 or F16 tensors
//          token_embd.weight [V, E], gru.wi [E, 3H], gru.wh [H, 3H], gru.bi [3H], gru.bh [3H],
//          output.weight [H, V], output.bias [V] (shapes as [rows, row length])
//   .json  the original library's save(): {"config":{vocabSize,embedDim,hiddenDim},
//          "embedding":{"weights"},"gru":{"Wi","Wh","bi","bh"},"output":{"weights","bias"}};
//          arrays, or the index-keyed objects {"0":..} that JSON.stringify makes of a Float32Array
//   .bin   the original exportBinary(): uint32 LE length of the config JSON, the config JSON,
//          then float32 LE arrays: embedding, Wi, Wh, bi, bh, output weights, output bias
// Readers check every size against the file before allocating: FormatError names the problem.
#pragma once
#include "kmlm/ggml_type.h"
#include "kmlm/gguf.h"
#include "kmlm/gru.h"

#include <filesystem>
#include <string>

namespace kmlm {

enum class GruFormat { Gguf, Json, Binary };
// By extension: .gguf, .json, .bin. Throws InvalidArgument for anything else.
GruFormat gru_format_from_extension(const std::filesystem::path& path);

GruWeights read_gru_json(const std::filesystem::path& path);
GruWeights read_gru_binary(const std::filesystem::path& path);
GruWeights read_gru_gguf(const gguf::GgufFile& file);
// The hyperparameters of a kmlm-gru GGUF from its metadata (no tensor read); FormatError
// names the bad key. read_gru_gguf() starts with it.
GruConfig read_gru_config(const gguf::GgufFile& file);
// Any of the three, recognised by content.
GruWeights read_gru_file(const std::filesystem::path& path);

void write_gru_json(const GruWeights& w, const std::filesystem::path& path);
void write_gru_binary(const GruWeights& w, const std::filesystem::path& path);
// type: F32 or F16 (half the size; the model computes in F32 after loading).
void write_gru_gguf(const GruWeights& w, const std::filesystem::path& path, GgmlType type = GgmlType::F16,
                    const std::string& name = "kmlm-gru-ko");
void write_gru_file(const GruWeights& w, const std::filesystem::path& path, GruFormat format, GgmlType gguf_type = GgmlType::F16);

} // namespace kmlm
