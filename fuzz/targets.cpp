#include "targets.h"

#include "kmlm/chat_template.h"
#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/gru_io.h"
#include "kmlm/jamo_tokenizer.h"
#include "kmlm/language_model.h"
#include "kmlm/utf8.h"
#include "kmlm/vocab.h"

#include <sys/mman.h>
#include <unistd.h>

#include <span>
#include <string>
#include <vector>

namespace kmlm::fuzz {
namespace {

// The bytes as a file (in memory, no disk), for the readers that take a path.
class MemoryFile {
public:
    MemoryFile(const uint8_t* data, size_t size) {
        fd_ = memfd_create("kmlm-fuzz", 0);
        if (fd_ < 0) return;
        for (size_t done = 0; done < size;) {
            const ssize_t n = write(fd_, data + done, size - done);
            if (n <= 0) break;
            done += size_t(n);
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    ~MemoryFile() {
        if (fd_ >= 0) close(fd_);
    }
    const std::string& path() const { return path_; }

private:
    int fd_ = -1;
    std::string path_;
};

// Whatever a tokenizer makes of some text and of its own ids, end to end.
void exercise(const Tokenizer& tok) {
    for (std::string_view text : {"안녕하세요, 세계! Hello 123", "<|im_start|>user\n", ""}) {
        const std::vector<int32_t> ids = tok.encode(text, true, true);
        tok.decode(ids);
        auto stream = tok.stream_decoder();
        for (int32_t id : ids) stream->push(id);
        stream->flush();
    }
    const int32_t n = tok.vocab_size();
    for (int32_t id : {0, 1, 2, n / 2, n - 1})
        if (id >= 0 && id < n) tok.token_text(id);
}

} // namespace

void gguf(const uint8_t* data, size_t size) {
    try {
        auto file = gguf::GgufFile::parse(std::span(data, size), "fuzz.gguf");
        file->architecture();
        // Every tensor's bytes lie inside the buffer (ASan reads the first and the last).
        volatile uint8_t sink = 0;
        for (const auto& t : file->tensors()) {
            if (t.n_bytes == 0) continue;
            const uint8_t* p = file->tensor_data(t);
            sink = sink + p[0] + p[t.n_bytes - 1];
        }
        for (const auto& kv : file->metadata()) {
            try {
                file->get_string(kv.first);
            } catch (const FormatError&) { // not a string
            }
        }
    } catch (const Error&) {}
}

void model(const uint8_t* data, size_t size) {
    MemoryFile f(data, size);
    try {
        LoadOptions options;
        options.n_threads = 1;
        options.n_ctx = 64;
        auto m = load_model(f.path(), options);
        exercise(m->tokenizer());
        m->info();
    } catch (const Error&) {}
}

void vocab(const uint8_t* data, size_t size) {
    try {
        auto file = gguf::GgufFile::parse(std::span(data, size), "fuzz.gguf");
        auto tok = load_gguf_tokenizer(*file);
        exercise(*tok);
    } catch (const Error&) {}
}

void gru_json(const uint8_t* data, size_t size) {
    MemoryFile f(data, size);
    try {
        read_gru_json(f.path());
    } catch (const Error&) {}
}

void gru_bin(const uint8_t* data, size_t size) {
    MemoryFile f(data, size);
    try {
        read_gru_binary(f.path());
    } catch (const Error&) {}
}

void jinja(const uint8_t* data, size_t size) {
    static const std::vector<ChatMessage> messages = {
        {"system", "시스템"}, {"user", " 안녕? "}, {"assistant", "네, 안녕하세요!"}, {"user", "고마워"}};
    // The chat path: the interpreter, and the built-in format when the template fails.
    ChatOptions options;
    options.chat_template.assign(reinterpret_cast<const char*>(data), size);
    options.bos_token = "<s>";
    options.eos_token = "</s>";
    options.date = "26 Jul 2024";
    render_chat(messages, options);
}

void utf8(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    first_invalid_utf8(text);
    complete_utf8_prefix(text);
    static const JamoTokenizer jamo;
    if (!is_valid_utf8(text)) {
        try {
            jamo.encode(text);
        } catch (const InvalidArgument&) {}
        return;
    }
    const std::string nfc = to_nfc(text);
    encode_utf8(decode_utf8(text));
    count_code_points(text);
    const std::vector<int32_t> ids = jamo.encode(nfc);
    jamo.decode(ids);
    auto stream = jamo.stream_decoder();
    for (int32_t id : ids) stream->push(id);
    stream->flush();
    // Arbitrary ids, as a model could sample them.
    std::vector<int32_t> raw;
    for (size_t k = 0; k + 1 < size; k += 2) raw.push_back((data[k] | data[k + 1] << 8) % jamo.vocab_size());
    jamo.decode(raw);
    auto raw_stream = jamo.stream_decoder();
    for (int32_t id : raw) raw_stream->push(id);
    raw_stream->flush();
}

Target engine_target(std::string_view name) {
    if (name == "gguf") return gguf;
    if (name == "model") return model;
    if (name == "vocab") return vocab;
    if (name == "gru_json") return gru_json;
    if (name == "gru_bin") return gru_bin;
    if (name == "jinja") return jinja;
    if (name == "utf8") return utf8;
    return nullptr;
}

} // namespace kmlm::fuzz
