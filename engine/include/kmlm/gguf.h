// GGUF v2/v3 reader (memory-mapped, zero-copy tensors) and writer.
// Every count, size and offset is checked against the file before it is used: a truncated
// or hostile file throws FormatError naming the problem, never crashes or over-allocates.
#pragma once
#include "kmlm/ggml_type.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kmlm::gguf {

enum class ValueType : uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

// One metadata value. Scalars widen to uint64/int64/double; arrays keep their element type.
struct Value {
    ValueType type = ValueType::U8;
    ValueType array_type = ValueType::U8; // element type when type == ARRAY
    std::variant<uint64_t, int64_t, double, bool, std::string, std::vector<uint64_t>, std::vector<int64_t>, std::vector<double>,
                 std::vector<uint8_t> /* bools */, std::vector<std::string>>
        data;
};

struct TensorInfo {
    std::string name;
    GgmlType type = GgmlType::F32;
    std::vector<uint64_t> dims; // ggml order: dims[0] is the row length (ne0)
    uint64_t offset = 0;        // from the start of the data section
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;
    uint64_t rows() const { return dims.empty() ? 0 : n_elements / dims[0]; }
};

// A read-only memory mapping of a whole file.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& path); // throws IoError
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }

private:
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
};

class GgufFile {
public:
    static std::unique_ptr<GgufFile> open(const std::filesystem::path& path);
    // Parses a file already in memory (tests, fuzzing); the buffer must outlive the object.
    static std::unique_ptr<GgufFile> parse(std::span<const uint8_t> bytes, std::string source_name);

    uint32_t version() const { return version_; }
    uint64_t file_size() const { return bytes_.size(); }
    uint64_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }
    const std::string& source_name() const { return source_name_; }

    const std::map<std::string, Value, std::less<>>& metadata() const { return metadata_; }
    const Value* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Typed getters: nullopt when the key is absent; FormatError naming the key when it has
    // an incompatible type or an out-of-range value. Any integer type is accepted for
    // integers (files differ in u32/u64/i32).
    std::optional<uint64_t> get_uint(std::string_view key) const;
    std::optional<int64_t> get_int(std::string_view key) const;
    std::optional<double> get_float(std::string_view key) const;
    std::optional<bool> get_bool(std::string_view key) const;
    std::optional<std::string> get_string(std::string_view key) const;
    std::optional<std::vector<std::string>> get_string_array(std::string_view key) const;
    std::optional<std::vector<double>> get_float_array(std::string_view key) const;
    std::optional<std::vector<int64_t>> get_int_array(std::string_view key) const;

    // general.architecture; FormatError when missing.
    std::string architecture() const;

    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;
    // FormatError naming the tensor when it is missing.
    const TensorInfo& tensor(std::string_view name) const;
    // Pointer into the mapping (no copy).
    const uint8_t* tensor_data(const TensorInfo& t) const { return bytes_.data() + data_offset_ + t.offset; }

private:
    GgufFile() = default;
    void parse_all();

    std::unique_ptr<MappedFile> file_;
    std::span<const uint8_t> bytes_;
    std::string source_name_;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::map<std::string, Value, std::less<>> metadata_;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, size_t, std::less<>> tensor_index_;
};

// Writes GGUF v3. Metadata keeps insertion order; tensors are aligned to `alignment`.
class GgufWriter {
public:
    explicit GgufWriter(uint64_t alignment = 32);

    void set_u8(std::string key, uint8_t v);
    void set_u32(std::string key, uint32_t v);
    void set_i32(std::string key, int32_t v);
    void set_u64(std::string key, uint64_t v);
    void set_f32(std::string key, float v);
    void set_bool(std::string key, bool v);
    void set_string(std::string key, std::string v);
    void set_string_array(std::string key, std::vector<std::string> v);
    void set_f32_array(std::string key, std::vector<float> v);
    void set_i32_array(std::string key, std::vector<int32_t> v);
    void set_u32_array(std::string key, std::vector<uint32_t> v);
    // Any value as is (its type and array_type decide how it is written); nested arrays are refused.
    void set_value(std::string key, Value v);
    // Copies every metadata key of another file (e.g. quantize keeps the tokenizer).
    void copy_metadata(const GgufFile& from);

    // data must hold row_bytes(type, dims[0]) * rows bytes in the type's block layout.
    void add_tensor(std::string name, GgmlType type, std::vector<uint64_t> dims, std::vector<uint8_t> data);
    // Convenience for F32 tensors.
    void add_tensor_f32(std::string name, std::vector<uint64_t> dims, std::span<const float> data);

    // Writes to path atomically (temporary file, then rename). Throws IoError.
    void write(const std::filesystem::path& path) const;
    std::vector<uint8_t> to_bytes() const;

private:
    struct Entry {
        std::string key;
        Value value;
    };
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<uint64_t> dims;
        std::vector<uint8_t> data;
    };
    void set(std::string key, Value v);
    uint64_t alignment_;
    std::vector<Entry> entries_;
    std::vector<Tensor> tensors_;
};

} // namespace kmlm::gguf
