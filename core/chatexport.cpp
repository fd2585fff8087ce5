// ChatExporter: both formats read the conversation through the store.
#include "chatexport.h"

#include "chatstore_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QVariant>

namespace kmlm::core {

namespace {

QString isoTime(const QDateTime& t) { return t.toUTC().toString(Qt::ISODateWithMs); }

} // namespace

QString MarkdownLabels::role(const QString& name) const {
    if (name == QLatin1String("user")) return user;
    if (name == QLatin1String("assistant")) return assistant;
    return system;
}

QString ChatExporter::markdown(qint64 conversationId, const MarkdownLabels& labels) const {
    const auto c = m_store.conversation(conversationId);
    if (!c) return {};
    QString md = QStringLiteral("# %1\n\n").arg(c->title.isEmpty() ? labels.conversation : c->title);
    if (!c->systemPrompt.isEmpty()) md += QStringLiteral("> **%1:** %2\n\n").arg(labels.systemPrompt, c->systemPrompt);
    for (const ChatMessage& m : m_store.messages(conversationId)) {
        md += QStringLiteral("### %1").arg(labels.role(m.role));
        if (!m.model.isEmpty()) md += QStringLiteral(" (%1)").arg(m.model);
        md += QStringLiteral("\n\n%1\n\n").arg(m.text);
    }
    return md;
}

QByteArray ChatExporter::json(qint64 conversationId) const {
    const auto c = m_store.conversation(conversationId);
    if (!c) return {};
    QJsonObject root;
    root[QStringLiteral("format")] = kChatJsonFormat;
    root[QStringLiteral("version")] = kChatJsonVersion;
    root[QStringLiteral("title")] = c->title;
    root[QStringLiteral("system_prompt")] = c->systemPrompt;
    root[QStringLiteral("sampling")] = c->hasSampling ? QJsonValue(c->sampling.toJson()) : QJsonValue();
    root[QStringLiteral("created")] = isoTime(c->created);
    root[QStringLiteral("updated")] = isoTime(c->updated);

    // Every branch, parents before children (a child's turn is its parent's + 1).
    QSqlQuery q(m_store.db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM messages m WHERE m.conversation_id = ? ORDER BY m.turn, m.variant, m.id")
                  .arg(QLatin1String(kMessageColumns)));
    q.addBindValue(conversationId);
    QJsonArray list;
    if (m_store.exec(q, QStringLiteral("cannot read the messages to export"))) {
        while (q.next()) {
            const ChatMessage m = rowToMessage(q);
            QJsonObject o;
            o[QStringLiteral("id")] = m.id;
            o[QStringLiteral("parent")] = m.parentId > 0 ? QJsonValue(m.parentId) : QJsonValue();
            o[QStringLiteral("active")] = m.active;
            o[QStringLiteral("role")] = m.role;
            o[QStringLiteral("text")] = m.text;
            o[QStringLiteral("state")] = messageStateName(m.state);
            o[QStringLiteral("model")] = m.model;
            o[QStringLiteral("created")] = isoTime(m.created);
            o[QStringLiteral("updated")] = isoTime(m.updated);
            o[QStringLiteral("prompt_tokens")] = m.promptTokens;
            o[QStringLiteral("completion_tokens")] = m.completionTokens;
            o[QStringLiteral("tokens_per_second")] = m.tokensPerSecond;
            list.append(o);
        }
    }
    root[QStringLiteral("messages")] = list;
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace kmlm::core
