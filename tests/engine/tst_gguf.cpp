// GGUF reader and writer: round trips of every value type and alignment, and hostile files
// (truncated, huge counts, bad offsets, unknown types) rejected with a FormatError that names
// the problem.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"

#include <QTemporaryDir>

#include <cstring>

using namespace kmlm;
using namespace kmlm::gguf;

Q_DECLARE_METATYPE(std::vector<uint8_t>)

namespace {

// Builds GGUF bytes by hand so that tests can write what the writer never would.
struct Bytes {
    std::vector<uint8_t> b;
    template <class T>
    Bytes& put(T v) {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        b.insert(b.end(), p, p + sizeof(T));
        return *this;
    }
    Bytes& str(const std::string& s) {
        put<uint64_t>(s.size());
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& header(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
        b.insert(b.end(), {'G', 'G', 'U', 'F'});
        return put(version).put(n_tensors).put(n_kv);
    }
    Bytes& kv_u32(const std::string& key, uint32_t v) { return str(key).put<uint32_t>(4).put(v); }
    Bytes& tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
        str(name).put<uint32_t>(static_cast<uint32_t>(dims.size()));
        for (uint64_t d : dims) put(d);
        return put(type).put(offset);
    }
    Bytes& pad(size_t alignment, size_t extra_zero_bytes) {
        while (b.size() % alignment) b.push_back(0);
        b.insert(b.end(), extra_zero_bytes, 0);
        return *this;
    }
};

std::unique_ptr<GgufFile> parseBytes(const std::vector<uint8_t>& bytes) {
    return GgufFile::parse(std::span<const uint8_t>(bytes.data(), bytes.size()), "test.gguf");
}

// A small valid file: a few keys and two tensors.
GgufWriter sampleWriter(uint64_t alignment) {
    GgufWriter w(alignment);
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", 2);
    w.set_string_array("tokenizer.ggml.tokens", {"<s>", "안녕", "하세요"});
    std::vector<float> a(64), b(3 * 32);
    for (size_t i = 0; i < a.size(); ++i) a[i] = float(i) * 0.5f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = -float(i);
    w.add_tensor_f32("a", {64}, a);
    w.add_tensor_f32("b", {32, 3}, b);
    return w;
}

} // namespace

class TestGguf : public QObject {
    Q_OBJECT
private slots:
    void roundTripValues_data();
    void roundTripValues();
    void roundTripTensors_data();
    void roundTripTensors();
    void version2();
    void integerWidths();
    void typedGetterErrors();
    void writeAtomicallyAndMap();
    void missingFile();
    void truncatedEverywhere();
    void hostile_data();
    void hostile();
    void writerRefusesBadInput();
    void realFiles();
};

void TestGguf::roundTripValues_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("arrayType");
    const int scalarTypes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12};
    for (int t : scalarTypes) QTest::addRow("scalar %d", t) << t << -1;
    for (int t : scalarTypes) QTest::addRow("array of %d", t) << 9 << t;
    QTest::addRow("empty array") << 9 << -2;
}

