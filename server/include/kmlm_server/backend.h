// What the HTTP layer asks of whatever runs the model: the kmlm CLI's pool of engine
// instances (model_pool.h) or the desktop app's engine thread (core/localapiserver.h).
#pragma once
#include "kmlm_server/protocol.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

namespace kmlm::server {

struct BackendResult {
    std::string text;
    StopReason reason = StopReason::EndOfText;
    Usage usage;
    int32_t reused_tokens = 0; // prompt tokens already in the model's cache
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string model_id() const = 0;
    // Runs one request to its end and returns the answer. on_text (empty when the client
    // did not ask for a stream) gets the answer as it becomes final (whole characters and syllables, never part of a stop string). Returns
    // soon after cancel is set (reason Cancelled). Called from several threads at once, at
    // most as many as the server's --parallel. Throws ApiError for a request it refuses
    // (a prompt longer than the context) and kmlm::Error for engine failures.
    virtual BackendResult generate(const GenerationRequest& request, const std::function<void(std::string_view)>& on_text,
                                   const std::atomic<bool>& cancel) = 0;
};

} // namespace kmlm::server
