#include "http_target.h"

#include "kmlm_server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace kmlm::fuzz {
namespace {

// Answers with the last message (or the prompt) as it came, in two pieces when it can split
// it at a character boundary, so both the streamed and the whole response paths run.
class EchoBackend final : public server::Backend {
public:
    std::string model_id() const override { return "fuzz-model"; }
    server::BackendResult generate(const server::GenerationRequest& request, const std::function<void(std::string_view)>& on_text,
                                   const std::atomic<bool>& cancel) override {
        server::BackendResult r;
        r.text = request.chat ? (request.messages.empty() ? std::string() : request.messages.back().content) : request.prompt;
        size_t half = r.text.size() / 2;
        while (half > 0 && (static_cast<unsigned char>(r.text[half]) & 0xC0) == 0x80) --half;
        if (on_text) on_text(std::string_view(r.text).substr(0, half));
        if (cancel) {
            r.reason = StopReason::Cancelled;
            r.text.resize(half);
            return r;
        }
        if (on_text) on_text(std::string_view(r.text).substr(half));
        r.usage.prompt_tokens = int32_t(r.text.size());
        r.usage.completion_tokens = int32_t(r.text.size());
        return r;
    }
};

struct Server {
    EchoBackend backend;
    server::HttpServer http;
    int port = 0;
    std::thread thread;

    Server() : http(backend, options()) {
        port = http.bind();
        thread = std::thread([this] { http.run(); });
    }
    static server::ServerOptions options() {
        server::ServerOptions o;
        o.port = 0;
        o.api_key = kHttpFuzzKey;
        o.parallel = 1;
        o.queue = 1;
        o.max_body_bytes = kHttpFuzzMaxBody;
        // One request per connection, and a short wait for the rest of an incomplete one:
        // the server then closes, which ends the exchange (a half-closed socket would make
        // cpp-httplib drop the answer).
        o.requests_per_connection = 1;
        o.read_timeout_ms = 5;
        return o;
    }
};

int port() {
    // Never destroyed: the listening thread lives as long as the process.
    static Server* s = new Server;
    return s->port;
}

int connect_loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Retries ride out a moment without free ports on a loaded machine.
    for (int attempt = 0;; ++attempt) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) throw std::runtime_error(std::string("socket(): ") + std::strerror(errno));
        timeval tv{30, 0}; // the server closes an idle connection long before this
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        // Closing with a reset leaves no TIME_WAIT on either side: hundreds of connections a
        // second would otherwise use up the loopback's ports within a minute.
        const linger reset{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
        const int error = errno;
        ::close(fd);
        if (attempt == 100) throw std::runtime_error(std::string("cannot connect to the fuzzed server: ") + std::strerror(error));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace

std::string http_exchange(const uint8_t* data, size_t size) {
    const int fd = connect_loopback(port());
    // The server may answer (413, 401) and close before it has read everything: stop sending then.
    for (size_t sent = 0; sent < size;) {
        const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += size_t(n);
    }
    std::string reply;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, size_t(n));
    ::close(fd);
    return reply;
}

void http(const uint8_t* data, size_t size) { (void)http_exchange(data, size); }

} // namespace kmlm::fuzz