// Every value type survives writer -> bytes -> reader with its type and value.
void TestGguf::roundTripValues() {
    QFETCH(int, type);
    QFETCH(int, arrayType);
    auto make = [](ValueType t) -> Value {
        Value v;
        v.type = t;
        switch (t) {
        case ValueType::U8: v.data = uint64_t{200}; break;
        case ValueType::U16: v.data = uint64_t{60000}; break;
        case ValueType::U32: v.data = uint64_t{4000000000u}; break;
        case ValueType::U64: v.data = uint64_t{1} << 60; break;
        case ValueType::I8: v.data = int64_t{-100}; break;
        case ValueType::I16: v.data = int64_t{-30000}; break;
        case ValueType::I32: v.data = int64_t{-2000000000}; break;
        case ValueType::I64: v.data = -(int64_t{1} << 50); break;
        case ValueType::F32: v.data = double{1.5f}; break;
        case ValueType::F64: v.data = 3.141592653589793; break;
        case ValueType::BOOL: v.data = true; break;
        case ValueType::STRING: v.data = std::string("한국어 모델"); break;
        default: break;
        }
        return v;
    };
    Value v;
    if (type != 9) {
        v = make(ValueType(type));
    } else if (arrayType == -2) {
        v.type = ValueType::ARRAY;
        v.array_type = ValueType::I32;
        v.data = std::vector<int64_t>{};
    } else {
        v.type = ValueType::ARRAY;
        v.array_type = ValueType(arrayType);
        // Three copies of the scalar value, as an array of the matching vector type.
        Value one = make(ValueType(arrayType));
        std::visit(
            [&](const auto& x) {
                using X = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<X, bool>)
                    v.data = std::vector<uint8_t>{1, 0, 1};
                else if constexpr (std::is_same_v<X, uint64_t> || std::is_same_v<X, int64_t> || std::is_same_v<X, double> ||
                                   std::is_same_v<X, std::string>)
                    v.data = std::vector<X>{x, x, x};
            },
            one.data);
    }
    GgufWriter w;
    w.set_string("general.architecture", "test");
    w.set_value("k", v);
    const auto bytes = w.to_bytes();
    auto f = parseBytes(bytes);
    QCOMPARE(f->version(), 3u);
    const Value* got = f->find("k");
    QVERIFY(got);
    QCOMPARE(int(got->type), int(v.type));
    if (v.type == ValueType::ARRAY) QCOMPARE(int(got->array_type), int(v.array_type));
    QVERIFY(got->data == v.data);
    QCOMPARE(f->architecture(), std::string("test"));
}

void TestGguf::roundTripTensors_data() {
    QTest::addColumn<int>("alignment");
    QTest::newRow("align 32") << 32;
    QTest::newRow("align 64") << 64;
    QTest::newRow("align 1") << 1;
    QTest::newRow("align 4096") << 4096;
}

void TestGguf::roundTripTensors() {
    QFETCH(int, alignment);
    const auto bytes = sampleWriter(alignment).to_bytes();
    auto f = parseBytes(bytes);
    QCOMPARE(f->alignment(), uint64_t(alignment));
    QCOMPARE(f->data_offset() % alignment, uint64_t(0));
    QCOMPARE(f->tensors().size(), size_t(2));
    const TensorInfo& b = f->tensor("b");
    QCOMPARE(b.dims, (std::vector<uint64_t>{32, 3}));
    QCOMPARE(b.rows(), uint64_t(3));
    QCOMPARE(b.n_bytes, uint64_t(3 * 32 * 4));
    QCOMPARE(b.offset % alignment, uint64_t(0));
    const float* data = reinterpret_cast<const float*>(f->tensor_data(b));
    QCOMPARE((reinterpret_cast<uintptr_t>(data) - reinterpret_cast<uintptr_t>(bytes.data())) % alignment, uintptr_t(0));
    QCOMPARE(data[5], -5.0f);
    QCOMPARE(reinterpret_cast<const float*>(f->tensor_data(f->tensor("a")))[63], 31.5f);
    QCOMPARE(*f->get_string_array("tokenizer.ggml.tokens"), (std::vector<std::string>{"<s>", "안녕", "하세요"}));
    QVERIFY(!f->find_tensor("c"));
    KMLM_VERIFY_THROWS(FormatError, f->tensor("c"));
}

// GGUF v2 has v3's layout (v3 only added big-endian files): both parse alike.
void TestGguf::version2() {
    auto bytes = sampleWriter(32).to_bytes();
    bytes[4] = 2;
    auto f = parseBytes(bytes);
    QCOMPARE(f->version(), 2u);
    QCOMPARE(f->tensors().size(), size_t(2));
    QCOMPARE(reinterpret_cast<const float*>(f->tensor_data(f->tensor("a")))[3], 1.5f);
}

