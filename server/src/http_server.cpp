// The HTTP transport of the OpenAI-compatible API on cpp-httplib: routes, the API key, the
// body limit, the bounded queue, streaming as server-sent events with cancellation when the
// client goes away.
#include "kmlm_server/http_server.h"

#include "kmlm_server/request_gate.h"

#include "kmlm/error.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <list>
#include <mutex>
#include <thread>

namespace kmlm::server {
namespace {

int64_t unix_now() { return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(); }

void send_error(httplib::Response& res, const ApiError& e) {
    res.status = e.status();
    res.set_content(error_body(e), "application/json");
}

// Compares without an early exit, so the time taken does not tell how much of a key matched.
bool same_secret(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i) diff |= uint8_t(a[i]) ^ uint8_t(i < b.size() ? b[i] : 0);
    return diff == 0;
}

// Engine and unexpected failures as API errors.
ApiError api_error_from(const std::exception& e) {
    if (const auto* api = dynamic_cast<const ApiError*>(&e)) return *api;
    if (dynamic_cast<const InvalidArgument*>(&e)) return ApiError::bad_request(e.what());
    return ApiError(500, "server_error", "internal_error", e.what());
}

} // namespace

bool is_loopback_host(const std::string& host) { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

struct HttpServer::Impl {
    Backend& backend;
    ServerOptions options;
    httplib::Server http;
    RequestGate gate;
    std::atomic<uint64_t> served{0}, next_id{1};
    std::mutex jobs_mutex;
    std::list<std::atomic<bool>*> running; // cancel flags of the generations in progress
    std::atomic<bool> stopping{false};
    std::atomic<int> phase{0}; // 0: run() not called, 1: in run(), 2: run() returned

    Impl(Backend& b, ServerOptions o) : backend(b), options(std::move(o)), gate(options.parallel, options.queue) {}

    void log(const std::string& line) const {
        if (options.log) options.log(line);
    }

    // Registers a generation's cancel flag so that stop() can set it.
    struct Running {
        Impl& impl;
        std::list<std::atomic<bool>*>::iterator it;
        Running(Impl& i, std::atomic<bool>& cancel) : impl(i) {
            std::lock_guard lock(impl.jobs_mutex);
            it = impl.running.insert(impl.running.end(), &cancel);
            if (impl.stopping) cancel = true;
        }
        ~Running() {
            std::lock_guard lock(impl.jobs_mutex);
            impl.running.erase(it);
        }
    };

    ResponseMeta meta(const GenerationRequest& r) {
        return {std::string(r.chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_id++), unix_now(), backend.model_id()};
    }

    void log_result(const GenerationRequest& r, const ResponseMeta& m, const BackendResult& b, bool gone) {
        log(m.id + (r.params.stream ? " stream" : "") + ": " + std::to_string(b.usage.prompt_tokens) + " prompt tokens (" +
            std::to_string(b.reused_tokens) + " reused), " + std::to_string(b.usage.completion_tokens) + " generated, " +
            (gone ? std::string("cancelled: the client went away") : std::string(to_string(b.reason))));
    }

    void serve(const httplib::Request& req, httplib::Response& res, bool chat) {
        GenerationRequest r;
        try {
            r = chat ? parse_chat_request(req.body) : parse_completion_request(req.body);
        } catch (const std::exception& e) {
            return send_error(res, api_error_from(e));
        }
        std::shared_ptr<RequestGate::Ticket> ticket = gate.enter();
        if (!ticket) {
            const RequestGate::Counts c = gate.counts();
            res.set_header("Retry-After", std::to_string(options.retry_after_seconds));
            log(req.path + ": refused, the queue is full");
            return send_error(res, ApiError(503, "server_error", "server_busy",
                                            "the server is busy (" + std::to_string(c.active) + " running, " + std::to_string(c.waiting) +
                                                " waiting); retry later"));
        }
        if (r.params.stream) return stream(res, std::move(r), std::move(ticket));
        std::atomic<bool> cancel{false};
        Running running(*this, cancel);
        const ResponseMeta m = meta(r);
        try {
            const BackendResult b = backend.generate(r, {}, cancel);
            res.set_content(completion_response(r, m, b.text, finish_reason(b.reason), b.usage), "application/json");
            ++served;
            log_result(r, m, b, false);
        } catch (const std::exception& e) {
            send_error(res, api_error_from(e));
            log(m.id + ": " + e.what());
        }
    }

    struct StreamJob {
        GenerationRequest request;
        ResponseMeta meta;
        std::shared_ptr<RequestGate::Ticket> ticket;
        std::atomic<bool> cancel{false};
    };

    // Generation runs inside the content provider, writing each piece as it comes; a write
    // that fails means the client went away, and the cancel flag ends the generation.
    void stream(httplib::Response& res, GenerationRequest r, std::shared_ptr<RequestGate::Ticket> ticket) {
        auto job = std::make_shared<StreamJob>();
        job->meta = meta(r);
        job->request = std::move(r);
        job->ticket = std::move(ticket);
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider("text/event-stream", [this, job](size_t, httplib::DataSink& sink) {
            bool gone = false;
            auto write = [&](const std::string& s) {
                if (s.empty() || gone) return;
                if (!sink.write(s.data(), s.size())) gone = true, job->cancel = true;
            };
            const GenerationRequest& req = job->request;
            Running running(*this, job->cancel);
            write(stream_start_event(req, job->meta));
            try {
                const BackendResult b = backend.generate(
                    req, [&](std::string_view text) { write(stream_text_event(req, job->meta, text)); }, job->cancel);
                write(stream_finish_event(req, job->meta, finish_reason(b.reason)));
                if (req.params.include_usage) write(stream_usage_event(req, job->meta, b.usage));
                log_result(req, job->meta, b, gone);
            } catch (const std::exception& e) {
                write(stream_error_event(api_error_from(e)));
                log(job->meta.id + ": " + e.what());
            }
            write(std::string(kStreamDone));
            job->ticket.reset(); // the next request may start while this connection closes
            if (gone) return false;
            ++served;
            sink.done();
            return true;
        });
    }

    void health(httplib::Response& res) {
        const RequestGate::Counts c = gate.counts();
        res.set_content(
            nlohmann::json{
                {"status", "ok"}, {"model", backend.model_id()}, {"running", c.active}, {"waiting", c.waiting}, {"served", served.load()}}
                .dump(),
            "application/json");
    }

    // Requests to /v1/ need "Authorization: Bearer KEY" when a key is set; /health does not.
    httplib::Server::HandlerResponse authorize(const httplib::Request& req, httplib::Response& res) {
        if (options.api_key.empty() || req.path.rfind("/v1/", 0) != 0) return httplib::Server::HandlerResponse::Unhandled;
        if (same_secret(req.get_header_value("Authorization"), "Bearer " + options.api_key))
            return httplib::Server::HandlerResponse::Unhandled;
        send_error(res, ApiError(401, "invalid_request_error", "invalid_api_key", "missing or wrong API key"));
        return httplib::Server::HandlerResponse::Handled;
    }

    // Errors httplib itself produces (no route, body too large) in OpenAI's shape too.
    httplib::Server::HandlerResponse shape_error(const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413)
            send_error(res, ApiError(413, "invalid_request_error", "request_too_large",
                                     "the request body is over " + std::to_string(options.max_body_bytes) + " bytes"));
        else if (res.status == 404)
            send_error(res, ApiError(404, "invalid_request_error", "not_found", "no such endpoint: " + req.method + " " + req.path));
        else
            send_error(res, ApiError(res.status, "invalid_request_error", "bad_request", "bad request"));
        return httplib::Server::HandlerResponse::Handled;
    }

    void routes() {
        const int threads = options.parallel + options.queue + 16; // also answers 503s and /health while busy
        http.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
        http.set_payload_max_length(options.max_body_bytes);
        http.set_keep_alive_timeout(2);
        http.set_keep_alive_max_count(size_t(std::max(1, options.requests_per_connection)));
        http.set_read_timeout(options.read_timeout_ms / 1000, (options.read_timeout_ms % 1000) * 1000);
        http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return authorize(req, res); });
        http.set_error_handler(httplib::Server::HandlerWithResponse(
            [this](const httplib::Request& req, httplib::Response& res) { return shape_error(req, res); }));
        http.set_exception_handler([](const auto&, auto& res, std::exception_ptr ep) {
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                send_error(res, ApiError(500, "server_error", "internal_error", e.what()));
            } catch (...) {
                send_error(res, ApiError(500, "server_error", "internal_error", "unknown error"));
            }
        });
        http.Get("/health", [this](const auto&, auto& res) { health(res); });
        http.Get("/v1/models",
                 [this](const auto&, auto& res) { res.set_content(models_response(backend.model_id(), unix_now()), "application/json"); });
        http.Post("/v1/chat/completions", [this](const auto& req, auto& res) { serve(req, res, true); });
        http.Post("/v1/completions", [this](const auto& req, auto& res) { serve(req, res, false); });
    }
};

HttpServer::HttpServer(Backend& backend, ServerOptions options) : impl_(std::make_unique<Impl>(backend, std::move(options))) {
    impl_->routes();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
    const ServerOptions& o = impl_->options;
    const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host) : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
    if (port <= 0)
        throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + " (address in use or not available)");
    return port;
}

void HttpServer::run() {
    impl_->phase = 1;
    if (!impl_->stopping) impl_->http.listen_after_bind();
    impl_->phase = 2;
}

void HttpServer::stop() {
    {
        std::lock_guard lock(impl_->jobs_mutex);
        impl_->stopping = true;
        for (std::atomic<bool>* cancel : impl_->running) *cancel = true;
    }
    // httplib's stop() reaches only a server that listens: a run() on another thread that
    // has not got there yet is waited for (it sets phase before it reads stopping).
    while (impl_->phase == 1 && !impl_->http.is_running()) std::this_thread::yield();
    impl_->http.stop();
}

uint64_t HttpServer::requests_served() const { return impl_->served.load(); }

} // namespace kmlm::server
