// Kernels: for every weight type and every instruction set the CPU has, matmul agrees with
// the scalar reference and with a float product of the dequantized weights; matmul equals
// repeated matvec; results do not depend on the thread count; the float helpers agree with
// plain formulas.
#include "kmlm_test.h"
#include "test_data.h"

#include "kmlm/error.h"
#include "kmlm/kernels.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"

#include <array>
#include <cmath>
#include <random>

using namespace kmlm;

Q_DECLARE_METATYPE(kmlm::GgmlType)
Q_DECLARE_METATYPE(kmlm::Isa)

namespace {

using kmlm_test::gaussian;

struct Weights {
    std::vector<uint8_t> bytes;
    std::vector<float> dequantized; // rows × n
};

Weights makeWeights(GgmlType type, uint64_t rows, uint64_t n, uint32_t seed) {
    const auto w = gaussian(rows * n, seed, 0.05f);
    Weights out;
    out.bytes = quantize_tensor(type, w.data(), rows, n);
    out.dequantized.resize(rows * n);
    for (uint64_t r = 0; r < rows; ++r) dequantize_row(type, out.bytes.data() + r * row_bytes(type, n), out.dequantized.data() + r * n, n);
    return out;
}

std::vector<float> runMatmul(Isa isa, int threads, GgmlType type, const Weights& w, uint64_t rows, uint64_t n, const std::vector<float>& x,
                             uint64_t m) {
    set_isa(isa);
    ThreadPool pool(threads);
    std::vector<float> y(m * rows, NAN);
    matmul(pool, type, w.bytes.data(), rows, n, x.data(), m, y.data());
    return y;
}

const GgmlType kTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0,   GgmlType::Q4_0,
                           GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL, GgmlType::Q2_K,
                           GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K,   GgmlType::IQ4_XS};

bool isK(GgmlType t) { return type_traits(t).block_size == 256; }

} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    void matmulAgrees_data();
    void matmulAgrees();
    void threadCountDoesNotMatter();
    void badArguments();
    void sgemmAgrees();
    void floatHelpers_data();
    void floatHelpers();
    void softmaxAndActivations_data();
    void softmaxAndActivations();
    void norms();
    void rope();
};

void TestKernels::matmulAgrees_data() {
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<Isa>("isa");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("n");
    for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Scalar}) {
        if (!set_isa(isa)) continue;
        for (GgmlType t : kTypes) {
            const std::vector<int> sizes = isK(t) ? std::vector<int>{256, 512, 4352} : std::vector<int>{32, 96, 256, 4128};
            for (int n : sizes)
                for (int rows : n > 4096 ? std::vector<int>{5} : std::vector<int>{1, 7, 67})
                    QTest::addRow("%s %s %dx%d", isa_name(isa), type_traits(t).name.data(), rows, n) << t << isa << rows << n;
        }
    }
    set_isa(Isa::Avx512) || set_isa(Isa::Avx2);
}

// For m = 1..9 rows of X (all tile sizes and remainders):
//  - the ISA's result equals the scalar reference up to float summation order;
//  - the scalar result is the float product of the dequantized weights, up to the 8-bit
//    rounding of X (at most half a step of each activation block, i.e. amax/254 per element);
//  - every row of a matmul equals a matvec of that row alone (bit for bit).
void TestKernels::matmulAgrees() {
    QFETCH(GgmlType, type);
    QFETCH(Isa, isa);
    QFETCH(int, rows);
    QFETCH(int, n);
    const Weights w = makeWeights(type, rows, n, uint32_t(rows * 131 + n));
    const uint64_t m = 9;
    const auto x = gaussian(m * n, 99);
    const auto y = runMatmul(isa, 2, type, w, rows, n, x, m);
    const auto ref = runMatmul(Isa::Scalar, 1, type, w, rows, n, x, m);
    for (uint64_t i = 0; i < m; ++i) {
        const float* xi = x.data() + i * n;
        std::vector<float> yi(rows);
        set_isa(isa);
        ThreadPool pool(2);
        matvec(pool, type, w.bytes.data(), rows, n, xi, yi.data());
        float amax = 0;
        for (int k = 0; k < n; ++k) amax = std::max(amax, std::fabs(xi[k]));
        for (int r = 0; r < rows; ++r) {
            const float* wr = w.dequantized.data() + size_t(r) * n;
            double exact = 0, abs_sum = 0, w_abs = 0;
            for (int k = 0; k < n; ++k) {
                exact += double(wr[k]) * xi[k];
                abs_sum += std::fabs(double(wr[k]) * xi[k]);
                w_abs += std::fabs(wr[k]);
            }
            const float got = y[i * rows + r], scalar = ref[i * rows + r];
            QCOMPARE(yi[r], got);
            const double tol_simd = 1e-5 * abs_sum + 1e-6;
            if (std::fabs(got - scalar) > tol_simd)
                QFAIL(qPrintable(QString("row %1 of X %2: %3 vs scalar %4").arg(r).arg(i).arg(got).arg(scalar)));
            const bool quantized_x = type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16;
            const double tol_exact = (quantized_x ? w_abs * amax / 254 * 1.05 : 0) + 1e-5 * abs_sum + 1e-6;
            if (std::fabs(scalar - exact) > tol_exact)
                QFAIL(qPrintable(
                    QString("row %1 of X %2: scalar %3 vs exact %4 (tolerance %5)").arg(r).arg(i).arg(scalar).arg(exact).arg(tol_exact)));
        }
    }
}

