// GGUF v3 writer: metadata in insertion order, tensors aligned, written atomically.
#include "kmlm/gguf.h"

#include "kmlm/error.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <functional>

#include <unistd.h>

namespace kmlm::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;
constexpr uint32_t kVersion = 3;

// Appends little-endian bytes to a buffer (the header is small; tensor data is streamed).
class Out {
public:
    std::vector<uint8_t> bytes;
    template <class T>
    void put(T v) {
        put_raw(&v, sizeof(T));
    }
    void put_string(const std::string& s) {
        put<uint64_t>(s.size());
        put_raw(s.data(), s.size());
    }
    void put_raw(const void* p, size_t n) {
        const size_t at = bytes.size();
        bytes.resize(at + n);
        if (n) std::memcpy(bytes.data() + at, p, n);
    }
    void pad_to(uint64_t alignment) {
        while (bytes.size() % alignment != 0) bytes.push_back(0);
    }
};

void put_scalar(Out& o, ValueType t, const Value& v, size_t i = 0) {
    auto u = [&]() -> uint64_t {
        if (auto* a = std::get_if<std::vector<uint64_t>>(&v.data)) return (*a)[i];
        return std::get<uint64_t>(v.data);
    };
    auto s = [&]() -> int64_t {
        if (auto* a = std::get_if<std::vector<int64_t>>(&v.data)) return (*a)[i];
        return std::get<int64_t>(v.data);
    };
    auto f = [&]() -> double {
        if (auto* a = std::get_if<std::vector<double>>(&v.data)) return (*a)[i];
        return std::get<double>(v.data);
    };
    switch (t) {
    case ValueType::U8: o.put<uint8_t>(static_cast<uint8_t>(u())); break;
    case ValueType::U16: o.put<uint16_t>(static_cast<uint16_t>(u())); break;
    case ValueType::U32: o.put<uint32_t>(static_cast<uint32_t>(u())); break;
    case ValueType::U64: o.put<uint64_t>(u()); break;
    case ValueType::I8: o.put<int8_t>(static_cast<int8_t>(s())); break;
    case ValueType::I16: o.put<int16_t>(static_cast<int16_t>(s())); break;
    case ValueType::I32: o.put<int32_t>(static_cast<int32_t>(s())); break;
    case ValueType::I64: o.put<int64_t>(s()); break;
    case ValueType::F32: o.put<float>(static_cast<float>(f())); break;
    case ValueType::F64: o.put<double>(f()); break;
    case ValueType::BOOL:
        if (auto* a = std::get_if<std::vector<uint8_t>>(&v.data))
            o.put<uint8_t>((*a)[i] ? 1 : 0);
        else
            o.put<uint8_t>(std::get<bool>(v.data) ? 1 : 0);
        break;
    case ValueType::STRING:
        if (auto* a = std::get_if<std::vector<std::string>>(&v.data))
            o.put_string((*a)[i]);
        else
            o.put_string(std::get<std::string>(v.data));
        break;
    case ValueType::ARRAY: throw InvalidArgument("nested GGUF arrays are not supported");
    }
}

size_t array_size(const Value& v) {
    return std::visit(
        [](const auto& x) -> size_t {
            if constexpr (requires { x.size(); } && !std::is_same_v<std::decay_t<decltype(x)>, std::string>)
                return x.size();
            else
                return 0;
        },
        v.data);
}

void put_value(Out& o, const Value& v) {
    o.put<uint32_t>(static_cast<uint32_t>(v.type));
    if (v.type != ValueType::ARRAY) return put_scalar(o, v.type, v);
    o.put<uint32_t>(static_cast<uint32_t>(v.array_type));
    const size_t n = array_size(v);
    o.put<uint64_t>(n);
    for (size_t i = 0; i < n; ++i) put_scalar(o, v.array_type, v, i);
}

template <class T, class W>
Value make_array(ValueType et, const std::vector<T>& items) {
    Value v;
    v.type = ValueType::ARRAY;
    v.array_type = et;
    v.data = std::vector<W>(items.begin(), items.end());
    return v;
}

Value scalar(ValueType t, auto x) {
    Value v;
    v.type = t;
    v.data = x;
    return v;
}

} // namespace

GgufWriter::GgufWriter(uint64_t alignment) : alignment_(alignment) {
    if (alignment == 0 || !std::has_single_bit(alignment))
        throw InvalidArgument("GGUF alignment must be a power of two, got " + std::to_string(alignment));
    if (alignment != 32) set_u32("general.alignment", static_cast<uint32_t>(alignment));
}

void GgufWriter::set(std::string key, Value v) {
    if (v.type == ValueType::ARRAY && v.array_type == ValueType::ARRAY)
        throw InvalidArgument("key '" + key + "': nested GGUF arrays are not supported");
    if (key == "general.alignment" && v.type != ValueType::ARRAY) {
        // The file's alignment is the writer's; a copied key must not contradict it.
        v = scalar(ValueType::U32, uint64_t{alignment_});
        if (alignment_ == 32) {
            std::erase_if(entries_, [](const Entry& e) { return e.key == "general.alignment"; });
            return;
        }
    }
    for (Entry& e : entries_) {
        if (e.key == key) {
            e.value = std::move(v);
            return;
        }
    }
    entries_.push_back({std::move(key), std::move(v)});
}

