// One conversation at a time between the chat store and the engine: sending a question
// stores it, creates the answer in state "streaming", starts the engine and saves the
// growing answer every second (and when it stops), so a crash loses at most the last second.
#pragma once
#include "chatstore.h"
#include "enginetypes.h"

#include <QObject>
#include <QTimer>

namespace kmlm::core {

class EngineController;

class ChatSession : public QObject {
    Q_OBJECT
public:
    ChatSession(ChatStore* store, EngineController* engine, QObject* parent = nullptr);

    // 0: none; send() then starts a new conversation titled after the first question.
    qint64 conversationId() const { return m_conversationId; }
    void setConversation(qint64 conversationId); // stops a running answer first
    QVector<ChatMessage> messages() const;       // the active path

    bool isGenerating() const { return m_answerId != 0; }
    qint64 streamingMessageId() const { return m_answerId; }
    QString streamingText() const { return m_text; }

    // Sampling used when the conversation has none of its own.
    void setDefaultSampling(const SamplingSettings& sampling) { m_defaultSampling = sampling; }
    SamplingSettings sampling() const;
    // System prompt given to the conversations send() starts (Settings' default); existing
    // conversations keep their own.
    void setDefaultSystemPrompt(const QString& prompt) { m_defaultSystemPrompt = prompt; }
    QString defaultSystemPrompt() const { return m_defaultSystemPrompt; }
    void setSaveInterval(int msec) { m_saveTimer.setInterval(msec); } // default 1000

public Q_SLOTS:
    // Each returns false (and emits errorOccurred) when it cannot start: empty text, an answer
    // still running, no such message.
    bool send(const QString& text);
    bool regenerate(); // a new answer to the last question; the old one stays as an alternative
    bool editAndResend(qint64 messageId, const QString& newText);
    void stop();
    bool selectAlternative(qint64 messageId); // shows another sibling (‹ 1/2 ›)

Q_SIGNALS:
    void conversationChanged(qint64 conversationId);
    void messagesChanged(); // the active path changed (new message, alternative, edit)
    void answerStarted(qint64 messageId);
    void answerStreamed(qint64 messageId, const QString& chunk, double tokensPerSecond);
    void answerFinished(qint64 messageId, const GenerationResult& result);
    void errorOccurred(const QString& message);

private:
    bool startAnswer(qint64 answerId);
    void onStreamed(quint64 id, const QString& chunk, double tokensPerSecond);
    void onFinished(quint64 id, const GenerationResult& result);
    void save();

    ChatStore* m_store;
    EngineController* m_engine;
    qint64 m_conversationId = 0;
    SamplingSettings m_defaultSampling;
    QString m_defaultSystemPrompt;
    QTimer m_saveTimer;
    quint64 m_requestId = 0;
    qint64 m_answerId = 0;
    QString m_text;
    bool m_dirty = false;
};

} // namespace kmlm::core
