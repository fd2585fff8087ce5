// The messages of one conversation, rendered as Markdown with highlighted code blocks, in a
// centred column of reading width (kReadingChars Korean characters at most). Questions sit in a
// shaded bubble on the right, answers under the model's name. A streaming answer is re-rendered
// as its text grows (at most every 50 ms, only that message); its reasoning (<think>) is shown
// while it streams and folded once the answer begins. Actions are small link buttons under each
// message (copy, edit, regenerate, ‹ 1/2 ›): always shown on the last message, on the others
// when the mouse is over it or the keyboard focus (Tab goes from link to link) is in it.
// A new chat shows an empty state: the answering model, example prompts, a link to the models.
#pragma once
#include "chatstore.h"

#include <QHash>
#include <QSet>
#include <QTextBrowser>
#include <QTimer>

namespace kmlm::ui {

class ChatView : public QTextBrowser {
    Q_OBJECT
public:
    static constexpr int kReadingChars = 76; // Korean characters a line holds at most

    explicit ChatView(QWidget* parent = nullptr);

    void setMessages(const QVector<core::ChatMessage>& messages);
    // Text of the answer that is streaming now (its message must be among the messages).
    void setStreamingText(qint64 messageId, const QString& text, double tokensPerSecond);
    void setDark(bool dark);
    // The model that answers, named in the empty state; tiny: the small bundled model.
    void setActiveModel(const QString& name, bool tiny);
    QStringList codeBlocks() const { return m_codeBlocks; }
    QStringList examplePrompts() const; // the empty state's suggestions, in the UI language
    // Renders now instead of at the next tick (tests, screenshots).
    void renderNow();
    // Scrolls to the message (e.g. a search hit) and highlights the words of query in it for
    // a moment; false when the message is not shown (not on the active path).
    bool showMessage(qint64 messageId, const QString& query = {});
    // The message whose actions show besides the last one's (mouse or keyboard), 0 for none.
    qint64 revealedMessage() const { return m_revealed; }
    bool actionsShown(qint64 messageId) const;
    bool isReasoningExpanded(qint64 messageId) const;
    // Width of the column the messages are laid out in.
    int columnWidth() const;

signals:
    void editRequested(qint64 messageId);
    void alternativeRequested(qint64 messageId, int step); // step -1: previous, +1: next
    void regenerateRequested();
    void codeCopied(int index);
    void messageCopied(qint64 messageId); // its text (an answer without its reasoning)
    void promptChosen(const QString& text);
    void modelsRequested();
    void columnChanged(int width); // the viewport's width: the column and its padding

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void leaveEvent(QEvent* event) override;
    // Tab goes from link to link: the message holding the focused one shows its actions.
    bool focusNextPrevChild(bool next) override;

private:
    struct Span {
        int start = 0, end = 0;
        QVector<QPair<int, int>> actions; // [start, end) of each action link
    };
    void onAnchor(const QUrl& url);
    void scrollTo(bool bottom, int value);
    void renderLast(); // only the last message: streaming costs what that message costs
    void insertEmptyState(QTextCursor& cursor);
    void insertMessage(QTextCursor& cursor, const core::ChatMessage& message, bool last);
    void insertReasoning(QTextCursor& cursor, const core::ChatMessage& message, const QString& reasoning, bool open);
    void insertFooter(QTextCursor& cursor, const core::ChatMessage& message, bool last, Span& span);
    void insertAction(QTextCursor& cursor, const QString& href, const QString& text, Span& span);
    void updateColumn();
    void reveal(qint64 messageId);
    void paintActions(qint64 messageId);
    qint64 messageAt(int position) const;
    qint64 lastId() const { return m_messages.isEmpty() ? 0 : m_messages.last().id; }
    const core::ChatMessage* find(qint64 messageId) const;
    int spacing() const;

    QVector<core::ChatMessage> m_messages;
    qint64 m_streamingId = 0;
    double m_tokensPerSecond = 0;
    bool m_dark = false;
    QString m_modelName;
    bool m_tinyModel = false;
    QStringList m_codeBlocks;
    int m_lastStart = 0;      // document position where the last message begins
    int m_lastCodeBlocks = 0; // code blocks before the last message
    QTimer m_renderTimer;
    QHash<qint64, Span> m_spans; // message id -> where it is in the document
    QSet<qint64> m_expanded;     // answers whose reasoning the user unfolded
    QSet<qint64> m_collapsed;    // streaming answers whose reasoning the user folded
    qint64 m_revealed = 0;
    QTimer m_highlightTimer;
};

} // namespace kmlm::ui