void GgufWriter::set_u8(std::string key, uint8_t v) { set(std::move(key), scalar(ValueType::U8, uint64_t{v})); }
void GgufWriter::set_u32(std::string key, uint32_t v) { set(std::move(key), scalar(ValueType::U32, uint64_t{v})); }
void GgufWriter::set_i32(std::string key, int32_t v) { set(std::move(key), scalar(ValueType::I32, int64_t{v})); }
void GgufWriter::set_u64(std::string key, uint64_t v) { set(std::move(key), scalar(ValueType::U64, v)); }
void GgufWriter::set_f32(std::string key, float v) { set(std::move(key), scalar(ValueType::F32, double{v})); }
void GgufWriter::set_bool(std::string key, bool v) { set(std::move(key), scalar(ValueType::BOOL, v)); }
void GgufWriter::set_string(std::string key, std::string v) { set(std::move(key), scalar(ValueType::STRING, std::move(v))); }
void GgufWriter::set_string_array(std::string key, std::vector<std::string> v) {
    set(std::move(key), make_array<std::string, std::string>(ValueType::STRING, v));
}
void GgufWriter::set_f32_array(std::string key, std::vector<float> v) { set(std::move(key), make_array<float, double>(ValueType::F32, v)); }
void GgufWriter::set_i32_array(std::string key, std::vector<int32_t> v) {
    set(std::move(key), make_array<int32_t, int64_t>(ValueType::I32, v));
}
void GgufWriter::set_u32_array(std::string key, std::vector<uint32_t> v) {
    set(std::move(key), make_array<uint32_t, uint64_t>(ValueType::U32, v));
}
void GgufWriter::set_value(std::string key, Value v) { set(std::move(key), std::move(v)); }

void GgufWriter::copy_metadata(const GgufFile& from) {
    for (const auto& [key, value] : from.metadata()) set(key, value);
}

void GgufWriter::add_tensor(std::string name, GgmlType type, std::vector<uint64_t> dims, std::vector<uint8_t> data) {
    if (dims.empty() || dims.size() > 4) throw InvalidArgument("tensor '" + name + "' needs 1 to 4 dimensions");
    uint64_t rows = 1;
    for (size_t i = 1; i < dims.size(); ++i) rows *= dims[i];
    for (uint64_t d : dims)
        if (d == 0) throw InvalidArgument("tensor '" + name + "' has a zero dimension");
    if (row_bytes(type, dims[0]) * rows != data.size())
        throw InvalidArgument("tensor '" + name + "' data has " + std::to_string(data.size()) + " bytes, its shape and type need " +
                              std::to_string(row_bytes(type, dims[0]) * rows));
    for (const Tensor& t : tensors_)
        if (t.name == name) throw InvalidArgument("duplicate tensor '" + name + "'");
    tensors_.push_back({std::move(name), type, std::move(dims), std::move(data)});
}

void GgufWriter::add_tensor_f32(std::string name, std::vector<uint64_t> dims, std::span<const float> data) {
    std::vector<uint8_t> bytes(data.size_bytes());
    std::memcpy(bytes.data(), data.data(), bytes.size());
    add_tensor(std::move(name), GgmlType::F32, std::move(dims), std::move(bytes));
}

// Header (magic, counts, metadata, tensor infos) padded to the alignment; tensor data
// follows, each tensor padded to the alignment.
static std::vector<uint8_t> header_bytes(uint64_t alignment, const auto& entries, const auto& tensors) {
    Out o;
    o.put<uint32_t>(kMagic);
    o.put<uint32_t>(kVersion);
    o.put<uint64_t>(tensors.size());
    o.put<uint64_t>(entries.size());
    for (const auto& e : entries) {
        o.put_string(e.key);
        put_value(o, e.value);
    }
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        o.put_string(t.name);
        o.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
        for (uint64_t d : t.dims) o.put<uint64_t>(d);
        o.put<uint32_t>(static_cast<uint32_t>(t.type));
        o.put<uint64_t>(offset);
        offset += (t.data.size() + alignment - 1) / alignment * alignment;
    }
    o.pad_to(alignment);
    return std::move(o.bytes);
}

static void write_all(const std::function<void(const uint8_t*, size_t)>& sink, uint64_t alignment, const std::vector<uint8_t>& header,
                      const auto& tensors) {
    static const std::vector<uint8_t> zeros(4096, 0);
    sink(header.data(), header.size());
    for (const auto& t : tensors) {
        sink(t.data.data(), t.data.size());
        uint64_t pad = (alignment - t.data.size() % alignment) % alignment;
        while (pad > 0) {
            const size_t n = std::min<uint64_t>(pad, zeros.size());
            sink(zeros.data(), n);
            pad -= n;
        }
    }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
    std::vector<uint8_t> out;
    write_all([&](const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }, alignment_,
              header_bytes(alignment_, entries_, tensors_), tensors_);
    return out;
}

void GgufWriter::write(const std::filesystem::path& path) const {
    std::filesystem::path tmp = path;
    tmp += ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError("cannot write " + tmp.string());
        write_all([&](const uint8_t* p, size_t n) { out.write(reinterpret_cast<const char*>(p), n); }, alignment_,
                  header_bytes(alignment_, entries_, tensors_), tensors_);
        out.flush();
        if (!out) {
            out.close();
            std::filesystem::remove(tmp);
            throw IoError("cannot write " + path.string() + " (disk full?)");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw IoError("cannot write " + path.string() + ": " + ec.message());
    }
}

} // namespace kmlm::gguf
