// Kernel dispatch (one table per instruction set, chosen once) and the threaded matrix
// product on top of the per-type dot kernels.
#include "kmlm/kernels.h"

#include "kernels_impl.h"
#include "kmlm/cpu.h"
#include "kmlm/error.h"
#include "kmlm/threadpool.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {
namespace {

const KernelTable* table_for(Isa isa) {
    const CpuFeatures& f = cpu_features();
    switch (isa) {
    case Isa::Scalar: return &scalar_kernel_table();
    case Isa::Avx2: return f.avx2 && f.fma && f.f16c ? avx2_kernel_table() : nullptr;
    case Isa::Avx512:
        return f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni && f.avx2 && f.fma && f.f16c ? avx512_kernel_table()
                                                                                                                : nullptr;
    }
    return nullptr;
}

// The best table the CPU has, capped by $KMLM_ISA.
const KernelTable* initial_table() {
    Isa cap = Isa::Avx512;
    if (const char* env = std::getenv("KMLM_ISA")) {
        const std::string_view v(env);
        if (v == "scalar")
            cap = Isa::Scalar;
        else if (v == "avx2")
            cap = Isa::Avx2;
    }
    for (Isa isa : {Isa::Avx512, Isa::Avx2})
        if (int(isa) <= int(cap))
            if (const KernelTable* t = table_for(isa)) return t;
    return &scalar_kernel_table();
}

std::atomic<const KernelTable*> g_table{nullptr};

} // namespace

const KernelTable& active_kernels() {
    const KernelTable* t = g_table.load(std::memory_order_acquire);
    if (!t) {
        t = initial_table();
        g_table.store(t, std::memory_order_release);
    }
    return *t;
}

Isa active_isa() { return active_kernels().isa; }

const char* isa_name(Isa isa) {
    switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
    }
    return "?";
}

bool set_isa(Isa isa) {
    const KernelTable* t = table_for(isa);
    if (!t) return false;
    g_table.store(t, std::memory_order_release);
    return true;
}

size_t act_row_bytes(ActFormat f, uint64_t n) {
    switch (f) {
    case ActFormat::F32: return n * sizeof(float);
    case ActFormat::Q8_0: return row_bytes(GgmlType::Q8_0, n);
    case ActFormat::Q8_K: return row_bytes(GgmlType::Q8_K, n);
    case ActFormat::Q8_S: return n + n / 32 * 2 * sizeof(float);
    }
    return 0;
}

bool has_matmul(GgmlType type) {
    const auto id = uint32_t(type);
    return id < kTypeSlots && active_kernels().dot[id] != nullptr;
}

namespace {

// Weight rows per task: enough tasks for threads that run at different speeds to even out,
// few enough that handing them out costs nothing next to the work.
uint64_t rows_per_task(uint64_t rows, int threads) {
    const uint64_t target_tasks = uint64_t(threads) * 16;
    return std::clamp<uint64_t>(rows / target_tasks, 4, 64);
}

} // namespace

void matmul(ThreadPool& pool, GgmlType type, const void* w, uint64_t rows, uint64_t n, const float* x, uint64_t m, float* y) {
    if (!has_matmul(type)) throw InvalidArgument("no matrix kernel for tensor type " + std::string(type_traits(type).name));
    const uint64_t rb = row_bytes(type, n);
    if (rows == 0 || m == 0) return;
    const KernelTable& k = active_kernels();
    const DotFn dot = k.dot[uint32_t(type)];

    // X as the kernel wants it: floats as they are, or one 8-bit quantized row per row of X.
    const ActFormat act = k.act[uint32_t(type)];
    const void* xq = x;
    const size_t xs = act_row_bytes(act, n);
    thread_local std::vector<uint8_t> scratch;
    if (act != ActFormat::F32) {
        scratch.resize(xs * m);
        uint8_t* buf = scratch.data(); // the workers must not name the caller's thread_local
        auto quantize = act == ActFormat::Q8_0 ? k.quantize_q8_0 : act == ActFormat::Q8_K ? k.quantize_q8_K : k.quantize_q8_s;
        auto one = [&](size_t i, int) { quantize(x + i * n, buf + i * xs, int64_t(n)); };
        if (m >= 4)
            pool.parallel_for(m, one);
        else
            for (uint64_t i = 0; i < m; ++i) one(i, 0);
        xq = buf;
    }

    const auto* wb = static_cast<const uint8_t*>(w);
    const auto* xb = static_cast<const uint8_t*>(xq);
    const uint64_t chunk = rows_per_task(rows, pool.size());
    pool.parallel_for((rows + chunk - 1) / chunk, [&](size_t task, int) {
        const uint64_t r0 = task * chunk, r1 = std::min(rows, r0 + chunk);
        // The chunk's weight rows stay in cache while every group of X rows passes by.
        for (uint64_t i0 = 0; i0 < m; i0 += kMaxNx) {
            const int nx = int(std::min<uint64_t>(kMaxNx, m - i0));
            for (uint64_t r = r0; r < r1; ++r) {
                float s[kMaxNx];
                dot(int64_t(n), wb + r * rb, xb + i0 * xs, xs, nx, s);
                for (int j = 0; j < nx; ++j) y[(i0 + j) * rows + r] = s[j];
            }
        }
    });
}

