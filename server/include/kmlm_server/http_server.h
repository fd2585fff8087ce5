// The OpenAI-compatible HTTP server (cpp-httplib): /v1/models, /v1/chat/completions,
// /v1/completions, /health, with an API key, a body size limit and a bounded queue in front
// of a Backend.
#pragma once
#include "kmlm_server/backend.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace kmlm::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                                  // 0: any free port (bind() says which)
    std::string api_key;                              // empty: no key asked
    int parallel = 1;                                 // requests generating at once
    int queue = 8;                                    // requests waiting beyond those; more get 503
    size_t max_body_bytes = 1u << 20;                 // larger bodies get 413
    int retry_after_seconds = 2;                      // the Retry-After of a 503
    int read_timeout_ms = 5000;                       // a client silent this long mid-request is dropped
    int requests_per_connection = 100;                // keep-alive: then the server closes the connection
    std::function<void(const std::string& line)> log; // one line per request; null: quiet
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

class HttpServer {
public:
    HttpServer(Backend& backend, ServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds the listening socket and returns its port. Throws std::runtime_error.
    int bind();
    // Serves until stop(). Call bind() first.
    void run();
    // Cancels the generations in progress and makes run() return (also a run() just
    // starting on another thread). Any thread.
    void stop();

    uint64_t requests_served() const; // generation requests answered (stream or not)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kmlm::server
