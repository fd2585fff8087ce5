// ChatImporter: the document is parsed and checked completely (ids, parents before children,
// roles, states) before one transaction writes it.
#include "chatimport.h"

#include "chatstore_p.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cmath>

namespace kmlm::core {

namespace {

QDateTime parseTime(const QJsonValue& v) {
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t : QDateTime::currentDateTimeUtc();
}

bool isRole(const QString& role) {
    return role == QLatin1String("user") || role == QLatin1String("assistant") || role == QLatin1String("system");
}

} // namespace

namespace {

struct ImportedMessage {
    qint64 id = 0;
    qint64 parent = 0;
    bool active = false;
    QString role, text, model;
    MessageState state = MessageState::Complete;
    QDateTime created, updated;
    int promptTokens = 0, completionTokens = 0;
    double tokensPerSecond = 0;
    int turn = 0, variant = 0;
};

// Checks the whole document; returns an error message, empty when it is valid.
QString parseImport(const QByteArray& json, QJsonObject* root, QVector<ImportedMessage>* out) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return ChatImporter::tr("not valid JSON: %1 at byte %2").arg(error.errorString()).arg(error.offset);
    if (!doc.isObject()) return ChatImporter::tr("not a conversation: the JSON is not an object");
    *root = doc.object();
    if (root->value(QStringLiteral("format")).toString() != kChatJsonFormat)
        return ChatImporter::tr("not a conversation: \"format\" is not \"%1\"").arg(kChatJsonFormat);
    if (root->value(QStringLiteral("version")).toInt(-1) != kChatJsonVersion)
        return ChatImporter::tr("unsupported conversation version (expected %1)").arg(kChatJsonVersion);
    for (const char* key : {"title", "system_prompt"}) {
        const QJsonValue v = root->value(QLatin1String(key));
        if (!v.isUndefined() && !v.isString()) return ChatImporter::tr("\"%1\" must be a string").arg(QLatin1String(key));
    }
    const QJsonValue sampling = root->value(QStringLiteral("sampling"));
    if (!sampling.isUndefined() && !sampling.isNull() && !sampling.isObject()) return ChatImporter::tr("\"sampling\" must be an object");
    if (!root->value(QStringLiteral("messages")).isArray()) return ChatImporter::tr("\"messages\" must be an array");

    QHash<qint64, int> index;    // id -> position in out
    QHash<qint64, int> siblings; // parent -> children so far
    QSet<qint64> parentsWithActive;
    const QJsonArray list = root->value(QStringLiteral("messages")).toArray();
    for (int i = 0; i < list.size(); ++i) {
        const QString where = ChatImporter::tr("message %1").arg(i + 1);
        if (!list[i].isObject()) return ChatImporter::tr("%1 is not an object").arg(where);
        const QJsonObject o = list[i].toObject();
        ImportedMessage m;
        const QJsonValue id = o.value(QStringLiteral("id"));
        const QJsonValue parent = o.value(QStringLiteral("parent"));
        // Range first: converting a double beyond qint64 (1e300) is undefined.
        if (!id.isDouble() || !(id.toDouble() >= 1 && id.toDouble() <= 9007199254740992.0) ||
            id.toDouble() != double(qint64(id.toDouble())))
            return ChatImporter::tr("%1: \"id\" must be a positive integer").arg(where);
        m.id = qint64(id.toDouble());
        if (index.contains(m.id)) return ChatImporter::tr("%1: id %2 is used twice").arg(where).arg(m.id);
        if (!parent.isNull() && !parent.isUndefined()) {
            m.parent = parent.isDouble() && std::fabs(parent.toDouble()) <= 9007199254740992.0 ? qint64(parent.toDouble()) : -1;
            if (!index.contains(m.parent)) return ChatImporter::tr("%1: \"parent\" must be the id of an earlier message").arg(where);
            m.turn = (*out)[index[m.parent]].turn + 1;
        }
        m.role = o.value(QStringLiteral("role")).toString();
        if (!isRole(m.role)) return ChatImporter::tr("%1: \"role\" must be user, assistant or system").arg(where);
        if (!o.value(QStringLiteral("text")).isString()) return ChatImporter::tr("%1: \"text\" must be a string").arg(where);
        m.text = o.value(QStringLiteral("text")).toString();
        const QJsonValue state = o.value(QStringLiteral("state"));
        if (!state.isUndefined()) {
            const auto s = parseMessageState(state.toString());
            if (!s) return ChatImporter::tr("%1: unknown \"state\"").arg(where);
            // Nothing is generating an imported answer.
            m.state = *s == MessageState::Streaming ? MessageState::Stopped : *s;
        }
        m.model = o.value(QStringLiteral("model")).toString();
        m.created = parseTime(o.value(QStringLiteral("created")));
        m.updated = parseTime(o.value(QStringLiteral("updated")));
        m.promptTokens = qMax(0, o.value(QStringLiteral("prompt_tokens")).toInt());
        m.completionTokens = qMax(0, o.value(QStringLiteral("completion_tokens")).toInt());
        m.tokensPerSecond = qMax(0.0, o.value(QStringLiteral("tokens_per_second")).toDouble());
        m.variant = siblings[m.parent]++;
        // One active child per parent: the first marked active wins.
        m.active = o.value(QStringLiteral("active")).toBool(true) && !parentsWithActive.contains(m.parent);
        if (m.active) parentsWithActive.insert(m.parent);
        index.insert(m.id, out->size());
        out->append(m);
    }
    // A parent whose children are all inactive shows its last child.
    for (int i = out->size() - 1; i >= 0; --i) {
        ImportedMessage& m = (*out)[i];
        if (!parentsWithActive.contains(m.parent)) {
            m.active = true;
            parentsWithActive.insert(m.parent);
        }
    }
    return {};
}

} // namespace

