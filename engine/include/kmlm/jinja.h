// A small Jinja interpreter for chat templates (tokenizer.chat_template): the subset that
// chat templates use. Text, {{ expressions }}, {% if/elif/else %}, {% for ... in ... if ... %}
// with loop.index/first/last/... and {% break %}/{% continue %}, {% set %} (also namespace
// attributes and {% set x %}...{% endset %}), whitespace control
// ("-", trim_blocks and lstrip_blocks as the model hubs render), literals, attribute and
// subscript access, slices, arithmetic, comparisons, "in", "is" tests, filters (trim,
// length, upper, lower, default, join, tojson, ...), string and dict methods, and the
// globals raise_exception, namespace, range and strftime_now.
#pragma once
#include "kmlm/chat_template.h"

#include <span>
#include <string>
#include <string_view>

namespace kmlm {

struct JinjaChatContext {
    std::span<const ChatMessage> messages;
    bool add_generation_prompt = true;
    std::string bos_token;
    std::string eos_token;
    std::string date_string; // defines date_string when not empty (Llama 3.1+ headers)
    ChatVariables variables; // more globals (enable_thinking, ...)
};

// Renders a chat template. Throws FormatError for templates this interpreter cannot parse
// or run, and for the template's own raise_exception().
std::string render_jinja_chat(std::string_view source, const JinjaChatContext& context);

} // namespace kmlm
