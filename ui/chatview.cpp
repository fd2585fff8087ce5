#include "chatview.h"

#include "markdown.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QScrollBar>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTextTable>
#include <QUrl>

#include <algorithm>

ChatView::ChatView(QWidget* parent) : QTextBrowser(parent) {
    setOpenLinks(false);
    setOpenExternalLinks(false);
    setFrameShape(QFrame::NoFrame);
    setWordWrapMode(QTextOption::WordWrap); // Korean: between words (eojeol), not syllables
    document()->setDocumentMargin(12);
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(50);
    connect(&m_renderTimer, &QTimer::timeout, this, &ChatView::renderLast);
    connect(this, &QTextBrowser::anchorClicked, this, &ChatView::onAnchor);
    m_highlightTimer.setSingleShot(true);
    m_highlightTimer.setInterval(2500);
    connect(&m_highlightTimer, &QTimer::timeout, this, [this] { setExtraSelections({}); });
}

void ChatView::setMessages(const QVector<ChatMessage>& messages) {
    m_messages = messages;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum()); // another conversation: its end
    if (m_streamingId && std::none_of(messages.begin(), messages.end(),
                                      [this](const ChatMessage& m) { return m.id == m_streamingId; }))
        m_streamingId = 0;
    renderNow();
}

void ChatView::setStreamingText(qint64 messageId, const QString& text, double tokensPerSecond) {
    m_streamingId = messageId;
    m_tokensPerSecond = tokensPerSecond;
    for (ChatMessage& m : m_messages) {
        if (m.id == messageId) {
            m.text = text;
            m.state = MessageState::Streaming;
        }
    }
    if (!m_renderTimer.isActive())
        m_renderTimer.start();
}

void ChatView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        renderNow(); // footers and hints in the new language
    QTextBrowser::changeEvent(event);
}

void ChatView::setDark(bool dark) {
    m_dark = dark;
    renderNow();
}

void ChatView::renderNow() {
    m_renderTimer.stop();
    QScrollBar* bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 8;
    const int oldValue = bar->value();
    clear();
    m_codeBlocks.clear();
    m_spans.clear();
    setExtraSelections({});
    QTextCursor cursor(document());
    if (m_messages.isEmpty()) {
        QTextBlockFormat centered;
        centered.setAlignment(Qt::AlignHCenter);
        centered.setTopMargin(40);
        cursor.insertHtml(QStringLiteral("<span style=\"color:gray;\">%1</span>")
                              .arg(tr("Ask anything in Korean or English. Answers are generated on this computer.")));
        cursor.setBlockFormat(centered); // after: inserting HTML brings its own block format
    }
    for (int i = 0; i < m_messages.size(); ++i) {
        if (i + 1 == m_messages.size()) {
            m_lastStart = cursor.position();
            m_lastCodeBlocks = m_codeBlocks.size();
        }
        insertMessage(cursor, m_messages.at(i), i + 1 == m_messages.size());
    }
    scrollTo(atBottom, oldValue);
}

void ChatView::renderLast() {
    if (m_messages.isEmpty() || m_messages.last().id != m_streamingId || m_lastStart > document()->characterCount() - 1)
        return renderNow();
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
    } else {
        verticalScrollBar()->setValue(value);
    }
}

