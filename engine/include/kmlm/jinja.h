// A small Jinja interpreter for chat templates (tokenizer.chat_template): the subset that
// chat templates use. Text, {{ expressions }}, {% if/elif/else %}, {% for ... in ... if ... %}
// with loop.index/first/last/... and {% break %}/{% continue %}, {% set %} (also namespace
// attributes and {% set x %}...{% endset %}), whitespace control
// ("-", trim_blocks and lstrip_blocks as the model hubs render), literals, attribute and
// subscript access, slices, arithmetic, comparisons, "in", "is" tests, filters (trim,
// length, upper, lower, default, join, tojson, ...), string and dict methods, and the
// globals raise_exception, namespace, range and strftime_now.
//
// A template comes from the model file, which anyone may have written: rendering is bounded
// in steps (nodes, expressions, loop turns, items copied), in the bytes of strings and lists
// it builds, and in nesting depth, and integer arithmetic is checked. Past a bound it stops
// with TemplateLimitError; the bounds leave published templates far below them.
#pragma once
#include "kmlm/chat_template.h"
#include "kmlm/error.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kmlm {

// The template's own raise_exception(): it refuses this conversation (Gemma refuses a system
// message, for one).
class TemplateRaised : public FormatError {
public:
    using FormatError::FormatError;
};

// The template went past a budget (steps, bytes built, nesting) or its integer arithmetic
// overflowed: a runaway or hostile template.
class TemplateLimitError : public FormatError {
public:
    using FormatError::FormatError;
};

struct JinjaChatContext {
    std::span<const ChatMessage> messages;
    bool add_generation_prompt = true;
    std::string bos_token;
    std::string eos_token;
    std::string date_string;             // defines date_string when not empty (Llama 3.1+ headers)
    std::optional<bool> enable_thinking; // defines enable_thinking when set (Qwen3)
    ChatVariables variables;             // more globals
};

// Renders a chat template. Throws FormatError for templates this interpreter cannot parse
// or run: TemplateRaised for the template's own raise_exception(), TemplateLimitError past
// a budget.
std::string render_jinja_chat(std::string_view source, const JinjaChatContext& context);

} // namespace kmlm
