// Chat prompt formats, written out as the models' own templates render them (Qwen2.5, Qwen3,
// Llama 3.x, EXAONE 3.5, EXAONE 4, Gemma 2/3, Phi-3.5), so the prompt matches what the model
// was trained on.
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
    // Qwen3's template without reasoning: the answer starts after an empty reasoning block.
    if (o.add_generation_prompt && o.enable_thinking == false && tmpl.find("enable_thinking") != std::string_view::npos)
        p.text += "<think>\n\n</think>\n\n";
}

// Llama 3.1 and later always open with a system header that carries dates; 3.0 does not.
void render_llama3(std::span<const Turn> turns, const ChatOptions& o, std::string_view tmpl, ChatPrompt& p) {
    auto header = [&](std::string_view role) { p.text.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n"); };
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

// The think switch: Qwen3 thinks unless told not to, EXAONE 4 only when told to.
bool thinking(const ChatOptions& o, bool fallback) {
    if (o.enable_thinking) return *o.enable_thinking;
    const auto it = o.variables.find("enable_thinking");
    if (it == o.variables.end()) return fallback;
    if (const bool* b = std::get_if<bool>(&it->second)) return *b;
    return fallback;
}

// The answer of an assistant turn without its reasoning: the text after the last </think>.
std::string_view after_think(std::string_view content) {
    const size_t end = content.rfind("</think>");
    return end == std::string_view::npos ? content : content.substr(end + 8);
}

std::string_view lstrip_newlines(std::string_view s) {
    while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
    return s;
}

// Qwen3: ChatML; earlier turns' reasoning is dropped from the history (the turns before the
// last user message keep only their answers); with thinking off the generation prompt holds
// an empty reasoning block.
void render_qwen3(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    size_t last_query = turns.size();
    for (size_t i = 0; i < turns.size(); ++i)
        if (turns[i].role == "user") last_query = i;
    for (size_t i = 0; i < turns.size(); ++i) {
        const Turn& t = turns[i];
        if (t.role != "assistant") {
            p.text.append("<|im_start|>").append(t.role).append("\n").append(t.content).append("<|im_end|>\n");
            continue;
        }
        std::string_view answer = t.content, reasoning;
        if (const size_t end = t.content.rfind("</think>"); end != std::string_view::npos) {
            answer = lstrip_newlines(after_think(t.content));
            reasoning = t.content.substr(0, t.content.find("</think>"));
            if (const size_t open = reasoning.rfind("<think>"); open != std::string_view::npos) reasoning.remove_prefix(open + 7);
            while (!reasoning.empty() && reasoning.front() == '\n') reasoning.remove_prefix(1);
            while (!reasoning.empty() && reasoning.back() == '\n') reasoning.remove_suffix(1);
        }
        p.text += "<|im_start|>assistant\n";
        const bool after_query = last_query == turns.size() || i > last_query;
        if (after_query && (i + 1 == turns.size() || !reasoning.empty()))
            p.text.append("<think>\n").append(reasoning).append("\n</think>\n\n").append(lstrip_newlines(answer));
        else
            p.text.append(answer);
        p.text += "<|im_end|>\n";
    }
    if (o.add_generation_prompt) {
        p.text += "<|im_start|>assistant\n";
        if (!thinking(o, true)) p.text += "<think>\n\n</think>\n\n";
    }
}

// EXAONE 4: role lines "[|role|]\n", every turn closed by [|endofturn|]; past answers carry
// an empty reasoning block instead of their reasoning.
void render_exaone4(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    for (const Turn& t : turns) {
        p.text.append("[|").append(t.role).append("|]\n");
        if (t.role == "assistant" && !t.content.empty()) {
            const bool reasoned = t.content.find("</think>") != std::string_view::npos;
            p.text.append("<think>\n\n</think>\n\n").append(reasoned ? trim(after_think(t.content)) : t.content);
        } else if (t.role != "assistant")
            p.text.append(t.content);
        p.text += "[|endofturn|]\n";
    }
    if (o.add_generation_prompt) p.text += thinking(o, false) ? "[|assistant|]\n<think>\n" : "[|assistant|]\n<think>\n\n</think>\n\n";
}

// Phi-3.5: "<|role|>\n" turns closed by <|end|>; an empty system message is left out.
void render_phi3(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    for (const Turn& t : turns) {
        if (t.role == "system" && t.content.empty()) continue;
        p.text.append("<|").append(t.role).append("|>\n").append(t.content).append("<|end|>\n");
    }
    p.text += o.add_generation_prompt ? std::string("<|assistant|>\n") : o.eos_token;
}

void render_plain(std::span<const Turn> turns, const ChatOptions& o, ChatPrompt& p) {
    for (const Turn& t : turns) {
        if (t.role == "system")
            p.text.append(t.content).append("\n\n");
        else
            p.text.append(t.role == "user" ? "User: " : "Assistant: ").append(t.content).append("\n");
    }
    if (o.add_generation_prompt) p.text += "Assistant:";
}

// Text that ends the assistant's turn in each format, for when the model writes the marker
// as plain text instead of its special token.
std::vector<std::string> stop_strings(ChatFamily family, const std::string& eos_token) {
    switch (family) {
    case ChatFamily::ChatML:
    case ChatFamily::Qwen3: return {"<|im_end|>", "<|im_start|>", "<|endoftext|>"};
    case ChatFamily::Llama3: return {"<|eot_id|>", "<|start_header_id|>", "<|eom_id|>"};
    case ChatFamily::Exaone:
    case ChatFamily::Exaone4: return {"[|endofturn|]", "[|user|]"};
    case ChatFamily::Gemma: return {"<end_of_turn>", "<start_of_turn>"};
    case ChatFamily::Phi3: return {"<|end|>", "<|user|>", "<|endoftext|>"};
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
    case ChatFamily::Qwen3: return "qwen3";
    case ChatFamily::Exaone4: return "exaone4";
    case ChatFamily::Phi3: return "phi3";
    }
    return "plain";
}

std::optional<ChatFamily> chat_family_from_name(std::string_view name) {
    for (ChatFamily f : {ChatFamily::Plain, ChatFamily::ChatML, ChatFamily::Llama3, ChatFamily::Exaone, ChatFamily::Gemma,
                         ChatFamily::Qwen3, ChatFamily::Exaone4, ChatFamily::Phi3})
        if (name == to_string(f)) return f;
    if (name == "qwen" || name == "qwen2") return ChatFamily::ChatML;
    return std::nullopt;
}

ChatFamily detect_chat_family(std::string_view t) {
    auto has = [&](std::string_view s) { return t.find(s) != std::string_view::npos; };
    if (has("<|im_start|>")) return has("<think>") ? ChatFamily::Qwen3 : ChatFamily::ChatML;
    if (has("<|start_header_id|>")) return ChatFamily::Llama3;
    if (has("[|endofturn|]") && (has("<think>") || has("[|tool|]"))) return ChatFamily::Exaone4;
    if (has("[|system|]") || has("[|endofturn|]")) return ChatFamily::Exaone;
    if (has("<start_of_turn>")) return ChatFamily::Gemma;
    if (has("<|end|>") && has("<|user|>")) return ChatFamily::Phi3;
    return ChatFamily::Plain;
}

ChatFamily chat_family_for_architecture(std::string_view a) {
    if (a == "qwen2") return ChatFamily::ChatML;
    if (a == "qwen3") return ChatFamily::Qwen3;
    if (a == "exaone") return ChatFamily::Exaone;
    if (a == "exaone4") return ChatFamily::Exaone4;
    if (a == "gemma2" || a == "gemma3") return ChatFamily::Gemma;
    if (a == "phi3") return ChatFamily::Phi3;
    return ChatFamily::Plain; // llama and gptneox files are of every format
}

ChatPrompt render_chat(std::span<const ChatMessage> messages, const ChatOptions& options) {
    std::string_view tmpl = options.chat_template;
    ChatPrompt p;
    if (options.override_template.empty()) {
        p.family = tmpl.empty() ? chat_family_for_architecture(options.architecture) : detect_chat_family(tmpl);
    } else if (auto named = chat_family_from_name(options.override_template)) {
        p.family = *named;
        tmpl = {};
    } else {
        tmpl = options.override_template;
        p.family = detect_chat_family(tmpl);
    }
    if (!tmpl.empty()) {
        try {
            p.text = render_jinja_chat(tmpl, {messages, options.add_generation_prompt, options.bos_token, options.eos_token, options.date,
                                              options.enable_thinking, options.variables});
            // The BOS token goes in as a token (encode's add_bos), not as text.
            if (!options.bos_token.empty() && p.text.starts_with(options.bos_token)) p.text.erase(0, options.bos_token.size());
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
    case ChatFamily::Qwen3: render_qwen3(turns, options, p); break;
    case ChatFamily::Exaone4: render_exaone4(turns, options, p); break;
    case ChatFamily::Phi3: render_phi3(turns, options, p); break;
    case ChatFamily::Plain: render_plain(turns, options, p); break;
    }
    p.stop_strings = stop_strings(p.family, {});
    return p;
}

ChatOptions chat_options(const LanguageModel& model) {
    const Tokenizer& tok = model.tokenizer();
    ChatOptions options;
    options.chat_template = model.info().chat_template;
    options.architecture = model.info().architecture;
    if (tok.bos() >= 0) options.bos_token = tok.token_text(tok.bos());
    if (tok.eos() >= 0) options.eos_token = tok.token_text(tok.eos());
    return options;
}

ChatPrompt render_chat(const LanguageModel& model, std::span<const ChatMessage> messages, const std::string& override_template) {
    ChatOptions options = chat_options(model);
    options.override_template = override_template;
    return render_chat(messages, options);
}

} // namespace kmlm
