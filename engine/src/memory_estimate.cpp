// Memory estimates from GGUF metadata (no tensor data read), the admission check that
// load_model() runs before mapping any tensor, and the longest context that fits.
#include "kmlm/memory.h"

#include "kmlm/error.h"
#include "kmlm/gru_io.h"
#include "kmlm/model_file.h"
#include "transformer_model.h"

#include <algorithm>
#include <cstdio>

namespace kmlm {
namespace {

// The decoder's and kernels' code and tables, paged in on the first evaluation: `kmlm memory
// --fill` shows RssFile growing about 1 MiB beyond the model file and the process's start.
constexpr uint64_t kDecoderCodeBytes = 1ull << 20;

// Heap bytes of a std::string holding len characters (SSO up to 15, malloc rounds to 16
// with an 8-byte header) plus the 32-byte object itself.
uint64_t string_bytes(uint64_t len) {
    const uint64_t heap = len <= 15 ? 0 : (len + 1 + 8 + 15) / 16 * 16;
    return 32 + heap;
}

// Token strings live twice (the file's metadata and the tokenizer's table) plus a hash index
// (node ~64 bytes + a key copy), scores and types; merges live in the metadata and in a rank map.
uint64_t vocab_bytes(const gguf::GgufFile& file) {
    uint64_t total = 0;
    if (const auto* v = file.find("tokenizer.ggml.tokens")) {
        if (const auto* tokens = std::get_if<std::vector<std::string>>(&v->data))
            for (const auto& t : *tokens) total += 3 * string_bytes(t.size()) + 64 + 8;
    }
    if (const auto* v = file.find("tokenizer.ggml.merges")) {
        if (const auto* merges = std::get_if<std::vector<std::string>>(&v->data))
            for (const auto& m : *merges) total += 2 * string_bytes(m.size()) + 64;
    }
    return total;
}

uint64_t tensor_bytes(const gguf::GgufFile& file) {
    uint64_t total = 0;
    for (const auto& t : file.tensors()) total += t.n_bytes;
    return total;
}

uint64_t tensor_elements(const gguf::GgufFile& file) {
    uint64_t total = 0;
    for (const auto& t : file.tensors()) total += t.n_elements;
    return total;
}

// The jamo GRU holds its weights in F32 whatever the file stores, plus a table of
// embedding x Wi + bi ([V, 3H]); its state is one hidden vector and the token history. While
// loading, the file's tensors are read through the mapping as well (the peak).
void estimate_gru(const gguf::GgufFile& file, MemoryEstimate& e) {
    const GruConfig c = read_gru_config(file);
    const uint64_t hidden = uint64_t(c.hidden_dim), vocab = uint64_t(c.vocab_size);
    if (e.n_ctx == 0) e.n_ctx = 2048;
    e.weights = e.parameters * 4 + vocab * 3 * hidden * 4;
    e.kv_cache = hidden * 4 + uint64_t(e.n_ctx) * 4;
    e.compute = (3 * hidden + vocab) * 4 + tensor_bytes(file);
}

// KV cache and activations of a decoder (the buffers are the decoder's own list, see
// decoder_buffers()), plus 8-bit copies of the activations fed to the quantized matmuls
// ([B, max(embd, ff)]) and the decoder's code. Attention threads are bounded by the heads.
void estimate_decoder(const TransformerHParams& hp, MemoryEstimate& e) {
    e.n_ctx = decoder_context(hp, e.n_ctx);
    e.kv_type = decoder_kv_type(hp, e.kv_type);
    // Sliding-window layers keep only their window (KvCache::window_slots).
    e.kv_cache = KvCache::bytes_for(e.kv_type, e.n_ctx, hp.n_kv_embd(), hp.windows());
    const DecoderBuffers buffers = decoder_buffers(hp, e.n_ctx, hp.n_head);
    e.compute = buffers.floats() * 4 + buffers.batch * std::max(hp.n_embd, hp.n_ff) * 34 / 32 + kDecoderCodeBytes;
}

} // namespace

uint64_t kv_cache_bytes(uint32_t n_layers, uint32_t n_ctx, uint32_t n_kv_heads, uint32_t head_dim, KvType type) {
    const uint64_t row_elements = uint64_t(n_kv_heads) * head_dim;
    const uint64_t row = type == KvType::F16 ? row_elements * 2 : (row_elements + 31) / 32 * 34;
    return 2ull * n_layers * n_ctx * row;
}

MemoryEstimate estimate_memory(const gguf::GgufFile& file, uint32_t n_ctx, KvType kv_type, uint64_t baseline) {
    MemoryEstimate e;
    e.architecture = file.architecture();
    e.n_ctx = n_ctx;
    e.kv_type = kv_type;
    e.baseline = baseline;
    e.parameters = tensor_elements(file);
    e.vocab = vocab_bytes(file) + file.data_offset(); // the header is read through the mapping
    if (e.architecture == kGruArchitecture) {
        estimate_gru(file, e);
    } else {
        e.weights = tensor_bytes(file);
        estimate_decoder(read_hparams(file), e);
    }
    return e;
}

MemoryEstimate estimate_decoder_memory(const TransformerHParams& hp, uint64_t weight_bytes, uint64_t vocab_bytes, uint32_t n_ctx,
                                       KvType kv_type, uint64_t baseline) {
    MemoryEstimate e;
    e.architecture = hp.arch_name;
    e.n_ctx = n_ctx;
    e.kv_type = kv_type;
    e.baseline = baseline;
    e.weights = weight_bytes;
    e.vocab = vocab_bytes;
    estimate_decoder(hp, e);
    return e;
}

// The GRU's original formats hold F32 weights: the binary one byte for byte, the JSON one as
// text (at least 4 bytes per number) parsed into a document first.
MemoryEstimate estimate_model_file(const std::filesystem::path& path, uint32_t n_ctx, KvType kv_type, uint64_t baseline) {
    const ModelFormat format = detect_model_format(path);
    if (format == ModelFormat::Gguf) return estimate_memory(*gguf::GgufFile::open(path), n_ctx, kv_type, baseline);
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) throw IoError("cannot read the size of " + path.string());
    MemoryEstimate e;
    e.architecture = std::string(kGruArchitecture);
    e.n_ctx = n_ctx;
    e.kv_type = kv_type;
    e.baseline = baseline;
    e.weights = size;
    e.compute = format == ModelFormat::GruJson ? 3 * size : 0; // text + parsed document while loading
    return e;
}

