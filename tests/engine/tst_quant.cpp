// Tensor types: fp16/bf16 conversion, quantize/dequantize of every block format within the
// error its format allows, ggml's block layouts (known answers and real GGUF files), and
// the SIMD fp16 rows against the scalar conversion.
#include "kmlm_test.h"
#include "test_data.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/kernels.h"
#include "kmlm/quant.h"

#include <QFile>

#include <cmath>
#include <cstring>
#include <random>

using namespace kmlm;

Q_DECLARE_METATYPE(kmlm::GgmlType)

namespace {

// Weight-like data: a few outliers, as real weights have.
std::vector<float> gaussian(size_t n, uint32_t seed, float scale = 1.0f) { return kmlm_test::gaussian(n, seed, scale, 97); }

std::vector<float> roundTrip(GgmlType type, const std::vector<float>& x) {
    std::vector<uint8_t> q(row_bytes(type, x.size()));
    quantize_row(type, x.data(), q.data(), x.size());
    std::vector<float> y(x.size());
    dequantize_row(type, q.data(), y.data(), x.size());
    return y;
}

double rms(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += double(x) * x;
    return std::sqrt(s / double(v.size()));
}

double rmsDiff(const float* a, const float* b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += double(a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(s / double(n));
}

std::vector<float> dequantizeTensor(const gguf::GgufFile& f, const gguf::TensorInfo& t) {
    std::vector<float> out(t.n_elements);
    const uint64_t rb = row_bytes(t.type, t.dims[0]);
    for (uint64_t r = 0; r < t.rows(); ++r) dequantize_row(t.type, f.tensor_data(t) + r * rb, out.data() + r * t.dims[0], t.dims[0]);
    return out;
}

} // namespace

class TestQuant : public QObject {
    Q_OBJECT
private slots:
    void fp16KnownValues_data();
    void fp16KnownValues();
    void fp16RoundTripsEveryHalf();
    void fp16RowsMatchScalar();
    void bf16();
    void roundTripError_data();
    void roundTripError();
    void blockErrorBound_data();
    void blockErrorBound();
    void requantizeIsExact_data();
    void requantizeIsExact();
    void zerosAndConstants_data();
    void zerosAndConstants();
    void q4_0Layout();
    void q8_0Layout();
    void q4_KLayout();
    void q6_KLayout();
    void blockSizes();
    void q5_1Layout();
    void iq4_nlLayout();
    void q2_KLayout();
    void q3_KLayout();
    void iq4_xsLayout();
    void badArguments();
    void realFileAgreesAcrossTypes_data();
    void realFileAgreesAcrossTypes();
    void quantizerMatchesReferenceQuality_data();
    void quantizerMatchesReferenceQuality();
};

void TestQuant::fp16KnownValues_data() {
    QTest::addColumn<float>("value");
    QTest::addColumn<int>("bits");
    QTest::newRow("1") << 1.0f << 0x3C00;
    QTest::newRow("-2") << -2.0f << 0xC000;
    QTest::newRow("max") << 65504.0f << 0x7BFF;
    QTest::newRow("overflow") << 65520.0f << 0x7C00;
    QTest::newRow("smallest subnormal") << 5.9604645e-8f << 0x0001;
    QTest::newRow("underflow") << 2.0e-8f << 0x0000;
    QTest::newRow("tie to even down") << 1.0f + 1.0f / 2048 << 0x3C00;
    QTest::newRow("tie to even up") << 1.0f + 3.0f / 2048 << 0x3C02;
    QTest::newRow("-0") << -0.0f << 0x8000;
    QTest::newRow("inf") << INFINITY << 0x7C00;
}

void TestQuant::fp16KnownValues() {
    QFETCH(float, value);
    QFETCH(int, bits);
    QCOMPARE(int(fp32_to_fp16(value)), bits);
}

void TestQuant::fp16RoundTripsEveryHalf() {
    for (uint32_t h = 0; h < 65536; ++h) {
        const float f = fp16_to_fp32(uint16_t(h));
        if (std::isnan(f)) {
            QVERIFY((h & 0x7C00) == 0x7C00 && (h & 0x3FF));
            QVERIFY(std::isnan(fp16_to_fp32(fp32_to_fp16(f))));
            continue;
        }
        if (fp32_to_fp16(f) != h) QFAIL(qPrintable(QString("half 0x%1 does not round-trip").arg(h, 4, 16)));
    }
    QCOMPARE(fp16_to_fp32(0x3555), 0.33325195f);
    QCOMPARE(fp16_to_fp32(0x7C00), INFINITY);
    QCOMPARE(fp16_to_fp32(0x0001), 5.9604645e-8f);
}

// The F16C rows agree with the scalar conversion on every ISA the CPU has.
void TestQuant::fp16RowsMatchScalar() {
    std::vector<float> x = gaussian(1003, 1, 100.0f);
    x[0] = 1e-6f, x[1] = 70000.0f, x[2] = -1.0f - 1.0f / 2048;
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
        if (!set_isa(isa)) continue;
        std::vector<uint16_t> h(x.size());
        fp32_to_fp16_row(x.data(), h.data(), x.size());
        std::vector<float> back(x.size());
        fp16_to_fp32_row(h.data(), back.data(), h.size());
        for (size_t i = 0; i < x.size(); ++i) {
            QCOMPARE(h[i], fp32_to_fp16(x[i]));
            QCOMPARE(back[i], fp16_to_fp32(h[i]));
        }
    }
}