qint64 ChatImporter::importJson(const QByteArray& json) {
    const QString what = tr("cannot import the conversation");
    QJsonObject root;
    QVector<ImportedMessage> list;
    const QString problem = parseImport(json, &root, &list);
    if (!problem.isEmpty()) {
        m_store.fail(what, problem);
        return 0;
    }
    QSqlDatabase database = m_store.db();
    if (!database.transaction()) {
        m_store.fail(what, database.lastError().text());
        return 0;
    }
    auto abort = [&](const QSqlQuery& q) {
        const QString error = q.lastError().text();
        database.rollback();
        m_store.fail(what, error);
        return qint64(0);
    };
    QSqlQuery q(database);
    q.prepare(QStringLiteral("INSERT INTO conversations (title, system_prompt, sampling, created, updated)"
                             " VALUES (?, ?, ?, ?, ?)"));
    const QJsonValue sampling = root.value(QStringLiteral("sampling"));
    q.addBindValue(textValue(root.value(QStringLiteral("title")).toString()));
    q.addBindValue(textValue(root.value(QStringLiteral("system_prompt")).toString()));
    q.addBindValue(sampling.isObject()
                       ? QVariant(QString::fromUtf8(
                             QJsonDocument(SamplingSettings::fromJson(sampling.toObject()).toJson()).toJson(QJsonDocument::Compact)))
                       : QVariant());
    q.addBindValue(parseTime(root.value(QStringLiteral("created"))).toMSecsSinceEpoch());
    q.addBindValue(m_store.now()); // an import is the most recent conversation
    if (!q.exec()) return abort(q);
    const qint64 conversationId = q.lastInsertId().toLongLong();

    QHash<qint64, qint64> newIds;
    q.prepare(QStringLiteral("INSERT INTO messages (conversation_id, parent_id, turn, variant, active, role, text,"
                             " model, created, updated, prompt_tokens, completion_tokens, tokens_per_second, state)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const ImportedMessage& m : list) {
        for (const QVariant& v :
             {QVariant(conversationId), nullableId(newIds.value(m.parent)), QVariant(m.turn), QVariant(m.variant),
              QVariant(m.active ? 1 : 0), textValue(m.role), textValue(m.text), textValue(m.model), QVariant(m.created.toMSecsSinceEpoch()),
              QVariant(m.updated.toMSecsSinceEpoch()), QVariant(m.promptTokens), QVariant(m.completionTokens), QVariant(m.tokensPerSecond),
              QVariant(messageStateName(m.state))})
            q.addBindValue(v);
        if (!q.exec()) return abort(q);
        newIds.insert(m.id, q.lastInsertId().toLongLong());
    }
    if (!database.commit()) return abort(q);
    Q_EMIT m_store.conversationsChanged();
    return conversationId;
}

} // namespace kmlm::core
