// Full-text search of a ChatStore's conversations: an FTS5 trigram index for words of three
// or more characters; one- and two-syllable words (common in Korean: 밥, 날씨) can't be
// trigram-matched, so a query with a short word scans the message texts with instr()
// instead. Runs on the store's connection, on its thread; a failure is the store's errorString().
#pragma once
#include <QString>
#include <QVector>

namespace kmlm::core {

class ChatStore;

struct SearchHit {
    qint64 conversationId = 0;
    qint64 messageId = 0;
    QString conversationTitle;
    QString snippet;    // plain text around the first match
    int matchStart = 0; // the match inside snippet (UTF-16 offsets)
    int matchLength = 0;
    QString snippetHtml() const; // HTML-escaped snippet with the match in <b>...</b>
};

class ChatSearch {
public:
    explicit ChatSearch(const ChatStore& store) : m_store(store) {}

    // All (not deleted) conversations, newest message first; words are ANDed, case-insensitive,
    // NFC like the stored text.
    QVector<SearchHit> search(const QString& query, int limit = 50) const;
    // The same, one hit per conversation (its newest matching message), newest first.
    QVector<SearchHit> searchConversations(const QString& query, int limit = 200) const;

private:
    QVector<SearchHit> find(const QString& query, int limit, bool perConversation) const;

    const ChatStore& m_store;
};

} // namespace kmlm::core
