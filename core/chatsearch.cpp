// Newest messages first: both ways of searching then stop after `limit` hits instead of
// sorting every match.
#include "chatsearch.h"

#include "chatstore.h"

#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace kmlm::core {

namespace {

constexpr int kBefore = 30; // snippet characters before the match
constexpr int kAfter = 70;  // after it

QStringList queryWords(const QString& query) {
    return query.normalized(QString::NormalizationForm_C).simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// FTS5 query: every word as a quoted phrase (quotes doubled), implicitly ANDed.
QString ftsQuery(const QStringList& words) {
    QStringList phrases;
    for (QString w : words) phrases << QLatin1Char('"') + w.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    return phrases.join(QLatin1Char(' '));
}

SearchHit makeHit(qint64 messageId, qint64 conversationId, const QString& title, const QString& text, const QStringList& words) {
    SearchHit hit;
    hit.messageId = messageId;
    hit.conversationId = conversationId;
    hit.conversationTitle = title;
    int at = -1;
    int length = 0;
    for (const QString& w : words) {
        const int i = text.indexOf(w, 0, Qt::CaseInsensitive);
        if (i >= 0 && (at < 0 || i < at)) {
            at = i;
            length = w.size();
        }
    }
    if (at < 0) at = 0;
    int from = qMax(0, at - kBefore);
    int to = qMin(int(text.size()), at + length + kAfter);
    // Don't cut a surrogate pair in half.
    if (from > 0 && text.at(from).isLowSurrogate()) --from;
    if (to < text.size() && text.at(to).isLowSurrogate()) ++to;
    QString snippet = text.mid(from, to - from);
    snippet.replace(QLatin1Char('\n'), QLatin1Char(' '));
    const QString lead = from > 0 ? QStringLiteral("…") : QString();
    hit.snippet = lead + snippet + (to < text.size() ? QStringLiteral("…") : QString());
    hit.matchStart = lead.size() + at - from;
    hit.matchLength = length;
    return hit;
}

} // namespace

QString SearchHit::snippetHtml() const {
    return snippet.left(matchStart).toHtmlEscaped() + QStringLiteral("<b>") + snippet.mid(matchStart, matchLength).toHtmlEscaped() +
           QStringLiteral("</b>") + snippet.mid(matchStart + matchLength).toHtmlEscaped();
}

QVector<SearchHit> ChatSearch::search(const QString& query, int limit) const { return find(query, limit, false); }

QVector<SearchHit> ChatSearch::searchConversations(const QString& query, int limit) const { return find(query, limit, true); }

QVector<SearchHit> ChatSearch::find(const QString& query, int limit, bool perConversation) const {
    QVector<SearchHit> hits;
    const QStringList words = queryWords(query);
    if (words.isEmpty() || limit <= 0) return hits;
    bool allLong = true;
    for (const QString& w : words) allLong = allLong && w.size() >= 3;

    // Per conversation: its newest match (SQLite takes the bare columns from the max() row).
    const QString columns = perConversation ? QStringLiteral("max(m.id), m.conversation_id, c.title, m.text")
                                            : QStringLiteral("m.id, m.conversation_id, c.title, m.text");
    const QString grouping =
        perConversation ? QStringLiteral(" GROUP BY m.conversation_id ORDER BY max(m.id) DESC") : QStringLiteral(" ORDER BY m.id DESC");
    QSqlQuery q(m_store.db());
    q.setForwardOnly(true);
    if (allLong) {
        q.prepare(QStringLiteral("SELECT %1 FROM messages_fts f"
                                 " JOIN messages m ON m.id = f.rowid JOIN conversations c ON c.id = m.conversation_id"
                                 " WHERE messages_fts MATCH ? AND c.deleted IS NULL%2 LIMIT ?")
                      .arg(columns, grouping));
        q.addBindValue(ftsQuery(words));
    } else {
        QStringList conditions;
        for (int i = 0; i < words.size(); ++i) conditions << QStringLiteral("instr(lower(m.text), lower(?)) > 0");
        q.prepare(QStringLiteral("SELECT %1 FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                                 " WHERE c.deleted IS NULL AND %2%3 LIMIT ?")
                      .arg(columns, conditions.join(QStringLiteral(" AND ")), grouping));
        for (const QString& w : words) q.addBindValue(w);
    }
    q.addBindValue(limit);
    if (!m_store.exec(q, QStringLiteral("search failed"))) return hits;
    while (q.next())
        hits.append(makeHit(q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(), words));
    return hits;
}

} // namespace kmlm::core
