#include "conversationdelegate.h"

#include "conversationlistmodel.h"

#include <QApplication>
#include <QPainter>

namespace kmlm::ui {

namespace {
// The snippet from a little before the first searched word, so the match shows on one line.
QString snippetOf(const QModelIndex& index) {
    QString snippet = index.data(core::ConversationListModel::SnippetRole).toString().simplified();
    const auto* model = qobject_cast<const core::ConversationListModel*>(index.model());
    if (snippet.isEmpty() || !model) return snippet;
    const QString word = model->filter().section(QLatin1Char(' '), 0, 0, QString::SectionSkipEmpty);
    const int at = word.isEmpty() ? -1 : snippet.indexOf(word, 0, Qt::CaseInsensitive);
    constexpr int before = 8;
    if (at > before) snippet = QStringLiteral("…") + snippet.mid(at - before);
    return snippet;
}
} // namespace

void ConversationDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const QString snippet = snippetOf(index);
    if (snippet.isEmpty()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString title = opt.text;
    opt.text.clear();
    QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const QRect text = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, opt.widget);
    const int line = opt.fontMetrics.lineSpacing();
    const bool selected = opt.state & QStyle::State_Selected;
    painter->save();
    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(QRect(text.left(), text.top(), text.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(title, Qt::ElideRight, text.width()));
    painter->setFont(opt.font);
    painter->setPen(selected ? opt.palette.color(QPalette::HighlightedText) : opt.palette.color(QPalette::Disabled, QPalette::Text));
    painter->drawText(QRect(text.left(), text.top() + line, text.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                      opt.fontMetrics.elidedText(snippet, Qt::ElideRight, text.width()));
    painter->restore();
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (!snippetOf(index).isEmpty()) size.setHeight(size.height() + option.fontMetrics.lineSpacing() + 2);
    return size;
}

} // namespace kmlm::ui
