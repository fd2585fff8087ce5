// Attention over the KV cache: the row kernels (dot_rows, axpy_rows) of every instruction set
// the CPU has agree with the scalar reference and with a double-precision sum over the
// dequantized rows, for F32, F16 and Q8_0 rows, odd row counts and head sizes 64/80/128/256
// (and odd ones for the float types); KvCache's dot_keys/add_values give the same across the
// wrap of a sliding-window ring, and so do its keys_f32/values_f32 rows.
#include "kmlm_test.h"
#include "test_data.h"

#include "kmlm/error.h"
#include "kmlm/kernels.h"
#include "kmlm/kv_cache.h"
#include "kmlm/quant.h"

#include <cmath>
#include <random>

using namespace kmlm;

Q_DECLARE_METATYPE(kmlm::GgmlType)
Q_DECLARE_METATYPE(kmlm::Isa)

namespace {

using kmlm_test::gaussian;

// n_rows cache rows of `heads` heads of hd elements; the kernels read head 1 of each row,
// so the stride is wider than what they read, as in the cache.
struct Rows {
    GgmlType type;
    size_t hd, n_rows, stride;
    std::vector<uint8_t> bytes;
    std::vector<float> head; // head 1 of every row, dequantized: [n_rows][hd]
    const uint8_t* first() const { return bytes.data() + row_bytes(type, 1 * hd); }
};

Rows makeRows(GgmlType type, size_t hd, size_t n_rows, uint32_t seed) {
    constexpr size_t heads = 3;
    Rows r{type, hd, n_rows, row_bytes(type, heads * hd), {}, {}};
    const auto x = gaussian(n_rows * heads * hd, seed);
    r.bytes.resize(n_rows * r.stride);
    r.head.resize(n_rows * hd);
    std::vector<float> deq(heads * hd);
    for (size_t j = 0; j < n_rows; ++j) {
        quantize_row(type, x.data() + j * heads * hd, r.bytes.data() + j * r.stride, heads * hd);
        dequantize_row(type, r.bytes.data() + j * r.stride, deq.data(), heads * hd);
        std::copy(deq.begin() + hd, deq.begin() + 2 * hd, r.head.begin() + j * hd);
    }
    return r;
}

std::vector<float> dotRows(Isa isa, const Rows& r, const std::vector<float>& q) {
    set_isa(isa);
    std::vector<float> s(r.n_rows, NAN);
    dot_rows(r.type, r.first(), r.stride, r.n_rows, q.data(), r.hd, s.data());
    return s;
}

std::vector<float> axpyRows(Isa isa, const Rows& r, const std::vector<float>& w, std::vector<float> out) {
    set_isa(isa);
    axpy_rows(r.type, r.first(), r.stride, r.n_rows, w.data(), r.hd, out.data());
    return out;
}

// |got - want| within 1e-5 of the sum of the terms' magnitudes (float sums in another order).
bool close(double got, double want, double magnitude) { return std::fabs(got - want) <= 1e-5 * magnitude + 1e-30; }

} // namespace

class TestKvCache : public QObject {
    Q_OBJECT
private slots:
    void rowsAgree_data();
    void rowsAgree();
    void ringWrap_data();
    void ringWrap();
    void otherTypesRefused();
};

void TestKvCache::rowsAgree_data() {
    QTest::addColumn<Isa>("isa");
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<int>("hd");
    QTest::addColumn<int>("rows");
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
        if (!set_isa(isa)) continue;
        for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::Q8_0})
            for (int hd : {32, 64, 80, 96, 128, 256, 37, 9}) {
                if (type == GgmlType::Q8_0 && hd % 32 != 0) continue;
                for (int rows : {1, 3, 4, 5, 7, 9, 130})
                    QTest::addRow("%s %s hd=%d rows=%d", isa_name(isa), type_traits(type).name.data(), hd, rows)
                        << isa << type << hd << rows;
            }
    }
}

