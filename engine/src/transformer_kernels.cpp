// Block decoding (ggml's layouts) and a row-parallel matrix product: each weight row is
// decoded once and used for every token of the batch.
#include "transformer_kernels.h"

#include "kmlm/error.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace kmlm {
namespace {

float f16(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    const uint32_t sign = uint32_t(h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0) v = std::ldexp(float(mant), -24);
    else if (exp == 31) v = mant ? NAN : INFINITY;
    else v = std::ldexp(float(mant | 0x400u), int(exp) - 25);
    return sign ? -v : v;
}

void scale_min_k4(int j, const uint8_t* q, uint8_t& d, uint8_t& m) {
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

void q4_0(const uint8_t* b, float* y) { // fp16 d, 16 bytes of nibbles
    const float d = f16(b);
    for (int j = 0; j < 16; ++j) {
        y[j] = float((b[2 + j] & 0xF) - 8) * d;
        y[j + 16] = float((b[2 + j] >> 4) - 8) * d;
    }
}
void q4_1(const uint8_t* b, float* y) { // fp16 d, fp16 m, 16 bytes
    const float d = f16(b), m = f16(b + 2);
    for (int j = 0; j < 16; ++j) {
        y[j] = float(b[4 + j] & 0xF) * d + m;
        y[j + 16] = float(b[4 + j] >> 4) * d + m;
    }
}
void q5_0(const uint8_t* b, float* y) { // fp16 d, 4 bytes high bits, 16 bytes
    const float d = f16(b);
    uint32_t qh;
    std::memcpy(&qh, b + 2, 4);
    for (int j = 0; j < 16; ++j) {
        const int x0 = ((b[6 + j] & 0xF) | (((qh >> j) << 4) & 0x10)) - 16;
        const int x1 = ((b[6 + j] >> 4) | ((qh >> (j + 12)) & 0x10)) - 16;
        y[j] = float(x0) * d;
        y[j + 16] = float(x1) * d;
    }
}
void q8_0(const uint8_t* b, float* y) {
    const float d = f16(b);
    for (int j = 0; j < 32; ++j) y[j] = float(int8_t(b[2 + j])) * d;
}
void q4_k(const uint8_t* b, float* y) { // d, dmin, scales[12], qs[128]
    const float d = f16(b), dmin = f16(b + 2);
    const uint8_t* scales = b + 4;
    const uint8_t* q = b + 16;
    for (int j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
        uint8_t sc, m;
        scale_min_k4(is, scales, sc, m);
        const float d1 = d * sc, m1 = dmin * m;
        scale_min_k4(is + 1, scales, sc, m);
        const float d2 = d * sc, m2 = dmin * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * float(q[l] & 0xF) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * float(q[l] >> 4) - m2;
    }
}
void q5_k(const uint8_t* b, float* y) { // d, dmin, scales[12], qh[32], qs[128]
    const float d = f16(b), dmin = f16(b + 2);
    const uint8_t* scales = b + 4;
    const uint8_t* qh = b + 16;
    const uint8_t* ql = b + 48;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0, is = 0; j < 256; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
        uint8_t sc, m;
        scale_min_k4(is, scales, sc, m);
        const float d1 = d * sc, m1 = dmin * m;
        scale_min_k4(is + 1, scales, sc, m);
        const float d2 = d * sc, m2 = dmin * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * float((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * float((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
}
void q6_k(const uint8_t* b, float* y) { // ql[128], qh[64], scales[16], d
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
    const float d = f16(b + 208);
    for (int n = 0; n < 256; n += 128, y += 128, ql += 64, qh += 32, sc += 8)
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = int((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * sc[is] * q1;
            y[l + 32] = d * sc[is + 2] * q2;
            y[l + 64] = d * sc[is + 4] * q3;
            y[l + 96] = d * sc[is + 6] * q4;
        }
}

} // namespace

void dequantize_row(GgmlType type, const uint8_t* src, float* dst, size_t n) {
    const TypeTraits& t = type_traits(type);
    const size_t blocks = n / t.block_size;
    using Block = void (*)(const uint8_t*, float*);
    Block f = nullptr;
    switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, n * 4); return;
    case GgmlType::F16: for (size_t i = 0; i < n; ++i) dst[i] = f16(src + 2 * i); return;
    case GgmlType::BF16:
        for (size_t i = 0; i < n; ++i) {
            uint32_t bits = uint32_t(src[2 * i] | (src[2 * i + 1] << 8)) << 16;
            std::memcpy(dst + i, &bits, 4);
        }
        return;
    case GgmlType::Q4_0: f = q4_0; break;
    case GgmlType::Q4_1: f = q4_1; break;
    case GgmlType::Q5_0: f = q5_0; break;
    case GgmlType::Q8_0: f = q8_0; break;
    case GgmlType::Q4_K: f = q4_k; break;
    case GgmlType::Q5_K: f = q5_k; break;
    case GgmlType::Q6_K: f = q6_k; break;
    default: throw FormatError("no kernel for tensor type " + std::string(t.name));
    }
    for (size_t b = 0; b < blocks; ++b) f(src + b * t.type_size, dst + b * t.block_size);
}

void matmul(ThreadPool& pool, GgmlType type, const uint8_t* w, uint32_t rows, uint32_t cols,
            const float* x, uint32_t n, float* y) {
    const size_t rb = row_bytes(type, cols);
    constexpr uint32_t kRowsPerTask = 16;
    std::vector<std::vector<float>> row(pool.size(), std::vector<float>(cols));
    pool.parallel_for((rows + kRowsPerTask - 1) / kRowsPerTask, [&](size_t task, int thread) {
        float* r = row[thread].data();
        const uint32_t end = std::min<uint32_t>(rows, uint32_t(task + 1) * kRowsPerTask);
        for (uint32_t i = uint32_t(task) * kRowsPerTask; i < end; ++i) {
            dequantize_row(type, w + i * rb, r, cols);
            for (uint32_t t = 0; t < n; ++t) {
                const float* xt = x + size_t(t) * cols;
                float sum = 0;
                for (uint32_t c = 0; c < cols; ++c) sum += r[c] * xt[c];
                y[size_t(t) * rows + i] = sum;
            }
        }
    });
}

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads <= 0) n_threads = int(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    start_.notify_all();
    for (auto& t : workers_) t.join();
}

void ThreadPool::work(int thread) {
    uint64_t seen = 0;
    for (;;) {
        std::unique_lock lock(mutex_);
        start_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        while (next_ < n_tasks_) {
            const size_t task = next_++;
            lock.unlock();
            (*job_)(task, thread);
            lock.lock();
        }
        if (--running_ == 0) done_.notify_all();
    }
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t, int)>& f) {
    if (workers_.empty() || n == 1) {
        for (size_t i = 0; i < n; ++i) f(i, 0);
        return;
    }
    std::unique_lock lock(mutex_);
    job_ = &f;
    n_tasks_ = n;
    next_ = 0;
    running_ = int(workers_.size());
    ++generation_;
    start_.notify_all();
    while (next_ < n_tasks_) {
        const size_t task = next_++;
        lock.unlock();
        f(task, 0);
        lock.lock();
    }
    done_.wait(lock, [&] { return running_ == 0; });
}

} // namespace kmlm