// Files differ in the integer width of the same key: the getters accept any of them.
void TestGguf::integerWidths() {
    GgufWriter w;
    w.set_u32("a", 7);
    w.set_u64("b", 7);
    w.set_i32("c", 7);
    w.set_u8("d", 7);
    w.set_i32("neg", -3);
    w.set_i32_array("ia", {1, -2, 3});
    w.set_u32_array("ua", {1, 2, 3});
    w.set_f32_array("fa", {0.5f, 1.5f});
    auto f = parseBytes(w.to_bytes());
    for (const char* k : {"a", "b", "c", "d"}) {
        QCOMPARE(f->get_uint(k).value(), uint64_t(7));
        QCOMPARE(f->get_int(k).value(), int64_t(7));
        QCOMPARE(f->get_float(k).value(), 7.0);
    }
    QCOMPARE(f->get_int("neg").value(), int64_t(-3));
    QCOMPARE(*f->get_int_array("ia"), (std::vector<int64_t>{1, -2, 3}));
    QCOMPARE(*f->get_int_array("ua"), (std::vector<int64_t>{1, 2, 3}));
    QCOMPARE(*f->get_float_array("fa"), (std::vector<double>{0.5, 1.5}));
    QVERIFY(!f->get_uint("absent"));
}

void TestGguf::typedGetterErrors() {
    GgufWriter w;
    w.set_string("s", "x");
    w.set_i32("neg", -1);
    w.set_f32_array("fa", {1.0f});
    auto f = parseBytes(w.to_bytes());
    KMLM_VERIFY_THROWS(FormatError, f->get_uint("s"));
    KMLM_VERIFY_THROWS(FormatError, f->get_uint("neg"));
    KMLM_VERIFY_THROWS(FormatError, f->get_string("neg"));
    KMLM_VERIFY_THROWS(FormatError, f->get_bool("s"));
    KMLM_VERIFY_THROWS(FormatError, f->get_string_array("fa"));
    KMLM_VERIFY_THROWS(FormatError, f->get_int_array("fa"));
    KMLM_VERIFY_THROWS(FormatError, f->architecture());
    try {
        f->get_uint("s");
    } catch (const FormatError& e) {
        QVERIFY(std::string(e.what()).find("'s'") != std::string::npos);
    }
}

void TestGguf::writeAtomicallyAndMap() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto path = kmlm_test::toPath(dir.filePath("m.gguf"));
    GgufWriter w = sampleWriter(64);
    w.write(path);
    w.write(path);                                                            // overwriting an existing file works
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"m.gguf"}); // no temporary left
    auto f = GgufFile::open(path);
    QCOMPARE(f->file_size(), uint64_t(std::filesystem::file_size(path)));
    QCOMPARE(reinterpret_cast<const float*>(f->tensor_data(f->tensor("a")))[2], 1.0f);
    KMLM_VERIFY_THROWS(IoError, w.write(kmlm_test::toPath(dir.filePath("no/such/dir/x.gguf"))));
}

void TestGguf::missingFile() {
    KMLM_VERIFY_THROWS(IoError, GgufFile::open("/nonexistent/model.gguf"));
    QTemporaryDir dir;
    KMLM_VERIFY_THROWS(IoError, GgufFile::open(kmlm_test::toPath(dir.path())));
    QFile empty(dir.filePath("empty.gguf"));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    KMLM_VERIFY_THROWS(FormatError, GgufFile::open(kmlm_test::toPath(empty.fileName())));
}

// Every cut before the end of the last tensor's data is refused with a FormatError.
void TestGguf::truncatedEverywhere() {
    const auto full = sampleWriter(32).to_bytes();
    auto f = parseBytes(full);
    const TensorInfo& last = f->tensors().back();
    const size_t needed = f->data_offset() + last.offset + last.n_bytes;
    for (size_t cut = 0; cut < needed; ++cut) {
        std::vector<uint8_t> part(full.begin(), full.begin() + cut);
        bool threw = false;
        try {
            parseBytes(part);
        } catch (const FormatError& e) {
            threw = true;
            QVERIFY(std::string(e.what()).find("test.gguf") == 0);
        }
        if (!threw) QFAIL(qPrintable(QString("cut at %1 of %2 was accepted").arg(cut).arg(needed)));
    }
}

