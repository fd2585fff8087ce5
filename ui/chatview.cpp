#include "chatview.h"

#include "appearance.h"
#include "markdown.h"
#include "reasoning.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QResizeEvent>
#include <QScrollBar>
#include <QStyle>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>
#include <QUrl>

#include <algorithm>

namespace kmlm::ui {

namespace {
bool isUser(const core::ChatMessage& m) { return m.role == QLatin1String("user"); }

QColor bubbleColor(bool dark) { return dark ? QColor(0x2c, 0x3e, 0x5c) : QColor(0xe3, 0xec, 0xfb); }

QTextCharFormat smallFormat(const QFont& base, const QColor& color) {
    QTextCharFormat f;
    f.setFontPointSize(base.pointSizeF() * 0.9);
    f.setForeground(color);
    return f;
}
} // namespace

ChatView::ChatView(QWidget* parent) : QTextBrowser(parent) {
    setOpenLinks(false);
    setOpenExternalLinks(false);
    setFrameShape(QFrame::NoFrame);
    // Korean: between words (eojeol), not syllables; inside a word only when it is longer than
    // the line (a long URL or code token would run past the column).
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // everything wraps inside the column
    document()->setUndoRedoEnabled(false);
    setBackgroundRole(QPalette::Base); // the margins around the column look like the page
    setAutoFillBackground(true);
    viewport()->setMouseTracking(true);
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(50);
    connect(&m_renderTimer, &QTimer::timeout, this, &ChatView::renderLast);
    connect(this, &QTextBrowser::anchorClicked, this, &ChatView::onAnchor);
    m_highlightTimer.setSingleShot(true);
    m_highlightTimer.setInterval(2500);
    connect(&m_highlightTimer, &QTimer::timeout, this, [this] { setExtraSelections({}); });
    updateColumn();
}

void ChatView::setMessages(const QVector<core::ChatMessage>& messages) {
    m_messages = messages;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum()); // another conversation: its end
    if (m_streamingId &&
        std::none_of(messages.begin(), messages.end(), [this](const core::ChatMessage& m) { return m.id == m_streamingId; }))
        m_streamingId = 0;
    renderNow();
}

void ChatView::setStreamingText(qint64 messageId, const QString& text, double tokensPerSecond) {
    m_streamingId = messageId;
    m_tokensPerSecond = tokensPerSecond;
    for (core::ChatMessage& m : m_messages) {
        if (m.id == messageId) {
            m.text = text;
            m.state = core::MessageState::Streaming;
        }
    }
    if (!m_renderTimer.isActive()) m_renderTimer.start();
}

void ChatView::setActiveModel(const QString& name, bool tiny) {
    m_modelName = name;
    m_tinyModel = tiny;
    if (m_messages.isEmpty()) renderNow();
}

QStringList ChatView::examplePrompts() const {
    return {tr("Plan a one-day walk through Seoul's palaces and markets"), tr("Explain when to use 은/는 and when 이/가, with examples"),
            tr("Write a short, polite email declining a meeting"), tr("Summarize the main causes of climate change in three sentences")};
}

void ChatView::changeEvent(QEvent* event) {
    QTextBrowser::changeEvent(event);
    if (event->type() == QEvent::LanguageChange || event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange) {
        updateColumn();
        renderNow(); // footers and hints in the new language, colours of the new palette
    }
}

void ChatView::resizeEvent(QResizeEvent* event) {
    QTextBrowser::resizeEvent(event);
    updateColumn();
}

int ChatView::spacing() const { return std::max(style()->pixelMetric(QStyle::PM_LayoutVerticalSpacing), fontMetrics().height() / 2); }

// The column: kReadingChars Korean characters wide at most, centred, with the platform's
// layout margin on each side when the window is narrower. The viewport itself is the column
// (viewport margins), so nothing, a right-aligned bubble included, lays out past it.
void ChatView::updateColumn() {
    const int gutter = std::max(style()->pixelMetric(QStyle::PM_LayoutLeftMargin), fontMetrics().height());
    const int widest = kReadingChars * fontMetrics().horizontalAdvance(QChar(0xAC00)); // 가
    const int bar = verticalScrollBar()->isVisible() ? verticalScrollBar()->width() : 0;
    const int available = contentsRect().width() - bar;
    const int column = std::max(0, std::min(available - 2 * gutter, widest));
    const int side = std::max(gutter, (available - column) / 2);
    // No document margin at the sides: Qt places a right-aligned table (the question bubble)
    // past the right one. Above and below, the root frame's margins.
    document()->setDocumentMargin(0);
    QTextFrameFormat root = document()->rootFrame()->frameFormat();
    if (root.topMargin() != gutter) {
        root.setTopMargin(gutter);
        root.setBottomMargin(gutter);
        document()->rootFrame()->setFrameFormat(root);
    }
    if (viewportMargins() != QMargins(side, 0, side, 0)) {
        setViewportMargins(side, 0, side, 0);
        QResizeEvent relayout(size(), QSize(-1, -1)); // the text width follows the viewport's
        QTextBrowser::resizeEvent(&relayout);
    }
    emit columnChanged(contentsRect().width() - bar - 2 * side);
}

