// Memory accounting under the application's RAM ceiling (3 GiB by default):
//  - estimates of what a model will need, from GGUF metadata alone (no tensor data read),
//  - admission: refuse a model/context that would not fit, saying what would,
//  - live readings of the process's resident memory (/proc/self/status, smaps),
//  - MemoryGuard: stops generation before resident memory reaches the ceiling.
#pragma once
#include "kmlm/gguf.h"
#include "kmlm/language_model.h"
#include "kmlm/transformer.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

// Resident memory of the application before any model is loaded: VmRSS of the desktop app
// (Qt 6.4, xcb on Xvfb, Korean UI, main window shown with an empty chat, no model) measured
// 45 MiB on Debian 12 x86-64 (40 MiB offscreen); rounded up to 64 MiB for glyph caches of a
// long Korean chat and the settings dialog. The kmlm CLI alone holds about 4 MiB and uses its
// own measured RSS instead (load_model's admission takes current_rss() as the baseline).
inline constexpr uint64_t kAppBaselineBytes = 64ull << 20;

// Bytes of a KV cache holding n_ctx tokens: 2 (K and V) x layers x n_ctx x row bytes, where
// a row is kv_heads x head_dim elements (Q8_0 rows are rounded up to whole 32-blocks).
uint64_t kv_cache_bytes(uint32_t n_layers, uint32_t n_ctx, uint32_t n_kv_heads, uint32_t head_dim, KvType type);

struct MemoryEstimate {
    std::string architecture;
    uint32_t n_ctx = 0; // context the estimate is for (clamped to the model's)
    KvType kv_type = KvType::Q8_0;
    uint64_t parameters = 0;               // elements of all tensors
    uint64_t weights = 0;                  // tensor bytes (mapped from the file or owned)
    uint64_t kv_cache = 0;                 // KV cache (GRU: hidden state), for n_ctx tokens
    uint64_t compute = 0;                  // activations, scratch, logits for a prompt batch; decoder code
    uint64_t vocab = 0;                    // token strings, scores, merges, their indexes; the file's header
    uint64_t baseline = kAppBaselineBytes; // the application itself
    uint64_t total() const { return weights + kv_cache + compute + vocab + baseline; }
};

// Estimate for a GGUF model (transformer or kmlm-gru) at context n_ctx (0 or more than the
// model's context: the model's context). Reads only metadata and tensor infos. Throws
// FormatError when the hyperparameters it needs are missing or inconsistent.
MemoryEstimate estimate_memory(const gguf::GgufFile& file, uint32_t n_ctx, KvType kv_type, uint64_t baseline = kAppBaselineBytes);
// Estimate for a decoder known by its hyperparameters alone (a catalog entry before its file
// is downloaded): weight_bytes is the file's tensor data, vocab_bytes its tokenizer's share
// (see MemoryEstimate::vocab). The same formula as estimate_memory() for a file.
MemoryEstimate estimate_decoder_memory(const TransformerHParams& hp, uint64_t weight_bytes, uint64_t vocab_bytes, uint32_t n_ctx,
                                       KvType kv_type, uint64_t baseline = kAppBaselineBytes);
// Same for any model file load_model() accepts (GGUF, or the GRU JSON/binary formats,
// estimated from the file size). Throws IoError/FormatError.
MemoryEstimate estimate_model_file(const std::filesystem::path& path, uint32_t n_ctx, KvType kv_type,
                                   uint64_t baseline = kAppBaselineBytes);

// Weight bytes the same tensors would take at Q4_0 (2-D tensors whose rows are whole
// 32-blocks; the rest stays F32), as llama.cpp's quantizer does.
uint64_t weights_at_q4_0(const gguf::GgufFile& file);

// The longest context (up to the model's) whose estimate fits under limit; 0 when none does.
uint32_t fit_context(const gguf::GgufFile& file, KvType kv_type, uint64_t limit, uint64_t baseline = kAppBaselineBytes);

// Throws MemoryLimitError when the estimate does not fit under limit (0 = no ceiling). The
// message says by how much it is over and what would fit: a shorter context, the 8-bit KV
// cache, a Q4_0 quantization, the bundled GRU model. file may be null (GRU formats).
void check_admission(const MemoryEstimate& estimate, uint64_t limit, const gguf::GgufFile* file, const std::string& model_name);