void TestGguf::hostile_data() {
    QTest::addColumn<std::vector<uint8_t>>("bytes");
    QTest::addColumn<QString>("message");
    auto row = [](const char* name, const Bytes& b, const char* msg) { QTest::newRow(name) << b.b << QString(msg); };
    row("bad magic", Bytes().put<uint32_t>(0x12345678).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0), "bad magic");
    row("version 1", Bytes().header(1, 0, 0), "unsupported GGUF version 1");
    row("version 4", Bytes().header(4, 0, 0), "unsupported GGUF version 4");
    row("big-endian version", Bytes().header(0x03000000, 0, 0), "unsupported GGUF version");
    row("huge n_kv", Bytes().header(3, 0, uint64_t(1) << 60), "metadata count");
    row("huge n_tensors", Bytes().header(3, uint64_t(1) << 62, 0), "tensor count");
    row("huge key length", Bytes().header(3, 0, 1).put<uint64_t>(uint64_t(1) << 62).put<uint32_t>(0).put<uint64_t>(0), "runs past the end");
    row("huge string value", Bytes().header(3, 0, 1).str("k").put<uint32_t>(8).put<uint64_t>(~uint64_t(0)), "runs past the end");
    row("huge array count", Bytes().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(4).put<uint64_t>(uint64_t(1) << 60),
        "array count");
    row("huge string array", Bytes().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(uint64_t(1) << 59),
        "array count");
    {
        Bytes big;
        big.header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(0).put<uint64_t>((uint64_t(1) << 24) + 1);
        big.b.resize(big.b.size() + (size_t(1) << 24) + 1, 0);
        row("too many array elements", big, "more than 16777216 elements");
    }
    row("nested array", Bytes().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(9).put<uint64_t>(1), "nested array");
    row("unknown value type", Bytes().header(3, 0, 1).str("k").put<uint32_t>(13).put<uint32_t>(0), "unknown value type 13");
    row("bad bool", Bytes().header(3, 0, 1).str("k").put<uint32_t>(7).put<uint8_t>(2), "bool value 2");
    row("duplicate key", Bytes().header(3, 0, 2).kv_u32("k", 1).kv_u32("k", 2), "duplicate metadata key 'k'");
    row("alignment 0", Bytes().header(3, 0, 1).kv_u32("general.alignment", 0), "not a power of two");
    row("alignment 48", Bytes().header(3, 0, 1).kv_u32("general.alignment", 48), "not a power of two");
    row("alignment string", Bytes().header(3, 0, 1).str("general.alignment").put<uint32_t>(8).str("32"), "not an integer");
    row("unknown tensor type", Bytes().header(3, 1, 0).tensor("w", {32}, 99, 0).pad(32, 128), "unknown type 99");
    row("five dims", Bytes().header(3, 1, 0).tensor("w", {1, 1, 1, 1, 1}, 0, 0).pad(32, 64), "5 dimensions");
    row("zero dims", Bytes().header(3, 1, 0).tensor("w", {}, 0, 0).pad(32, 64), "0 dimensions");
    row("zero dim", Bytes().header(3, 1, 0).tensor("w", {4, 0}, 0, 0).pad(32, 64), "zero dimension");
    row("dims overflow", Bytes().header(3, 1, 0).tensor("w", {uint64_t(1) << 32, uint64_t(1) << 32}, 0, 0).pad(32, 64), "overflows");
    row("size overflow", Bytes().header(3, 1, 0).tensor("w", {uint64_t(1) << 62}, 0, 0).pad(32, 64), "overflows");
    row("row not whole blocks", Bytes().header(3, 1, 0).tensor("w", {33}, 8, 0).pad(32, 64), "block size");
    row("misaligned offset", Bytes().header(3, 1, 0).tensor("w", {4}, 0, 4).pad(32, 64), "not aligned");
    row("offset past end", Bytes().header(3, 1, 0).tensor("w", {4}, 0, 1024).pad(32, 64), "runs past the end");
    row("size past end", Bytes().header(3, 1, 0).tensor("w", {1024}, 0, 0).pad(32, 64), "'w'");
    row("huge offset", Bytes().header(3, 1, 0).tensor("w", {4}, 0, ~uint64_t(0) - 31).pad(32, 64), "runs past the end");
    row("duplicate tensor", Bytes().header(3, 2, 0).tensor("w", {4}, 0, 0).tensor("w", {4}, 0, 32).pad(32, 64), "duplicate tensor 'w'");
    row("no data section", Bytes().header(3, 1, 0).tensor("w", {4}, 0, 0), "");
}

