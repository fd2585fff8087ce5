#include "chatstore.h"

#include "chatcheckpointer.h"
#include "chatschema.h"
#include "chatstore_p.h"

#include <QAtomicInteger>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace kmlm::core {

const char* const kMessageColumns = "m.id, m.conversation_id, m.parent_id, m.turn, m.variant, m.active, m.role, m.text, m.model,"
                                    " m.created, m.updated, m.prompt_tokens, m.completion_tokens, m.tokens_per_second, m.state,"
                                    " (SELECT count(*) FROM messages s WHERE s.conversation_id = m.conversation_id"
                                    "  AND s.parent_id IS m.parent_id)";

QVariant nullableId(qint64 id) {
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
    return id > 0 ? QVariant(id) : QVariant(QMetaType::fromType<qint64>());
#else
    return id > 0 ? QVariant(id) : QVariant(QVariant::LongLong);
#endif
}

ChatMessage rowToMessage(const QSqlQuery& q) {
    ChatMessage m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.parentId = q.value(2).toLongLong();
    m.turn = q.value(3).toInt();
    m.variant = q.value(4).toInt();
    m.active = q.value(5).toBool();
    m.role = q.value(6).toString();
    m.text = q.value(7).toString();
    m.model = q.value(8).toString();
    m.created = QDateTime::fromMSecsSinceEpoch(q.value(9).toLongLong());
    m.updated = QDateTime::fromMSecsSinceEpoch(q.value(10).toLongLong());
    m.promptTokens = q.value(11).toInt();
    m.completionTokens = q.value(12).toInt();
    m.tokensPerSecond = q.value(13).toDouble();
    m.state = parseMessageState(q.value(14).toString()).value_or(MessageState::Complete);
    m.variantCount = q.value(15).toInt();
    return m;
}

namespace {
ConversationInfo rowToConversation(const QSqlQuery& q) {
    ConversationInfo c;
    c.id = q.value(0).toLongLong();
    c.title = q.value(1).toString();
    c.systemPrompt = q.value(2).toString();
    const QVariant sampling = q.value(3);
    c.hasSampling = !sampling.isNull();
    if (c.hasSampling) c.sampling = SamplingSettings::fromJson(QJsonDocument::fromJson(sampling.toString().toUtf8()).object());
    c.created = QDateTime::fromMSecsSinceEpoch(q.value(4).toLongLong());
    c.updated = QDateTime::fromMSecsSinceEpoch(q.value(5).toLongLong());
    c.thinking = q.value(6).toBool();
    return c;
}

const char* const kConversationColumns = "id, title, system_prompt, sampling, created, updated, thinking";

} // namespace

QString messageStateName(MessageState state) {
    switch (state) {
    case MessageState::Streaming: return QStringLiteral("streaming");
    case MessageState::Complete: return QStringLiteral("complete");
    case MessageState::Stopped: return QStringLiteral("stopped");
    case MessageState::Error: return QStringLiteral("error");
    }
    return QStringLiteral("complete");
}

std::optional<MessageState> parseMessageState(const QString& name) {
    for (auto s : {MessageState::Streaming, MessageState::Complete, MessageState::Stopped, MessageState::Error})
        if (name == messageStateName(s)) return s;
    return std::nullopt;
}

QString uniqueConnectionName(const char* what) {
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("kmlm-%1-%2").arg(QLatin1String(what)).arg(++counter);
}

namespace {
// Message texts as stored: NFC, so that search and comparison see one spelling of Hangul.
QVariant storedText(const QString& text) { return textValue(text.normalized(QString::NormalizationForm_C)); }
} // namespace

ChatStore::ChatStore(QObject* parent)
    : QObject(parent), m_connection(uniqueConnectionName("chatstore")), m_checkpointer(new ChatCheckpointer(this)) {}

ChatStore::~ChatStore() { close(); }

QSqlDatabase ChatStore::db() const { return QSqlDatabase::database(m_connection, false); }

bool ChatStore::fail(const QString& what, const QString& detail) const {
    m_error = detail.isEmpty() ? what : what + QStringLiteral(": ") + detail;
    qWarning("ChatStore: %s", qPrintable(m_error));
    return false;
}

bool ChatStore::exec(QSqlQuery& q, const QString& what) const {
    if (q.exec()) return true;
    return fail(what, q.lastError().text());
}

bool ChatStore::execOne(QSqlQuery& q, const QString& what, const QString& missing) const {
    if (!exec(q, what)) return false;
    if (q.numRowsAffected() == 0) return fail(missing, QString());
    return true;
}

bool ChatStore::open(const QString& path) { return openAtVersion(path, schemaVersion()); }