void TestQuant::bf16() {
    QCOMPARE(fp32_to_bf16(1.0f), uint16_t(0x3F80));
    QCOMPARE(bf16_to_fp32(0x3F80), 1.0f);
    QCOMPARE(bf16_to_fp32(0xC040), -3.0f);
    // 1 + 2^-8 lies halfway between two bf16 values: ties go to even.
    QCOMPARE(fp32_to_bf16(1.0f + 1.0f / 256), uint16_t(0x3F80));
    QCOMPARE(fp32_to_bf16(1.0f + 3.0f / 256), uint16_t(0x3F82));
    QVERIFY(std::isnan(bf16_to_fp32(fp32_to_bf16(NAN))));
    const auto x = gaussian(512, 2);
    const auto y = roundTrip(GgmlType::BF16, x);
    for (size_t i = 0; i < x.size(); ++i) QVERIFY(std::fabs(x[i] - y[i]) <= std::fabs(x[i]) / 256);
}

// RMS error relative to the RMS of Gaussian data. The bounds are the formats' step sizes:
// round-to-nearest with step Δ has RMS error Δ/√12, and Δ is about 2·3σ/(levels - 1) for
// a block of Gaussian values (K-quants fit scales per 16/32 values and do a little better).
void TestQuant::roundTripError_data() {
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<double>("bound");
    QTest::newRow("F16") << GgmlType::F16 << 0.0005;
    QTest::newRow("BF16") << GgmlType::BF16 << 0.004;
    QTest::newRow("Q8_0") << GgmlType::Q8_0 << 0.008;
    QTest::newRow("Q6_K") << GgmlType::Q6_K << 0.035;
    QTest::newRow("Q5_0") << GgmlType::Q5_0 << 0.07;
    QTest::newRow("Q5_K") << GgmlType::Q5_K << 0.06;
    QTest::newRow("Q4_0") << GgmlType::Q4_0 << 0.14;
    QTest::newRow("Q4_1") << GgmlType::Q4_1 << 0.12;
    QTest::newRow("Q4_K") << GgmlType::Q4_K << 0.12;
    QTest::newRow("Q5_1") << GgmlType::Q5_1 << 0.06;
    QTest::newRow("IQ4_NL") << GgmlType::IQ4_NL << 0.12;
    QTest::newRow("IQ4_XS") << GgmlType::IQ4_XS << 0.12;
    QTest::newRow("Q3_K") << GgmlType::Q3_K << 0.25;
    QTest::newRow("Q2_K") << GgmlType::Q2_K << 0.45;
    QTest::newRow("Q8_K") << GgmlType::Q8_K << 0.016; // one scale for 256 values
}

void TestQuant::roundTripError() {
    QFETCH(GgmlType, type);
    QFETCH(double, bound);
    const auto x = gaussian(256 * 64, 3, 0.02f);
    const auto y = roundTrip(type, x);
    const double rel = rmsDiff(x.data(), y.data(), x.size()) / rms(x);
    qInfo("%s: relative RMS error %.4f (bound %.4f)", type_traits(type).name.data(), rel, bound);
    QVERIFY(rel < bound);
}

