#include "chatsession.h"

#include "enginecontroller.h"

namespace kmlm::core {

namespace {

constexpr int kTitleLength = 40;

QString titleFor(const QString& question) {
    const QString line = question.simplified();
    return line.size() <= kTitleLength ? line : line.left(kTitleLength - 1) + QStringLiteral("…");
}

MessageState stateFor(StopReason reason) {
    switch (reason) {
    case StopReason::Cancelled:
    case StopReason::MemoryLimit: return MessageState::Stopped;
    case StopReason::Error: return MessageState::Error;
    default: return MessageState::Complete;
    }
}

} // namespace

ChatSession::ChatSession(ChatStore* store, EngineController* engine, QObject* parent) : QObject(parent), m_store(store), m_engine(engine) {
    // Precise: a coarse timer may fire 5% late, and the promise is "at most one second lost".
    m_saveTimer.setTimerType(Qt::PreciseTimer);
    m_saveTimer.setInterval(1000);
    connect(&m_saveTimer, &QTimer::timeout, this, &ChatSession::save);
    connect(m_engine, &EngineController::textStreamed, this, &ChatSession::onStreamed);
    connect(m_engine, &EngineController::generationFinished, this, &ChatSession::onFinished);
}

void ChatSession::setConversation(qint64 conversationId) {
    if (conversationId == m_conversationId) return;
    if (isGenerating()) {
        // The answer ends here, as it is; the engine's late finish is ignored.
        m_engine->cancel(m_requestId);
        m_store->finishMessage(m_answerId, m_text, MessageState::Stopped);
        m_saveTimer.stop();
        m_answerId = 0;
        m_requestId = 0;
    }
    m_conversationId = conversationId;
    Q_EMIT conversationChanged(conversationId);
    Q_EMIT messagesChanged();
}

QVector<ChatMessage> ChatSession::messages() const {
    return m_conversationId ? m_store->messages(m_conversationId) : QVector<ChatMessage>();
}

SamplingSettings ChatSession::sampling() const {
    const auto c = m_conversationId ? m_store->conversation(m_conversationId) : std::nullopt;
    return c && c->hasSampling ? c->sampling : m_defaultSampling;
}

bool ChatSession::send(const QString& text) {
    if (text.trimmed().isEmpty()) return false;
    if (isGenerating()) {
        Q_EMIT errorOccurred(tr("An answer is still being written."));
        return false;
    }
    if (!m_conversationId) {
        const qint64 id = m_store->createConversation(titleFor(text), m_defaultSystemPrompt);
        if (!id) {
            Q_EMIT errorOccurred(m_store->errorString());
            return false;
        }
        m_conversationId = id;
        Q_EMIT conversationChanged(id);
    }
    if (!m_store->addMessage(m_conversationId, QStringLiteral("user"), text)) {
        Q_EMIT errorOccurred(m_store->errorString());
        return false;
    }
    const qint64 answerId = m_store->addMessage(m_conversationId, QStringLiteral("assistant"), QString(), MessageState::Streaming,
                                                m_engine->currentModel().name);
    return startAnswer(answerId);
}

bool ChatSession::regenerate() {
    if (isGenerating() || !m_conversationId) return false;
    const QVector<ChatMessage> path = messages();
    if (path.isEmpty()) return false;
    const ChatMessage& last = path.last();
    const QString model = m_engine->currentModel().name;
    const qint64 answerId =
        last.role == QLatin1String("assistant")
            ? m_store->addAlternative(last.id, QString(), MessageState::Streaming, model)
            : m_store->addMessage(m_conversationId, QStringLiteral("assistant"), QString(), MessageState::Streaming, model);
    return startAnswer(answerId);
}

bool ChatSession::editAndResend(qint64 messageId, const QString& newText) {
    if (isGenerating() || newText.trimmed().isEmpty()) return false;
    const auto m = m_store->message(messageId);
    if (!m || m->conversationId != m_conversationId || !m_store->editMessage(messageId, newText)) {
        Q_EMIT errorOccurred(m_store->errorString());
        return false;
    }
    const qint64 answerId = m_store->addMessage(m_conversationId, QStringLiteral("assistant"), QString(), MessageState::Streaming,
                                                m_engine->currentModel().name);
    return startAnswer(answerId);
}

bool ChatSession::selectAlternative(qint64 messageId) {
    if (isGenerating() || !m_store->setActiveMessage(messageId)) return false;
    Q_EMIT messagesChanged();
    return true;
}

void ChatSession::stop() {
    if (!isGenerating()) return;
    m_engine->cancel(m_requestId);
    save();
}

bool ChatSession::startAnswer(qint64 answerId) {
    if (!answerId) {
        Q_EMIT errorOccurred(m_store->errorString());
        return false;
    }
    const auto conversation = m_store->conversation(m_conversationId);
    QVector<ChatTurn> turns;
    for (const ChatMessage& m : m_store->messages(m_conversationId))
        // Failed and empty answers are not history the model should see.
        if (m.id != answerId && m.state != MessageState::Error && !m.text.isEmpty()) turns.append({m.role, m.text});
    m_answerId = answerId;
    m_text.clear();
    m_dirty = false;
    m_requestId = m_engine->newRequestId();
    Q_EMIT messagesChanged();
    Q_EMIT answerStarted(answerId);
    m_engine->startChat(m_requestId, turns, conversation ? conversation->systemPrompt : QString(), sampling(),
                        !conversation || conversation->thinking);
    m_saveTimer.start();
    return true;
}

void ChatSession::onStreamed(quint64 id, const QString& chunk, double tokensPerSecond) {
    if (id != m_requestId || !isGenerating()) return;
    m_text += chunk;
    m_dirty = true;
    Q_EMIT answerStreamed(m_answerId, chunk, tokensPerSecond);
}

void ChatSession::save() {
    if (!m_dirty || !isGenerating()) return;
    m_store->updateStreamingMessage(m_answerId, m_text);
    m_dirty = false;
}

void ChatSession::onFinished(quint64 id, const GenerationResult& result) {
    if (id != m_requestId || !isGenerating()) return;
    m_saveTimer.stop();
    const qint64 answerId = m_answerId;
    m_answerId = 0;
    m_requestId = 0;
    AnswerStats stats;
    stats.model = result.model;
    stats.promptTokens = result.promptTokens;
    stats.completionTokens = result.generatedTokens;
    stats.tokensPerSecond = result.tokensPerSecond;
    const QString text = result.text.isEmpty() ? m_text : result.text;
    m_store->finishMessage(answerId, text, stateFor(result.reason), stats);
    m_text.clear();
    m_dirty = false;
    Q_EMIT answerFinished(answerId, result);
    Q_EMIT messagesChanged();
    if (!result.errorMessage.isEmpty()) Q_EMIT errorOccurred(result.errorMessage);
}

} // namespace kmlm::core
