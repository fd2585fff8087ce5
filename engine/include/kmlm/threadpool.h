// A fixed pool of worker threads for data-parallel loops. The calling thread works too.
// Idle workers spin briefly (a new loop usually follows within microseconds while a token is
// computed), then sleep on a condition variable, so a machine shared with other processes
// is not starved.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kmlm {

class ThreadPool {
public:
    // n_threads: threads that run tasks, the caller included; 0 = hardware concurrency.
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }

    // Runs fn(task, thread) for every task in [0, n_tasks) and returns when all are done.
    // thread is in [0, size()): use it to index per-thread scratch. Tasks are handed out one
    // at a time, so a thread that is slowed down (another process took its core) takes fewer.
    // The first exception thrown by a task is rethrown here after the others finished.
    // Called from inside a task, it runs serially on that task's thread; a second caller
    // thread waits for the running loop to finish.
    void parallel_for(size_t n_tasks, const std::function<void(size_t task, int thread)>& fn);

private:
    void worker_main(int thread);
    void run_tasks(uint32_t gen, int thread);
    bool claim(uint32_t gen, size_t& task);

    std::vector<std::thread> workers_;
    std::mutex busy_;                     // one loop at a time
    std::atomic<uint32_t> generation_{0}; // bumped per loop; workers sleep on it
    std::atomic<uint64_t> ticket_{0};     // generation << 32 | next task
    std::atomic<size_t> done_{0};         // tasks finished in this loop
    size_t n_tasks_ = 0;
    const std::function<void(size_t, int)>* fn_ = nullptr;
    std::mutex error_mutex_;
    std::exception_ptr error_;
    std::atomic<bool> stop_{false};
    std::mutex sleep_mutex_;           // for sleeping after the spin
    std::condition_variable wake_;     // a new loop (or stop)
    std::condition_variable finished_; // the last task of a loop is done
};

// Runs fn(begin, end) over [0, n) cut into one fixed range per thread of pool (null: one
// range), so which rows go together depends on n and the pool's size only.
template <class Fn>
void parallel_ranges(ThreadPool* pool, int n, Fn&& fn) {
    const int parts = pool ? std::min(pool->size(), n) : 1;
    if (parts <= 1) return fn(0, n);
    pool->parallel_for(size_t(parts), [&](size_t task, int) {
        const int t = int(task);
        fn(n * t / parts, n * (t + 1) / parts);
    });
}

} // namespace kmlm