// Round-to-nearest formats: every element is within half a step of its value (a whole step
// on the side that Q4_0/Q5_0 clamp), plus the rounding of d to fp16.
void TestQuant::blockErrorBound_data() {
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<double>("steps");
    QTest::newRow("Q8_0") << GgmlType::Q8_0 << 0.5;
    QTest::newRow("Q4_0") << GgmlType::Q4_0 << 1.0;
    QTest::newRow("Q5_0") << GgmlType::Q5_0 << 1.0;
    QTest::newRow("Q4_1") << GgmlType::Q4_1 << 0.5;
    QTest::newRow("Q5_1") << GgmlType::Q5_1 << 0.5;
}

void TestQuant::blockErrorBound() {
    QFETCH(GgmlType, type);
    QFETCH(double, steps);
    const auto x = gaussian(32 * 200, 4);
    std::vector<uint8_t> q(row_bytes(type, x.size()));
    quantize_row(type, x.data(), q.data(), x.size());
    std::vector<float> y(x.size());
    dequantize_row(type, q.data(), y.data(), x.size());
    const size_t bs = type_traits(type).type_size;
    for (size_t b = 0; b < x.size() / 32; ++b) {
        uint16_t d16;
        std::memcpy(&d16, q.data() + b * bs, 2); // d is the first field of each of these blocks
        const double d = std::fabs(fp16_to_fp32(d16));
        const double fp16_slack = 32 * d / 1024; // |q| ≤ 32 levels times fp16's relative error of d
        for (size_t i = 0; i < 32; ++i) {
            const double err = std::fabs(x[b * 32 + i] - y[b * 32 + i]);
            if (err > steps * d + fp16_slack)
                QFAIL(qPrintable(QString("block %1 element %2: error %3 > %4 steps of %5").arg(b).arg(i).arg(err).arg(steps).arg(d)));
        }
    }
}

// Dequantized values quantize back to the same bytes (the scale of the extreme element is
// recovered exactly): what ggml's rounding gives, so requantizing a file changes nothing.
void TestQuant::requantizeIsExact_data() {
    QTest::addColumn<GgmlType>("type");
    QTest::newRow("Q8_0") << GgmlType::Q8_0;
    QTest::newRow("Q4_0") << GgmlType::Q4_0;
    QTest::newRow("Q5_0") << GgmlType::Q5_0;
}

void TestQuant::requantizeIsExact() {
    QFETCH(GgmlType, type);
    const auto x = gaussian(32 * 64, 5);
    std::vector<uint8_t> q1(row_bytes(type, x.size())), q2(q1.size());
    quantize_row(type, x.data(), q1.data(), x.size());
    std::vector<float> y(x.size());
    dequantize_row(type, q1.data(), y.data(), x.size());
    quantize_row(type, y.data(), q2.data(), y.size());
    QVERIFY(q1 == q2);
}

void TestQuant::zerosAndConstants_data() {
    QTest::addColumn<GgmlType>("type");
    for (GgmlType t :
         {GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL,
          GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::Q8_K, GgmlType::IQ4_XS})
        QTest::newRow(type_traits(t).name.data()) << t;
}

// All-zero rows stay zero (no division by a zero scale) and constant rows stay close.
void TestQuant::zerosAndConstants() {
    QFETCH(GgmlType, type);
    const std::vector<float> zeros(512, 0.0f);
    for (float v : roundTrip(type, zeros)) QCOMPARE(v, 0.0f);
    const std::vector<float> constant(512, -0.75f);
    for (float v : roundTrip(type, constant)) QVERIFY(std::fabs(v + 0.75f) < 0.75f * 0.07f);
}

// ggml's Q4_0: fp16 d, then 16 bytes whose low nibbles are elements 0..15 and high nibbles
// elements 16..31; value = (q - 8) d.
void TestQuant::q4_0Layout() {
    uint8_t block[18];
    const uint16_t d = fp32_to_fp16(0.5f);
    std::memcpy(block, &d, 2);
    for (int j = 0; j < 16; ++j) block[2 + j] = uint8_t(j | ((15 - j) << 4));
    float y[32];
    dequantize_row(GgmlType::Q4_0, block, y, 32);
    for (int j = 0; j < 16; ++j) {
        QCOMPARE(y[j], (j - 8) * 0.5f);
        QCOMPARE(y[j + 16], (7 - j) * 0.5f);
    }
}

