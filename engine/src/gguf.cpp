// GGUF v2/v3 reader: a memory-mapped file parsed with every count, size and offset checked
// against the bytes that are really there before it is used.
#include "kmlm/gguf.h"

#include "kmlm/error.h"

#include <bit>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kmlm::gguf {

MappedFile::MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError("cannot open " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError("not a regular file: " + path.string());
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw IoError("cannot map " + path.string() + ": " + std::strerror(err));
        }
        // Every weight is read for every token: ask the kernel to read ahead.
        ::madvise(p, size_, MADV_WILLNEED);
        data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" little-endian
constexpr uint32_t kMaxDims = 4;
// Elements of all metadata arrays together. Parsed elements take up to 32 bytes each in
// memory (a std::string) against 1 byte in the file, so a cap keeps a hostile file from
// turning into gigabytes of allocations; real vocabularies hold a few hundred thousand.
constexpr uint64_t kMaxArrayElements = uint64_t(1) << 24;

// Sequential little-endian reader over the file bytes; each read checks what is left.
class Reader {
public:
    Reader(std::span<const uint8_t> bytes, const std::string& source) : bytes_(bytes), source_(source) {}

    uint64_t pos() const { return pos_; }
    uint64_t array_elements = 0; // read so far, see kMaxArrayElements
    uint64_t left() const { return bytes_.size() - pos_; }

    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError(source_ + ": " + what + " (at byte " + std::to_string(pos_) + ")");
    }

    template <class T>
    T read(const char* what) {
        if (left() < sizeof(T)) fail(std::string("file ends inside ") + what);
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    std::string read_string(const char* what) {
        const uint64_t len = read<uint64_t>(what);
        if (len > left()) fail(std::string(what) + " length " + std::to_string(len) + " runs past the end of the file");
        std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
        pos_ += len;
        return s;
    }

    // Refuses a count of items of at least min_item_bytes each that could not fit in what is left.
    void check_count(uint64_t count, uint64_t min_item_bytes, const std::string& what) const {
        if (count > left() / min_item_bytes) fail(what + " count " + std::to_string(count) + " is larger than the file allows");
    }

private:
    std::span<const uint8_t> bytes_;
    const std::string& source_;
    uint64_t pos_ = 0;
};

uint64_t scalar_size(ValueType t) {
    switch (t) {
    case ValueType::U8:
    case ValueType::I8:
    case ValueType::BOOL: return 1;
    case ValueType::U16:
    case ValueType::I16: return 2;
    case ValueType::U32:
    case ValueType::I32:
    case ValueType::F32: return 4;
    case ValueType::U64:
    case ValueType::I64:
    case ValueType::F64: return 8;
    case ValueType::STRING: return 8; // at least the length
    case ValueType::ARRAY: return 12;
    }
    return 0;
}

bool is_unsigned(ValueType t) { return t == ValueType::U8 || t == ValueType::U16 || t == ValueType::U32 || t == ValueType::U64; }
bool is_signed(ValueType t) { return t == ValueType::I8 || t == ValueType::I16 || t == ValueType::I32 || t == ValueType::I64; }
bool is_float(ValueType t) { return t == ValueType::F32 || t == ValueType::F64; }

uint64_t read_unsigned(Reader& r, ValueType t) {
    switch (t) {
    case ValueType::U8: return r.read<uint8_t>("a u8 value");
    case ValueType::U16: return r.read<uint16_t>("a u16 value");
    case ValueType::U32: return r.read<uint32_t>("a u32 value");
    default: return r.read<uint64_t>("a u64 value");
    }
}
int64_t read_signed(Reader& r, ValueType t) {
    switch (t) {
    case ValueType::I8: return r.read<int8_t>("an i8 value");
    case ValueType::I16: return r.read<int16_t>("an i16 value");
    case ValueType::I32: return r.read<int32_t>("an i32 value");
    default: return r.read<int64_t>("an i64 value");
    }
}
double read_float(Reader& r, ValueType t) {
    if (t == ValueType::F32) return r.read<float>("an f32 value");
    return r.read<double>("an f64 value");
}
bool read_bool(Reader& r) {
    const uint8_t b = r.read<uint8_t>("a bool value");
    if (b > 1) r.fail("bool value " + std::to_string(b) + " is neither 0 nor 1");
    return b != 0;
}

ValueType read_value_type(Reader& r, const std::string& key) {
    const uint32_t raw = r.read<uint32_t>("a value type");
    if (raw > static_cast<uint32_t>(ValueType::F64)) r.fail("key '" + key + "' has unknown value type " + std::to_string(raw));
    return static_cast<ValueType>(raw);
}

template <class T, class F>
std::vector<T> read_items(Reader& r, uint64_t n, F read_one) {
    std::vector<T> v;
    v.reserve(n); // n was checked against the bytes left
    for (uint64_t i = 0; i < n; ++i) v.push_back(read_one());
    return v;
}