void sgemm(ThreadPool* pool, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
    const SgemmFn fn = active_kernels().sgemm;
    const int n_threads = pool ? pool->size() : 1;
    const long work = long(M) * N * K;
    if (n_threads == 1 || work < 200'000) return fn(M, N, K, A, lda, B, ldb, C, ldc);
    // The longer side in one range per thread, on the kernel's tile boundaries (8 rows, 32 columns).
    if (M >= 8 * n_threads) {
        const int step = (M / n_threads + 7) / 8 * 8;
        pool->parallel_for(size_t(n_threads), [&](size_t task, int) {
            const int i0 = std::min(M, int(task) * step), i1 = std::min(M, i0 + step);
            if (i1 > i0) fn(i1 - i0, N, K, A + long(i0) * lda, lda, B, ldb, C + long(i0) * ldc, ldc);
        });
    } else {
        const int step = (N / n_threads + 31) / 32 * 32;
        pool->parallel_for(size_t(n_threads), [&](size_t task, int) {
            const int j0 = std::min(N, int(task) * step), j1 = std::min(N, j0 + step);
            if (j1 > j0) fn(M, j1 - j0, K, A, lda, B + j0, ldb, C + j0, ldc);
        });
    }
}

void transpose(const float* src, int rows, int cols, float* dst) {
    constexpr int kB = 32; // blocked so both sides stay in cache
    for (int i0 = 0; i0 < rows; i0 += kB)
        for (int j0 = 0; j0 < cols; j0 += kB)
            for (int i = i0; i < std::min(rows, i0 + kB); ++i)
                for (int j = j0; j < std::min(cols, j0 + kB); ++j) dst[long(j) * rows + i] = src[long(i) * cols + j];
}

float dot_f32(const float* a, const float* b, size_t n) { return active_kernels().dot_f32(a, b, n); }
float dot_f16(const uint16_t* a, const float* b, size_t n) { return active_kernels().dot_f16(a, b, n); }
float dot_q8_0(const void* a, const float* b, size_t n) { return active_kernels().dot_q8_0(a, b, n); }
void axpy_f32(float alpha, const float* x, float* y, size_t n) { active_kernels().axpy_f32(alpha, x, y, n); }
void axpy_f16(float alpha, const uint16_t* x, float* y, size_t n) { active_kernels().axpy_f16(alpha, x, y, n); }
void axpy_q8_0(float alpha, const void* x, float* y, size_t n) { active_kernels().axpy_q8_0(alpha, x, y, n); }

namespace {

// The table's kernel for cache rows of this type: f32, f16 or q8_0.
template <class Fn>
Fn rows_kernel(GgmlType type, Fn f32, Fn f16, Fn q8_0, const char* what) {
    const Fn fn = type == GgmlType::F32 ? f32 : type == GgmlType::F16 ? f16 : type == GgmlType::Q8_0 ? q8_0 : nullptr;
    if (!fn) throw InvalidArgument(std::string(what) + ": no kernel for " + std::string(type_traits(type).name));
    return fn;
}

} // namespace

void dot_rows(GgmlType type, const void* rows, size_t stride, size_t n_rows, const float* q, size_t head_dim, float* scores) {
    const KernelTable& k = active_kernels();
    rows_kernel(type, k.dot_rows_f32, k.dot_rows_f16, k.dot_rows_q8_0, "dot_rows")(static_cast<const uint8_t*>(rows), stride, n_rows, q,
                                                                                   head_dim, scores);
}

void axpy_rows(GgmlType type, const void* rows, size_t stride, size_t n_rows, const float* weights, size_t head_dim, float* out) {
    const KernelTable& k = active_kernels();
    rows_kernel(type, k.axpy_rows_f32, k.axpy_rows_f16, k.axpy_rows_q8_0, "axpy_rows")(static_cast<const uint8_t*>(rows), stride, n_rows,
                                                                                       weights, head_dim, out);
}

void softmax(float* x, size_t n) { active_kernels().softmax(x, n); }
void silu(float* x, size_t n) { active_kernels().silu(x, n); }
void swiglu(float* y, const float* gate, size_t n) { active_kernels().swiglu(y, gate, n); }
void gelu(float* x, size_t n) { active_kernels().gelu(x, n); }

// The sums run in double: n is up to a few thousand and the result scales every element.
void rms_norm(const float* x, const float* w, float* out, size_t n, float eps) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += double(x[i]) * x[i];
    const float scale = float(1.0 / std::sqrt(sum / double(n) + eps));
    if (w)
        for (size_t i = 0; i < n; ++i) out[i] = x[i] * scale * w[i];
    else
        for (size_t i = 0; i < n; ++i) out[i] = x[i] * scale;
}

void layer_norm(const float* x, const float* w, const float* b, float* out, size_t n, float eps) {
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; ++i) mean += x[i];
    mean /= double(n);
    for (size_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
    const float scale = float(1.0 / std::sqrt(var / double(n) + eps));
    const float fmean = float(mean);
    for (size_t i = 0; i < n; ++i) {
        float v = (x[i] - fmean) * scale;
        if (w) v *= w[i];
        if (b) v += b[i];
        out[i] = v;
    }
}

void rope_rotate(float* x, size_t n_rot, bool neox, const float* cos, const float* sin) {
    const size_t half = n_rot / 2;
    if (neox) {
        for (size_t i = 0; i < half; ++i) {
            const float x0 = x[i], x1 = x[i + half];
            x[i] = x0 * cos[i] - x1 * sin[i];
            x[i + half] = x0 * sin[i] + x1 * cos[i];
        }
    } else {
        for (size_t i = 0; i < half; ++i) {
            const float x0 = x[2 * i], x1 = x[2 * i + 1];
            x[2 * i] = x0 * cos[i] - x1 * sin[i];
            x[2 * i + 1] = x0 * sin[i] + x1 * cos[i];
        }
    }
}

} // namespace kmlm
