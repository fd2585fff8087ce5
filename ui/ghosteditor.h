// A plain-text editor that proposes a continuation as grey "ghost" text after the cursor when
// typing pauses. The ghost is only painted, never inserted into the document, so undo and
// saving never see it. Tab accepts it, Ctrl+Right accepts one word, Esc dismisses it, and
// typing the ghost's next characters keeps the rest.
#pragma once
#include <QPlainTextEdit>
#include <QPointer>
#include <QTimer>

namespace kmlm::ui {

class CompletionProvider;

class GhostEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit GhostEditor(QWidget* parent = nullptr);

    void setProvider(CompletionProvider* provider);
    void setPauseInterval(int ms); // pause in typing before asking (default 400 ms)
    QString ghostText() const { return m_ghost; }
    quint64 currentRequest() const { return m_requestId; }
    // The text before the cursor that is sent as the prompt (at most maxPrefixChars).
    QString prefixForCompletion() const;

public slots:
    void acceptGhost();
    void acceptGhostWord();
    void dismissGhost();
    void requestCompletion(); // ask now, without waiting for a pause

signals:
    void ghostChanged(const QString& ghost);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void inputMethodEvent(QInputMethodEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    void onContentsChange(int position, int removed, int added);
    void onTextArrived(quint64 id, const QString& chunk);
    void setGhost(const QString& ghost);
    void insertFromGhost(int length);
    void cancelRequest();
    // Before an edit by the user: whether typed continues the ghost.
    bool typesThrough(const QString& typed) const;
    // After it: keeps the rest of the ghost, or drops it when the edit was something else.
    void afterTypingThrough(int anchorBefore, const QString& typed);

    QPointer<CompletionProvider> m_provider;
    QTimer m_pause;
    QString m_ghost;
    quint64 m_requestId = 0;
    bool m_requestOpen = false;
    int m_ghostAnchor = -1;       // cursor position the ghost belongs to
    bool m_ownEdit = false;       // the document change comes from accepting the ghost
    bool m_typingThrough = false; // the user types the ghost's next characters
    bool m_hasPreedit = false;
};

} // namespace kmlm::ui