int ChatView::columnWidth() const { return int(document()->textWidth()); }

void ChatView::setDark(bool dark) {
    m_dark = dark;
    renderNow();
}

void ChatView::renderNow() {
    m_renderTimer.stop();
    QScrollBar* bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 8;
    const int oldValue = bar->value();
    // clear() would reset the root frame's margins (the column): remove the text instead.
    QTextCursor all(document());
    all.select(QTextCursor::Document);
    all.removeSelectedText();
    all.setBlockFormat(QTextBlockFormat());
    all.setCharFormat(QTextCharFormat());
    m_codeBlocks.clear();
    m_spans.clear();
    setExtraSelections({});
    QTextCursor cursor(document());
    if (m_messages.isEmpty()) insertEmptyState(cursor);
    for (int i = 0; i < m_messages.size(); ++i) {
        if (i + 1 == m_messages.size()) {
            m_lastStart = cursor.position();
            m_lastCodeBlocks = m_codeBlocks.size();
        }
        insertMessage(cursor, m_messages.at(i), i + 1 == m_messages.size());
    }
    if (!m_spans.contains(m_revealed)) m_revealed = 0;
    scrollTo(atBottom, oldValue);
}

void ChatView::renderLast() {
    if (m_messages.isEmpty() || m_messages.last().id != m_streamingId || m_lastStart > document()->characterCount() - 1) return renderNow();
    QScrollBar* bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 8;
    QTextCursor cursor(document());
    cursor.setPosition(m_lastStart);
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    cursor.removeSelectedText();
    m_codeBlocks = m_codeBlocks.mid(0, m_lastCodeBlocks);
    insertMessage(cursor, m_messages.last(), true);
    scrollTo(atBottom, bar->value());
}

// The layout is lazy: moving the cursor to the end makes the view lay out and scroll there.
void ChatView::scrollTo(bool bottom, int value) {
    if (bottom) {
        moveCursor(QTextCursor::End);
        ensureCursorVisible();
        verticalScrollBar()->setValue(verticalScrollBar()->maximum()); // the bottom margin too
    } else {
        verticalScrollBar()->setValue(value);
    }
}

bool ChatView::showMessage(qint64 messageId, const QString& query) {
    renderNow();
    const auto span = m_spans.constFind(messageId);
    if (span == m_spans.constEnd()) return false;
    // From the end, so that the message's start comes to the top of the view.
    moveCursor(QTextCursor::End);
    ensureCursorVisible();
    QTextCursor start(document());
    start.setPosition(span->start);
    setTextCursor(start);
    ensureCursorVisible();
    // The words, not the whole message: a selection across list items hides their numbers.
    QList<ExtraSelection> found;
    for (const QString& word : query.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        for (QTextCursor c = document()->find(word, span->start); !c.isNull() && c.selectionEnd() <= span->end;
             c = document()->find(word, c)) {
            ExtraSelection match;
            match.cursor = c;
            match.format.setBackground(palette().color(QPalette::Highlight));
            match.format.setForeground(palette().color(QPalette::HighlightedText));
            found.append(match);
        }
    }
    setExtraSelections(found);
    m_highlightTimer.start();
    return true;
}