Value read_array(Reader& r, const std::string& key) {
    Value v;
    v.type = ValueType::ARRAY;
    v.array_type = read_value_type(r, key);
    const ValueType et = v.array_type;
    if (et == ValueType::ARRAY) r.fail("key '" + key + "' is a nested array (not supported)");
    const uint64_t n = r.read<uint64_t>("an array length");
    r.check_count(n, scalar_size(et), "key '" + key + "' array");
    r.array_elements += n;
    if (r.array_elements > kMaxArrayElements)
        r.fail("key '" + key + "': metadata arrays hold more than " + std::to_string(kMaxArrayElements) + " elements");
    if (is_unsigned(et))
        v.data = read_items<uint64_t>(r, n, [&] { return read_unsigned(r, et); });
    else if (is_signed(et))
        v.data = read_items<int64_t>(r, n, [&] { return read_signed(r, et); });
    else if (is_float(et))
        v.data = read_items<double>(r, n, [&] { return read_float(r, et); });
    else if (et == ValueType::BOOL)
        v.data = read_items<uint8_t>(r, n, [&] { return uint8_t(read_bool(r)); });
    else
        v.data = read_items<std::string>(r, n, [&] { return r.read_string("a string in an array"); });
    return v;
}

Value read_value(Reader& r, const std::string& key) {
    Value v;
    v.type = read_value_type(r, key);
    const ValueType t = v.type;
    if (t == ValueType::ARRAY) return read_array(r, key);
    if (is_unsigned(t))
        v.data = read_unsigned(r, t);
    else if (is_signed(t))
        v.data = read_signed(r, t);
    else if (is_float(t))
        v.data = read_float(r, t);
    else if (t == ValueType::BOOL)
        v.data = read_bool(r);
    else
        v.data = r.read_string("a string value");
    return v;
}

uint64_t checked_mul(uint64_t a, uint64_t b, Reader& r, const std::string& what) {
    if (b != 0 && a > std::numeric_limits<int64_t>::max() / b) r.fail(what + " overflows");
    return a * b;
}

} // namespace

std::unique_ptr<GgufFile> GgufFile::open(const std::filesystem::path& path) {
    auto mapped = std::make_unique<MappedFile>(path);
    auto file = std::unique_ptr<GgufFile>(new GgufFile());
    file->bytes_ = std::span<const uint8_t>(mapped->data(), mapped->size());
    file->file_ = std::move(mapped);
    file->source_name_ = path.string();
    file->parse_all();
    return file;
}

std::unique_ptr<GgufFile> GgufFile::parse(std::span<const uint8_t> bytes, std::string source_name) {
    auto file = std::unique_ptr<GgufFile>(new GgufFile());
    file->bytes_ = bytes;
    file->source_name_ = std::move(source_name);
    file->parse_all();
    return file;
}