bool ChatStore::openAtVersion(const QString& path, int version) {
    close();
    m_error.clear();
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        database.setDatabaseName(path);
        database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!database.open()) {
            const QString error = database.lastError().text();
            database = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connection);
            return fail(QStringLiteral("cannot open chat database %1").arg(path), error);
        }
        // WAL: a write is one append to the log, readers never block the writer, and with
        // synchronous=NORMAL a committed answer survives the process being killed. This
        // connection never checkpoints (that would fsync here): ChatCheckpointer does.
        QSqlQuery q(database);
        for (const char* pragma :
             {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA wal_autocheckpoint=0"}) {
            if (!q.exec(QLatin1String(pragma))) {
                const QString error = q.lastError().text();
                q = QSqlQuery();
                database.close();
                database = QSqlDatabase();
                QSqlDatabase::removeDatabase(m_connection);
                return fail(QStringLiteral("cannot set up chat database %1").arg(path), error);
            }
        }
    }
    m_path = path;
    if (!migrate(version)) {
        const QString error = m_error;
        close();
        m_error = error;
        return false;
    }
    if (version == schemaVersion()) {
        recoverInterrupted();
        purgeDeleted();
    }
    m_checkpointer->start(path);
    return true;
}

void ChatStore::close() {
    m_checkpointer->stop();
    if (!QSqlDatabase::contains(m_connection)) return;
    {
        QSqlDatabase database = db();
        database.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_path.clear();
}

bool ChatStore::isOpen() const { return QSqlDatabase::contains(m_connection) && db().isOpen(); }

int ChatStore::schemaVersion() { return static_cast<int>(chatSchemaMigrations().size()); }

int ChatStore::databaseVersion() const {
    QSqlQuery q(db());
    return q.exec(QStringLiteral("PRAGMA user_version")) && q.next() ? q.value(0).toInt() : -1;
}

bool ChatStore::migrate(int target) {
    const int current = databaseVersion();
    if (current < 0) return fail(QStringLiteral("cannot read the chat database's version"), QString());
    if (current > schemaVersion())
        return fail(QStringLiteral("the chat database %1 was written by a newer version of the program "
                                   "(schema %2, this program knows up to %3)")
                        .arg(m_path)
                        .arg(current)
                        .arg(schemaVersion()),
                    QString());
    QSqlDatabase database = db();
    const auto& steps = chatSchemaMigrations();
    for (int v = current; v < target; ++v) {
        database.transaction();
        QSqlQuery q(database);
        const QStringList statements = steps[v] + QStringList{QStringLiteral("PRAGMA user_version = %1").arg(v + 1)};
        for (const QString& sql : statements) {
            if (!q.exec(sql)) {
                const QString error = q.lastError().text();
                database.rollback();
                return fail(QStringLiteral("cannot upgrade the chat database to schema %1").arg(v + 1), error);
            }
        }
        if (!database.commit()) return fail(QStringLiteral("cannot upgrade the chat database"), database.lastError().text());
    }
    return true;
}

bool ChatStore::touch(qint64 conversationId) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET updated = ? WHERE id = ?"));
    q.addBindValue(now());
    q.addBindValue(conversationId);
    return exec(q, QStringLiteral("cannot update the conversation"));
}

// ---- Conversations ------------------------------------------------------------------------

qint64 ChatStore::createConversation(const QString& title, const QString& systemPrompt) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("INSERT INTO conversations (title, system_prompt, created, updated) VALUES (?, ?, ?, ?)"));
    const qint64 t = now();
    q.addBindValue(textValue(title));
    q.addBindValue(textValue(systemPrompt));
    q.addBindValue(t);
    q.addBindValue(t);
    if (!exec(q, QStringLiteral("cannot create a conversation"))) return 0;
    Q_EMIT conversationsChanged();
    return q.lastInsertId().toLongLong();
}

bool ChatStore::updateConversation(qint64 id, const QString& assignment, const QVariant& value, const QString& what) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET %1, updated = ? WHERE id = ?").arg(assignment));
    q.addBindValue(value);
    q.addBindValue(now());
    q.addBindValue(id);
    return execOne(q, what, QStringLiteral("no conversation %1").arg(id));
}

bool ChatStore::renameConversation(qint64 id, const QString& title) {
    if (!updateConversation(id, QStringLiteral("title = ?"), textValue(title), QStringLiteral("cannot rename the conversation")))
        return false;
    Q_EMIT conversationsChanged();
    return true;
}

bool ChatStore::setSystemPrompt(qint64 id, const QString& systemPrompt) {
    return updateConversation(id, QStringLiteral("system_prompt = ?"), textValue(systemPrompt),
                              QStringLiteral("cannot set the system prompt"));
}

