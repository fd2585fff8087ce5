// Chat prompt formats, written out as the models' own templates render them (Qwen2.5,
// Llama 3.x, EXAONE 3.5, Gemma 2), so the prompt matches what the model was trained on.
#include "kmlm/chat_template.h"

#include "kmlm/error.h"
#include "kmlm/jinja.h"
#include "kmlm/language_model.h"

#include <ctime>

namespace kmlm {
namespace {

struct Turn {
    std::string_view role;
    std::string_view content;
};

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::string today() {
    char buf[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%d %b %Y", &tm);
    return buf;
}

// The default system prompt a ChatML template writes when the conversation has none
// (Qwen2.5: "You are Qwen, created by Alibaba Cloud. ..."), read from the template text
// where it is a literal: '<|im_start|>system\nTEXT<|im_end|>'.
std::string chatml_default_system(std::string_view tmpl) {
    for (std::string_view opening : {"<|im_start|>system\\n", "<|im_start|>system\n"}) {
        for (size_t at = tmpl.find(opening); at != std::string_view::npos; at = tmpl.find(opening, at + 1)) {
            const size_t begin = at + opening.size();
            const size_t end = tmpl.find("<|im_end|>", begin);
            if (end == std::string_view::npos) break;
            const std::string_view text = tmpl.substr(begin, end - begin);
            if (!text.empty() && text.find_first_of("'\"{}+") == std::string_view::npos) return std::string(text);
        }
    }
    return {};
}

void render_chatml(std::span<const Turn> turns, const ChatOptions& o, std::string_view tmpl, ChatPrompt& p) {
    if (turns.empty() || turns.front().role != "system") {
        const std::string fallback = chatml_default_system(tmpl);
        if (!fallback.empty()) p.text += "<|im_start|>system\n" + fallback + "<|im_end|>\n";
    }
    for (const Turn& t : turns) {
        p.text.append("<|im_start|>").append(t.role).append("\n").append(t.content).append("<|im_end|>\n");
    }
    if (o.add_generation_prompt) p.text += "<|im_start|>assistant\n";
}

// Llama 3.1 and later always open with a system header that carries dates; 3.0 does not.
void render_llama3(std::span<const Turn> turns, const ChatOptions& o, std::string_view tmpl, ChatPrompt& p) {
    auto header = [&](std::string_view role) {
        p.text.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n");
    };
    const bool dated = tmpl.find("Cutting Knowledge Date") != std::string_view::npos;
    if (dated) {
        std::string_view system;
        if (!turns.empty() && turns.front().role == "system") {
            system = trim(turns.front().content);
            turns = turns.subspan(1);
        }
        header("system");
        p.text += "Cutting Knowledge Date: December 2023\nToday Date: " + (o.date.empty() ? today() : o.date) + "\n\n";
        p.text.append(system).append("<|eot_id|>");
    }
    for (const Turn& t : turns) {
        header(t.role);
        p.text.append(trim(t.content)).append("<|eot_id|>");
    }
    if (o.add_generation_prompt) header("assistant");
}

void render_exaone(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    if (!turns.empty() && turns.front().role != "system") p.text += "[|system|][|endofturn|]\n";
    for (const Turn& t : turns) {
        p.text.append("[|").append(t.role).append("|]").append(t.content);
        p.text += t.role == "user" ? "\n" : "[|endofturn|]\n";
    }
    if (o.add_generation_prompt) p.text += "[|assistant|]";
}

// Gemma has no system role: its text opens the first turn, as Gemma 3's template does.
void render_gemma(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    std::string prefix;
    if (!turns.empty() && turns.front().role == "system") {
        prefix = std::string(turns.front().content) + "\n\n";
        turns = turns.subspan(1);
    }
    for (size_t i = 0; i < turns.size(); ++i) {
        const std::string_view role = turns[i].role == "assistant" ? "model" : turns[i].role;
        p.text.append("<start_of_turn>").append(role).append("\n");
        if (i == 0) p.text += prefix;
        p.text.append(trim(turns[i].content)).append("<end_of_turn>\n");
    }
    if (o.add_generation_prompt) p.text += "<start_of_turn>model\n";
}

void render_plain(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    for (const Turn& t : turns) {
        if (t.role == "system") p.text.append(t.content).append("\n\n");
        else p.text.append(t.role == "user" ? "User: " : "Assistant: ").append(t.content).append("\n");
    }
    if (o.add_generation_prompt) p.text += "Assistant:";
}

// Text that ends the assistant's turn in each format, for when the model writes the marker
// as plain text instead of its special token.
std::vector<std::string> stop_strings(ChatFamily family, const std::string& eos_token) {
    switch (family) {
    case ChatFamily::ChatML: return {"<|im_end|>", "<|im_start|>", "<|endoftext|>"};
    case ChatFamily::Llama3: return {"<|eot_id|>", "<|start_header_id|>", "<|eom_id|>"};
    case ChatFamily::Exaone: return {"[|endofturn|]", "[|user|]"};
    case ChatFamily::Gemma: return {"<end_of_turn>", "<start_of_turn>"};
    case ChatFamily::Plain: break;
    }
    if (!eos_token.empty()) return {eos_token}; // a template of another family
    return {"\nUser:"};                         // the plain transcript
}

} // namespace

std::string_view to_string(ChatFamily family) {
    switch (family) {
    case ChatFamily::Plain: return "plain";
    case ChatFamily::ChatML: return "chatml";
    case ChatFamily::Llama3: return "llama3";
    case ChatFamily::Exaone: return "exaone";
    case ChatFamily::Gemma: return "gemma";
    }
    return "plain";
}

std::optional<ChatFamily> chat_family_from_name(std::string_view name) {
    for (ChatFamily f : {ChatFamily::Plain, ChatFamily::ChatML, ChatFamily::Llama3, ChatFamily::Exaone, ChatFamily::Gemma})
        if (name == to_string(f)) return f;
    if (name == "qwen" || name == "qwen2") return ChatFamily::ChatML;
    return std::nullopt;
}

ChatFamily detect_chat_family(std::string_view t) {
    auto has = [&](std::string_view s) { return t.find(s) != std::string_view::npos; };
    if (has("<|im_start|>")) return ChatFamily::ChatML;
    if (has("<|start_header_id|>")) return ChatFamily::Llama3;
    if (has("[|system|]") || has("[|endofturn|]")) return ChatFamily::Exaone;
    if (has("<start_of_turn>")) return ChatFamily::Gemma;
    return ChatFamily::Plain;
}

ChatPrompt render_chat(std::span<const ChatMessage> messages, const ChatOptions& options) {
    std::string_view tmpl = options.chat_template;
    ChatPrompt p;
    if (options.override_template.empty()) {
        p.family = detect_chat_family(tmpl);
    } else if (auto named = chat_family_from_name(options.override_template)) {
        p.family = *named;
        tmpl = {};
    } else {
        tmpl = options.override_template;
        p.family = detect_chat_family(tmpl);
    }
    if (!tmpl.empty()) {
        try {
            p.text = render_jinja_chat(tmpl, {messages, options.add_generation_prompt, options.bos_token,
                                              options.eos_token, options.date});
            // The BOS token goes in as a token (encode's add_bos), not as text.
            if (!options.bos_token.empty() && p.text.starts_with(options.bos_token))
                p.text.erase(0, options.bos_token.size());
            p.from_template = true;
            p.stop_strings = stop_strings(p.family, options.eos_token);
            return p;
        } catch (const TemplateRaised&) {
            // The template refused the conversation (Gemma 2 refuses system messages).
        } catch (const Error& e) {
            p.template_error = e.what(); // beyond this interpreter, or past a budget
        }
    }
    std::vector<Turn> turns;
    turns.reserve(messages.size());
    for (const ChatMessage& m : messages) turns.push_back({m.role, m.content});
    switch (p.family) {
    case ChatFamily::ChatML: render_chatml(turns, options, tmpl, p); break;
    case ChatFamily::Llama3: // chosen by name: the 3.1+ format of today's models
        render_llama3(turns, options, tmpl.empty() ? "Cutting Knowledge Date" : tmpl, p);
        break;
    case ChatFamily::Exaone: render_exaone(turns, options, p); break;
    case ChatFamily::Gemma: render_gemma(turns, options, p); break;
    case ChatFamily::Plain: render_plain(turns, options, p); break;
    }
    p.stop_strings = stop_strings(p.family, {});
    return p;
}

ChatPrompt render_chat(const LanguageModel& model, std::span<const ChatMessage> messages,
                       const std::string& override_template) {
    const Tokenizer& tok = model.tokenizer();
    ChatOptions options;
    options.chat_template = model.info().chat_template;
    options.override_template = override_template;
    if (tok.bos() >= 0) options.bos_token = tok.token_text(tok.bos());
    if (tok.eos() >= 0) options.eos_token = tok.token_text(tok.eos());
    return render_chat(messages, options);
}

} // namespace kmlm