// A new chat: who answers, a few questions to start with (links that send them), and the way
// to another model.
void ChatView::insertEmptyState(QTextCursor& cursor) {
    const QString muted = Appearance::mutedTextColor(palette()).name();
    const QString card = bubbleColor(m_dark).name();
    QString html = QStringLiteral("<p align=\"center\" style=\"font-size:large;\"><b>%1</b></p>")
                       .arg(tr("What would you like to ask?").toHtmlEscaped());
    const QString model = m_modelName.isEmpty() ? tr("No model is loaded yet.")
                                                : tr("Answering: %1").arg(QStringLiteral("<b>%1</b>").arg(m_modelName.toHtmlEscaped()));
    html += QStringLiteral("<p align=\"center\">%1</p>").arg(model);
    if (m_tinyModel)
        html += QStringLiteral("<p align=\"center\" style=\"color:%1;\">%2</p>")
                    .arg(muted, tr("This is the tiny built-in model: it writes Korean-like text but does not really "
                                   "understand questions. Add a real model for useful answers.")
                                    .toHtmlEscaped());
    html += QStringLiteral("<table align=\"center\" cellspacing=\"%1\" cellpadding=\"%2\">").arg(spacing()).arg(spacing());
    const QStringList prompts = examplePrompts();
    for (int i = 0; i < prompts.size(); ++i) {
        if (i % 2 == 0) html += QStringLiteral("<tr>");
        html += QStringLiteral("<td width=\"50%\" style=\"background-color:%1;\"><a href=\"kmlm-prompt:%2\" "
                               "style=\"text-decoration:none;\">%3</a></td>")
                    .arg(card)
                    .arg(i)
                    .arg(prompts.at(i).toHtmlEscaped());
        if (i % 2 == 1 || i + 1 == prompts.size()) html += QStringLiteral("</tr>");
    }
    html += QStringLiteral("</table>");
    html += QStringLiteral("<p align=\"center\" style=\"color:%1;\">%2 <a href=\"kmlm-models:\">%3</a></p>")
                .arg(muted, tr("Answers are generated on this computer.").toHtmlEscaped(), tr("Choose a model…").toHtmlEscaped());
    cursor.insertHtml(html);
}

void ChatView::insertMessage(QTextCursor& cursor, const core::ChatMessage& message, bool last) {
    startBlock(cursor);
    Span span;
    span.start = cursor.position();
    const int gap = spacing();
    if (isUser(message)) {
        QTextTableFormat bubble;
        bubble.setBackground(bubbleColor(m_dark));
        bubble.setBorder(0);
        bubble.setCellPadding(gap);
        bubble.setCellSpacing(0);
        bubble.setTopMargin(2 * gap);
        bubble.setAlignment(Qt::AlignRight);
        QTextTable* table = cursor.insertTable(1, 1, bubble);
        QTextCursor inside = table->cellAt(0, 0).firstCursorPosition();
        insertMarkdown(inside, message.text, m_dark, &m_codeBlocks);
        cursor.movePosition(QTextCursor::End);
    } else {
        QTextBlockFormat label;
        label.setTopMargin(gap);
        label.setBottomMargin(gap / 2);
        cursor.setBlockFormat(label);
        QTextCharFormat name = smallFormat(font(), palette().color(QPalette::Text));
        name.setFontWeight(QFont::Bold);
        cursor.insertText(message.model.isEmpty() ? tr("Assistant") : message.model, name);
        const core::ReasonedText parts = core::splitReasoning(message.text);
        const bool streaming = message.id == m_streamingId && message.state == core::MessageState::Streaming;
        if (parts.hasReasoning) insertReasoning(cursor, message, parts.reasoning, parts.open && streaming);
        if (parts.answer.trimmed().isEmpty() && streaming && !parts.open) {
            cursor.insertBlock(QTextBlockFormat(), smallFormat(font(), Appearance::mutedTextColor(palette())));
            cursor.insertText(QStringLiteral("…"));
        } else {
            insertMarkdown(cursor, parts.answer, m_dark, &m_codeBlocks);
        }
    }
    insertFooter(cursor, message, last, span);
    span.end = cursor.position();
    m_spans.insert(message.id, span);
    paintActions(message.id);
}

bool ChatView::isReasoningExpanded(qint64 messageId) const {
    const core::ChatMessage* m = find(messageId);
    if (!m) return false;
    const core::ReasonedText parts = core::splitReasoning(m->text);
    const bool live = m->id == m_streamingId && m->state == core::MessageState::Streaming && parts.open;
    return live ? !m_collapsed.contains(messageId) : m_expanded.contains(messageId);
}

