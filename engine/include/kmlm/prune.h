// Structural and unstructured pruning of GGUF transformer decoders. Each function writes a
// GGUF of the same architecture with metadata that matches its tensors, so that the result
// loads here and in other GGUF runtimes. Tensors that change are dequantized, edited and
// quantized back to their own type (F16 or Q8_0 where a new row length no longer fits the
// type's blocks); the others are copied byte for byte.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace kmlm {

class ThreadPool;
namespace gguf {
class GgufFile;
}

// Without the layers in `drop`: the remaining blk.N tensors are renumbered in order and
// <arch>.block_count is lowered. Throws InvalidArgument for an index out of range, or for
// dropping every layer.
void drop_layers(const gguf::GgufFile& in, const std::vector<uint32_t>& drop, const std::filesystem::path& out);

// Keeps, in every layer, the query heads listed in kept[layer] (ascending indices into the
// layer's heads) and the KV groups they use; the rows of attn_q/attn_k/attn_v (and biases)
// and the columns of attn_output of the other heads go. Every layer must keep the same
// number of heads, and every kept KV group the same number of query heads (GGUF has one
// head count for all layers). Writes head_count, head_count_kv and key_length /
// value_length. Separate Q/K/V tensors only (llama, qwen2, exaone). Throws InvalidArgument.
void keep_heads(const gguf::GgufFile& in, const std::vector<std::vector<uint32_t>>& kept, const std::filesystem::path& out,
                ThreadPool& pool);

// The same file with the attn_output columns of the query heads `heads` of one layer set to
// zero: those heads contribute nothing, the shapes stay. For measuring a head's importance.
// (In a quantized file whose head size is not a multiple of the type's block, requantizing
// the edited rows also moves the neighbouring head's weights by a rounding step.)
void zero_heads(const gguf::GgufFile& in, uint32_t layer, const std::vector<uint32_t>& heads, const std::filesystem::path& out,
                ThreadPool& pool);

// Zeroes, in every 2-D weight of the blocks (attention and FFN matrices; not the embedding
// or the output), the `sparsity` fraction (0..1) of weights with the smallest magnitude,
// per tensor. Returns the fraction of those weights that are zero in the written file.
double sparsify(const gguf::GgufFile& in, double sparsity, const std::filesystem::path& out, ThreadPool& pool);

} // namespace kmlm