uint64_t weights_at_q4_0(const gguf::GgufFile& file) {
    uint64_t total = 0;
    for (const auto& t : file.tensors()) {
        const bool quantizable = t.dims.size() >= 2 && t.dims[0] % 32 == 0;
        total += quantizable ? t.n_elements / 32 * 18 : t.n_elements * 4;
    }
    return total;
}

uint32_t fit_context(const gguf::GgufFile& file, KvType kv_type, uint64_t limit, uint64_t baseline) {
    const MemoryEstimate full = estimate_memory(file, 0, kv_type, baseline);
    if (full.total() <= limit) return full.n_ctx;
    uint32_t lo = 0, hi = full.n_ctx; // fits(lo) (or lo = 0), !fits(hi)
    while (hi - lo > 1) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (estimate_memory(file, mid, kv_type, baseline).total() <= limit)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

std::string format_bytes(uint64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

std::string describe(const MemoryEstimate& e) {
    std::string s = "memory estimate: " + format_bytes(e.total()) + " at context " + std::to_string(e.n_ctx);
    if (e.architecture != kGruArchitecture) s += std::string(" (KV cache ") + kv_type_name(e.kv_type) + ")";
    s += "\n  weights      " + format_bytes(e.weights);
    s += "\n  KV cache     " + format_bytes(e.kv_cache);
    s += "\n  compute      " + format_bytes(e.compute);
    s += "\n  vocabulary   " + format_bytes(e.vocab);
    s += "\n  application  " + format_bytes(e.baseline);
    return s + "\n";
}

void check_admission(const MemoryEstimate& e, uint64_t limit, const gguf::GgufFile* file, const std::string& model_name) {
    if (limit == 0 || e.total() <= limit) return;
    std::string msg = model_name + " needs about " + format_bytes(e.total()) + " at context " + std::to_string(e.n_ctx) + " with the " +
                      std::string(kv_type_name(e.kv_type)) + " KV cache" + " (weights " + format_bytes(e.weights) + ", KV cache " +
                      format_bytes(e.kv_cache) + ", compute " + format_bytes(e.compute) + ", vocabulary " + format_bytes(e.vocab) +
                      ", application " + format_bytes(e.baseline) + "): " + format_bytes(e.total() - limit) +
                      " over the memory ceiling of " + format_bytes(limit) + ".";
    std::vector<std::string> fits;
    if (file && e.architecture != kGruArchitecture) {
        if (const uint32_t ctx = fit_context(*file, e.kv_type, limit, e.baseline); ctx >= 16)
            fits.push_back("a context of " + std::to_string(ctx) + " tokens or less");
        if (e.kv_type == KvType::F16) {
            const MemoryEstimate q8 = estimate_memory(*file, e.n_ctx, KvType::Q8_0, e.baseline);
            if (q8.total() <= limit) fits.push_back("the 8-bit KV cache (--kv-type q8_0: " + format_bytes(q8.total()) + ")");
        }
        const uint64_t q4 = weights_at_q4_0(*file);
        if (q4 < e.weights && e.total() - e.weights + q4 <= limit)
            fits.push_back("a Q4_0 quantization of this model (about " + format_bytes(e.total() - e.weights + q4) + ")");
    }
    if (e.architecture != kGruArchitecture) fits.push_back("the bundled GRU model");
    if (!fits.empty()) {
        msg += " What would fit: ";
        for (size_t i = 0; i < fits.size(); ++i) msg += (i ? "; " : "") + fits[i];
        msg += ".";
    }
    throw MemoryLimitError(msg);
}

} // namespace kmlm