// A fold above the answer: "Reasoning" with an arrow; unfolded, the reasoning in muted text.
// While the model is still reasoning it is unfolded and grows with the stream.
void ChatView::insertReasoning(QTextCursor& cursor, const core::ChatMessage& message, const QString& reasoning, bool open) {
    const bool expanded = isReasoningExpanded(message.id);
    const QColor muted = Appearance::mutedTextColor(palette());
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
    QTextCharFormat toggle = smallFormat(font(), palette().color(QPalette::Link));
    toggle.setAnchor(true);
    toggle.setAnchorHref(QStringLiteral("kmlm-think:%1").arg(message.id));
    const QString label = open ? tr("Reasoning…") : tr("Reasoning");
    cursor.insertText((expanded ? QStringLiteral("▾ ") : QStringLiteral("▸ ")) + label, toggle);
    if (!expanded || reasoning.isEmpty()) return;
    QTextFrameFormat box;
    box.setLeftMargin(spacing());
    box.setBottomMargin(spacing());
    box.setPadding(spacing() / 2);
    box.setBorder(1);
    box.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
    box.setBorderBrush(muted);
    QTextFrame* frame = cursor.insertFrame(box);
    QTextCursor inside = frame->firstCursorPosition();
    const int from = inside.position();
    insertMarkdown(inside, reasoning, m_dark, &m_codeBlocks);
    inside.setPosition(from, QTextCursor::KeepAnchor);
    QTextCharFormat quiet;
    quiet.setForeground(muted);
    inside.mergeCharFormat(quiet);
    cursor = frame->lastCursorPosition();
    cursor.movePosition(QTextCursor::NextBlock);
}

void ChatView::insertAction(QTextCursor& cursor, const QString& href, const QString& text, Span& span) {
    QTextCharFormat f = smallFormat(font(), palette().color(QPalette::Link));
    f.setAnchor(true);
    f.setAnchorHref(href);
    f.setFontUnderline(false);
    const int start = cursor.position();
    cursor.insertText(QStringLiteral("\u00a0%1\u00a0").arg(text), f);
    span.actions.append({start, cursor.position()});
    cursor.insertText(QStringLiteral(" "), smallFormat(font(), Appearance::mutedTextColor(palette())));
}

// Under each message: ‹ 1/2 › among alternatives, the actions, and for an answer its figures.
void ChatView::insertFooter(QTextCursor& cursor, const core::ChatMessage& message, bool last, Span& span) {
    QTextBlockFormat block;
    block.setAlignment(isUser(message) ? Qt::AlignRight : Qt::AlignLeft);
    block.setTopMargin(spacing() / 3);
    cursor.insertBlock(block, QTextCharFormat());
    const QTextCharFormat meta = smallFormat(font(), Appearance::mutedTextColor(palette()));
    const QString id = QString::number(message.id);
    if (message.variantCount > 1) {
        insertAction(cursor, QStringLiteral("kmlm-prev:") + id, QStringLiteral("‹"), span);
        cursor.insertText(QStringLiteral("%1/%2 ").arg(message.variant + 1).arg(message.variantCount), meta);
        insertAction(cursor, QStringLiteral("kmlm-next:") + id, QStringLiteral("›"), span);
    }
    const bool streaming = message.id == m_streamingId && message.state == core::MessageState::Streaming;
    if (streaming) {
        cursor.insertText(tr("Writing… %1 tokens/s").arg(m_tokensPerSecond, 0, 'f', 1), meta);
        return;
    }
    insertAction(cursor, QStringLiteral("kmlm-copytext:") + id, tr("Copy"), span);
    if (isUser(message)) {
        insertAction(cursor, QStringLiteral("kmlm-edit:") + id, tr("Edit"), span);
        return;
    }
    if (last) insertAction(cursor, QStringLiteral("kmlm-regenerate:") + id, tr("Regenerate"), span);
    QStringList parts;
    if (message.completionTokens > 0) parts << tr("%n token(s)", nullptr, message.completionTokens);
    if (message.tokensPerSecond > 0) parts << tr("%1 tokens/s").arg(message.tokensPerSecond, 0, 'f', 1);
    if (message.state == core::MessageState::Stopped)
        parts << tr("stopped");
    else if (message.state == core::MessageState::Error)
        parts << tr("failed");
    cursor.insertText(QStringLiteral(" ") + parts.join(QStringLiteral(" · ")), meta);
}

bool ChatView::actionsShown(qint64 messageId) const { return messageId != 0 && (messageId == m_revealed || messageId == lastId()); }

// Shown: link colour on a faint chip; hidden: transparent, still in place (nothing moves).
void ChatView::paintActions(qint64 messageId) {
    const auto span = m_spans.constFind(messageId);
    if (span == m_spans.constEnd()) return;
    QTextCharFormat f;
    if (actionsShown(messageId)) {
        QColor chip = palette().color(QPalette::Link);
        chip.setAlpha(28);
        f.setForeground(palette().color(QPalette::Link));
        f.setBackground(chip);
    } else {
        f.setForeground(Qt::transparent);
        f.setBackground(Qt::NoBrush);
    }
    for (const auto& range : span->actions) {
        QTextCursor c(document());
        c.setPosition(range.first);
        c.setPosition(range.second, QTextCursor::KeepAnchor);
        c.mergeCharFormat(f);
    }
}

