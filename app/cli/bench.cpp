// `kmlm bench`: end-to-end speed of a model on this machine: load time, prompt and
// generation tokens/s (optionally with a KV cache already filled to some depth), peak memory,
// and generation speed against the memory-bandwidth bound (generating a token reads every
// weight once), as text or one JSON object.
#include "model_options.h"

#include "kmlm/cpu.h"
#include "kmlm/gguf.h"
#include "kmlm/kernels.h"
#include "kmlm/memory.h"
#include "kmlm/model_file.h"
#include "kmlm/threadpool.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace kmlm::cli {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Read bandwidth in bytes/s: all threads sum a 512 MiB buffer (far larger than any L3),
// the best of passes that ask for lines 2, 4 and 8 KiB ahead (into L2, as the weight kernels
// do). Without asking ahead a core waits on each line and the probe reads slower than the
// kernels, which would put the bound too low; the best of three distances keeps it strict.
double read_bandwidth(int threads) {
    const size_t n = (512ull << 20) / sizeof(uint64_t);
    std::vector<uint64_t> buf(n);
    for (size_t i = 0; i < n; ++i) buf[i] = i;
    ThreadPool pool(threads);
    const size_t parts = size_t(pool.size()) * 8;
    std::vector<uint64_t> sums(parts);
    double best = 0;
    for (const size_t ahead : {256, 512, 1024, 256, 512, 1024}) { // in elements: 2, 4, 8 KiB
        const auto t0 = Clock::now();
        pool.parallel_for(parts, [&](size_t p, int) {
            const uint64_t* b = buf.data() + p * (n / parts);
            uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (size_t i = 0; i < n / parts; i += 4) {
                if (i % 8 == 0) __builtin_prefetch(b + i + ahead, 0, 1);
                s0 += b[i];
                s1 += b[i + 1];
                s2 += b[i + 2];
                s3 += b[i + 3];
            }
            sums[p] = s0 + s1 + s2 + s3;
        });
        best = std::max(best, double(n * sizeof(uint64_t)) / since(t0));
    }
    return best;
}

// Weight bytes one generated token reads: every tensor, except that only one row of the
// token embedding is read when the output has its own matrix.
uint64_t bytes_per_token(const gguf::GgufFile& file) {
    uint64_t total = 0;
    for (const auto& t : file.tensors()) total += t.n_bytes;
    const auto* embd = file.find_tensor("token_embd.weight");
    if (embd && file.find_tensor("output.weight")) total -= embd->n_bytes - embd->n_bytes / std::max<uint64_t>(1, embd->rows());
    return total;
}

struct BenchArgs {
    ModelOptions opts;
    int prompt_tokens = 128, gen_tokens = 64, depth = 0;
    std::string output = "text";
};

struct BenchResult {
    ModelInfo info;
    std::string kv_type;
    int threads = 0;
    double load_s = 0, fill_s = 0, prompt_s = 0, gen_s = 0;
    ProcessMemory mem;
    uint64_t kv_bytes = 0;
    double bandwidth = 0;         // bytes/s read
    uint64_t bytes_per_token = 0; // 0: not a GGUF file, no bound
    double bound() const { return bytes_per_token ? bandwidth / double(bytes_per_token) : 0; }
};

// `n` tokens of Korean text (the sentence repeated).
std::vector<int32_t> korean_tokens(const Tokenizer& tok, int n) {
    std::vector<int32_t> out;
    const auto piece = tok.encode("오늘 날씨가 맑아서 공원에 산책을 나갔다. 사람들이 많았다. ", false);
    while (int(out.size()) < n) out.insert(out.end(), piece.begin(), piece.end());
    out.resize(size_t(n));
    return out;
}

// Timed runs must not slide the context: that would drop the depth being measured.
// context 0: unbounded (the GRU model).
void check_fits(const BenchArgs& a, size_t context) {
    const size_t needed = size_t(a.depth) + size_t(a.prompt_tokens) + size_t(a.gen_tokens);
    if (context != 0 && needed > context)
        throw CLI::ValidationError("--depth", std::to_string(a.depth) + " + --prompt-tokens " + std::to_string(a.prompt_tokens) +
                                                  " + --gen-tokens " + std::to_string(a.gen_tokens) + " = " + std::to_string(needed) +
                                                  " tokens do not fit the context of " + std::to_string(context) +
                                                  " (raise -c or lower them)");
}

