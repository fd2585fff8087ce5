// Rows of the conversation list: the title, and under it the matching snippet while the
// list shows search results.
#pragma once
#include <QStyledItemDelegate>

namespace kmlm::ui {

class ConversationDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace kmlm::ui
