// Internal: the dense float kernels of the GRU (inference and training) and its thread pool.
// The kernels come in generic, AVX2 and AVX-512 builds (gru_kernels_impl.h compiled three
// times); the best one the CPU supports is chosen at run time.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kmlm::gru {


// C[M, N] += A[M, K] · B[K, N], row-major with leading dimensions (elements).
using GemmFn = void (*)(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);

struct Kernels {
    const char* name;
    GemmFn gemm;
};
const Kernels& kernels(); // the best for this CPU

// dst[cols, rows] = src[rows, cols]ᵀ
void transpose(const float* src, int rows, int cols, float* dst);

// Runs fn(task) for task in [0, n_tasks) on a fixed set of threads. Tasks write disjoint
// outputs, so which thread runs one never changes a result.
class ThreadPool {
public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    int size() const { return int(workers_.size()) + 1; }
    void run(int n_tasks, const std::function<void(int)>& fn);

private:
    void worker(int index);
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(int)>* fn_ = nullptr;
    int n_tasks_ = 0, pending_ = 0;
    uint64_t generation_ = 0;
    bool stop_ = false;
};

// C += A·B split over the pool by blocks of rows (or columns when M is small).
void gemm(ThreadPool* pool, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);

} // namespace kmlm::gru