// Rows are split over threads in chunks; the result is the same for any thread count,
// including more threads than cores and row counts that leave a partial chunk.
void TestKernels::threadCountDoesNotMatter() {
    for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::F16}) {
        const uint64_t rows = 1000 + 3, n = 512, m = 5;
        const Weights w = makeWeights(type, rows, n, 5);
        const auto x = gaussian(m * n, 6);
        const Isa isa = active_isa();
        const auto one = runMatmul(isa, 1, type, w, rows, n, x, m);
        for (int threads : {2, 3, 8, 16}) QVERIFY(runMatmul(isa, threads, type, w, rows, n, x, m) == one);
    }
}

void TestKernels::badArguments() {
    ThreadPool pool(1);
    std::vector<uint8_t> w(4096);
    std::vector<float> x(256), y(4);
    KMLM_VERIFY_THROWS(InvalidArgument, matvec(pool, GgmlType::Q8_1, w.data(), 1, 256, x.data(), y.data()));
    KMLM_VERIFY_THROWS(FormatError, matvec(pool, GgmlType::Q4_K, w.data(), 1, 128, x.data(), y.data()));
    KMLM_VERIFY_THROWS(FormatError, matvec(pool, GgmlType::Q4_0, w.data(), 1, 48, x.data(), y.data()));
    QVERIFY(has_matmul(GgmlType::Q6_K));
    QVERIFY(has_matmul(GgmlType::IQ4_XS));
    QVERIFY(!has_matmul(GgmlType::Q8_1));
}

// The float GEMM of every instruction set adds A·B to C as a double product does, on shapes
// that leave partial tiles (an 8-row tile, then a 4-row one, then single rows; columns not a
// multiple of 32) and with leading dimensions wider than the rows; one thread or several
// give the same bits.
void TestKernels::sgemmAgrees() {
    const Isa saved = active_isa();
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
        if (!set_isa(isa)) continue;
        for (auto [M, N, K] :
             {std::array{1, 7, 5}, std::array{6, 45, 33}, std::array{67, 100, 130}, std::array{13, 64, 40}, std::array{5, 300, 700}}) {
            const int lda = K + 3, ldb = N + 2, ldc = N + 1;
            const auto A = gaussian(size_t(M) * lda, 11), B = gaussian(size_t(K) * ldb, 12), C0 = gaussian(size_t(M) * ldc, 13);
            std::vector<float> one = C0;
            sgemm(nullptr, M, N, K, A.data(), lda, B.data(), ldb, one.data(), ldc);
            for (int i = 0; i < M; ++i)
                for (int j = 0; j < N; ++j) {
                    double exact = C0[size_t(i) * ldc + j], abs_sum = std::fabs(exact);
                    for (int k = 0; k < K; ++k) {
                        const double p = double(A[size_t(i) * lda + k]) * B[size_t(k) * ldb + j];
                        exact += p;
                        abs_sum += std::fabs(p);
                    }
                    const float got = one[size_t(i) * ldc + j];
                    if (std::fabs(got - exact) > 1e-5 * abs_sum + 1e-6)
                        QFAIL(qPrintable(QString("%1 %2x%3x%4 [%5,%6]: %7 vs %8")
                                             .arg(isa_name(isa))
                                             .arg(M)
                                             .arg(N)
                                             .arg(K)
                                             .arg(i)
                                             .arg(j)
                                             .arg(got)
                                             .arg(exact)));
                }
            for (int threads : {2, 3}) {
                ThreadPool pool(threads);
                std::vector<float> c = C0;
                sgemm(&pool, M, N, K, A.data(), lda, B.data(), ldb, c.data(), ldc);
                QVERIFY(c == one);
            }
        }
    }
    set_isa(saved);
    std::vector<float> src(6 * 35), dst(src.size());
    for (size_t i = 0; i < src.size(); ++i) src[i] = float(i);
    transpose(src.data(), 6, 35, dst.data());
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 35; ++j) QCOMPARE(dst[size_t(j) * 6 + i], src[size_t(i) * 35 + j]);
}

void TestKernels::floatHelpers_data() {
    QTest::addColumn<Isa>("isa");
    QTest::addColumn<int>("n");
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
        if (!set_isa(isa)) continue;
        for (int n : {32, 64, 128, 4096}) QTest::addRow("%s n=%d", isa_name(isa), n) << isa << n;
    }
}

