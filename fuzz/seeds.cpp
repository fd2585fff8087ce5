// Writes the seed corpora of the fuzz targets into a folder (one subfolder per target): small
// files made by the project's own writers, so the seeds follow the formats as they change.
// The chat templates of tests/data/chat-templates are seeds too (scripts/fuzz.sh adds them).
#include "kmlm/gru_io.h"
#include "kmlm/model_random.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

kmlm::GruWeights tiny_gru() {
    kmlm::GruConfig c;
    c.vocab_size = 77;
    c.embed_dim = 2;
    c.hidden_dim = 2;
    kmlm::GruWeights w = kmlm::GruWeights::zeros(c);
    float x = 0.01f;
    for (auto* t : w.tensors())
        for (float& v : *t) v = (x += 0.01f);
    return w;
}

// Requests to each endpoint of the server, with the key the fuzzed server asks for.
std::string post(const std::string& path, const std::string& body) {
    return "POST " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fuzz-key\r\n"
           "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

void write_http_seeds(const fs::path& dir) {
    write_text(dir / "health.txt", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    write_text(dir / "models.txt", "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fuzz-key\r\n\r\n");
    write_text(dir / "wrong-key.txt", "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\n\r\n");
    write_text(dir / "chat.txt",
               post("/v1/chat/completions",
                    R"({"model":"m","messages":[{"role":"system","content":"짧게"},{"role":"user","content":"안녕하세요"}],)"
                    R"("max_tokens":8,"temperature":0,"top_p":0.9,"seed":1,"stop":["."],"presence_penalty":0.5,"frequency_penalty":0.1})"));
    write_text(
        dir / "chat-stream.txt",
        post(
            "/v1/chat/completions",
            R"({"model":"m","messages":[{"role":"user","content":"스트림 ㅋㅋ"}],"stream":true,"stream_options":{"include_usage":true}})"));
    write_text(dir / "completion.txt", post("/v1/completions", R"({"model":"m","prompt":"오늘은 날씨가","max_tokens":4,"stream":false})"));
    write_text(dir / "completion-stream.txt", post("/v1/completions", R"({"prompt":["한","국"],"stream":true,"ignore_eos":true})"));
    write_text(dir / "chunked.txt", "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fuzz-key\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"prompt\":\"abc\",\r\n1\r\n}\r\n0\r\n\r\n");
    write_text(dir / "keep-alive.txt", "GET /health HTTP/1.1\r\nHost: a\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: a\r\n"
                                       "Authorization: Bearer fuzz-key\r\nConnection: close\r\n\r\n");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: fuzz_seeds DIR\n";
        return 2;
    }
    const fs::path out = argv[1];
    for (const char* t : {"gguf", "model", "vocab", "gru_json", "gru_bin", "jinja", "utf8", "chat_import", "http"})
        fs::create_directories(out / t);

    kmlm::RandomModelSpec spec;
    spec.n_layer = 1;
    spec.n_embd = 8;
    spec.n_head = 2;
    spec.n_ff = 8;
    spec.n_vocab = 300;
    spec.n_ctx = 16;
    for (const char* arch : {"llama", "qwen2", "gptneox"}) {
        spec.arch = arch;
        for (const char* dir : {"gguf", "model", "vocab"}) kmlm::write_random_model(spec, out / dir / (std::string(arch) + ".gguf"));
    }
    spec.arch = "llama";
    spec.type = "Q8_0";
    spec.n_embd = 32;
    spec.n_ff = 32;
    kmlm::write_random_model(spec, out / "model" / "llama-q8_0.gguf");

    const kmlm::GruWeights gru = tiny_gru();
    kmlm::write_gru_json(gru, out / "gru_json" / "tiny.json");
    kmlm::write_gru_binary(gru, out / "gru_bin" / "tiny.bin");
    for (const char* dir : {"gguf", "model"}) kmlm::write_gru_gguf(gru, out / dir / "gru.gguf", kmlm::GgmlType::F32, "gru");

    write_text(out / "utf8" / "korean.txt", "안녕하세요, 세계! 한국어 ㅋㅋ ㅠㅠ 각 값");
    write_text(out / "utf8" / "decomposed.txt", "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab Latin caf\xc3\xa9 \xf0\x9f\x98\x80");
    write_text(out / "utf8" / "broken.txt", "\xed\x95\x9c\xea\xb5");
    write_text(out / "chat_import" / "conversation.json",
               R"({"format":"korean-mini-lm-chat","version":1,"title":"날씨","system_prompt":"짧게 답하세요.",)"
               R"("messages":[{"id":1,"role":"user","text":"안녕","state":"complete","created":"2024-07-26T10:00:00Z"},)"
               R"({"id":2,"parent":1,"role":"assistant","text":"네, 안녕하세요!","state":"complete","model":"tiny",)"
               R"("prompt_tokens":3,"completion_tokens":1,"tokens_per_second":5.5,"created":"2024-07-26T10:00:01Z"},)"
               R"({"id":3,"parent":1,"role":"assistant","text":"다른 답","active":false}]})");
    write_http_seeds(out / "http");
    return 0;
}
