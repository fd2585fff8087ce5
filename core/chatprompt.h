// Turns a conversation or an editor prefix into the token prompt for the loaded model.
// Runs on the engine thread.
#pragma once
#include "enginetypes.h"

#include "kmlm/language_model.h"

#include <string>
#include <vector>

namespace kmlm::core {

struct EnginePrompt {
    std::vector<int32_t> tokens;
    std::vector<std::string> stopStrings; // generation ends before any of these
    // Why the model's chat template could not be used (the family's built-in format stood in);
    // empty when it ran. See kmlm::ChatPrompt::template_error.
    std::string templateError;
    std::string family; // the chat format used: "chatml", "llama3", ...
};

// Decoders: the model's chat template with the system prompt and every turn, ending with the
// assistant's generation prompt. Earlier answers go in without their reasoning (reasoning.h);
// thinking is the template's enable_thinking (Qwen3). The jamo GRU is a plain language model
// without turns: its prompt is the last user message(s), and the answer continues that line.
EnginePrompt chatPrompt(const kmlm::LanguageModel& model, const QVector<ChatTurn>& messages, const QString& systemPrompt,
                        bool thinking = true);
// The text before the editor's cursor (NFC), to be continued.
EnginePrompt completionPrompt(const kmlm::LanguageModel& model, const QString& prefix);
// Tokens of text as typed (NFC, no BOS): the composer's count. Any thread.
int promptTokenCount(const kmlm::LanguageModel& model, const QString& text);

} // namespace kmlm::core