void TestQuant::q8_0Layout() {
    uint8_t block[34];
    const uint16_t d = fp32_to_fp16(0.25f);
    std::memcpy(block, &d, 2);
    for (int j = 0; j < 32; ++j) block[2 + j] = uint8_t(int8_t(j - 16));
    float y[32];
    dequantize_row(GgmlType::Q8_0, block, y, 32);
    for (int j = 0; j < 32; ++j) QCOMPARE(y[j], (j - 16) * 0.25f);
}

// Q4_K: d, dmin, 12 bytes of 6-bit scales/mins (sub-blocks 0..3 in the low 6 bits of bytes
// 0..3 / 4..7; 4..7 split over bytes 8..11 and the top 2 bits of bytes 0..7), 128 bytes of
// nibbles, each 32 bytes holding two sub-blocks (low nibbles first).
void TestQuant::q4_KLayout() {
    uint8_t block[144] = {};
    const uint16_t d = fp32_to_fp16(1.0f), dmin = fp32_to_fp16(0.5f);
    std::memcpy(block, &d, 2);
    std::memcpy(block + 2, &dmin, 2);
    uint8_t* sc = block + 4;
    const int scale[8] = {1, 2, 3, 4, 33, 40, 50, 63}, min[8] = {0, 1, 2, 3, 17, 20, 30, 62};
    for (int j = 0; j < 4; ++j) {
        sc[j] = uint8_t(scale[j] | ((scale[j + 4] >> 4) << 6));
        sc[j + 4] = uint8_t(min[j] | ((min[j + 4] >> 4) << 6));
        sc[j + 8] = uint8_t((scale[j + 4] & 0xF) | ((min[j + 4] & 0xF) << 4));
    }
    uint8_t* qs = block + 16;
    for (int i = 0; i < 128; ++i) qs[i] = uint8_t((i % 16) | ((15 - i % 16) << 4));
    float y[256];
    dequantize_row(GgmlType::Q4_K, block, y, 256);
    for (int e = 0; e < 256; ++e) {
        const int sub = e / 32, l = e % 32, g = e / 64;
        const uint8_t byte = qs[32 * g + l];
        const int q = sub % 2 == 0 ? byte & 0xF : byte >> 4;
        QCOMPARE(y[e], 1.0f * scale[sub] * q - 0.5f * min[sub]);
    }
}

// Q6_K: ql[128], qh[64], int8 scales[16], fp16 d; element l of each 128-half takes its low
// nibble from ql (l < 64: low nibbles, else high) and 2 bits from qh.
void TestQuant::q6_KLayout() {
    uint8_t block[210];
    std::mt19937 rng(7);
    for (auto& b : block) b = uint8_t(rng());
    const uint16_t d = fp32_to_fp16(0.125f);
    std::memcpy(block + 208, &d, 2);
    float y[256];
    dequantize_row(GgmlType::Q6_K, block, y, 256);
    const uint8_t* ql = block;
    const uint8_t* qh = block + 128;
    const auto* sc = reinterpret_cast<const int8_t*>(block + 192);
    for (int e = 0; e < 256; ++e) {
        const int half = e / 128, i = e % 128, l = i % 32, part = i / 32;
        const uint8_t low = ql[64 * half + l + (part % 2) * 32];
        const int lo = part < 2 ? low & 0xF : low >> 4;
        const int hi = (qh[32 * half + l] >> (2 * part)) & 3;
        QCOMPARE(y[e], 0.125f * sc[8 * half + i / 16] * ((lo | (hi << 4)) - 32));
    }
}

