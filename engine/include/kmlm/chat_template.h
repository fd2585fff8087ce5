// Chat prompts: turns a conversation into the prompt text a chat model was trained on.
// The model's tokenizer.chat_template (a Jinja template) is run by a small interpreter
// (kmlm/jinja.h). When it cannot run it (or raises), the family its markers show (ChatML/Qwen2,
// Qwen3, Llama 3, EXAONE 3.5, EXAONE 4, Gemma, Phi-3) is rendered by code; a model without a
// template gets its architecture's family, else a plain "User: / Assistant:" transcript.
#pragma once
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kmlm {

class LanguageModel;

struct ChatMessage {
    std::string role; // "system", "user" or "assistant"
    std::string content;
};

enum class ChatFamily { Plain, ChatML, Llama3, Exaone, Gemma, Qwen3, Exaone4, Phi3 };

std::string_view to_string(ChatFamily family);
// "plain", "chatml" (also "qwen"), "llama3", "exaone", "gemma", "qwen3", "exaone4", "phi3";
// nullopt for other names.
std::optional<ChatFamily> chat_family_from_name(std::string_view name);
// The family whose markers the template text uses; Plain when none (or no template).
ChatFamily detect_chat_family(std::string_view template_text);
// The family of a model architecture (general.architecture), for files without a template.
ChatFamily chat_family_for_architecture(std::string_view architecture);

// Variables the template reads besides the conversation, as the chat settings set them:
// enable_thinking (Qwen3, EXAONE 4: reason inside <think>...</think> first or not), ...
// The families rendered by code honour enable_thinking too.
using ChatVariables = std::map<std::string, std::variant<bool, std::string>, std::less<>>;

struct ChatOptions {
    std::string chat_template; // the model's tokenizer.chat_template; empty when none
    // The user's choice, winning over the model's: a family name (see chat_family_from_name)
    // or a template text whose family is detected. Empty: the model's.
    std::string override_template;
    bool add_generation_prompt = true; // end with the opening of the assistant's turn
    std::string bos_token;             // the tokenizer's BOS and EOS text, for the template
    std::string eos_token;
    std::string date; // "26 Jul 2024" in Llama 3.1+ headers; empty: today
    // Defines the template's enable_thinking (Qwen3: false opens the answer with an empty
    // <think></think> block, so the model answers without reasoning). Unset: undefined.
    std::optional<bool> enable_thinking;
    std::string architecture; // the model's, for its family when it has no template
    ChatVariables variables;  // more template globals (enable_thinking wins over an entry here)
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
// The options for a model: its template, its architecture and its tokenizer's BOS/EOS text;
// the caller adds the rest (enable_thinking, an override).
ChatOptions chat_options(const LanguageModel& model);
// render_chat with chat_options(model); override_template as in ChatOptions.
ChatPrompt render_chat(const LanguageModel& model, std::span<const ChatMessage> messages, const std::string& override_template = {});

} // namespace kmlm