void TestGguf::hostile() {
    QFETCH(std::vector<uint8_t>, bytes);
    QFETCH(QString, message);
    try {
        parseBytes(bytes);
        QFAIL("accepted");
    } catch (const FormatError& e) {
        QVERIFY2(QString(e.what()).contains(message), e.what());
    }
}

void TestGguf::writerRefusesBadInput() {
    KMLM_VERIFY_THROWS(InvalidArgument, GgufWriter(48));
    KMLM_VERIFY_THROWS(InvalidArgument, GgufWriter(0));
    GgufWriter w;
    std::vector<float> v(32);
    KMLM_VERIFY_THROWS(InvalidArgument, w.add_tensor_f32("x", {33}, v));
    KMLM_VERIFY_THROWS(FormatError, w.add_tensor("q", GgmlType::Q8_0, {16}, std::vector<uint8_t>(17)));
    w.add_tensor_f32("x", {32}, v);
    KMLM_VERIFY_THROWS(InvalidArgument, w.add_tensor_f32("x", {32}, v));
    Value nested;
    nested.type = ValueType::ARRAY;
    nested.array_type = ValueType::ARRAY;
    KMLM_VERIFY_THROWS(InvalidArgument, w.set_value("n", nested));
}

// Files written by llama.cpp's tools parse, and survive a rewrite by our writer with every
// key, value type and tensor byte intact.
void TestGguf::realFiles() {
    KMLM_REQUIRE_SHARED(models, "models");
    QStringList files;
    for (const QString& sub : {models, kmlm_test::sharedData("tokenizer-vectors")})
        for (const QFileInfo& fi : QDir(sub).entryInfoList({"*.gguf"}, QDir::Files)) files << fi.absoluteFilePath();
    QVERIFY(!files.isEmpty());
    QTemporaryDir dir;
    for (const QString& path : files) {
        auto f = GgufFile::open(kmlm_test::toPath(path));
        QVERIFY(f->has("general.architecture"));
        GgufWriter w(f->alignment());
        w.copy_metadata(*f);
        for (const auto& t : f->tensors()) {
            const uint8_t* p = f->tensor_data(t);
            w.add_tensor(t.name, t.type, t.dims, std::vector<uint8_t>(p, p + t.n_bytes));
        }
        const auto copy_path = kmlm_test::toPath(dir.filePath("copy.gguf"));
        w.write(copy_path);
        auto g = GgufFile::open(copy_path);
        QCOMPARE(g->metadata().size(), f->metadata().size());
        for (const auto& [key, value] : f->metadata()) {
            const Value* v = g->find(key);
            QVERIFY2(v && v->type == value.type && v->array_type == value.array_type && v->data == value.data, key.c_str());
        }
        QCOMPARE(g->tensors().size(), f->tensors().size());
        for (const auto& t : f->tensors()) {
            const TensorInfo& u = g->tensor(t.name);
            QCOMPARE(u.dims, t.dims);
            QCOMPARE(u.type, t.type);
            QVERIFY(std::memcmp(g->tensor_data(u), f->tensor_data(t), t.n_bytes) == 0);
        }
    }
}

QTEST_GUILESS_MAIN(TestGguf)
#include "tst_gguf.moc"
