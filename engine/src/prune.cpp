// Pruning by tensor surgery on a GGUF file (kmlm/prune.h): layers renumbered, heads sliced
// out of the attention matrices, small weights zeroed, each edited tensor requantized to
// its own type.
#include "kmlm/prune.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"
#include "kmlm/transformer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <string>

namespace kmlm {
namespace {

// "blk.<i>.<rest>" -> i and rest.
std::optional<std::pair<uint32_t, std::string>> split_block_name(const std::string& name) {
    if (name.rfind("blk.", 0) != 0) return std::nullopt;
    size_t p = 4;
    uint32_t i = 0;
    if (p >= name.size() || !std::isdigit(static_cast<unsigned char>(name[p]))) return std::nullopt;
    while (p < name.size() && std::isdigit(static_cast<unsigned char>(name[p]))) i = i * 10 + uint32_t(name[p++] - '0');
    if (p >= name.size() || name[p] != '.') return std::nullopt;
    return std::make_pair(i, name.substr(p + 1));
}

std::vector<uint8_t> raw_bytes(const gguf::GgufFile& in, const gguf::TensorInfo& t) {
    const uint8_t* p = in.tensor_data(t);
    return std::vector<uint8_t>(p, p + t.n_bytes);
}

// A whole tensor as floats [rows][cols].
std::vector<float> to_floats(const gguf::GgufFile& in, const gguf::TensorInfo& t, ThreadPool& pool) {
    if (!can_dequantize(t.type))
        throw InvalidArgument(in.source_name() + ": cannot edit tensor '" + t.name + "' of type " + std::string(type_traits(t.type).name));
    const uint64_t n = t.dims[0], rows = t.rows(), rb = row_bytes(t.type, n);
    std::vector<float> out(n * rows);
    const uint8_t* src = in.tensor_data(t);
    pool.parallel_for(rows, [&](size_t r, int) { dequantize_row(t.type, src + r * rb, out.data() + r * n, n); });
    return out;
}

// The tensor's own type when rows of `cols` elements are whole blocks of it, else Q8_0 or F16.
GgmlType fitting_type(GgmlType type, uint64_t cols) {
    if (cols % type_traits(type).block_size == 0 && can_quantize(type)) return type;
    if (cols % type_traits(GgmlType::Q8_0).block_size == 0 && type != GgmlType::F32 && type != GgmlType::F16) return GgmlType::Q8_0;
    return type == GgmlType::F32 ? GgmlType::F32 : GgmlType::F16;
}

void add_floats(gguf::GgufWriter& w, const std::string& name, GgmlType type, std::vector<uint64_t> dims, const std::vector<float>& x,
                ThreadPool& pool) {
    const uint64_t cols = dims[0];
    const GgmlType t = fitting_type(type, cols);
    w.add_tensor(name, t, dims, quantize_tensor(t, x.data(), x.size() / cols, cols, &pool));
}

} // namespace

void drop_layers(const gguf::GgufFile& in, const std::vector<uint32_t>& drop, const std::filesystem::path& out) {
    const TransformerHParams hp = read_hparams(in);
    const std::set<uint32_t> dropped(drop.begin(), drop.end());
    for (uint32_t i : dropped)
        if (i >= hp.n_layer)
            throw InvalidArgument("layer " + std::to_string(i) + " does not exist (the model has " + std::to_string(hp.n_layer) + ")");
    if (dropped.size() >= hp.n_layer) throw InvalidArgument("cannot drop every layer");
    std::vector<int64_t> new_index(hp.n_layer, -1);
    for (uint32_t i = 0, next = 0; i < hp.n_layer; ++i)
        if (!dropped.count(i)) new_index[i] = next++;

    gguf::GgufWriter w(in.alignment());
    w.copy_metadata(in);
    w.set_u32(hp.arch_name + ".block_count", hp.n_layer - uint32_t(dropped.size()));
    for (const auto& t : in.tensors()) {
        std::string name = t.name;
        if (const auto blk = split_block_name(t.name)) {
            if (blk->first >= hp.n_layer) throw FormatError(in.source_name() + ": tensor '" + t.name + "' is beyond block_count");
            if (new_index[blk->first] < 0) continue;
            name = "blk." + std::to_string(new_index[blk->first]) + "." + blk->second;
        }
        w.add_tensor(name, t.type, t.dims, raw_bytes(in, t));
    }
    w.write(out);
}

namespace {

// Rows [h * hd, (h + 1) * hd) of each listed head, in order.
std::vector<float> keep_row_blocks(const std::vector<float>& x, uint64_t cols, const std::vector<uint32_t>& heads, uint32_t hd) {
    std::vector<float> out;
    out.reserve(heads.size() * hd * cols);
    for (uint32_t h : heads)
        out.insert(out.end(), x.begin() + long(uint64_t(h) * hd * cols), x.begin() + long(uint64_t(h + 1) * hd * cols));
    return out;
}

// Columns [h * hd, (h + 1) * hd) of each listed head, in every row.
std::vector<float> keep_col_blocks(const std::vector<float>& x, uint64_t cols, const std::vector<uint32_t>& heads, uint32_t hd) {
    const uint64_t rows = x.size() / cols;
    std::vector<float> out;
    out.reserve(rows * heads.size() * hd);
    for (uint64_t r = 0; r < rows; ++r)
        for (uint32_t h : heads)
            out.insert(out.end(), x.begin() + long(r * cols + uint64_t(h) * hd), x.begin() + long(r * cols + uint64_t(h + 1) * hd));
    return out;
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

void keep_heads(const gguf::GgufFile& in, const std::vector<std::vector<uint32_t>>& kept, const std::filesystem::path& out,
                ThreadPool& pool) {
    const TransformerHParams hp = read_hparams(in);
    if (hp.arch == Arch::GptNeoX) throw InvalidArgument("head pruning needs separate Q/K/V tensors (not gptneox's fused one)");
    if (kept.size() != hp.n_layer) throw InvalidArgument("keep_heads: one head list per layer is needed");
    const uint32_t group = hp.n_head / hp.n_head_kv, hd = hp.head_dim;
    // Per layer: kept KV groups; check the shape is the same everywhere.
    std::vector<std::vector<uint32_t>> kept_kv(hp.n_layer);
    uint32_t per_group = 0;
    for (uint32_t l = 0; l < hp.n_layer; ++l) {
        const auto& heads = kept[l];
        if (heads.empty()) throw InvalidArgument("layer " + std::to_string(l) + " would keep no head");
        if (!std::is_sorted(heads.begin(), heads.end()) || std::adjacent_find(heads.begin(), heads.end()) != heads.end() ||
            heads.back() >= hp.n_head)
            throw InvalidArgument("layer " + std::to_string(l) + ": head indices must be ascending, distinct and below " +
                                  std::to_string(hp.n_head));
        std::vector<uint32_t> count(hp.n_head_kv, 0);
        for (uint32_t h : heads) ++count[h / group];
        for (uint32_t g = 0; g < hp.n_head_kv; ++g) {
            if (count[g] == 0) continue;
            kept_kv[l].push_back(g);
            if (per_group == 0) per_group = count[g];
            if (count[g] != per_group)
                throw InvalidArgument("every kept KV group must keep the same number of query heads (layer " + std::to_string(l) + ")");
        }
        if (kept_kv[l].size() != kept_kv[0].size() || heads.size() != kept[0].size())
            throw InvalidArgument("every layer must keep the same number of heads and KV groups");
    }
    const uint32_t n_head = uint32_t(kept[0].size()), n_head_kv = uint32_t(kept_kv[0].size());

    gguf::GgufWriter w(in.alignment());
    w.copy_metadata(in);
    const std::string p = hp.arch_name + ".";
    w.set_u32(p + "attention.head_count", n_head);
    w.set_u32(p + "attention.head_count_kv", n_head_kv);
    w.set_u32(p + "attention.key_length", hd);
    w.set_u32(p + "attention.value_length", hd);
    for (const auto& t : in.tensors()) {
        const auto blk = split_block_name(t.name);
        const bool q = blk && (blk->second == "attn_q.weight" || blk->second == "attn_q.bias");
        const bool kv = blk && (blk->second == "attn_k.weight" || blk->second == "attn_k.bias" || blk->second == "attn_v.weight" ||
                                blk->second == "attn_v.bias");
        const bool o = blk && blk->second == "attn_output.weight";
        if (!q && !kv && !o) {
            w.add_tensor(t.name, t.type, t.dims, raw_bytes(in, t));
            continue;
        }
        const uint32_t l = blk->first;
        if (l >= hp.n_layer) throw FormatError(in.source_name() + ": tensor '" + t.name + "' is beyond block_count");
        const std::vector<float> x = to_floats(in, t, pool);
        const uint64_t cols = t.dims[0];
        const bool bias = ends_with(t.name, ".bias");
        const auto& heads = q || o ? kept[l] : kept_kv[l];
        std::vector<uint64_t> dims = t.dims;
        std::vector<float> y;
        if (o) {
            y = keep_col_blocks(x, cols, heads, hd);
            dims[0] = uint64_t(heads.size()) * hd;
        } else if (bias) {
            y = keep_row_blocks(x, 1, heads, hd);
            dims[0] = y.size();
        } else {
            y = keep_row_blocks(x, cols, heads, hd);
            dims[1] = uint64_t(heads.size()) * hd;
        }
        add_floats(w, t.name, bias ? GgmlType::F32 : t.type, dims, y, pool);
    }
    w.write(out);
}

void zero_heads(const gguf::GgufFile& in, uint32_t layer, const std::vector<uint32_t>& heads, const std::filesystem::path& out,
                ThreadPool& pool) {
    const TransformerHParams hp = read_hparams(in);
    if (layer >= hp.n_layer) throw InvalidArgument("layer " + std::to_string(layer) + " does not exist");
    const std::string target = "blk." + std::to_string(layer) + ".attn_output.weight";
    gguf::GgufWriter w(in.alignment());
    w.copy_metadata(in);
    for (const auto& t : in.tensors()) {
        if (t.name != target) {
            w.add_tensor(t.name, t.type, t.dims, raw_bytes(in, t));
            continue;
        }
        std::vector<float> x = to_floats(in, t, pool);
        const uint64_t cols = t.dims[0];
        for (uint32_t h : heads) {
            if (h >= hp.n_head) throw InvalidArgument("head " + std::to_string(h) + " does not exist");
            for (uint64_t r = 0; r < x.size() / cols; ++r)
                std::fill_n(x.begin() + long(r * cols + uint64_t(h) * hp.head_dim), hp.head_dim, 0.0f);
        }
        add_floats(w, t.name, t.type, t.dims, x, pool);
    }
    w.write(out);
}

double sparsify(const gguf::GgufFile& in, double sparsity, const std::filesystem::path& out, ThreadPool& pool) {
    if (!(sparsity >= 0 && sparsity < 1)) throw InvalidArgument("the sparsity must be in [0, 1)");
    (void)read_hparams(in); // a decoder this engine knows
    gguf::GgufWriter w(in.alignment());
    w.copy_metadata(in);
    uint64_t zeros = 0, total = 0;
    for (const auto& t : in.tensors()) {
        if (!split_block_name(t.name) || t.dims.size() < 2 || !ends_with(t.name, ".weight")) {
            w.add_tensor(t.name, t.type, t.dims, raw_bytes(in, t));
            continue;
        }
        std::vector<float> x = to_floats(in, t, pool);
        // The magnitude below which the `sparsity` fraction lies (ties at it are kept).
        const size_t k = size_t(std::floor(sparsity * double(x.size())));
        if (k > 0) {
            std::vector<float> mag(x.size());
            for (size_t i = 0; i < x.size(); ++i) mag[i] = std::fabs(x[i]);
            std::nth_element(mag.begin(), mag.begin() + long(k - 1), mag.end());
            const float threshold = mag[k - 1];
            size_t zeroed = 0;
            for (float& v : x)
                if (zeroed < k && std::fabs(v) <= threshold) {
                    v = 0.0f;
                    ++zeroed;
                }
        }
        const GgmlType type = fitting_type(t.type, t.dims[0]);
        std::vector<uint8_t> bytes = quantize_tensor(type, x.data(), t.rows(), t.dims[0], &pool);
        // Count what the file holds: zero stays zero in every block format.
        std::vector<float> back = x;
        const uint64_t rb = row_bytes(type, t.dims[0]);
        for (uint64_t r = 0; r < t.rows(); ++r) dequantize_row(type, bytes.data() + r * rb, back.data() + r * t.dims[0], t.dims[0]);
        for (float v : back) zeros += v == 0.0f;
        total += back.size();
        w.add_tensor(t.name, type, t.dims, std::move(bytes));
    }
    w.write(out);
    return total ? double(zeros) / double(total) : 0.0;
}

} // namespace kmlm
