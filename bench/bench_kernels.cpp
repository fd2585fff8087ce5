// Kernel speed: the quantized matrix-vector products of a Polyglot-ko-1.3B-shaped layer
// (2048 wide, FFN 8192) at 1 and 2 threads, reported as weight bytes per second next to the
// machine's memory read bandwidth; the prompt-sized matrix product (128 rows of X); attention
// over the KV cache; and the float helpers. Run: build/<dir>/bench/bench_kernels [--benchmark_filter=...]
#include "kmlm/cpu.h"
#include "kmlm/kernels.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>

using namespace kmlm;

namespace {

constexpr uint64_t kEmbd = 2048, kFf = 8192;

std::vector<float> gaussian(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 0.05f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

ThreadPool& pool(int threads) {
    static std::map<int, std::unique_ptr<ThreadPool>> pools;
    auto& p = pools[threads];
    if (!p) p = std::make_unique<ThreadPool>(threads);
    return *p;
}

// Weights of one FFN matrix per type, quantized once.
const std::vector<uint8_t>& weights(GgmlType type, uint64_t rows, uint64_t n) {
    static std::map<std::tuple<GgmlType, uint64_t, uint64_t>, std::vector<uint8_t>> cache;
    auto& w = cache[{type, rows, n}];
    if (w.empty()) w = quantize_tensor(type, gaussian(rows * n, 1).data(), rows, n, &pool(2));
    return w;
}

const GgmlType kTypes[] = {GgmlType::Q4_0,   GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL,
                           GgmlType::Q2_K,   GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K,
                           GgmlType::IQ4_XS, GgmlType::Q8_0, GgmlType::F16};

// Read bandwidth: sums 256 MiB (far beyond the caches) split over the threads.
void BM_MemoryRead(benchmark::State& state) {
    const int threads = int(state.range(0));
    static std::vector<float> buf(size_t(64) << 20, 1.0f);
    ThreadPool& p = pool(threads);
    const size_t chunk = buf.size() / 64;
    std::vector<float> partial(64);
    for (auto _ : state) {
        p.parallel_for(64, [&](size_t t, int) { partial[t] = dot_f32(buf.data() + t * chunk, buf.data() + t * chunk, chunk / 2); });
        benchmark::DoNotOptimize(partial.data());
    }
    // dot_f32 of a half chunk with itself reads each byte once.
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(buf.size() / 2 * sizeof(float)));
}
BENCHMARK(BM_MemoryRead)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// y[rows] = W[rows × n] x: args (type, rows, n, threads).
void BM_Matvec(benchmark::State& state) {
    const auto type = GgmlType(state.range(0));
    const uint64_t rows = uint64_t(state.range(1)), n = uint64_t(state.range(2));
    const int threads = int(state.range(3));
    const auto& w = weights(type, rows, n);
    const auto x = gaussian(n, 2);
    std::vector<float> y(rows);
    ThreadPool& p = pool(threads);
    for (auto _ : state) {
        matvec(p, type, w.data(), rows, n, x.data(), y.data());
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(w.size()));
    state.SetLabel(std::string(type_traits(type).name) + " " + isa_name(active_isa()));
}

void matvecArgs(benchmark::internal::Benchmark* b) {
    for (GgmlType t : kTypes)
        for (int threads : {1, 2}) {
            b->Args({int64_t(t), int64_t(kFf), int64_t(kEmbd), threads}); // ffn_up: 8192 × 2048
            b->Args({int64_t(t), int64_t(kEmbd), int64_t(kFf), threads}); // ffn_down: 2048 × 8192
        }
}
BENCHMARK(BM_Matvec)->Apply(matvecArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The same matvec through each instruction set, one thread: args (ISA, type).
void BM_MatvecIsa(benchmark::State& state) {
    const Isa isa = Isa(state.range(0));
    const auto type = GgmlType(state.range(1));
    const Isa before = active_isa();
    if (!set_isa(isa)) {
        state.SkipWithError("instruction set not available");
        return;
    }
    const auto& w = weights(type, kFf, kEmbd);
    const auto x = gaussian(kEmbd, 2);
    std::vector<float> y(kFf);
    for (auto _ : state) {
        matvec(pool(1), type, w.data(), kFf, kEmbd, x.data(), y.data());
        benchmark::DoNotOptimize(y.data());
    }
    set_isa(before);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(w.size()));
    state.SetLabel(std::string(type_traits(type).name) + " " + isa_name(isa));
}
void matvecIsaArgs(benchmark::internal::Benchmark* b) {
    for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q5_1, GgmlType::IQ4_NL, GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::IQ4_XS})
        for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) b->Args({int64_t(isa), int64_t(t)});
}
BENCHMARK(BM_MatvecIsa)->Apply(matvecIsaArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Y[128 × 8192] = X[128 × 2048] Wᵀ on 2 threads: prompt processing; items = rows of X.
void BM_Matmul(benchmark::State& state) {
    const auto type = GgmlType(state.range(0));
    const uint64_t m = uint64_t(state.range(1));
    const auto& w = weights(type, kFf, kEmbd);
    const auto x = gaussian(m * kEmbd, 3);
    std::vector<float> y(m * kFf);
    for (auto _ : state) {
        matmul(pool(2), type, w.data(), kFf, kEmbd, x.data(), m, y.data());
        benchmark::DoNotOptimize(y.data());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(m));
    state.counters["GFLOP/s"] =
        benchmark::Counter(double(state.iterations()) * 2.0 * double(m * kFf * kEmbd) / 1e9, benchmark::Counter::kIsRate);
    state.SetLabel(std::string(type_traits(type).name) + " " + isa_name(active_isa()));
}
void matmulArgs(benchmark::internal::Benchmark* b) {
    for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q8_0, GgmlType::Q6_K, GgmlType::Q5_1, GgmlType::IQ4_NL, GgmlType::Q2_K,
                       GgmlType::Q3_K, GgmlType::IQ4_XS})
        b->Args({int64_t(t), 128});
}
BENCHMARK(BM_Matmul)->Apply(matmulArgs)->UseRealTime()->Unit(benchmark::kMillisecond);

