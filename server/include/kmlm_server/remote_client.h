// A client for OpenAI-compatible servers (kmlm serve, llama.cpp's server, Ollama, vLLM):
// streamed chat and text completions, errors turned into messages a user can act on.
#pragma once
#include "kmlm_server/protocol.h"

#include "kmlm/error.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm::server {

// What kind of failure a RemoteError is, for a caller that words it for its user.
enum class RemoteFailure {
    Other,
    Unreachable, // connection refused, host unknown or unreachable
    Timeout,     // no connection or no answer within timeout_seconds
    Key,         // the server refused the API key (401, 403)
    Busy,        // 429, 503
    Server,      // another 5xx, or an error event mid-answer
    Lost,        // the connection closed mid-answer
};

// A failure talking to the server, with a message that says what happened and where.
class RemoteError : public Error {
public:
    explicit RemoteError(const std::string& message, RemoteFailure kind = RemoteFailure::Other) : Error(message), kind_(kind) {}
    RemoteFailure kind() const { return kind_; }

private:
    RemoteFailure kind_;
};

struct RemoteEndpoint {
    std::string base_url;      // "http://gpu-box:11434/v1": the paths /chat/completions, ... follow it
    std::string api_key;       // empty: none sent
    std::string model;         // the server's model name
    int timeout_seconds = 120; // for the connection and between two pieces of the answer
};

struct RemoteResult {
    std::string text;
    std::string finish_reason; // "stop", "length", ... as the server said; empty when cancelled
    Usage usage;               // zero when the server sent none
    bool cancelled = false;
};

// Streams the answer to on_text as it arrives and returns it whole. Returns early with
// cancelled set when *cancel becomes true. Throws RemoteError: connection refused, timeout,
// a refused key (401), any other error status with the server's message, or the connection
// lost mid-answer (on_text already had the part that came).
RemoteResult remote_generate(const RemoteEndpoint& endpoint, const GenerationRequest& request,
                             const std::function<void(std::string_view)>& on_text, const std::atomic<bool>* cancel = nullptr);

// The ids of GET /v1/models. Throws RemoteError.
std::vector<std::string> remote_models(const RemoteEndpoint& endpoint);

} // namespace kmlm::server