// Elements per block and bytes per block as ggml-common.h's structs give them.
void TestQuant::blockSizes() {
    const struct {
        GgmlType type;
        uint32_t block, bytes;
    } rows[] = {
        {GgmlType::Q5_0, 32, 22},   {GgmlType::Q5_1, 32, 24},     {GgmlType::IQ4_NL, 32, 18}, {GgmlType::Q2_K, 256, 84},
        {GgmlType::Q3_K, 256, 110}, {GgmlType::IQ4_XS, 256, 136}, {GgmlType::Q4_K, 256, 144}, {GgmlType::Q6_K, 256, 210},
    };
    for (const auto& r : rows) {
        QCOMPARE(type_traits(r.type).block_size, r.block);
        QCOMPARE(type_traits(r.type).type_size, r.bytes);
        QVERIFY(type_traits(r.type).computable);
        QCOMPARE(row_bytes(r.type, 4 * r.block), uint64_t(4 * r.bytes));
    }
    QCOMPARE(uint32_t(GgmlType::IQ4_NL), 20u); // ggml's type ids
    QCOMPARE(uint32_t(GgmlType::IQ4_XS), 23u);
    QCOMPARE(parse_type("iq4_xs"), GgmlType::IQ4_XS);
    // Types the engine has no kernels for are still known by name and size (files parse,
    // errors name them): ggml's IQ2_XXS and IQ3_S.
    QCOMPARE(type_traits(GgmlType::IQ2_XXS).type_size, 66u);
    QCOMPARE(type_traits(GgmlType::IQ3_S).type_size, 110u);
    QVERIFY(!type_traits(GgmlType::IQ2_XXS).computable);
    QVERIFY(!can_dequantize(GgmlType::IQ2_XXS));
}

// Q5_1: fp16 d, fp16 m, 4 bytes of fifth bits (bit j = element j), 16 bytes of nibbles as
// Q4_0; value = q d + m.
void TestQuant::q5_1Layout() {
    uint8_t block[24];
    const uint16_t d = fp32_to_fp16(0.5f), m = fp32_to_fp16(-4.0f);
    std::memcpy(block, &d, 2);
    std::memcpy(block + 2, &m, 2);
    const uint32_t qh = 0xF0F0A5C3u;
    std::memcpy(block + 4, &qh, 4);
    for (int j = 0; j < 16; ++j) block[8 + j] = uint8_t(j | ((15 - j) << 4));
    float y[32];
    dequantize_row(GgmlType::Q5_1, block, y, 32);
    for (int j = 0; j < 16; ++j) {
        QCOMPARE(y[j], (j + 16 * int((qh >> j) & 1)) * 0.5f - 4.0f);
        QCOMPARE(y[j + 16], (15 - j + 16 * int((qh >> (j + 16)) & 1)) * 0.5f - 4.0f);
    }
}

