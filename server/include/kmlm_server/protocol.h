// The OpenAI-compatible protocol without the transport: request parsing and validation,
// response and stream-chunk shaping, errors in OpenAI's shape. No HTTP library, no Qt: the
// kmlm CLI's server and the desktop app's share it.
#pragma once
#include "kmlm/chat_template.h"
#include "kmlm/generate.h"
#include "kmlm/sampler.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm::server {

// An error the client gets as {"error": {"message", "type", "code"}} with an HTTP status.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string type, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), type_(std::move(type)), code_(std::move(code)) {}
    static ApiError bad_request(const std::string& message, std::string code = "invalid_value") {
        return ApiError(400, "invalid_request_error", std::move(code), message);
    }
    int status() const { return status_; }
    const std::string& type() const { return type_; }
    const std::string& code() const { return code_; }

private:
    int status_;
    std::string type_;
    std::string code_;
};

// The error body: {"error": {"message": ..., "type": ..., "code": ..., "param": null}}.
std::string error_body(const ApiError& error);

// Most tokens one request may ask for.
inline constexpr int32_t kMaxRequestTokens = 1 << 20;
// Most stop strings per request (OpenAI's limit).
inline constexpr size_t kMaxStopStrings = 4;

// What both endpoints take. Fields a request leaves out keep the engine's defaults
// (SamplingParams, as `kmlm run`), not OpenAI's temperature 1 / top_p 1.
struct GenerationParams {
    std::string model; // as the client named it (informational)
    SamplingParams sampling;
    int32_t max_tokens = GenerateOptions{}.max_tokens;
    std::vector<std::string> stop;
    bool ignore_eos = false; // llama.cpp's extension: generate past end-of-text
    bool stream = false;
    bool include_usage = false; // stream_options.include_usage: a last chunk with usage
};

// One request for the backend: a conversation (chat) or a text to continue (completions).
struct GenerationRequest {
    bool chat = true;
    std::vector<ChatMessage> messages; // chat: roles system/user/assistant, NFC text
    std::string prompt;                // completions: NFC text
    GenerationParams params;
};

// Throws ApiError 400 (malformed JSON, a missing or wrong field, a value out of range).
GenerationRequest parse_chat_request(std::string_view body);
GenerationRequest parse_completion_request(std::string_view body);

// The JSON body of a request, for a client: the OpenAI fields (model, messages or prompt,
// max_tokens, temperature, top_p, presence_penalty, frequency_penalty, seed, stop, stream),
// plus ignore_eos when set. The inverse of the parsers above.
std::string request_body(const GenerationRequest& request);

// Range checks of the sampling fields; throws ApiError 400 naming the field.
void validate_sampling(const SamplingParams& sampling);

// "stop" (end of text or a stop string) or "length" (token limit, memory ceiling).
std::string_view finish_reason(StopReason reason);

struct Usage {
    int32_t prompt_tokens = 0;
    int32_t completion_tokens = 0;
};

// The answer, shaped for the endpoint the request came to.
struct ResponseMeta {
    std::string id;      // "chatcmpl-..." or "cmpl-..."
    int64_t created = 0; // Unix seconds
    std::string model;
};
std::string completion_response(const GenerationRequest& request, const ResponseMeta& meta, std::string_view text, std::string_view finish,
                                const Usage& usage);

// Server-sent events of a streamed answer: "data: {json}\n\n" each, then "data: [DONE]\n\n".
std::string stream_start_event(const GenerationRequest& request, const ResponseMeta& meta); // chat: the role
std::string stream_text_event(const GenerationRequest& request, const ResponseMeta& meta, std::string_view text);
std::string stream_finish_event(const GenerationRequest& request, const ResponseMeta& meta, std::string_view finish);
std::string stream_usage_event(const GenerationRequest& request, const ResponseMeta& meta, const Usage& usage);
std::string stream_error_event(const ApiError& error);
inline constexpr std::string_view kStreamDone = "data: [DONE]\n\n";

// GET /v1/models with one model.
std::string models_response(const std::string& model_id, int64_t created);

} // namespace kmlm::server
