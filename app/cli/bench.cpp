// `kmlm bench`: end-to-end speed of a model on this machine: load time, prompt and
// generation tokens/s, peak memory, and generation speed against the memory-bandwidth bound
// (generating a token reads every weight once).
#include "model_options.h"

#include "kmlm/gguf.h"
#include "kmlm/memory.h"
#include "kmlm/model_file.h"
#include "kmlm/threadpool.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace kmlm::cli {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Read bandwidth in bytes/s: all threads sum a 512 MiB buffer (far larger than any L3),
// best of three passes.
double read_bandwidth(int threads) {
    const size_t n = (512ull << 20) / sizeof(uint64_t);
    std::vector<uint64_t> buf(n);
    for (size_t i = 0; i < n; ++i) buf[i] = i;
    ThreadPool pool(threads);
    const size_t parts = size_t(pool.size()) * 8;
    std::vector<uint64_t> sums(parts);
    double best = 0;
    for (int pass = 0; pass < 3; ++pass) {
        const auto t0 = Clock::now();
        pool.parallel_for(parts, [&](size_t p, int) {
            const uint64_t* b = buf.data() + p * (n / parts);
            uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (size_t i = 0; i < n / parts; i += 4) {
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

void setup_bench(CLI::App& root) {
    auto* cmd = root.add_subcommand("bench", "Measure load time, prompt and generation speed, peak memory and memory bandwidth");
    static ModelOptions opts;
    static int prompt_tokens = 128, gen_tokens = 64;
    add_model_options(cmd, opts);
    cmd->add_option("--prompt-tokens", prompt_tokens, "Prompt length")->capture_default_str()->check(CLI::Range(1, 8192));
    cmd->add_option("--gen-tokens", gen_tokens, "Tokens to generate")->capture_default_str()->check(CLI::Range(1, 8192));
    cmd->callback([] {
        auto t0 = Clock::now();
        auto model = load_model_from_options(opts);
        const double load_s = since(t0);
        const Tokenizer& tok = model->tokenizer();
        // A Korean prompt of the requested length (the text repeated).
        std::vector<int32_t> prompt;
        const auto piece = tok.encode("오늘 날씨가 맑아서 공원에 산책을 나갔다. 사람들이 많았다. ", false);
        while (int(prompt.size()) < prompt_tokens) prompt.insert(prompt.end(), piece.begin(), piece.end());
        prompt.resize(prompt_tokens);

        // Warm-up (page in the weights) before timing.
        model->eval(std::span(prompt).first(std::min<size_t>(prompt.size(), 8)));
        model->reset();
        t0 = Clock::now();
        auto logits = model->eval(prompt);
        const double prompt_s = since(t0);
        t0 = Clock::now();
        for (int i = 0; i < gen_tokens; ++i) {
            const int32_t next = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
            logits = model->eval(std::span(&next, 1));
        }
        const double gen_s = since(t0);
        const ProcessMemory mem = read_process_memory();

        const ModelInfo& info = model->info();
        std::printf("model:        %s (%s, %s, %.2f B parameters)\n", info.name.c_str(), info.architecture.c_str(),
                    info.quantization.c_str(), info.parameters / 1e9);
        std::printf("load:         %.2f s\n", load_s);
        std::printf("prompt:       %d tokens in %.2f s = %.1f tokens/s\n", prompt_tokens, prompt_s, prompt_tokens / prompt_s);
        std::printf("generation:   %d tokens in %.2f s = %.1f tokens/s\n", gen_tokens, gen_s, gen_tokens / gen_s);
        std::printf("peak RSS:     %s (KV cache %s, %s)\n", format_bytes(mem.peak_rss).c_str(),
                    format_bytes(model->memory_usage().kv_cache).c_str(), opts.kv_type.c_str());
        std::fflush(stdout);
        const LoadOptions lo = to_load_options(opts);
        const double bw = read_bandwidth(lo.n_threads);
        std::printf("bandwidth:    %.1f GB/s (read, %d threads)\n", bw / 1e9, ThreadPool(lo.n_threads).size());
        const std::filesystem::path path = opts.model.empty() ? default_model_path() : std::filesystem::path(opts.model);
        if (detect_model_format(path) == ModelFormat::Gguf) {
            const uint64_t per_token = bytes_per_token(*gguf::GgufFile::open(path));
            const double bound = bw / double(per_token);
            std::printf("bound:        %.1f tokens/s (%s of weights per token); generation at %.0f%% of it\n", bound,
                        format_bytes(per_token).c_str(), 100.0 * (gen_tokens / gen_s) / bound);
        }
    });
}
KMLM_CLI_COMMAND(70, setup_bench);

} // namespace
} // namespace kmlm::cli