bool ChatStore::setSampling(qint64 id, const SamplingSettings& sampling) {
    const QString json = QString::fromUtf8(QJsonDocument(sampling.toJson()).toJson(QJsonDocument::Compact));
    return updateConversation(id, QStringLiteral("sampling = ?"), json, QStringLiteral("cannot set the sampling settings"));
}

bool ChatStore::setThinking(qint64 id, bool thinking) {
    return updateConversation(id, QStringLiteral("thinking = ?"), thinking ? 1 : 0, QStringLiteral("cannot set the reasoning switch"));
}

bool ChatStore::clearSampling(qint64 id) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET sampling = NULL WHERE id = ?"));
    q.addBindValue(id);
    return execOne(q, QStringLiteral("cannot reset the sampling settings"), QStringLiteral("no conversation %1").arg(id));
}

bool ChatStore::deleteConversation(qint64 id) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET deleted = ? WHERE id = ? AND deleted IS NULL"));
    q.addBindValue(now());
    q.addBindValue(id);
    if (!execOne(q, QStringLiteral("cannot delete the conversation"), QStringLiteral("no conversation %1 to delete").arg(id))) return false;
    Q_EMIT conversationsChanged();
    return true;
}

bool ChatStore::undeleteConversation(qint64 id) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET deleted = NULL WHERE id = ? AND deleted IS NOT NULL"));
    q.addBindValue(id);
    if (!execOne(q, QStringLiteral("cannot restore the conversation"), QStringLiteral("no deleted conversation %1").arg(id))) return false;
    Q_EMIT conversationsChanged();
    return true;
}

bool ChatStore::purgeDeleted() {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("DELETE FROM conversations WHERE deleted IS NOT NULL"));
    return exec(q, QStringLiteral("cannot remove deleted conversations"));
}

QVector<ConversationInfo> ChatStore::conversations() const {
    QVector<ConversationInfo> result;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM conversations WHERE deleted IS NULL ORDER BY updated DESC, id DESC")
                    .arg(QLatin1String(kConversationColumns)))) {
        fail(QStringLiteral("cannot list conversations"), q.lastError().text());
        return result;
    }
    while (q.next()) result.append(rowToConversation(q));
    return result;
}

std::optional<ConversationInfo> ChatStore::conversation(qint64 id) const {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM conversations WHERE id = ?").arg(QLatin1String(kConversationColumns)));
    q.addBindValue(id);
    if (!exec(q, QStringLiteral("cannot read the conversation")) || !q.next()) return std::nullopt;
    return rowToConversation(q);
}

// ---- Messages -----------------------------------------------------------------------------

QVector<ChatMessage> ChatStore::messages(qint64 conversationId) const {
    QVector<ChatMessage> result;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("WITH RECURSIVE path(id) AS ("
                             " SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL AND active = 1"
                             " UNION ALL"
                             " SELECT c.id FROM messages c JOIN path p ON c.parent_id = p.id"
                             "  WHERE c.conversation_id = ? AND c.active = 1)" // lets the step use the index
                             " SELECT %1 FROM messages m JOIN path USING (id) ORDER BY m.turn")
                  .arg(QLatin1String(kMessageColumns)));
    q.addBindValue(conversationId);
    q.addBindValue(conversationId);
    if (!exec(q, QStringLiteral("cannot read messages"))) return result;
    while (q.next()) result.append(rowToMessage(q));
    return result;
}

std::optional<ChatMessage> ChatStore::message(qint64 id) const {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM messages m WHERE m.id = ?").arg(QLatin1String(kMessageColumns)));
    q.addBindValue(id);
    if (!exec(q, QStringLiteral("cannot read the message")) || !q.next()) return std::nullopt;
    return rowToMessage(q);
}

std::optional<ChatMessage> ChatStore::lastOnPath(qint64 conversationId) const {
    const QVector<ChatMessage> path = messages(conversationId);
    if (path.isEmpty()) return std::nullopt;
    return path.last();
}