void GgufFile::parse_all() {
    Reader r(bytes_, source_name_);
    if (r.left() < 4 || r.read<uint32_t>("the magic") != kMagic) r.fail("not a GGUF file (bad magic)");
    version_ = r.read<uint32_t>("the version");
    if (version_ != 2 && version_ != 3) r.fail("unsupported GGUF version " + std::to_string(version_) + " (2 and 3 are supported)");
    const uint64_t n_tensors = r.read<uint64_t>("the tensor count");
    const uint64_t n_kv = r.read<uint64_t>("the metadata count");
    r.check_count(n_kv, 8 + 4 + 1, "metadata");
    r.check_count(n_tensors, 8 + 4 + 8 + 4 + 8, "tensor");

    for (uint64_t i = 0; i < n_kv; ++i) {
        std::string key = r.read_string("a metadata key");
        if (metadata_.count(key)) r.fail("duplicate metadata key '" + key + "'");
        Value v = read_value(r, key);
        metadata_.emplace(std::move(key), std::move(v));
    }

    if (has("general.alignment")) {
        const uint64_t a = get_uint("general.alignment").value();
        if (a == 0 || !std::has_single_bit(a) || a > (1u << 30))
            r.fail("general.alignment " + std::to_string(a) + " is not a power of two up to 2^30");
        alignment_ = a;
    }

    tensors_.reserve(n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) {
        TensorInfo t;
        t.name = r.read_string("a tensor name");
        if (tensor_index_.count(t.name)) r.fail("duplicate tensor '" + t.name + "'");
        const uint32_t n_dims = r.read<uint32_t>("a tensor's dimension count");
        if (n_dims == 0 || n_dims > kMaxDims)
            r.fail("tensor '" + t.name + "' has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
        t.n_elements = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t dim = r.read<uint64_t>("a tensor dimension");
            if (dim == 0) r.fail("tensor '" + t.name + "' has a zero dimension");
            t.n_elements = checked_mul(t.n_elements, dim, r, "tensor '" + t.name + "' element count");
            t.dims.push_back(dim);
        }
        const uint32_t raw_type = r.read<uint32_t>("a tensor type");
        if (!is_known_type(raw_type)) r.fail("tensor '" + t.name + "' has unknown type " + std::to_string(raw_type));
        t.type = static_cast<GgmlType>(raw_type);
        const TypeTraits& tt = type_traits(t.type);
        if (t.dims[0] % tt.block_size != 0)
            r.fail("tensor '" + t.name + "' row length " + std::to_string(t.dims[0]) + " is not a multiple of the " + std::string(tt.name) +
                   " block size");
        t.n_bytes = checked_mul(t.n_elements / tt.block_size, tt.type_size, r, "tensor '" + t.name + "' size");
        t.offset = r.read<uint64_t>("a tensor offset");
        if (t.offset % alignment_ != 0)
            r.fail("tensor '" + t.name + "' offset " + std::to_string(t.offset) + " is not aligned to " + std::to_string(alignment_));
        tensor_index_.emplace(t.name, tensors_.size());
        tensors_.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t end_of_header = r.pos();
    data_offset_ = (end_of_header + alignment_ - 1) / alignment_ * alignment_;
    if (n_tensors > 0 && data_offset_ > bytes_.size()) r.fail("file ends before the tensor data");
    const uint64_t data_size = bytes_.size() - std::min<uint64_t>(data_offset_, bytes_.size());
    for (const TensorInfo& t : tensors_) {
        if (t.offset > data_size || t.n_bytes > data_size - t.offset)
            throw FormatError(source_name_ + ": tensor '" + t.name + "' (offset " + std::to_string(t.offset) + ", " +
                              std::to_string(t.n_bytes) + " bytes) runs past the end of the file");
    }
}

const Value* GgufFile::find(std::string_view key) const {
    auto it = metadata_.find(key);
    return it == metadata_.end() ? nullptr : &it->second;
}

namespace {
[[noreturn]] void wrong_type(const std::string& source, std::string_view key, const char* wanted) {
    throw FormatError(source + ": key '" + std::string(key) + "' is not " + wanted);
}
} // namespace

std::optional<uint64_t> GgufFile::get_uint(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* u = std::get_if<uint64_t>(&v->data)) return *u;
    if (auto* i = std::get_if<int64_t>(&v->data)) {
        if (*i < 0) throw FormatError(source_name_ + ": key '" + std::string(key) + "' is negative");
        return static_cast<uint64_t>(*i);
    }
    wrong_type(source_name_, key, "an integer");
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* i = std::get_if<int64_t>(&v->data)) return *i;
    if (auto* u = std::get_if<uint64_t>(&v->data)) {
        if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw FormatError(source_name_ + ": key '" + std::string(key) + "' is out of range");
        return static_cast<int64_t>(*u);
    }
    wrong_type(source_name_, key, "an integer");
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* d = std::get_if<double>(&v->data)) return *d;
    if (auto* i = std::get_if<int64_t>(&v->data)) return static_cast<double>(*i);
    if (auto* u = std::get_if<uint64_t>(&v->data)) return static_cast<double>(*u);
    wrong_type(source_name_, key, "a number");
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* b = std::get_if<bool>(&v->data)) return *b;
    wrong_type(source_name_, key, "a bool");
}

std::optional<std::string> GgufFile::get_string(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* s = std::get_if<std::string>(&v->data)) return *s;
    wrong_type(source_name_, key, "a string");
}

std::optional<std::vector<std::string>> GgufFile::get_string_array(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* a = std::get_if<std::vector<std::string>>(&v->data)) return *a;
    wrong_type(source_name_, key, "an array of strings");
}

std::optional<std::vector<double>> GgufFile::get_float_array(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* a = std::get_if<std::vector<double>>(&v->data)) return *a;
    if (auto* a = std::get_if<std::vector<int64_t>>(&v->data)) return std::vector<double>(a->begin(), a->end());
    if (auto* a = std::get_if<std::vector<uint64_t>>(&v->data)) return std::vector<double>(a->begin(), a->end());
    wrong_type(source_name_, key, "an array of numbers");
}

std::optional<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (auto* a = std::get_if<std::vector<int64_t>>(&v->data)) return *a;
    if (auto* a = std::get_if<std::vector<uint64_t>>(&v->data)) {
        std::vector<int64_t> out;
        out.reserve(a->size());
        for (uint64_t u : *a) {
            if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                throw FormatError(source_name_ + ": key '" + std::string(key) + "' has a value out of range");
            out.push_back(static_cast<int64_t>(u));
        }
        return out;
    }
    wrong_type(source_name_, key, "an array of integers");
}

std::string GgufFile::architecture() const {
    auto arch = get_string("general.architecture");
    if (!arch) throw FormatError(source_name_ + ": general.architecture is missing");
    return *arch;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& GgufFile::tensor(std::string_view name) const {
    const TensorInfo* t = find_tensor(name);
    if (!t) throw FormatError(source_name_ + ": tensor '" + std::string(name) + "' is missing");
    return *t;
}

} // namespace kmlm::gguf
