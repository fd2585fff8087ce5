// The fuzz targets' bodies, one per parser of outside input. The libFuzzer programs
// (fuzz_<name>.cpp) call them, and so does the regression test (tests/engine/tst_fuzz_regressions),
// with every input that once crashed, hung or blew up a target (fuzz/regressions/<name>/).
// Each returns normally for any input: a kmlm::Error is the expected answer to bad bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kmlm::fuzz {

void gguf(const uint8_t* data, size_t size);     // the GGUF reader
void model(const uint8_t* data, size_t size);    // load_model() on the bytes as a file
void vocab(const uint8_t* data, size_t size);    // tokenizers from GGUF metadata
void gru_json(const uint8_t* data, size_t size); // the GRU's JSON format
void gru_bin(const uint8_t* data, size_t size);  // the GRU's binary format
void jinja(const uint8_t* data, size_t size);    // chat templates
void utf8(const uint8_t* data, size_t size);     // UTF-8 checks, NFC, the jamo tokenizer

// The engine's targets by name (chat_import lives with the app core); nullptr when unknown.
using Target = void (*)(const uint8_t*, size_t);
Target engine_target(std::string_view name);

} // namespace kmlm::fuzz
