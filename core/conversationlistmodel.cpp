#include "conversationlistmodel.h"

#include <QSet>

namespace kmlm::core {

ConversationListModel::ConversationListModel(ChatStore* store, QObject* parent) : QAbstractListModel(parent), m_store(store) {
    connect(m_store, &ChatStore::conversationsChanged, this, &ConversationListModel::refresh);
    refresh();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const Row& r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole: return r.title.isEmpty() ? tr("New chat") : r.title;
    case IdRole: return r.id;
    case UpdatedRole: return r.updated;
    case SnippetRole: return r.hit.snippet;
    case SnippetHtmlRole: return r.hit.snippet.isEmpty() ? QString() : r.hit.snippetHtml();
    case MessageIdRole: return r.hit.messageId;
    case Qt::ToolTipRole: return r.hit.snippet.isEmpty() ? r.title : r.hit.snippet;
    default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names[IdRole] = "conversationId";
    names[TitleRole] = "title";
    names[UpdatedRole] = "updated";
    names[SnippetRole] = "snippet";
    names[SnippetHtmlRole] = "snippetHtml";
    names[MessageIdRole] = "messageId";
    return names;
}

void ConversationListModel::setFilter(const QString& text) {
    if (text == m_filter) return;
    m_filter = text;
    refresh();
}

int ConversationListModel::rowOf(qint64 conversationId) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == conversationId) return i;
    return -1;
}

qint64 ConversationListModel::idAt(int row) const { return row >= 0 && row < m_rows.size() ? m_rows[row].id : 0; }

void ConversationListModel::refresh() {
    QVector<Row> rows;
    const QString filter = m_filter.simplified();
    const QVector<ConversationInfo> all = m_store->isOpen() ? m_store->conversations() : QVector<ConversationInfo>();
    if (filter.isEmpty()) {
        for (const ConversationInfo& c : all) rows.append({c.id, c.title, c.updated, {}});
    } else {
        // Title matches first, then conversations with matching messages (first hit each).
        QSet<qint64> shown;
        for (const ConversationInfo& c : all)
            if (c.title.contains(filter, Qt::CaseInsensitive)) {
                rows.append({c.id, c.title, c.updated, {}});
                shown.insert(c.id);
            }
        QHash<qint64, ConversationInfo> byId;
        for (const ConversationInfo& c : all) byId.insert(c.id, c);
        for (const SearchHit& hit : ChatSearch(*m_store).searchConversations(filter, 500)) {
            if (shown.contains(hit.conversationId) || !byId.contains(hit.conversationId)) continue;
            shown.insert(hit.conversationId);
            const ConversationInfo& c = byId[hit.conversationId];
            rows.append({c.id, c.title, c.updated, hit});
        }
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

} // namespace kmlm::core
