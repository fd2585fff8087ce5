// The conversation list for views: all conversations (most recent first), or with a filter
// the conversations whose messages or titles match it (full-text search, one row per
// conversation with the first matching snippet).
#pragma once
#include "chatsearch.h"
#include "chatstore.h"

#include <QAbstractListModel>

namespace kmlm::core {

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        IdRole = Qt::UserRole + 1, // qint64
        TitleRole,                 // QString (also Qt::DisplayRole)
        UpdatedRole,               // QDateTime
        SnippetRole,               // QString: plain snippet of the match (filtered only)
        SnippetHtmlRole,           // QString: snippet with the match in <b>
        MessageIdRole,             // qint64: the matching message (filtered only), 0 for a title match
    };

    explicit ConversationListModel(ChatStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString filter() const { return m_filter; }
    void setFilter(const QString& text);    // empty: every conversation
    int rowOf(qint64 conversationId) const; // -1 when not shown
    qint64 idAt(int row) const;

public Q_SLOTS:
    void refresh();

private:
    struct Row {
        qint64 id = 0;
        QString title;
        QDateTime updated;
        SearchHit hit;
    };
    ChatStore* m_store;
    QString m_filter;
    QVector<Row> m_rows;
};

} // namespace kmlm::core