void TestKvCache::rowsAgree() {
    QFETCH(Isa, isa);
    QFETCH(GgmlType, type);
    QFETCH(int, hd);
    QFETCH(int, rows);
    const Rows r = makeRows(type, size_t(hd), size_t(rows), uint32_t(hd * 1000 + rows));
    const auto q = gaussian(size_t(hd), 7);

    const auto ref = dotRows(Isa::Scalar, r, q), got = dotRows(isa, r, q);
    for (int j = 0; j < rows; ++j) {
        double exact = 0, magnitude = 0;
        for (int i = 0; i < hd; ++i) {
            exact += double(r.head[size_t(j) * hd + i]) * q[size_t(i)];
            magnitude += std::fabs(double(r.head[size_t(j) * hd + i]) * q[size_t(i)]);
        }
        QVERIFY2(close(ref[j], exact, magnitude), qPrintable(QString("scalar row %1").arg(j)));
        QVERIFY2(close(got[j], ref[j], magnitude), qPrintable(QString("row %1: %2 vs %3").arg(j).arg(got[j]).arg(ref[j])));
    }

    // Attention weights are positive and sum to one; out starts non-zero (several stretches).
    std::vector<float> w(static_cast<size_t>(rows));
    std::mt19937 rng(static_cast<uint32_t>(rows));
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float& x : w) x = u(rng) / float(rows);
    const auto out0 = gaussian(size_t(hd), 9);
    const auto ref_out = axpyRows(Isa::Scalar, r, w, out0), got_out = axpyRows(isa, r, w, out0);
    for (int i = 0; i < hd; ++i) {
        double exact = out0[size_t(i)], magnitude = std::fabs(out0[size_t(i)]);
        for (int j = 0; j < rows; ++j) {
            exact += double(w[size_t(j)]) * r.head[size_t(j) * hd + i];
            magnitude += std::fabs(double(w[size_t(j)]) * r.head[size_t(j) * hd + i]);
        }
        QVERIFY2(close(ref_out[i], exact, magnitude), qPrintable(QString("scalar out %1").arg(i)));
        QVERIFY2(close(got_out[i], ref_out[i], magnitude), qPrintable(QString("out %1: %2 vs %3").arg(i).arg(got_out[i]).arg(ref_out[i])));
    }
}

void TestKvCache::ringWrap_data() {
    QTest::addColumn<Isa>("isa");
    QTest::addColumn<int>("kv");
    QTest::addColumn<int>("hd");
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
        if (!set_isa(isa)) continue;
        for (KvType kv : {KvType::F32, KvType::F16, KvType::Q8_0})
            for (int hd : {64, 80, 128})
                if (kv != KvType::Q8_0 || hd % 32 == 0) QTest::addRow("%s kv=%d hd=%d", isa_name(isa), int(kv), hd) << isa << int(kv) << hd;
    }
}

