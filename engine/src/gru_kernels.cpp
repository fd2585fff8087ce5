// GRU kernels: run-time choice of the instruction set, transpose, thread pool, threaded GEMM.
#include "gru_kernels.h"
#include "gru_kernels_impl.h"

#include <algorithm>

namespace kmlm::gru {

extern const Kernels kKernelsAvx2;
extern const Kernels kKernelsAvx512;
namespace {
const Kernels kKernelsGeneric{"generic", &gemm_impl};
}

const Kernels& kernels() {
    static const Kernels& best = []() -> const Kernels& {
#if defined(__x86_64__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
            return kKernelsAvx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kKernelsAvx2;
#endif
        return kKernelsGeneric;
    }();
    return best;
}

void transpose(const float* src, int rows, int cols, float* dst) {
    constexpr int kB = 32; // blocked so both sides stay in cache
    for (int i0 = 0; i0 < rows; i0 += kB)
        for (int j0 = 0; j0 < cols; j0 += kB)
            for (int i = i0; i < std::min(rows, i0 + kB); ++i)
                for (int j = j0; j < std::min(cols, j0 + kB); ++j) dst[long(j) * rows + i] = src[long(i) * cols + j];
}

ThreadPool::ThreadPool(int n_threads) {
    for (int i = 1; i < std::max(1, n_threads); ++i) workers_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

void ThreadPool::run(int n_tasks, const std::function<void(int)>& fn) {
    if (workers_.empty() || n_tasks <= 1) {
        for (int t = 0; t < n_tasks; ++t) fn(t);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        fn_ = &fn;
        n_tasks_ = n_tasks;
        pending_ = int(workers_.size());
        ++generation_;
    }
    wake_.notify_all();
    for (int t = 0; t < n_tasks; t += size()) fn(t); // the caller is thread 0
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    fn_ = nullptr;
}

void ThreadPool::worker(int index) {
    uint64_t seen = 0;
    for (;;) {
        const std::function<void(int)>* fn;
        int n_tasks;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            fn = fn_;
            n_tasks = n_tasks_;
        }
        for (int t = index; t < n_tasks; t += size()) (*fn)(t);
        std::lock_guard lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
    }
}

void gemm(ThreadPool* pool, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    const GemmFn fn = kernels().gemm;
    const int n_threads = pool ? pool->size() : 1;
    const long work = long(M) * N * K;
    if (n_threads == 1 || work < 200'000) return fn(M, N, K, A, lda, B, ldb, C, ldc);
    // Split the longer side into one range per thread, on tile boundaries.
    if (M >= 8 * n_threads) {
        const int step = (M / n_threads + 3) / 4 * 4;
        pool->run(n_threads, [&](int t) {
            const int i0 = std::min(M, t * step), i1 = std::min(M, i0 + step);
            if (i1 > i0) fn(i1 - i0, N, K, A + long(i0) * lda, lda, B, ldb, C + long(i0) * ldc, ldc);
        });
    } else {
        const int step = (N / n_threads + kNR - 1) / kNR * kNR;
        pool->run(n_threads, [&](int t) {
            const int j0 = std::min(N, t * step), j1 = std::min(N, j0 + step);
            if (j1 > j0) fn(M, j1 - j0, K, A, lda, B + j0, ldb, C + j0, ldc);
        });
    }
}

} // namespace kmlm::gru
