// Random-weight GGUF transformer models of any shape, with a working byte-level BPE
// tokenizer and a chat template in the metadata: for tests and speed measurements of real
// model shapes without the real weights.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

struct RandomModelSpec {
    std::string arch = "llama"; // llama, qwen2, exaone, gptneox
    uint32_t n_layer = 2;
    uint32_t n_embd = 64;
    uint32_t n_head = 4;
    uint32_t n_head_kv = 0; // 0: n_head
    uint32_t n_ff = 128;
    uint32_t n_vocab = 512; // at least 256 bytes + 3 control tokens
    uint32_t n_ctx = 256;
    uint32_t n_rot = 0;       // 0: the whole head
    std::string type = "F32"; // F32, F16, Q4_0, Q8_0, Q4_K_M, ... (a ggml type or a llama.cpp mix)
    bool tied_output = false; // no output.weight: the output reuses token_embd
    uint64_t seed = 1;
    std::string name = "random";
    std::string chat_template; // tokenizer.chat_template; empty: a ChatML template
};

// Shapes of real models: "polyglot-ko-1.3b". Throws InvalidArgument for other names.
RandomModelSpec random_model_preset(std::string_view name);

// The file's bytes / the file. Throws InvalidArgument for an impossible spec (unknown arch
// or type, heads not dividing the width, vocabulary too small).
std::vector<uint8_t> random_model_bytes(const RandomModelSpec& spec);
void write_random_model(const RandomModelSpec& spec, const std::filesystem::path& path);

} // namespace kmlm
