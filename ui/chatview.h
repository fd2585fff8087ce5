// The messages of one conversation, rendered as Markdown with highlighted code blocks. A
// streaming answer is re-rendered as its text grows (at most every 50 ms, only that message). Actions are
// links: copy a code block, edit a question, browse alternatives (‹ 1/2 ›), regenerate.
#pragma once
#include "chatstore.h"

#include <QHash>
#include <QTextBrowser>
#include <QTimer>

class ChatView : public QTextBrowser {
    Q_OBJECT
public:
    explicit ChatView(QWidget* parent = nullptr);

    void setMessages(const QVector<ChatMessage>& messages);
    // Text of the answer that is streaming now (its message must be among the messages).
    void setStreamingText(qint64 messageId, const QString& text, double tokensPerSecond);
    void setDark(bool dark);
    QStringList codeBlocks() const { return m_codeBlocks; }
    // Renders now instead of at the next tick (tests, screenshots).
    void renderNow();
    // Scrolls to the message (e.g. a search hit) and highlights the words of query in it for
    // a moment; false when the message is not shown (not on the active path).
    bool showMessage(qint64 messageId, const QString& query = {});

signals:
    void editRequested(qint64 messageId);
    void alternativeRequested(qint64 messageId, int step); // step -1: previous, +1: next
    void regenerateRequested();
    void codeCopied(int index);

protected:
    void changeEvent(QEvent* event) override;

private:
    void onAnchor(const QUrl& url);
    void scrollTo(bool bottom, int value);
    void renderLast(); // only the last message: streaming costs what that message costs
    void insertMessage(QTextCursor& cursor, const ChatMessage& message, bool last);
    QString footerHtml(const ChatMessage& message, bool last) const;

    QVector<ChatMessage> m_messages;
    qint64 m_streamingId = 0;
    double m_tokensPerSecond = 0;
    bool m_dark = false;
    QStringList m_codeBlocks;
    int m_lastStart = 0;       // document position where the last message begins
    int m_lastCodeBlocks = 0;  // code blocks before the last message
    QTimer m_renderTimer;
    QHash<qint64, QPair<int, int>> m_spans; // message id -> [start, end) in the document
    QTimer m_highlightTimer;
};