// A sliding-window layer keeps window + one batch of slots; after 300 tokens position p
// lives in slot p % slots, so the held positions and the last window cross the wrap.
void TestKvCache::ringWrap() {
    QFETCH(Isa, isa);
    QFETCH(int, kv);
    QFETCH(int, hd);
    QVERIFY(set_isa(isa));
    const auto type = KvType(kv);
    const GgmlType row = type == KvType::F32 ? GgmlType::F32 : type == KvType::F16 ? GgmlType::F16 : GgmlType::Q8_0;
    constexpr uint32_t n_ctx = 512, window = 16, n_tokens = 300, heads = 2;
    const uint32_t held_slots = KvCache::window_slots(n_ctx, window);
    QVERIFY(held_slots < n_tokens && held_slots < n_ctx);
    const uint32_t embd = heads * uint32_t(hd);
    KvCache cache(type, n_ctx, embd, uint32_t(hd), {0, window});

    // What the cache holds of kv head 1 at each position: the stored rows, dequantized.
    std::vector<std::vector<float>> keys(n_tokens), values(n_tokens);
    std::vector<uint8_t> bytes(row_bytes(row, embd));
    std::vector<float> deq(embd);
    auto held = [&](const std::vector<float>& x) {
        quantize_row(row, x.data(), bytes.data(), embd);
        dequantize_row(row, bytes.data(), deq.data(), embd);
        return std::vector<float>(deq.begin() + hd, deq.end());
    };
    for (uint32_t p = 0; p < n_tokens; ++p) {
        const auto k = gaussian(embd, 2 * p + 1), v = gaussian(embd, 2 * p + 2);
        cache.store(0, p, k.data(), v.data());
        cache.store(1, p, k.data(), v.data());
        keys[p] = held(k);
        values[p] = held(v);
    }
    const uint32_t last = n_tokens - 1;
    QCOMPARE(cache.first_visible(1, last), last + 1 - window);
    const auto q = gaussian(size_t(hd), 3);

    // The last window, every position the ring still holds, and the full-context layer.
    struct Range {
        uint32_t layer, begin;
    };
    for (const Range rg : {Range{1, last + 1 - window}, Range{1, n_tokens - held_slots}, Range{0, 0}}) {
        const uint32_t n = n_tokens - rg.begin;
        std::vector<float> scores(n), w(n), out(size_t(hd), 0.5f);
        cache.dot_keys(rg.layer, 1, q.data(), rg.begin, n_tokens, scores.data());
        for (uint32_t j = 0; j < n; ++j) w[j] = 1.0f / float(n + j);
        cache.add_values(rg.layer, 1, w.data(), rg.begin, n_tokens, out.data());
        for (uint32_t j = 0; j < n; ++j) {
            double exact = 0, magnitude = 0;
            for (int i = 0; i < hd; ++i) {
                exact += double(keys[rg.begin + j][size_t(i)]) * q[size_t(i)];
                magnitude += std::fabs(double(keys[rg.begin + j][size_t(i)]) * q[size_t(i)]);
            }
            QVERIFY2(close(scores[j], exact, magnitude), qPrintable(QString("layer %1 position %2").arg(rg.layer).arg(rg.begin + j)));
        }
        for (int i = 0; i < hd; ++i) {
            double exact = 0.5, magnitude = 0.5;
            for (uint32_t j = 0; j < n; ++j) {
                exact += double(w[j]) * values[rg.begin + j][size_t(i)];
                magnitude += std::fabs(double(w[j]) * values[rg.begin + j][size_t(i)]);
            }
            QVERIFY2(close(out[size_t(i)], exact, magnitude), qPrintable(QString("layer %1 out %2").arg(rg.layer).arg(i)));
        }
        // The same rows as floats, for the tiles of attention.cpp (a wider stride than a head).
        const size_t ld = size_t(hd) + 3;
        std::vector<float> key_rows(n * ld, NAN), value_rows(n * ld, NAN);
        cache.keys_f32(rg.layer, 1, rg.begin, n_tokens, key_rows.data(), ld);
        cache.values_f32(rg.layer, 1, rg.begin, n_tokens, value_rows.data(), ld);
        for (uint32_t j = 0; j < n; ++j)
            for (int i = 0; i < hd; ++i) {
                QCOMPARE(key_rows[j * ld + size_t(i)], keys[rg.begin + j][size_t(i)]);
                QCOMPARE(value_rows[j * ld + size_t(i)], values[rg.begin + j][size_t(i)]);
            }
    }
}

void TestKvCache::otherTypesRefused() {
    const std::vector<uint8_t> rows(row_bytes(GgmlType::Q4_0, 64));
    const std::vector<float> q(64);
    float s = 0;
    KMLM_VERIFY_THROWS(InvalidArgument, dot_rows(GgmlType::Q4_0, rows.data(), rows.size(), 1, q.data(), 64, &s));
    std::vector<float> out(64);
    KMLM_VERIFY_THROWS(InvalidArgument, axpy_rows(GgmlType::Q4_0, rows.data(), rows.size(), 1, &s, 64, out.data()));
}

QTEST_GUILESS_MAIN(TestKvCache)
#include "tst_kv_cache.moc"
