#include "chatprompt.h"

#include "reasoning.h"

#include "kmlm/chat_template.h"
#include "kmlm/error.h"
#include "kmlm/gru.h"

namespace kmlm::core {

namespace {

std::string nfcUtf8(const QString& text) { return text.normalized(QString::NormalizationForm_C).toStdString(); }

bool isGru(const kmlm::LanguageModel& model) { return model.info().architecture == kmlm::kGruArchitecture; }

// The user messages after the last answer, one per line.
QString lastUserText(const QVector<ChatTurn>& messages) {
    QStringList lines;
    for (auto it = messages.crbegin(); it != messages.crend() && it->role != QLatin1String("assistant"); ++it)
        if (it->role == QLatin1String("user")) lines.prepend(it->text.simplified());
    return lines.join(QLatin1Char(' '));
}

} // namespace

EnginePrompt chatPrompt(const kmlm::LanguageModel& model, const QVector<ChatTurn>& messages, const QString& systemPrompt, bool thinking) {
    EnginePrompt prompt;
    const kmlm::Tokenizer& tokenizer = model.tokenizer();
    if (isGru(model)) {
        const QString text = lastUserText(messages);
        if (text.isEmpty()) throw kmlm::InvalidArgument("there is no question to answer");
        prompt.tokens = tokenizer.encode(nfcUtf8(text + QLatin1Char(' ')), true);
        return prompt;
    }
    std::vector<kmlm::ChatMessage> chat;
    if (!systemPrompt.trimmed().isEmpty()) chat.push_back({"system", nfcUtf8(systemPrompt)});
    for (const ChatTurn& turn : messages) {
        const bool answer = turn.role == QLatin1String("assistant");
        chat.push_back({turn.role.toStdString(), nfcUtf8(answer ? splitReasoning(turn.text).answer : turn.text)});
    }
    kmlm::ChatOptions options = kmlm::chat_options(model);
    options.enable_thinking = thinking;
    const kmlm::ChatPrompt rendered = kmlm::render_chat(chat, options);
    prompt.tokens = tokenizer.encode(rendered.text, true, true);
    prompt.stopStrings = rendered.stop_strings;
    prompt.templateError = rendered.template_error;
    prompt.family = std::string(kmlm::to_string(rendered.family));
    return prompt;
}

EnginePrompt completionPrompt(const kmlm::LanguageModel& model, const QString& prefix) {
    EnginePrompt prompt;
    prompt.tokens = model.tokenizer().encode(nfcUtf8(prefix), true);
    if (prompt.tokens.empty()) throw kmlm::InvalidArgument("there is no text to continue");
    return prompt;
}

int promptTokenCount(const kmlm::LanguageModel& model, const QString& text) {
    return int(model.tokenizer().encode(nfcUtf8(text), false).size());
}

} // namespace kmlm::core
