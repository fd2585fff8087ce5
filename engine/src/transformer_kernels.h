// Internal: matrix products over GGUF weight blocks and the worker threads that run them.
#pragma once
#include "kmlm/ggml_type.h"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kmlm {

// Fixed worker threads; parallel_for splits tasks over them and the calling thread.
class ThreadPool {
public:
    explicit ThreadPool(int n_threads); // 0: all cores
    ~ThreadPool();
    int size() const { return int(workers_.size()) + 1; }
    // Calls f(task, thread) for task in [0, n), thread in [0, size()).
    void parallel_for(size_t n, const std::function<void(size_t task, int thread)>& f);

private:
    void work(int thread);
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable start_, done_;
    const std::function<void(size_t, int)>* job_ = nullptr;
    size_t n_tasks_ = 0, next_ = 0;
    int running_ = 0;
    uint64_t generation_ = 0;
    bool stop_ = false;
};

// Decodes n elements (a whole number of blocks) of a row of `type` into floats.
void dequantize_row(GgmlType type, const uint8_t* src, float* dst, size_t n);

// y[n][rows] = x[n][cols] . W^T for W = rows x cols in `type`, rows split over the pool.
void matmul(ThreadPool& pool, GgmlType type, const uint8_t* w, uint32_t rows, uint32_t cols,
            const float* x, uint32_t n, float* y);

} // namespace kmlm
