#include "chatschema.h"

namespace kmlm::core {

const QVector<QStringList>& chatSchemaMigrations() {
    static const QVector<QStringList> steps = {
        // 1: conversations and a linear list of messages. Times are ms since the epoch (UTC).
        {
            QStringLiteral("CREATE TABLE conversations ("
                           " id INTEGER PRIMARY KEY,"
                           " title TEXT NOT NULL DEFAULT '',"
                           " system_prompt TEXT NOT NULL DEFAULT '',"
                           " created INTEGER NOT NULL,"
                           " updated INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE messages ("
                           " id INTEGER PRIMARY KEY,"
                           " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
                           " role TEXT NOT NULL,"
                           " text TEXT NOT NULL DEFAULT '',"
                           " created INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX messages_conversation ON messages(conversation_id)"),
        },
        // 2: answer details (model, token counts, speed, streaming state), per-conversation
        // sampling (JSON, NULL = the global defaults) and soft delete (time of deletion).
        {
            QStringLiteral("ALTER TABLE conversations ADD COLUMN sampling TEXT"),
            QStringLiteral("ALTER TABLE conversations ADD COLUMN deleted INTEGER"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN model TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN updated INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("UPDATE messages SET updated = created"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN tokens_per_second REAL NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'"),
        },
        // 3: messages form a tree so regenerated answers and edited questions keep the old
        // ones: parent_id, depth (turn), index among siblings (variant), active sibling.
        // Existing linear histories become a chain in id order.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN turn INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN variant INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN active INTEGER NOT NULL DEFAULT 1"),
            QStringLiteral("UPDATE messages SET"
                           " parent_id = (SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id"
                           "              AND p.id < messages.id ORDER BY p.id DESC LIMIT 1),"
                           " turn = (SELECT count(*) FROM messages p WHERE p.conversation_id = messages.conversation_id"
                           "         AND p.id < messages.id)"),
            QStringLiteral("CREATE INDEX messages_parent ON messages(conversation_id, parent_id)"),
        },
        // 4: full-text search. The trigram tokenizer matches any substring of three or more
        // characters (Korean has no spaces inside words to tokenize on); shorter queries are
        // answered by a scan (ChatStore::search).
        {
            QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5("
                           " text, content='messages', content_rowid='id', tokenize='trigram')"),
            QStringLiteral("INSERT INTO messages_fts(messages_fts) VALUES('rebuild')"),
            QStringLiteral("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
                           " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END"),
            QStringLiteral("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
                           " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); END"),
            QStringLiteral("CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN"
                           " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
                           " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END"),
        },
        // 5: whether a reasoning model (Qwen3) thinks before it answers in this conversation.
        {
            QStringLiteral("ALTER TABLE conversations ADD COLUMN thinking INTEGER NOT NULL DEFAULT 1"),
        },
    };
    return steps;
}

} // namespace kmlm::core