// "1.2 GiB", "340 MiB", "12 KiB", "512 B".
std::string format_bytes(uint64_t bytes);
// Multi-line breakdown of an estimate for `kmlm info` and the settings.
std::string describe(const MemoryEstimate& estimate);

// ---- Live readings ---------------------------------------------------------------------

// The process's memory from /proc/self/status (bytes; 0 where the kernel lacks the field).
struct ProcessMemory {
    uint64_t rss = 0;          // VmRSS = rss_anon + rss_file + rss_shmem
    uint64_t rss_anon = 0;     // RssAnon: heap, stacks, KV cache
    uint64_t rss_file = 0;     // RssFile: mapped files, the model's weights among them
    uint64_t rss_shmem = 0;    // RssShmem
    uint64_t peak_rss = 0;     // VmHWM: the highest VmRSS so far
    uint64_t virtual_size = 0; // VmSize
};
ProcessMemory read_process_memory(); // throws IoError when /proc is unreadable
ProcessMemory parse_proc_status(std::string_view text);
// VmRSS from /proc/self/statm: cheap enough to call before every token, allocates nothing.
// 0 when it cannot be read.
uint64_t current_rss();

// Resident bytes of the mappings of one file in this process (/proc/self/smaps): how much
// of a memory-mapped model is in RAM. 0 when the file is not mapped.
uint64_t mapped_file_resident(const std::filesystem::path& file);
uint64_t parse_smaps_resident(std::string_view smaps_text, std::string_view file);

// One reading of the meter: used / ceiling with its breakdown.
struct MemorySample {
    uint64_t used = 0; // resident memory of the process
    uint64_t ceiling = 0;
    uint64_t model = 0;    // resident model weights (mapped pages in RAM, or owned)
    uint64_t kv_cache = 0; // sequence state
    uint64_t app = 0;      // the rest: used - model - kv_cache
};
// Splits process memory: model = the model file's resident mapped pages when it is mapped,
// else the weights the model owns (usage.weights); kv = usage.kv_cache; scratch buffers
// count as application.
MemorySample make_sample(const ProcessMemory& process, uint64_t ceiling, uint64_t model_file_resident, const MemoryUsage& usage);
// Reads /proc now. model_file may be empty (no model loaded).
MemorySample sample_memory(uint64_t ceiling, const std::filesystem::path& model_file = {}, const MemoryUsage& usage = {});

// A short history of samples (oldest first), for a sparkline or a tooltip.
class MemoryHistory {
public:
    explicit MemoryHistory(size_t capacity = 60);
    void push(const MemorySample& sample);
    const std::vector<MemorySample>& samples() const { return samples_; }
    size_t capacity() const { return capacity_; }
    uint64_t peak_used() const;

private:
    size_t capacity_;
    std::vector<MemorySample> samples_;
};

// ---- Enforcement -------------------------------------------------------------------------

// Keeps resident memory under the ceiling while the model grows its state: check() is false
// once RSS + margin reaches the ceiling. Plug callback() into GenerateOptions::memory_ok and
// generation ends with StopReason::MemoryLimit instead of the process being killed.
class MemoryGuard {
public:
    // Room for one more step's buffers: 64 MiB, or 1/32 of a small ceiling.
    static constexpr uint64_t kDefaultMargin = 64ull << 20;
    static constexpr uint64_t default_margin(uint64_t ceiling) { return std::min(kDefaultMargin, ceiling / 32); }

    explicit MemoryGuard(uint64_t ceiling = kDefaultMemoryLimit) : MemoryGuard(ceiling, default_margin(ceiling)) {}
    MemoryGuard(uint64_t ceiling, uint64_t margin, std::function<uint64_t()> read_rss = current_rss);
    bool check() const; // true while there is room (always true with ceiling 0)
    uint64_t ceiling() const { return state_->ceiling; }
    uint64_t margin() const { return state_->margin; }
    uint64_t last_rss() const { return state_->last_rss; } // at the last check()
    // Shares this guard's state (a temporary guard's callback stays valid), so message() and
    // last_rss() of the guard and its copies tell what stopped the generation.
    std::function<bool()> callback() const;
    // "memory use 2.95 GiB reached the ceiling 3.0 GiB (margin 64 MiB): generation stopped"
    std::string message() const;

private:
    struct State {
        uint64_t ceiling;
        uint64_t margin;
        std::function<uint64_t()> read_rss;
        std::atomic<uint64_t> last_rss{0};
    };
    std::shared_ptr<State> state_;
};

} // namespace kmlm