qint64 ChatStore::insertChild(qint64 conversationId, qint64 parentId, int turn, const QString& role, const QString& text,
                              MessageState state, const QString& model) {
    const QString what = QStringLiteral("cannot add a message");
    QSqlDatabase database = db();
    database.transaction();
    QSqlQuery q(database);
    q.prepare(QStringLiteral("UPDATE messages SET active = 0 WHERE conversation_id = ? AND parent_id IS ?"));
    q.addBindValue(conversationId);
    q.addBindValue(nullableId(parentId));
    if (!exec(q, what)) {
        database.rollback();
        return 0;
    }
    q.prepare(QStringLiteral("INSERT INTO messages (conversation_id, parent_id, turn, variant, active, role, text, model,"
                             " created, updated, state)"
                             " VALUES (?, ?, ?, (SELECT count(*) FROM messages WHERE conversation_id = ? AND parent_id IS ?),"
                             " 1, ?, ?, ?, ?, ?, ?)"));
    const qint64 t = now();
    for (const QVariant& v :
         {QVariant(conversationId), nullableId(parentId), QVariant(turn), QVariant(conversationId), nullableId(parentId), textValue(role),
          storedText(text), textValue(model), QVariant(t), QVariant(t), QVariant(messageStateName(state))})
        q.addBindValue(v);
    if (!exec(q, what)) {
        database.rollback();
        return 0;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    if (!touch(conversationId) || !database.commit()) {
        const QString error = database.lastError().text();
        database.rollback();
        fail(what, error);
        return 0;
    }
    Q_EMIT messagesChanged(conversationId);
    Q_EMIT conversationsChanged();
    return id;
}

qint64 ChatStore::addMessage(qint64 conversationId, const QString& role, const QString& text, MessageState state, const QString& model) {
    if (!conversation(conversationId)) {
        fail(QStringLiteral("no conversation %1").arg(conversationId), QString());
        return 0;
    }
    const auto last = lastOnPath(conversationId);
    return insertChild(conversationId, last ? last->id : 0, last ? last->turn + 1 : 0, role, text, state, model);
}

qint64 ChatStore::addAlternative(qint64 messageId, const QString& text, MessageState state, const QString& model) {
    const auto m = message(messageId);
    if (!m) {
        fail(QStringLiteral("no message %1").arg(messageId), QString());
        return 0;
    }
    return insertChild(m->conversationId, m->parentId, m->turn, m->role, text, state, model);
}

qint64 ChatStore::editMessage(qint64 messageId, const QString& newText) {
    const auto m = message(messageId);
    if (!m) {
        fail(QStringLiteral("no message %1").arg(messageId), QString());
        return 0;
    }
    if (m->role != QLatin1String("user")) {
        fail(QStringLiteral("only questions can be edited"), QString());
        return 0;
    }
    return addAlternative(messageId, newText, MessageState::Complete);
}

bool ChatStore::updateStreamingMessage(qint64 messageId, const QString& text) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE messages SET text = ?, updated = ? WHERE id = ?"));
    q.addBindValue(storedText(text));
    q.addBindValue(now());
    q.addBindValue(messageId);
    return execOne(q, QStringLiteral("cannot save the answer"), QStringLiteral("no message %1").arg(messageId));
}

bool ChatStore::finishMessage(qint64 messageId, const QString& text, MessageState state, const AnswerStats& stats) {
    const auto m = message(messageId);
    if (!m) return fail(QStringLiteral("no message %1").arg(messageId), QString());
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE messages SET text = ?, state = ?, model = ?, prompt_tokens = ?,"
                             " completion_tokens = ?, tokens_per_second = ?, updated = ? WHERE id = ?"));
    for (const QVariant& v : {storedText(text), QVariant(messageStateName(state)),
                              textValue(stats.model.isEmpty() ? m->model : stats.model), QVariant(stats.promptTokens),
                              QVariant(stats.completionTokens), QVariant(stats.tokensPerSecond), QVariant(now()), QVariant(messageId)})
        q.addBindValue(v);
    if (!exec(q, QStringLiteral("cannot save the answer"))) return false;
    touch(m->conversationId);
    Q_EMIT messagesChanged(m->conversationId);
    Q_EMIT conversationsChanged(); // its place in the list (most recent first) changed
    return true;
}

QVector<ChatMessage> ChatStore::alternatives(qint64 messageId) const {
    QVector<ChatMessage> result;
    const auto m = message(messageId);
    if (!m) return result;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM messages m WHERE m.conversation_id = ? AND m.parent_id IS ?"
                             " ORDER BY m.variant, m.id")
                  .arg(QLatin1String(kMessageColumns)));
    q.addBindValue(m->conversationId);
    q.addBindValue(nullableId(m->parentId));
    if (!exec(q, QStringLiteral("cannot read the alternatives"))) return result;
    while (q.next()) result.append(rowToMessage(q));
    return result;
}

bool ChatStore::setActiveMessage(qint64 messageId) {
    const auto m = message(messageId);
    if (!m) return fail(QStringLiteral("no message %1").arg(messageId), QString());
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE messages SET active = (id = ?) WHERE conversation_id = ? AND parent_id IS ?"));
    q.addBindValue(messageId);
    q.addBindValue(m->conversationId);
    q.addBindValue(nullableId(m->parentId));
    if (!exec(q, QStringLiteral("cannot select the message"))) return false;
    Q_EMIT messagesChanged(m->conversationId);
    return true;
}

int ChatStore::recoverInterrupted() {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE messages SET state = 'stopped' WHERE state = 'streaming'"));
    if (!exec(q, QStringLiteral("cannot recover interrupted answers"))) return 0;
    return q.numRowsAffected();
}

} // namespace kmlm::core
