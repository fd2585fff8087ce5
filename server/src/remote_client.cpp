// The client side of the OpenAI-compatible API on cpp-httplib: a streamed request, its
// server-sent events read as they come, and every way it can fail said plainly.
#include "kmlm_server/remote_client.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace kmlm::server {
namespace {

using json = nlohmann::json;

struct Url {
    std::string origin; // scheme://host:port
    std::string path;   // "/v1", no trailing slash
};

Url split_url(const std::string& base) {
    const size_t scheme = base.find("://");
    if (scheme == std::string::npos || (base.compare(0, scheme, "http") != 0 && base.compare(0, scheme, "https") != 0))
        throw RemoteError("not an http:// or https:// URL: '" + base + "'");
    const size_t slash = base.find('/', scheme + 3);
    Url u{base.substr(0, slash), slash == std::string::npos ? "" : base.substr(slash)};
    while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
    if (u.origin.size() <= scheme + 3) throw RemoteError("no host in the URL '" + base + "'");
    return u;
}

httplib::Client make_client(const RemoteEndpoint& e, const Url& url) {
    httplib::Client c(url.origin);
    c.set_connection_timeout(e.timeout_seconds, 0);
    c.set_read_timeout(e.timeout_seconds, 0);
    c.set_write_timeout(e.timeout_seconds, 0);
    if (!e.api_key.empty()) c.set_bearer_token_auth(e.api_key);
    return c;
}

// What a transport failure means, for the user.
RemoteError transport_error(httplib::Error error, const std::string& url, int timeout) {
    switch (error) {
    case httplib::Error::Connection:
        return RemoteError("cannot connect to " + url + " (connection refused or host unreachable: is the server running?)",
                           RemoteFailure::Unreachable);
    case httplib::Error::ConnectionTimeout:
        return RemoteError("timed out connecting to " + url + " after " + std::to_string(timeout) + " s", RemoteFailure::Timeout);
    case httplib::Error::Read:
        return RemoteError("no answer from " + url + " (timed out after " + std::to_string(timeout) + " s, or the connection closed)",
                           RemoteFailure::Timeout);
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLServerVerification:
        return RemoteError("TLS connection to " + url + " failed (" + httplib::to_string(error) + ")");
    default: return RemoteError("request to " + url + " failed: " + httplib::to_string(error));
    }
}

// An error status with the server's own message when it sent one in OpenAI's shape.
RemoteError status_error(int status, const std::string& body, const std::string& url) {
    std::string detail;
    const json j = json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("error")) {
        const json& e = j["error"];
        detail = e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : e.dump();
    } else {
        detail = body.substr(0, 200);
    }
    std::string what = status == 401 || status == 403   ? "refused the API key"
                       : status == 404                  ? "has no such endpoint or model"
                       : status == 503 || status == 429 ? "is busy"
                       : status >= 500                  ? "failed"
                                                        : "rejected the request";
    const RemoteFailure kind = status == 401 || status == 403   ? RemoteFailure::Key
                               : status == 503 || status == 429 ? RemoteFailure::Busy
                               : status >= 500                  ? RemoteFailure::Server
                                                                : RemoteFailure::Other;
    return RemoteError(url + " " + what + " (HTTP " + std::to_string(status) + ")" + (detail.empty() ? "" : ": " + detail), kind);
}

// Reads server-sent events from the pieces of a body: "data: {...}" blocks split by a
// blank line (LF or CRLF).
class EventReader {
public:
    // Calls on_data with the payload of each whole event in what has come so far.
    template <class F>
    void push(std::string_view bytes, F&& on_data) {
        buffer_.append(bytes);
        for (;;) {
            size_t end = buffer_.find("\n\n"), skip = 2;
            if (const size_t crlf = buffer_.find("\r\n\r\n"); crlf < end) end = crlf, skip = 4;
            if (end == std::string::npos) return;
            std::string data;
            size_t pos = 0;
            const std::string block = buffer_.substr(0, end);
            buffer_.erase(0, end + skip);
            while (pos < block.size()) {
                size_t eol = block.find('\n', pos);
                if (eol == std::string::npos) eol = block.size();
                std::string_view line(block.data() + pos, eol - pos);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (line.starts_with("data:")) {
                    line.remove_prefix(line.size() > 5 && line[5] == ' ' ? 6 : 5);
                    if (!data.empty()) data += '\n';
                    data += line;
                }
                pos = eol + 1;
            }
            if (!data.empty()) on_data(data);
        }
    }

private:
    std::string buffer_;
};

} // namespace

