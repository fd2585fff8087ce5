// Chat history in SQLite (QtSql): conversations and their messages as a tree (a regenerated
// answer or an edited question is a sibling of the message it replaces; the "active" child
// at each level makes the path shown), versioned schema with migrations and incremental
// saving of streaming answers. Search is ChatSearch (chatsearch.h), export and import are
// ChatExporter and ChatImporter (chatexport.h, chatimport.h), all on the store's connection.
// One ChatStore = one database connection, used from the thread that opened it.
// Writes on that thread never wait for the disk: in WAL mode with synchronous=NORMAL a commit
// is an append to the log in the page cache, and the checkpoints that copy the log into the
// database (and fsync it) run on a worker thread with its own connection (ChatCheckpointer).
#pragma once
#include "enginetypes.h"

#include <QDateTime>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QVector>

#include <functional>
#include <optional>

class QSqlQuery;

namespace kmlm::core {

struct ConversationInfo {
    qint64 id = 0;
    QString title;
    QString systemPrompt;
    SamplingSettings sampling;
    bool hasSampling = false; // false: the conversation uses the global defaults
    bool thinking = true;     // reasoning models reason before they answer (enable_thinking)
    QDateTime created;
    QDateTime updated;
};

enum class MessageState { Streaming, Complete, Stopped, Error };
QString messageStateName(MessageState state); // "streaming", "complete", "stopped", "error"
std::optional<MessageState> parseMessageState(const QString& name);

struct ChatMessage {
    qint64 id = 0;
    qint64 conversationId = 0;
    qint64 parentId = 0;  // the message before it on its path, 0 for the first
    int turn = 0;         // depth: 0 for the first message
    int variant = 0;      // index among its siblings (regenerated answers, edited questions)
    int variantCount = 1; // number of siblings including itself
    bool active = true;   // on the path shown
    QString role;         // "user", "assistant", "system"
    QString text;
    QString model; // model that wrote it (assistant)
    QDateTime created;
    QDateTime updated;
    int promptTokens = 0;
    int completionTokens = 0;
    double tokensPerSecond = 0;
    MessageState state = MessageState::Complete;
};

// Statistics recorded when an answer ends.
struct AnswerStats {
    QString model;
    int promptTokens = 0;
    int completionTokens = 0;
    double tokensPerSecond = 0;
};

class ChatCheckpointer;

class ChatStore : public QObject {
    Q_OBJECT
public:
    explicit ChatStore(QObject* parent = nullptr);
    ~ChatStore() override;

    // Opens (creating when needed) and migrates the database. false + errorString() on failure.
    bool open(const QString& path);
    // Opens without migrating past version (tests of databases written by older versions).
    bool openAtVersion(const QString& path, int version);
    void close();
    bool isOpen() const;
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }

    // Milliseconds since the epoch for the created/updated times; the system clock unless set
    // (tests set one that advances, to get distinct times without waiting).
    using Clock = std::function<qint64()>;
    void setClock(Clock clock) { m_clock = std::move(clock); }

    static int schemaVersion();  // the version open() migrates to
    int databaseVersion() const; // PRAGMA user_version of the open database

    // Conversations. Deleting is soft until purgeDeleted() (or the next open()), so it can be undone.
    qint64 createConversation(const QString& title, const QString& systemPrompt = {});
    bool renameConversation(qint64 id, const QString& title);
    bool setSystemPrompt(qint64 id, const QString& systemPrompt);
    bool setSampling(qint64 id, const SamplingSettings& sampling);
    bool clearSampling(qint64 id);
    bool setThinking(qint64 id, bool thinking);
    bool deleteConversation(qint64 id);
    bool undeleteConversation(qint64 id);
    bool purgeDeleted();
    QVector<ConversationInfo> conversations() const; // most recently updated first
    std::optional<ConversationInfo> conversation(qint64 id) const;

    // Messages.
    QVector<ChatMessage> messages(qint64 conversationId) const; // the active path, in order
    std::optional<ChatMessage> message(qint64 id) const;
    // Appends after the last message of the active path. Returns the id, 0 on failure.
    // Message texts are stored in NFC: inserted, streamed and finished ones alike.
    qint64 addMessage(qint64 conversationId, const QString& role, const QString& text, MessageState state = MessageState::Complete,
                      const QString& model = {});
    // Adds a sibling of messageId (same parent) and makes it the active one: a regenerated
    // answer (empty text, state streaming) or an edited question. Later turns of the old
    // branch stay in the database and come back when the old sibling is selected again.
    qint64 addAlternative(qint64 messageId, const QString& text, MessageState state = MessageState::Complete, const QString& model = {});
    // Edit and resend: a new sibling of the user message messageId with newText, active, with
    // no answer yet. Returns its id.
    qint64 editMessage(qint64 messageId, const QString& newText);
    // Saves the growing text of an answer (cheap: one UPDATE in WAL mode).
    bool updateStreamingMessage(qint64 messageId, const QString& text);
    bool finishMessage(qint64 messageId, const QString& text, MessageState state, const AnswerStats& stats = {});
    // All siblings of messageId (including itself), by variant.
    QVector<ChatMessage> alternatives(qint64 messageId) const;
    // Makes messageId the active sibling (its subtree's active path follows).
    bool setActiveMessage(qint64 messageId);
    // Answers left in state streaming by a crash become stopped (called by open()).
    int recoverInterrupted();

    // Copies the write-ahead log into the database every few seconds while the store is open.
    ChatCheckpointer* checkpointer() const { return m_checkpointer; }

Q_SIGNALS:
    void conversationsChanged();
    void messagesChanged(qint64 conversationId);

private:
    // They work on this store's connection, on its thread.
    friend class ChatSearch;
    friend class ChatExporter;
    friend class ChatImporter;

    bool migrate(int target);
    QSqlDatabase db() const;
    qint64 insertChild(qint64 conversationId, qint64 parentId, int turn, const QString& role, const QString& text, MessageState state,
                       const QString& model);
    bool touch(qint64 conversationId);
    bool updateConversation(qint64 id, const QString& assignment, const QVariant& value, const QString& what);
    std::optional<ChatMessage> lastOnPath(qint64 conversationId) const;
    bool fail(const QString& what, const QString& detail) const;
    // Run a prepared query; on failure fail(what, the driver's message). execOne also fails
    // with missing when no row was changed.
    bool exec(QSqlQuery& q, const QString& what) const;
    bool execOne(QSqlQuery& q, const QString& what, const QString& missing) const;

    qint64 now() const { return m_clock(); }

    QString m_connection;
    QString m_path;
    mutable QString m_error;
    ChatCheckpointer* m_checkpointer;
    Clock m_clock = &QDateTime::currentMSecsSinceEpoch;
};

} // namespace kmlm::core
