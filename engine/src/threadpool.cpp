// ThreadPool: a generation counter wakes the workers; tasks are claimed from a ticket that
// carries the generation, so a worker waking late can never take a task of a loop it did
// not see start (see threadpool.h).
#include "kmlm/threadpool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kmlm {
namespace {

// About 100 µs of spinning before sleeping: shorter than a scheduler tick, longer than the
// gap between two loops of one token.
constexpr int kSpinIterations = 1 << 12;

thread_local bool t_inside_task = false;
thread_local int t_thread = 0; // this thread's index inside a task

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// Waits until value != old: spins first, then sleeps on the signal's condition variable.
// The notifier changes value before taking the mutex, so a sleeper cannot miss it.
template <class T>
T wait_change(const std::atomic<T>& value, T old, std::mutex& m, std::condition_variable& cv) {
    for (int i = 0; i < kSpinIterations; ++i) {
        const T now = value.load(std::memory_order_acquire);
        if (now != old) return now;
        cpu_relax();
    }
    std::unique_lock lock(m);
    T now;
    while ((now = value.load(std::memory_order_acquire)) == old) cv.wait(lock);
    return now;
}

void notify(std::mutex& m, std::condition_variable& cv) {
    { std::lock_guard lock(m); }
    cv.notify_all();
}

} // namespace

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads <= 0) n_threads = int(std::max(1u, std::thread::hardware_concurrency()));
    workers_.reserve(size_t(n_threads - 1));
    for (int t = 1; t < n_threads; ++t) workers_.emplace_back([this, t] { worker_main(t); });
}

ThreadPool::~ThreadPool() {
    stop_.store(true);
    generation_.fetch_add(1);
    notify(sleep_mutex_, wake_);
    for (auto& w : workers_) w.join();
}

bool ThreadPool::claim(uint32_t gen, size_t& task) {
    uint64_t t = ticket_.load(std::memory_order_acquire);
    for (;;) {
        if (uint32_t(t >> 32) != gen || (t & 0xffffffffu) >= n_tasks_) return false;
        if (ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel)) {
            task = size_t(t & 0xffffffffu);
            return true;
        }
    }
}

void ThreadPool::run_tasks(uint32_t gen, int thread) {
    size_t task;
    while (claim(gen, task)) {
        // Claiming a task of this generation means the loop cannot end before we report
        // it done, so fn_ and n_tasks_ stay valid until then.
        t_inside_task = true;
        t_thread = thread;
        try {
            (*fn_)(task, thread);
        } catch (...) {
            std::lock_guard lock(error_mutex_);
            if (!error_) error_ = std::current_exception();
        }
        t_inside_task = false;
        if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_tasks_) notify(sleep_mutex_, finished_);
    }
}

void ThreadPool::worker_main(int thread) {
    uint32_t seen = 0; // the value at construction: a loop (or stop) before this thread ran still counts
    for (;;) {
        seen = wait_change(generation_, seen, sleep_mutex_, wake_);
        if (stop_.load()) return;
        run_tasks(seen, thread);
    }
}

void ThreadPool::parallel_for(size_t n_tasks, const std::function<void(size_t, int)>& fn) {
    if (n_tasks == 0) return;
    if (t_inside_task) { // nested: this thread runs the inner loop alone
        for (size_t i = 0; i < n_tasks; ++i) fn(i, t_thread);
        return;
    }
    std::lock_guard lock(busy_);
    if (n_tasks == 1 || workers_.empty() || n_tasks >= (size_t(1) << 32)) {
        for (size_t i = 0; i < n_tasks; ++i) fn(i, 0);
        return;
    }
    const uint32_t gen = generation_.load() + 1;
    // Close the previous loop's ticket before n_tasks_ changes: a worker still claiming in
    // the old loop would otherwise compare its old ticket with the new count and take a
    // stray task, pushing done_ past n_tasks.
    ticket_.store(uint64_t(gen) << 32 | 0xffffffffu, std::memory_order_release);
    fn_ = &fn;
    n_tasks_ = n_tasks;
    done_.store(0);
    error_ = nullptr;
    ticket_.store(uint64_t(gen) << 32, std::memory_order_release);
    generation_.store(gen, std::memory_order_release);
    notify(sleep_mutex_, wake_);

    run_tasks(gen, 0);
    size_t done = done_.load(std::memory_order_acquire);
    while (done != n_tasks) done = wait_change(done_, done, sleep_mutex_, finished_);
    if (error_) std::rethrow_exception(error_);
}

} // namespace kmlm