// IQ4_NL: fp16 d, nibbles as Q4_0, value = d times the nibble's entry of ggml's kvalues_iq4nl.
const int kGrid[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

void TestQuant::iq4_nlLayout() {
    uint8_t block[18];
    const uint16_t d = fp32_to_fp16(0.25f);
    std::memcpy(block, &d, 2);
    for (int j = 0; j < 16; ++j) block[2 + j] = uint8_t(j | ((15 - j) << 4));
    float y[32];
    dequantize_row(GgmlType::IQ4_NL, block, y, 32);
    for (int j = 0; j < 16; ++j) {
        QCOMPARE(y[j], 0.25f * kGrid[j]);
        QCOMPARE(y[j + 16], 0.25f * kGrid[15 - j]);
    }
}

// Q2_K: 16 bytes of (scale | min << 4) per 16 elements, 64 bytes of 2-bit values (two halves
// of 128: byte l of a half holds elements l, l + 32, l + 64, l + 96 in bits 0-1, 2-3, 4-5,
// 6-7), fp16 d, fp16 dmin; value = d scale q - dmin min.
void TestQuant::q2_KLayout() {
    uint8_t block[84];
    for (int j = 0; j < 16; ++j) block[j] = uint8_t((j % 16) | ((15 - j) << 4));
    for (int i = 0; i < 64; ++i) block[16 + i] = uint8_t(i * 37 + 11);
    const uint16_t d = fp32_to_fp16(0.5f), dmin = fp32_to_fp16(0.25f);
    std::memcpy(block + 80, &d, 2);
    std::memcpy(block + 82, &dmin, 2);
    float y[256];
    dequantize_row(GgmlType::Q2_K, block, y, 256);
    for (int e = 0; e < 256; ++e) {
        const int half = e / 128, i = e % 128;
        const int q = (block[16 + 32 * half + i % 32] >> (2 * (i / 32))) & 3;
        const int sub = e / 16;
        QCOMPARE(y[e], 0.5f * float(block[sub] & 0xF) * float(q) - 0.25f * float(block[sub] >> 4));
    }
}

// Q3_K: 32 bytes hmask (bit k of byte l: third bit of element 32k + l), 64 bytes of 2-bit
// values as Q2_K, 12 bytes of 6-bit scales (low nibbles: bytes 0-7 hold scales 0-7 low and
// 8-15 high; top 2 bits: byte 8 + j%4, bits 2(j/4)), fp16 d; value = d (scale - 32) (q - 4).
void TestQuant::q3_KLayout() {
    uint8_t block[110] = {};
    for (int i = 0; i < 32; ++i) block[i] = uint8_t(i * 29 + 5);
    for (int i = 0; i < 64; ++i) block[32 + i] = uint8_t(i * 53 + 7);
    const int scale[16] = {0, 1, 31, 32, 33, 63, 17, 40, 5, 60, 48, 2, 36, 20, 12, 55};
    uint8_t* sc = block + 96;
    for (int j = 0; j < 16; ++j) {
        sc[j % 8] |= uint8_t((scale[j] & 0xF) << (j < 8 ? 0 : 4));
        sc[8 + j % 4] |= uint8_t((scale[j] >> 4) << (2 * (j / 4)));
    }
    const uint16_t d = fp32_to_fp16(0.125f);
    std::memcpy(block + 108, &d, 2);
    float y[256];
    dequantize_row(GgmlType::Q3_K, block, y, 256);
    for (int e = 0; e < 256; ++e) {
        const int half = e / 128, i = e % 128;
        const int low = (block[32 + 32 * half + i % 32] >> (2 * (i / 32))) & 3;
        const int high = (block[e % 32] >> (e / 32)) & 1;
        QCOMPARE(y[e], 0.125f * float(scale[e / 16] - 32) * float(low + 4 * high - 4));
    }
}

// IQ4_XS: fp16 d, 16 bits of scale high bits (2 per sub-block of 32), 4 bytes of scale low
// nibbles, 128 bytes of nibbles (16 per sub-block, as IQ4_NL); value = d (ls - 32) grid[q].
void TestQuant::iq4_xsLayout() {
    uint8_t block[136];
    const uint16_t d = fp32_to_fp16(0.5f);
    std::memcpy(block, &d, 2);
    const int ls[8] = {0, 1, 31, 32, 33, 63, 47, 16};
    uint16_t high = 0;
    for (int j = 0; j < 8; ++j) high = uint16_t(high | ((ls[j] >> 4) << (2 * j)));
    std::memcpy(block + 2, &high, 2);
    for (int j = 0; j < 4; ++j) block[4 + j] = uint8_t((ls[2 * j] & 0xF) | ((ls[2 * j + 1] & 0xF) << 4));
    for (int i = 0; i < 128; ++i) block[8 + i] = uint8_t(i * 71 + 3);
    float y[256];
    dequantize_row(GgmlType::IQ4_XS, block, y, 256);
    for (int e = 0; e < 256; ++e) {
        const int sub = e / 32, l = e % 32;
        const uint8_t byte = block[8 + 16 * sub + l % 16];
        const int q = l < 16 ? byte & 0xF : byte >> 4;
        QCOMPARE(y[e], 0.5f * float(ls[sub] - 32) * float(kGrid[q]));
    }
}

void TestQuant::badArguments() {
    std::vector<float> x(48);
    std::vector<uint8_t> q(1024);
    KMLM_VERIFY_THROWS(FormatError, quantize_row(GgmlType::Q8_0, x.data(), q.data(), 48));
    KMLM_VERIFY_THROWS(FormatError, quantize_row(GgmlType::Q4_K, x.data(), q.data(), 32));
    KMLM_VERIFY_THROWS(InvalidArgument, quantize_row(GgmlType::Q8_1, x.data(), q.data(), 256));
    KMLM_VERIFY_THROWS(FormatError, quantize_row(GgmlType::IQ4_XS, x.data(), q.data(), 32));
    KMLM_VERIFY_THROWS(InvalidArgument, dequantize_row(GgmlType::I32, q.data(), x.data(), 32));
    KMLM_VERIFY_THROWS(InvalidArgument, parse_type("Q9_9"));
    QCOMPARE(parse_type("q4_k"), GgmlType::Q4_K);
    QVERIFY(!can_quantize(GgmlType::Q8_1));
    QVERIFY(can_quantize(GgmlType::Q3_K));
}

// The files llama.cpp quantized from the same model (Q4_K_M, and quants/: Q5_1, Q3_K_M, Q2_K,
// IQ4_NL, IQ4_XS, with their fallback types) against its Q8_0 file.
static void filesData() {
    QTest::addColumn<QString>("file");
    QTest::newRow("Q4_K_M") << "ko-tiny-llama-Q4_K_M.gguf";
    for (const char* p : {"Q5_1", "Q3_K_M", "Q2_K", "IQ4_NL", "IQ4_XS"}) QTest::newRow(p) << QString("quants/ko-tiny-llama-%1.gguf").arg(p);
}

void TestQuant::realFileAgreesAcrossTypes_data() { filesData(); }

// Read with our layouts, every tensor agrees with the Q8_0 file's to within the precision
// of its type. A wrong layout would give errors of the order of the values themselves.
void TestQuant::realFileAgreesAcrossTypes() {
    QFETCH(QString, file);
    KMLM_REQUIRE_SHARED(dir, "models");
    if (!QFile::exists(dir + "/" + file)) QSKIP("file absent");
    auto q8 = gguf::GgufFile::open(kmlm_test::toPath(dir + "/ko-tiny-llama-Q8_0.gguf"));
    auto q4 = gguf::GgufFile::open(kmlm_test::toPath(dir + "/" + file));
    QCOMPARE(q8->tensors().size(), q4->tensors().size());
    for (const auto& t : q4->tensors()) {
        const auto& ref = q8->tensor(t.name);
        QCOMPARE(ref.dims, t.dims);
        const auto a = dequantizeTensor(*q4, t), b = dequantizeTensor(*q8, ref);
        const double rel = rmsDiff(a.data(), b.data(), a.size()) / rms(b);
        const double bound = t.type == GgmlType::F32    ? 1e-6
                             : t.type == GgmlType::Q8_0 ? 0.02
                             : t.type == GgmlType::Q6_K ? 0.05
                             : t.type == GgmlType::Q3_K ? 0.3
                             : t.type == GgmlType::Q2_K ? 0.45
                                                        : 0.15;
        if (!(rel <= bound))
            QFAIL(qPrintable(QString("%1 (%2): relative difference %3").arg(t.name.c_str()).arg(type_traits(t.type).name.data()).arg(rel)));
    }
}

void TestQuant::quantizerMatchesReferenceQuality_data() { filesData(); }

// Our quantizers are as good as llama.cpp's: re-quantizing the Q8_0 model to each tensor's
// type comes as close to it as the llama.cpp file's own tensors do (same reference algorithms).
void TestQuant::quantizerMatchesReferenceQuality() {
    QFETCH(QString, file);
    KMLM_REQUIRE_SHARED(dir, "models");
    if (!QFile::exists(dir + "/" + file)) QSKIP("file absent");
    auto q8 = gguf::GgufFile::open(kmlm_test::toPath(dir + "/ko-tiny-llama-Q8_0.gguf"));
    auto q4 = gguf::GgufFile::open(kmlm_test::toPath(dir + "/" + file));
    for (const auto& t : q4->tensors()) {
        if (t.type == GgmlType::F32) continue;
        const auto ref = dequantizeTensor(*q8, q8->tensor(t.name));
        const auto theirs = dequantizeTensor(*q4, t);
        const auto ours_q = quantize_tensor(t.type, ref.data(), t.rows(), t.dims[0]);
        std::vector<float> ours(ref.size());
        for (uint64_t r = 0; r < t.rows(); ++r)
            dequantize_row(t.type, ours_q.data() + r * row_bytes(t.type, t.dims[0]), ours.data() + r * t.dims[0], t.dims[0]);
        const double e_ours = rmsDiff(ours.data(), ref.data(), ref.size());
        const double e_theirs = rmsDiff(theirs.data(), ref.data(), ref.size());
        if (!(e_ours <= e_theirs * 1.05 + 1e-9))
            QFAIL(qPrintable(QString("%1 (%2): our error %3, llama.cpp's %4")
                                 .arg(t.name.c_str())
                                 .arg(type_traits(t.type).name.data())
                                 .arg(e_ours)
                                 .arg(e_theirs)));
        if (t.name == "blk.1.ffn_up.weight" || t.name == "blk.1.ffn_down.weight")
            qInfo("%s (%s): our error %.3g, llama.cpp's %.3g", t.name.c_str(), type_traits(t.type).name.data(), e_ours, e_theirs);
    }
}

QTEST_GUILESS_MAIN(TestQuant)
#include "tst_quant.moc"
