// Reasoning models (Qwen3) think inside <think>…</think> before they answer. A stored answer
// keeps its reasoning; the chat view folds it away and the prompts of later turns drop it,
// as Qwen3's own template does.
#pragma once
#include <QString>

namespace kmlm::core {

struct ReasonedText {
    QString reasoning; // the text inside the block, trimmed
    QString answer;    // what follows the block (all of the text when there is none)
    bool hasReasoning = false;
    bool open = false; // the block has not been closed yet: the model is still reasoning
};

// Splits "<think>reasoning</think>answer". A text ending in a part of "<think>" counts as an
// opening block (a streaming answer halfway through the tag), and a "</think>" without its
// opening tag closes a block the chat template opened in the prompt.
ReasonedText splitReasoning(const QString& text);

} // namespace kmlm::core