bool ChatView::showMessage(qint64 messageId, const QString& query) {
    renderNow();
    const auto span = m_spans.constFind(messageId);
    if (span == m_spans.constEnd())
        return false;
    // From the end, so that the message's start comes to the top of the view.
    moveCursor(QTextCursor::End);
    ensureCursorVisible();
    QTextCursor start(document());
    start.setPosition(span->first);
    setTextCursor(start);
    ensureCursorVisible();
    // The words, not the whole message: a selection across list items hides their numbers.
    QList<ExtraSelection> found;
    for (const QString& word : query.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        for (QTextCursor c = document()->find(word, span->first); !c.isNull() && c.selectionEnd() <= span->second;
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

void ChatView::insertMessage(QTextCursor& cursor, const ChatMessage& message, bool last) {
    startBlock(cursor);
    const int start = cursor.position();
    if (message.role == QLatin1String("user")) {
        QTextTableFormat bubble;
        bubble.setBackground(m_dark ? QColor(0x2c, 0x3e, 0x5c) : QColor(0xe3, 0xec, 0xfb));
        bubble.setBorder(0);
        bubble.setCellPadding(10);
        bubble.setCellSpacing(0);
        bubble.setTopMargin(10);
        bubble.setWidth(QTextLength(QTextLength::PercentageLength, 100));
        QTextTable* table = cursor.insertTable(1, 1, bubble);
        QTextCursor inside = table->cellAt(0, 0).firstCursorPosition();
        insertMarkdown(inside, message.text, m_dark, &m_codeBlocks);
        cursor.movePosition(QTextCursor::End);
    } else if (message.text.trimmed().isEmpty() && message.state == MessageState::Streaming) {
        cursor.insertHtml(QStringLiteral("<span style=\"color:gray;\">…</span>"));
    } else {
        insertMarkdown(cursor, message.text, m_dark, &m_codeBlocks);
    }
    startBlock(cursor);
    QTextBlockFormat footer;
    footer.setAlignment(message.role == QLatin1String("user") ? Qt::AlignRight : Qt::AlignLeft);
    footer.setTopMargin(2);
    footer.setBottomMargin(6);
    cursor.insertHtml(footerHtml(message, last));
    cursor.setBlockFormat(footer); // after: inserting HTML brings its own block format
    m_spans.insert(message.id, {start, cursor.position()});
}

QString ChatView::footerHtml(const ChatMessage& message, bool last) const {
    QStringList parts;
    const QString id = QString::number(message.id);
    if (message.variantCount > 1) {
        parts << QStringLiteral("<a href=\"kmlm-prev:%1\"><b>&nbsp;‹&nbsp;</b></a> %2/%3 <a href=\"kmlm-next:%1\"><b>&nbsp;›&nbsp;</b></a>")
                     .arg(id).arg(message.variant + 1).arg(message.variantCount);
    }
    const bool streaming = message.id == m_streamingId && message.state == MessageState::Streaming;
    if (message.role == QLatin1String("user")) {
        parts << QStringLiteral("<a href=\"kmlm-edit:%1\">%2</a>").arg(id, tr("Edit"));
    } else if (streaming) {
        parts << tr("Writing… %1 tokens/s").arg(m_tokensPerSecond, 0, 'f', 1);
    } else {
        if (!message.model.isEmpty())
            parts << message.model.toHtmlEscaped();
        if (message.completionTokens > 0)
            parts << tr("%n token(s)", nullptr, message.completionTokens);
        if (message.tokensPerSecond > 0)
            parts << tr("%1 tokens/s").arg(message.tokensPerSecond, 0, 'f', 1);
        if (message.state == MessageState::Stopped)
            parts << tr("stopped");
        else if (message.state == MessageState::Error)
            parts << tr("failed");
        if (last)
            parts << QStringLiteral("<a href=\"kmlm-regenerate:%1\">%2</a>").arg(id, tr("Regenerate"));
    }
    return QStringLiteral("<span style=\"color:gray;\"><small>%1</small></span>").arg(parts.join(QStringLiteral(" · ")));
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
    } else if (scheme == QLatin1String("kmlm-edit")) {
        emit editRequested(arg.toLongLong());
    } else if (scheme == QLatin1String("kmlm-prev") || scheme == QLatin1String("kmlm-next")) {
        emit alternativeRequested(arg.toLongLong(), scheme == QLatin1String("kmlm-prev") ? -1 : 1);
    } else if (scheme == QLatin1String("kmlm-regenerate")) {
        emit regenerateRequested();
    } else if (scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        QDesktopServices::openUrl(url);
    }
}
