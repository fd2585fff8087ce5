// Tokenizer speed on Korean text: the 200 kB perplexity text and a chat-sized prompt, with the
// SentencePiece vocabulary of the test model and the byte-level BPE vocabularies of the
// conformance set. Needs ../shared/data (or $KMLM_SHARED_DATA); skipped without it.
#include "kmlm/gguf.h"
#include "kmlm/vocab.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::filesystem::path shared_data() {
    if (const char* env = std::getenv("KMLM_SHARED_DATA")) return env;
    return std::filesystem::path(__FILE__).parent_path() / "../../shared/data";
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::unique_ptr<kmlm::Tokenizer> load(const std::string& relative) {
    const auto path = shared_data() / relative;
    if (!std::filesystem::exists(path)) return nullptr;
    return kmlm::load_gguf_tokenizer(*kmlm::gguf::GgufFile::open(path));
}

const std::string& korean_text() {
    static const std::string text = read_file(shared_data() / "models/ppl-valid.txt");
    return text;
}

// About 500 tokens of the test model: the first 1500 bytes, cut at a character boundary.
std::string prompt_text() {
    std::string t = korean_text().substr(0, 1500);
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80) t.pop_back();
    if (!t.empty() && static_cast<unsigned char>(t.back()) >= 0xC0) t.pop_back();
    return t;
}

void encode(benchmark::State& state, const std::string& vocab, const std::string& text) {
    auto tok = load(vocab);
    if (!tok || text.empty()) {
        state.SkipWithError("shared data absent");
        return;
    }
    size_t tokens = 0;
    for (auto _ : state) {
        const auto ids = tok->encode(text, true);
        tokens = ids.size();
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
    state.counters["tokens"] = double(tokens);
    state.counters["tokens/s"] = benchmark::Counter(double(tokens), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SpmText(benchmark::State& s) { encode(s, "models/ko-tiny-llama-Q8_0.gguf", korean_text()); }
void BM_SpmPrompt(benchmark::State& s) { encode(s, "models/ko-tiny-llama-Q8_0.gguf", prompt_text()); }
void BM_BpeNeoxText(benchmark::State& s) { encode(s, "tokenizer-vectors/ggml-vocab-gpt-neox.gguf", korean_text()); }
void BM_BpeDeepseekText(benchmark::State& s) { encode(s, "tokenizer-vectors/ggml-vocab-deepseek-llm.gguf", korean_text()); }
void BM_BpeNeoxPrompt(benchmark::State& s) { encode(s, "tokenizer-vectors/ggml-vocab-gpt-neox.gguf", prompt_text()); }

// First encoding with an empty word cache: a fresh tokenizer each time (loading not timed).
void BM_BpeNeoxTextCold(benchmark::State& state) {
    if (korean_text().empty() || !load("tokenizer-vectors/ggml-vocab-gpt-neox.gguf")) {
        state.SkipWithError("shared data absent");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        auto tok = load("tokenizer-vectors/ggml-vocab-gpt-neox.gguf");
        state.ResumeTiming();
        benchmark::DoNotOptimize(tok->encode(korean_text(), false).data());
    }
    state.SetBytesProcessed(int64_t(state.iterations() * korean_text().size()));
}

void BM_PretokenizeLlama3(benchmark::State& state) {
    const std::string& text = korean_text();
    if (text.empty()) {
        state.SkipWithError("shared data absent");
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(kmlm::pretokenize(text, "llama-bpe").data());
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}

void BM_LoadBpeVocab(benchmark::State& state) {
    const auto path = shared_data() / "tokenizer-vectors/ggml-vocab-deepseek-llm.gguf";
    if (!std::filesystem::exists(path)) {
        state.SkipWithError("shared data absent");
        return;
    }
    auto file = kmlm::gguf::GgufFile::open(path);
    for (auto _ : state) benchmark::DoNotOptimize(kmlm::load_gguf_tokenizer(*file).get());
}

} // namespace

BENCHMARK(BM_SpmText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SpmPrompt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BpeNeoxText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BpeNeoxTextCold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BpeDeepseekText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BpeNeoxPrompt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PretokenizeLlama3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadBpeVocab)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