// Attention of one 128-wide head over 4096 cached positions (rows of 8 kv heads, as in the
// cache): scores, softmax, weighted values. Args (ISA, cache type, stretch): stretch 0 calls
// the one-row kernels once per key, 1 the row kernels once per stretch. Bytes = K and V read.
void BM_Attention(benchmark::State& state) {
    const Isa isa = Isa(state.range(0));
    const auto type = GgmlType(state.range(1));
    const bool stretch = state.range(2) != 0;
    const Isa before = active_isa();
    if (!set_isa(isa)) {
        state.SkipWithError("instruction set not available");
        return;
    }
    constexpr size_t n_keys = 4096, head = 128, heads = 8;
    const size_t stride = row_bytes(type, heads * head), head_bytes = row_bytes(type, head);
    std::vector<uint8_t> k(n_keys * stride), v(n_keys * stride);
    const auto x = gaussian(heads * head, 4);
    for (size_t j = 0; j < n_keys; ++j) {
        quantize_row(type, x.data(), k.data() + j * stride, heads * head);
        quantize_row(type, x.data(), v.data() + j * stride, heads * head);
    }
    const auto q = gaussian(head, 5);
    std::vector<float> scores(n_keys), out(head);
    for (auto _ : state) {
        if (stretch) {
            dot_rows(type, k.data(), stride, n_keys, q.data(), head, scores.data());
        } else {
            for (size_t j = 0; j < n_keys; ++j) {
                const uint8_t* r = k.data() + j * stride;
                scores[j] =
                    type == GgmlType::F16 ? dot_f16(reinterpret_cast<const uint16_t*>(r), q.data(), head) : dot_q8_0(r, q.data(), head);
            }
        }
        softmax(scores.data(), n_keys);
        std::fill(out.begin(), out.end(), 0.0f);
        if (stretch) {
            axpy_rows(type, v.data(), stride, n_keys, scores.data(), head, out.data());
        } else {
            for (size_t j = 0; j < n_keys; ++j) {
                const uint8_t* r = v.data() + j * stride;
                if (type == GgmlType::F16)
                    axpy_f16(scores[j], reinterpret_cast<const uint16_t*>(r), out.data(), head);
                else
                    axpy_q8_0(scores[j], r, out.data(), head);
            }
        }
        benchmark::DoNotOptimize(out.data());
    }
    set_isa(before);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(2 * n_keys * head_bytes));
    state.SetLabel(std::string(type_traits(type).name) + " " + isa_name(isa) + (stretch ? " rows" : " per key"));
}
void attentionArgs(benchmark::internal::Benchmark* b) {
    for (GgmlType t : {GgmlType::F16, GgmlType::Q8_0})
        for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
            for (int stretch : {0, 1}) b->Args({int64_t(isa), int64_t(t), stretch});
}
BENCHMARK(BM_Attention)->Apply(attentionArgs)->Unit(benchmark::kMicrosecond);

void BM_Gelu(benchmark::State& state) {
    auto x = gaussian(kFf, 6);
    for (auto _ : state) {
        gelu(x.data(), x.size());
        benchmark::DoNotOptimize(x.data());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(x.size()));
}
BENCHMARK(BM_Gelu)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("cpu_features", describe_cpu_features());
    benchmark::AddCustomContext("kernels", isa_name(active_isa()));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
