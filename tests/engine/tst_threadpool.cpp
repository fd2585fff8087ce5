// ThreadPool: every task runs exactly once on a valid thread index, with more threads than
// cores (the machine is shared), many short loops in a row, exceptions, nesting and two
// callers at once.
#include "kmlm_test.h"

#include "kmlm/threadpool.h"

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace kmlm;

class TestThreadPool : public QObject {
    Q_OBJECT
private slots:
    void everyTaskOnce_data();
    void everyTaskOnce();
    void manyShortLoops();
    void exceptionsPropagate();
    void nestedLoopsRunSerially();
    void twoCallers();
    void defaultSize();
};

void TestThreadPool::everyTaskOnce_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("tasks");
    for (int threads : {1, 2, 3, 16})
        for (int tasks : {0, 1, 2, 7, 1000, 100000}) QTest::addRow("%d threads, %d tasks", threads, tasks) << threads << tasks;
}

void TestThreadPool::everyTaskOnce() {
    QFETCH(int, threads);
    QFETCH(int, tasks);
    ThreadPool pool(threads);
    QCOMPARE(pool.size(), threads);
    std::vector<std::atomic<int>> count(static_cast<size_t>(tasks));
    std::atomic<int> bad_thread{0};
    pool.parallel_for(size_t(tasks), [&](size_t t, int thread) {
        count[t].fetch_add(1);
        if (thread < 0 || thread >= threads) bad_thread.fetch_add(1);
    });
    for (int t = 0; t < tasks; ++t) QCOMPARE(count[size_t(t)].load(), 1);
    QCOMPARE(bad_thread.load(), 0);
}

// Thousands of tiny loops back to back: workers that wake late must not run a task of a
// loop that has ended, nor miss one.
void TestThreadPool::manyShortLoops() {
    for (int threads : {2, 8}) {
        ThreadPool pool(threads);
        std::vector<int> seen(64 * threads);
        long long total = 0;
        for (int loop = 0; loop < 3000; ++loop) {
            const size_t n = size_t(1 + loop % 7);
            std::fill(seen.begin(), seen.end(), 0);
            pool.parallel_for(n, [&](size_t t, int) { seen[t] += loop; });
            for (size_t t = 0; t < n; ++t) total += seen[t] == loop ? 1 : 0;
            if (loop % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2)); // let workers sleep
        }
        long long expected = 0;
        for (int loop = 0; loop < 3000; ++loop) expected += 1 + loop % 7;
        QCOMPARE(total, expected);
    }
}

void TestThreadPool::exceptionsPropagate() {
    ThreadPool pool(3);
    std::atomic<int> ran{0};
    KMLM_VERIFY_THROWS(std::runtime_error, pool.parallel_for(100, [&](size_t t, int) {
        ran.fetch_add(1);
        if (t == 42) throw std::runtime_error("task 42");
    }));
    QCOMPARE(ran.load(), 100); // the others still ran
    std::atomic<int> after{0};
    pool.parallel_for(10, [&](size_t, int) { after.fetch_add(1); });
    QCOMPARE(after.load(), 10);
}

void TestThreadPool::nestedLoopsRunSerially() {
    ThreadPool pool(4);
    std::atomic<int> inner{0};
    pool.parallel_for(8, [&](size_t, int outer_thread) {
        pool.parallel_for(5, [&](size_t, int thread) {
            if (thread == outer_thread) inner.fetch_add(1);
        });
    });
    QCOMPARE(inner.load(), 40);
}

void TestThreadPool::twoCallers() {
    ThreadPool pool(2);
    std::atomic<long> sum{0};
    auto caller = [&] {
        for (int i = 0; i < 200; ++i) pool.parallel_for(10, [&](size_t t, int) { sum.fetch_add(long(t)); });
    };
    std::thread a(caller), b(caller);
    a.join();
    b.join();
    QCOMPARE(sum.load(), 2L * 200 * 45);
}

void TestThreadPool::defaultSize() {
    ThreadPool pool(0);
    QCOMPARE(pool.size(), int(std::max(1u, std::thread::hardware_concurrency())));
}

QTEST_GUILESS_MAIN(TestThreadPool)
#include "tst_threadpool.moc"
