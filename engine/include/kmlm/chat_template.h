// Chat prompts: turns a conversation into the prompt text a chat model was trained on.
// The model's tokenizer.chat_template (a Jinja template) is run by a small interpreter
// (kmlm/jinja.h). When it cannot run it (or raises), the family its markers show (ChatML/Qwen,
// Llama 3, EXAONE, Gemma) is rendered by code; models without a template get a plain
// "User: / Assistant:" transcript.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

class LanguageModel;

struct ChatMessage {
    std::string role; // "system", "user" or "assistant"
    std::string content;
};

enum class ChatFamily { Plain, ChatML, Llama3, Exaone, Gemma };

std::string_view to_string(ChatFamily family);
// "plain", "chatml" (also "qwen"), "llama3", "exaone", "gemma"; nullopt for other names.
std::optional<ChatFamily> chat_family_from_name(std::string_view name);
// The family whose markers the template text uses; Plain when none (or no template).
ChatFamily detect_chat_family(std::string_view template_text);

struct ChatOptions {
    std::string chat_template;      // the model's tokenizer.chat_template; empty when none
    // The user's choice, winning over the model's: a family name (see chat_family_from_name)
    // or a template text whose family is detected. Empty: the model's.
    std::string override_template;
    bool add_generation_prompt = true; // end with the opening of the assistant's turn
    std::string bos_token;             // the tokenizer's BOS and EOS text, for the template
    std::string eos_token;
    std::string date;                  // "26 Jul 2024" in Llama 3.1+ headers; empty: today
};

struct ChatPrompt {
    // Tokenize with add_bos = true and parse_special = true: the text holds the turn markers
    // as text but never the BOS token itself.
    std::string text;
    std::vector<std::string> stop_strings; // end the answer when generated as text
    ChatFamily family = ChatFamily::Plain;
    bool from_template = false; // the template itself ran (else the family's format by code)
    // Why the template could not be used when it failed (beyond the interpreter, a budget, an
    // arithmetic error): the caller tells the user that the family's format stands in. Empty
    // when it ran, when there is none, and when it refused the conversation itself (Gemma 2
    // and a system message), which the family's format is there for.
    std::string template_error;
};

ChatPrompt render_chat(std::span<const ChatMessage> messages, const ChatOptions& options);
// The same with the model's template and its tokenizer's BOS/EOS text; override_template as
// in ChatOptions.
ChatPrompt render_chat(const LanguageModel& model, std::span<const ChatMessage> messages,
                       const std::string& override_template = {});

} // namespace kmlm