BenchResult run_bench(const BenchArgs& a) {
    BenchResult r;
    auto t0 = Clock::now();
    auto model = load_model_from_options(a.opts);
    r.load_s = since(t0);
    check_fits(a, model->context_length());
    const std::vector<int32_t> prompt = korean_tokens(model->tokenizer(), a.prompt_tokens);

    // Warm-up (page in the weights), then the untimed fill of the cache to the depth.
    model->eval(std::span(prompt).first(std::min<size_t>(prompt.size(), 8)));
    model->reset();
    if (a.depth > 0) {
        t0 = Clock::now();
        model->eval(korean_tokens(model->tokenizer(), a.depth));
        r.fill_s = since(t0);
    }
    t0 = Clock::now();
    auto logits = model->eval(prompt);
    r.prompt_s = since(t0);
    t0 = Clock::now();
    for (int i = 0; i < a.gen_tokens; ++i) {
        const int32_t next = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
        logits = model->eval(std::span(&next, 1));
    }
    r.gen_s = since(t0);
    r.mem = read_process_memory();
    r.info = model->info();
    const MemoryUsage usage = model->memory_usage();
    r.kv_type = usage.kv_type.empty() ? "none" : usage.kv_type;
    r.kv_bytes = usage.kv_cache;
    model.reset();

    const LoadOptions lo = to_load_options(a.opts);
    r.threads = ThreadPool(lo.n_threads).size();
    r.bandwidth = read_bandwidth(lo.n_threads);
    const std::filesystem::path path = a.opts.model.empty() ? default_model_path() : std::filesystem::path(a.opts.model);
    if (detect_model_format(path) == ModelFormat::Gguf) r.bytes_per_token = bytes_per_token(*gguf::GgufFile::open(path));
    return r;
}

void print_text(const BenchArgs& a, const BenchResult& r) {
    const double gen_tps = a.gen_tokens / r.gen_s;
    std::printf("model:        %s (%s, %s, %.2f B parameters)\n", r.info.name.c_str(), r.info.architecture.c_str(),
                r.info.quantization.c_str(), r.info.parameters / 1e9);
    std::printf("load:         %.2f s\n", r.load_s);
    if (a.depth > 0) std::printf("depth:        %d tokens in the cache first (filled in %.2f s, not timed)\n", a.depth, r.fill_s);
    std::printf("prompt:       %d tokens in %.2f s = %.1f tokens/s\n", a.prompt_tokens, r.prompt_s, a.prompt_tokens / r.prompt_s);
    std::printf("generation:   %d tokens in %.2f s = %.1f tokens/s\n", a.gen_tokens, r.gen_s, gen_tps);
    std::printf("peak RSS:     %s (KV cache %s, %s)\n", format_bytes(r.mem.peak_rss).c_str(), format_bytes(r.kv_bytes).c_str(),
                r.kv_type.c_str());
    std::printf("bandwidth:    %.1f GB/s (read, %d threads)\n", r.bandwidth / 1e9, r.threads);
    if (r.bytes_per_token)
        std::printf("bound:        %.1f tokens/s (%s of weights per token); generation at %.0f%% of it\n", r.bound(),
                    format_bytes(r.bytes_per_token).c_str(), 100.0 * gen_tps / r.bound());
    std::printf("machine:      %s, load average %s\n", cpu_model_name().c_str(), load_average().c_str());
}

void print_json(const BenchArgs& a, const BenchResult& r) {
    const double gen_tps = a.gen_tokens / r.gen_s;
    nlohmann::json j = {{"model", r.info.name},
                        {"architecture", r.info.architecture},
                        {"type", r.info.quantization},
                        {"parameters", r.info.parameters},
                        {"kv_type", r.kv_type},
                        {"threads", r.threads},
                        {"isa", isa_name(active_isa())},
                        {"depth", a.depth},
                        {"load_s", r.load_s},
                        {"fill_s", r.fill_s},
                        {"prompt_tokens", a.prompt_tokens},
                        {"prompt_tps", a.prompt_tokens / r.prompt_s},
                        {"gen_tokens", a.gen_tokens},
                        {"gen_tps", gen_tps},
                        {"peak_rss", r.mem.peak_rss},
                        {"kv_cache_bytes", r.kv_bytes},
                        {"bandwidth_gbs", r.bandwidth / 1e9},
                        {"bytes_per_token", nullptr},
                        {"bound_tps", nullptr},
                        {"bound_ratio", nullptr},
                        {"load_average", load_average()},
                        {"cpu", cpu_model_name()}};
    if (r.bytes_per_token) {
        j["bytes_per_token"] = r.bytes_per_token;
        j["bound_tps"] = r.bound();
        j["bound_ratio"] = gen_tps / r.bound();
    }
    std::printf("%s\n", j.dump().c_str());
}

void setup_bench(CLI::App& root) {
    auto* cmd = root.add_subcommand("bench", "Measure load time, prompt and generation speed, peak memory and memory bandwidth");
    static BenchArgs a;
    add_model_options(cmd, a.opts);
    cmd->add_option("--prompt-tokens", a.prompt_tokens, "Prompt length")->capture_default_str()->check(CLI::Range(1, 8192));
    cmd->add_option("--gen-tokens", a.gen_tokens, "Tokens to generate")->capture_default_str()->check(CLI::Range(1, 8192));
    cmd->add_option("--depth", a.depth, "Tokens in the KV cache before the timed prompt (filled first, not timed)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 20));
    cmd->add_option("-o,--output", a.output, "Output format: text, or json (one object)")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
    cmd->callback([] {
        const BenchResult r = run_bench(a);
        if (a.output == "json")
            print_json(a, r);
        else
            print_text(a, r);
    });
}
KMLM_CLI_COMMAND(70, setup_bench);

} // namespace
} // namespace kmlm::cli