void ChatView::reveal(qint64 messageId) {
    if (messageId == m_revealed) return;
    const qint64 old = m_revealed;
    m_revealed = messageId;
    paintActions(old);
    paintActions(messageId);
}

qint64 ChatView::messageAt(int position) const {
    for (auto it = m_spans.constBegin(); it != m_spans.constEnd(); ++it)
        if (position >= it->start && position < it->end) return it.key();
    return 0;
}

const core::ChatMessage* ChatView::find(qint64 messageId) const {
    for (const core::ChatMessage& m : m_messages)
        if (m.id == messageId) return &m;
    return nullptr;
}

bool ChatView::focusNextPrevChild(bool next) {
    const bool moved = QTextBrowser::focusNextPrevChild(next);
    if (textCursor().hasSelection()) // a link has the keyboard focus
        reveal(messageAt(textCursor().selectionStart()));
    return moved;
}

// A line scrolled halfway past the top or bottom edge fades out instead of showing cut.
void ChatView::paintEvent(QPaintEvent* event) {
    QTextBrowser::paintEvent(event);
    const QScrollBar* bar = verticalScrollBar();
    const int line = fontMetrics().lineSpacing();
    const QColor base = palette().color(QPalette::Base);
    QColor clear = base;
    clear.setAlpha(0);
    QPainter p(viewport());
    // As deep as the part scrolled away, at most a line: a whole line at the edge stays clear.
    if (const int fade = std::min(line, bar->value() - bar->minimum()); fade > 0) {
        QLinearGradient top(0, 0, 0, fade);
        top.setColorAt(0, base);
        top.setColorAt(1, clear);
        p.fillRect(QRect(0, 0, viewport()->width(), fade), top);
    }
    if (const int fade = std::min(line, bar->maximum() - bar->value()); fade > 0) {
        const int h = viewport()->height();
        QLinearGradient bottom(0, h - fade, 0, h);
        bottom.setColorAt(0, clear);
        bottom.setColorAt(1, base);
        p.fillRect(QRect(0, h - fade, viewport()->width(), fade), bottom);
    }
}

void ChatView::mouseMoveEvent(QMouseEvent* event) {
    QTextBrowser::mouseMoveEvent(event);
    reveal(messageAt(cursorForPosition(event->pos()).position()));
}

void ChatView::leaveEvent(QEvent* event) {
    QTextBrowser::leaveEvent(event);
    reveal(hasFocus() && textCursor().hasSelection() ? messageAt(textCursor().selectionStart()) : 0);
}

void ChatView::onAnchor(const QUrl& url) {
    const QString scheme = url.scheme();
    const QString arg = url.path();
    if (scheme == QLatin1String("kmlm-copy")) {
        const int index = arg.toInt();
        if (index >= 0 && index < m_codeBlocks.size()) {
            QApplication::clipboard()->setText(m_codeBlocks.at(index));
            emit codeCopied(index);
        }
    } else if (scheme == QLatin1String("kmlm-copytext")) {
        if (const core::ChatMessage* m = find(arg.toLongLong())) {
            QApplication::clipboard()->setText(isUser(*m) ? m->text : core::splitReasoning(m->text).answer);
            emit messageCopied(m->id);
        }
    } else if (scheme == QLatin1String("kmlm-think")) {
        const qint64 id = arg.toLongLong();
        const bool expanded = isReasoningExpanded(id);
        for (QSet<qint64>* set : {&m_expanded, &m_collapsed}) set->remove(id);
        (expanded ? m_collapsed : m_expanded).insert(id);
        renderNow();
    } else if (scheme == QLatin1String("kmlm-edit")) {
        emit editRequested(arg.toLongLong());
    } else if (scheme == QLatin1String("kmlm-prev") || scheme == QLatin1String("kmlm-next")) {
        emit alternativeRequested(arg.toLongLong(), scheme == QLatin1String("kmlm-prev") ? -1 : 1);
    } else if (scheme == QLatin1String("kmlm-regenerate")) {
        emit regenerateRequested();
    } else if (scheme == QLatin1String("kmlm-prompt")) {
        const QStringList prompts = examplePrompts();
        const int index = arg.toInt();
        if (index >= 0 && index < prompts.size()) emit promptChosen(prompts.at(index));
    } else if (scheme == QLatin1String("kmlm-models")) {
        emit modelsRequested();
    } else if (scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        QDesktopServices::openUrl(url);
    }
}

} // namespace kmlm::ui