RemoteResult remote_generate(const RemoteEndpoint& endpoint, const GenerationRequest& request,
                             const std::function<void(std::string_view)>& on_text, const std::atomic<bool>* cancel) {
    const Url url = split_url(endpoint.base_url);
    const std::string path = url.path + (request.chat ? "/chat/completions" : "/completions");
    GenerationRequest streamed = request;
    streamed.params.stream = true;
    streamed.params.include_usage = true;
    streamed.params.model = endpoint.model;

    httplib::Client client = make_client(endpoint, url);
    httplib::Request req;
    req.method = "POST";
    req.path = path;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "text/event-stream"}};
    if (!endpoint.api_key.empty()) req.headers.emplace("Authorization", "Bearer " + endpoint.api_key);
    req.body = request_body(streamed);

    RemoteResult result;
    int status = 0;
    std::string error_body;
    bool done = false;
    std::string stream_error;
    EventReader events;
    auto on_event = [&](const std::string& data) {
        if (data == "[DONE]") {
            done = true;
            return;
        }
        const json j = json::parse(data, nullptr, false);
        if (!j.is_object()) return;
        if (j.contains("error")) {
            const json& e = j["error"];
            stream_error =
                endpoint.base_url + " reported an error mid-answer: " +
                (e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : e.dump());
            return;
        }
        if (j.contains("usage") && j["usage"].is_object()) {
            result.usage.prompt_tokens = j["usage"].value("prompt_tokens", 0);
            result.usage.completion_tokens = j["usage"].value("completion_tokens", 0);
        }
        if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) return;
        const json& choice = j["choices"][0];
        std::string piece;
        if (choice.contains("delta") && choice["delta"].is_object() && choice["delta"].contains("content") &&
            choice["delta"]["content"].is_string())
            piece = choice["delta"]["content"].get<std::string>();
        else if (choice.contains("text") && choice["text"].is_string())
            piece = choice["text"].get<std::string>();
        if (!piece.empty()) {
            result.text += piece;
            if (on_text) on_text(piece);
        }
        if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
            result.finish_reason = choice["finish_reason"].get<std::string>();
    };
    req.response_handler = [&](const httplib::Response& res) {
        status = res.status;
        return true;
    };
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
        if (cancel && cancel->load()) return false;
        if (status != 200) {
            if (error_body.size() < 65536) error_body.append(data, size);
            return true;
        }
        events.push(std::string_view(data, size), on_event);
        return stream_error.empty();
    };

    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    const bool sent = client.send(req, res, error);
    if (cancel && cancel->load()) {
        result.cancelled = true;
        return result;
    }
    if (!stream_error.empty()) throw RemoteError(stream_error, RemoteFailure::Server);
    if (status != 0 && status != 200) throw status_error(status, error_body, endpoint.base_url);
    if (!sent || !done) {
        if (status == 200)
            throw RemoteError("the connection to " + endpoint.base_url + " was lost mid-answer" +
                                  (result.text.empty() ? std::string() : " (the answer above is incomplete)"),
                              RemoteFailure::Lost);
        throw transport_error(error, endpoint.base_url, endpoint.timeout_seconds);
    }
    return result;
}

std::vector<std::string> remote_models(const RemoteEndpoint& endpoint) {
    const Url url = split_url(endpoint.base_url);
    httplib::Client client = make_client(endpoint, url);
    const httplib::Result r = client.Get(url.path + "/models");
    if (!r) throw transport_error(r.error(), endpoint.base_url, endpoint.timeout_seconds);
    if (r->status != 200) throw status_error(r->status, r->body, endpoint.base_url);
    const json j = json::parse(r->body, nullptr, false);
    if (!j.is_object() || !j.contains("data") || !j["data"].is_array())
        throw RemoteError(endpoint.base_url + "/models did not answer with a model list");
    std::vector<std::string> ids;
    for (const json& m : j["data"])
        if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"].get<std::string>());
    return ids;
}

} // namespace kmlm::server
