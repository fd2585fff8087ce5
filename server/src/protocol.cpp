// Request parsing and validation, and the shapes of OpenAI's responses and stream chunks.
#include "kmlm_server/protocol.h"

#include "kmlm/utf8.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>

namespace kmlm::server {
namespace {

using json = nlohmann::json;

json parse_object(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) throw ApiError::bad_request("the request body is not valid JSON", "invalid_json");
    if (!j.is_object()) throw ApiError::bad_request("the request body must be a JSON object", "invalid_json");
    return j;
}

// The field's value, or null when absent or null.
const json* field(const json& j, const char* name) {
    const auto it = j.find(name);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::optional<double> number_field(const json& j, const char* name) {
    const json* v = field(j, name);
    if (!v) return std::nullopt;
    if (!v->is_number()) throw ApiError::bad_request(std::string("'") + name + "' must be a number");
    return v->get<double>();
}

std::optional<int64_t> integer_field(const json& j, const char* name) {
    const json* v = field(j, name);
    if (!v) return std::nullopt;
    if (v->is_number_float()) {
        // 12.0 is an integer too; 1.5 and values beyond 64 bits are not.
        const double d = v->get<double>();
        if (!(std::fabs(d) < 9.0e18) || d != std::floor(d)) throw ApiError::bad_request(std::string("'") + name + "' must be an integer");
        return int64_t(d);
    }
    if (!v->is_number_integer()) throw ApiError::bad_request(std::string("'") + name + "' must be an integer");
    return v->is_number_unsigned() ? int64_t(std::min<uint64_t>(v->get<uint64_t>(), uint64_t(INT64_MAX))) : v->get<int64_t>();
}

std::optional<bool> bool_field(const json& j, const char* name) {
    const json* v = field(j, name);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) throw ApiError::bad_request(std::string("'") + name + "' must be true or false");
    return v->get<bool>();
}

void check_range(double value, double lo, double hi, const char* name) {
    if (!(value >= lo && value <= hi))
        throw ApiError::bad_request(std::string("'") + name + "' must be between " + json(lo).dump() + " and " + json(hi).dump() +
                                    ", got " + json(value).dump());
}

std::vector<std::string> stop_field(const json& j) {
    const json* v = field(j, "stop");
    if (!v) return {};
    std::vector<std::string> stops;
    if (v->is_string()) {
        stops.push_back(v->get<std::string>());
    } else if (v->is_array()) {
        for (const json& s : *v) {
            if (!s.is_string()) throw ApiError::bad_request("'stop' must be a string or an array of strings");
            stops.push_back(s.get<std::string>());
        }
    } else {
        throw ApiError::bad_request("'stop' must be a string or an array of strings");
    }
    if (stops.size() > kMaxStopStrings) throw ApiError::bad_request("'stop' takes at most " + std::to_string(kMaxStopStrings) + " strings");
    for (std::string& s : stops) {
        if (s.empty()) throw ApiError::bad_request("'stop' strings must not be empty");
        s = to_nfc(s);
    }
    return stops;
}

GenerationParams parse_params(const json& j) {
    GenerationParams p;
    if (const json* model = field(j, "model")) {
        if (!model->is_string()) throw ApiError::bad_request("'model' must be a string");
        p.model = model->get<std::string>();
    }
    if (auto n = integer_field(j, "n"); n && *n != 1) throw ApiError::bad_request("only 'n': 1 is supported");
    std::optional<int64_t> max_tokens = integer_field(j, "max_completion_tokens");
    if (!max_tokens) max_tokens = integer_field(j, "max_tokens");
    if (max_tokens) {
        if (*max_tokens < 1 || *max_tokens > kMaxRequestTokens)
            throw ApiError::bad_request("'max_tokens' must be between 1 and " + std::to_string(kMaxRequestTokens));
        p.max_tokens = int32_t(*max_tokens);
    }
    SamplingParams& s = p.sampling;
    if (auto v = number_field(j, "temperature")) s.temperature = float(*v);
    if (auto v = number_field(j, "top_p")) s.top_p = float(*v);
    if (auto v = number_field(j, "min_p")) s.min_p = float(*v);
    if (auto v = number_field(j, "repeat_penalty")) s.repeat_penalty = float(*v);
    if (auto v = number_field(j, "presence_penalty")) s.presence_penalty = float(*v);
    if (auto v = number_field(j, "frequency_penalty")) s.frequency_penalty = float(*v);
    if (auto v = integer_field(j, "top_k")) {
        if (*v < 0 || *v > INT32_MAX) throw ApiError::bad_request("'top_k' must be 0 (off) or more");
        s.top_k = int32_t(*v);
    }
    if (auto v = integer_field(j, "seed")) s.seed = uint64_t(*v);
    validate_sampling(s);
    p.stop = stop_field(j);
    p.ignore_eos = bool_field(j, "ignore_eos").value_or(false);
    p.stream = bool_field(j, "stream").value_or(false);
    if (const json* so = field(j, "stream_options")) {
        if (!so->is_object()) throw ApiError::bad_request("'stream_options' must be an object");
        p.include_usage = bool_field(*so, "include_usage").value_or(false);
    }
    return p;
}

// A message's content: a string, or an array of {"type": "text", "text": ...} parts.
std::string message_content(const json& m) {
    const json* c = field(m, "content");
    if (!c) return {};
    if (c->is_string()) return c->get<std::string>();
    if (!c->is_array()) throw ApiError::bad_request("a message's 'content' must be a string or an array of text parts");
    std::string text;
    for (const json& part : *c) {
        const json* type = part.is_object() ? field(part, "type") : nullptr;
        if (!type || *type != "text" || !field(part, "text") || !part["text"].is_string())
            throw ApiError::bad_request("only text content parts are supported");
        text += part["text"].get<std::string>();
    }
    return text;
}

std::vector<ChatMessage> parse_messages(const json& j) {
    const json* list = field(j, "messages");
    if (!list || !list->is_array() || list->empty())
        throw ApiError::bad_request("'messages' must be a non-empty array", "missing_messages");
    std::vector<ChatMessage> messages;
    for (const json& m : *list) {
        const json* role = m.is_object() ? field(m, "role") : nullptr;
        if (!role || !role->is_string()) throw ApiError::bad_request("every message needs a 'role'");
        std::string r = role->get<std::string>();
        if (r == "developer") r = "system";
        if (r != "system" && r != "user" && r != "assistant")
            throw ApiError::bad_request("unsupported message role '" + r + "' (system, user, assistant)");
        messages.push_back({r, to_nfc(message_content(m))});
    }
    return messages;
}

std::string event(const json& j) { return "data: " + j.dump() + "\n\n"; }

json usage_json(const Usage& u) {
    return {{"prompt_tokens", u.prompt_tokens},
            {"completion_tokens", u.completion_tokens},
            {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

json chunk(const GenerationRequest& r, const ResponseMeta& meta, json choices) {
    return {{"id", meta.id},
            {"object", r.chat ? "chat.completion.chunk" : "text_completion"},
            {"created", meta.created},
            {"model", meta.model},
            {"choices", std::move(choices)}};
}

json finish_json(std::string_view finish) { return finish.empty() ? json(nullptr) : json(finish); }

} // namespace

std::string error_body(const ApiError& e) {
    // A message may quote what the client sent (a path, a JSON token) and so be invalid
    // UTF-8: replace such bytes with U+FFFD rather than fail to answer.
    return json{{"error", {{"message", e.what()}, {"type", e.type()}, {"code", e.code()}, {"param", nullptr}}}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

void validate_sampling(const SamplingParams& s) {
    check_range(s.temperature, 0, 2, "temperature");
    check_range(s.top_p, 0, 1, "top_p");
    check_range(s.min_p, 0, 1, "min_p");
    check_range(s.repeat_penalty, 0.01, 10, "repeat_penalty");
    check_range(s.presence_penalty, -2, 2, "presence_penalty");
    check_range(s.frequency_penalty, -2, 2, "frequency_penalty");
    if (s.top_k < 0) throw ApiError::bad_request("'top_k' must be 0 (off) or more");
}

GenerationRequest parse_chat_request(std::string_view body) {
    const json j = parse_object(body);
    GenerationRequest r;
    r.chat = true;
    r.messages = parse_messages(j);
    r.params = parse_params(j);
    return r;
}

GenerationRequest parse_completion_request(std::string_view body) {
    const json j = parse_object(body);
    GenerationRequest r;
    r.chat = false;
    const json* prompt = field(j, "prompt");
    if (prompt && prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string()) prompt = &(*prompt)[0];
    if (!prompt || !prompt->is_string())
        throw ApiError::bad_request("'prompt' must be a string (or an array of one string)", "missing_prompt");
    r.prompt = to_nfc(prompt->get<std::string>());
    r.params = parse_params(j);
    return r;
}

std::string request_body(const GenerationRequest& r) {
    const GenerationParams& p = r.params;
    json j = {{"model", p.model},
              {"max_tokens", p.max_tokens},
              {"temperature", p.sampling.temperature},
              {"top_p", p.sampling.top_p},
              {"stream", p.stream}};
    if (r.chat) {
        j["messages"] = json::array();
        for (const ChatMessage& m : r.messages) j["messages"].push_back({{"role", m.role}, {"content", m.content}});
    } else {
        j["prompt"] = r.prompt;
    }
    if (p.sampling.presence_penalty != 0) j["presence_penalty"] = p.sampling.presence_penalty;
    if (p.sampling.frequency_penalty != 0) j["frequency_penalty"] = p.sampling.frequency_penalty;
    if (p.sampling.seed) j["seed"] = *p.sampling.seed;
    if (!p.stop.empty()) j["stop"] = p.stop;
    if (p.ignore_eos) j["ignore_eos"] = true;
    if (p.stream && p.include_usage) j["stream_options"] = {{"include_usage", true}};
    return j.dump();
}

std::string_view finish_reason(StopReason reason) {
    switch (reason) {
    case StopReason::MaxTokens:
    case StopReason::MemoryLimit: return "length";
    default: return "stop";
    }
}

std::string completion_response(const GenerationRequest& r, const ResponseMeta& meta, std::string_view text, std::string_view finish,
                                const Usage& usage) {
    json choice = {{"index", 0}, {"finish_reason", finish_json(finish)}, {"logprobs", nullptr}};
    if (r.chat)
        choice["message"] = {{"role", "assistant"}, {"content", text}};
    else
        choice["text"] = text;
    return json{{"id", meta.id},
                {"object", r.chat ? "chat.completion" : "text_completion"},
                {"created", meta.created},
                {"model", meta.model},
                {"choices", json::array({choice})},
                {"usage", usage_json(usage)}}
        .dump();
}

std::string stream_start_event(const GenerationRequest& r, const ResponseMeta& meta) {
    if (!r.chat) return {};
    return event(
        chunk(r, meta, json::array({{{"index", 0}, {"delta", {{"role", "assistant"}, {"content", ""}}}, {"finish_reason", nullptr}}})));
}

std::string stream_text_event(const GenerationRequest& r, const ResponseMeta& meta, std::string_view text) {
    json choice = {{"index", 0}, {"finish_reason", nullptr}};
    if (r.chat)
        choice["delta"] = {{"content", text}};
    else
        choice["text"] = text;
    return event(chunk(r, meta, json::array({choice})));
}

std::string stream_finish_event(const GenerationRequest& r, const ResponseMeta& meta, std::string_view finish) {
    json choice = {{"index", 0}, {"finish_reason", finish_json(finish)}};
    if (r.chat)
        choice["delta"] = json::object();
    else
        choice["text"] = "";
    return event(chunk(r, meta, json::array({choice})));
}

std::string stream_usage_event(const GenerationRequest& r, const ResponseMeta& meta, const Usage& usage) {
    json j = chunk(r, meta, json::array());
    j["usage"] = usage_json(usage);
    return event(j);
}

std::string stream_error_event(const ApiError& e) { return "data: " + error_body(e) + "\n\n"; }

std::string models_response(const std::string& model_id, int64_t created) {
    return json{{"object", "list"},
                {"data", json::array({{{"id", model_id}, {"object", "model"}, {"created", created}, {"owned_by", "kmlm"}}})}}
        .dump();
}

} // namespace kmlm::server