// The attention helpers over F16 and Q8_0 KV-cache rows agree with dequantize + float loops.
void TestKernels::floatHelpers() {
    QFETCH(Isa, isa);
    QFETCH(int, n);
    QVERIFY(set_isa(isa));
    const auto a = gaussian(n, 1), b = gaussian(n, 2);
    for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::Q8_0}) {
        std::vector<uint8_t> q(row_bytes(type, n));
        quantize_row(type, a.data(), q.data(), n);
        std::vector<float> ad(n);
        dequantize_row(type, q.data(), ad.data(), n);
        double exact = 0, abs_sum = 0;
        for (int i = 0; i < n; ++i) {
            exact += double(ad[i]) * b[i];
            abs_sum += std::fabs(double(ad[i]) * b[i]);
        }
        const float got = type == GgmlType::F32   ? dot_f32(a.data(), b.data(), n)
                          : type == GgmlType::F16 ? dot_f16(reinterpret_cast<const uint16_t*>(q.data()), b.data(), n)
                                                  : dot_q8_0(q.data(), b.data(), n);
        QVERIFY2(std::fabs(got - exact) <= 1e-5 * abs_sum, type_traits(type).name.data());

        std::vector<float> y = b;
        if (type == GgmlType::F32)
            axpy_f32(0.5f, a.data(), y.data(), n);
        else if (type == GgmlType::F16)
            axpy_f16(0.5f, reinterpret_cast<const uint16_t*>(q.data()), y.data(), n);
        else
            axpy_q8_0(0.5f, q.data(), y.data(), n);
        for (int i = 0; i < n; ++i) QVERIFY(std::fabs(y[i] - (b[i] + 0.5f * ad[i])) <= 1e-6f * (1 + std::fabs(y[i])));
    }
}

void TestKernels::softmaxAndActivations_data() { floatHelpers_data(); }

void TestKernels::softmaxAndActivations() {
    QFETCH(Isa, isa);
    QFETCH(int, n);
    QVERIFY(set_isa(isa));
    auto x = gaussian(size_t(n) + 3, 3, 8.0f); // +3: a tail the vector loop does not cover
    x[0] = -100.0f, x[1] = 100.0f;
    const size_t len = x.size();

    std::vector<float> s = x;
    softmax(s.data(), len);
    double sum = 0, max = *std::max_element(x.begin(), x.end()), denom = 0;
    for (float v : x) denom += std::exp(double(v) - max);
    for (size_t i = 0; i < len; ++i) {
        sum += s[i];
        QVERIFY(std::fabs(s[i] - std::exp(double(x[i]) - max) / denom) <= 1e-6 + 1e-5 * s[i]);
    }
    QVERIFY(std::fabs(sum - 1.0) < 1e-5);

    std::vector<float> si = x, ge = x, sw(len, 2.0f);
    silu(si.data(), len);
    gelu(ge.data(), len);
    swiglu(sw.data(), x.data(), len);
    for (size_t i = 0; i < len; ++i) {
        const double v = x[i];
        const double want_silu = v / (1 + std::exp(-v));
        const double want_gelu = 0.5 * v * (1 + std::tanh(0.7978845608028654 * v * (1 + 0.044715 * v * v)));
        QVERIFY2(std::fabs(si[i] - want_silu) <= 1e-6 + 1e-5 * std::fabs(want_silu), qPrintable(QString::number(v)));
        QVERIFY2(std::fabs(ge[i] - want_gelu) <= 1e-6 + 1e-5 * std::fabs(want_gelu), qPrintable(QString::number(v)));
        QVERIFY(std::fabs(sw[i] - 2 * want_silu) <= 1e-6 + 1e-5 * std::fabs(2 * want_silu));
    }
}

void TestKernels::norms() {
    const std::vector<float> x = {1, 2, 3, 4}, w = {1, 1, 2, 0.5f}, b = {0, 1, 0, 0};
    std::vector<float> out(4);
    rms_norm(x.data(), w.data(), out.data(), 4, 0.0f);
    const float r = std::sqrt(30.0f / 4);
    for (int i = 0; i < 4; ++i) QVERIFY(std::fabs(out[i] - x[i] / r * w[i]) < 1e-6f);
    layer_norm(x.data(), w.data(), b.data(), out.data(), 4, 0.0f);
    const float sd = std::sqrt(1.25f);
    for (int i = 0; i < 4; ++i) QVERIFY(std::fabs(out[i] - ((x[i] - 2.5f) / sd * w[i] + b[i])) < 1e-6f);
    layer_norm(x.data(), nullptr, nullptr, out.data(), 4, 0.0f);
    QVERIFY(std::fabs(out[0] + 1.5f / sd) < 1e-6f);
}

// A quarter turn on each pair: normal mode rotates (x0, x1), neox mode (x0, x2).
void TestKernels::rope() {
    const float c[2] = {0.0f, 1.0f}, s[2] = {1.0f, 0.0f};
    std::vector<float> a = {1, 2, 3, 4, 5};
    rope_rotate(a.data(), 4, false, c, s);
    QCOMPARE(a, (std::vector<float>{-2, 1, 3, 4, 5}));
    std::vector<float> b = {1, 2, 3, 4, 5};
    rope_rotate(b.data(), 4, true, c, s);
    QCOMPARE(b, (std::vector<float>{-3, 2, 1, 4, 5}));
}

QTEST_GUILESS_MAIN(TestKernels)
#include "tst_kernels.moc"
