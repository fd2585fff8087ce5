// The chat input: multi-line, Enter sends, Shift+Enter adds a line. Safe with Hangul input
// methods: Enter while a syllable is still being composed sends it exactly once, whether the
// input method commits it before or after the Enter key event.
#pragma once
#include <QPlainTextEdit>

namespace kmlm::ui {

class Composer : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit Composer(QWidget* parent = nullptr);

    // The text a send would deliver now: the document plus a syllable still in preedit.
    QString pendingText() const;

public slots:
    // Sends the pending text (what Enter does; also the Send button).
    void submit();

signals:
    void sendRequested(const QString& text);

protected:
    void changeEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void inputMethodEvent(QInputMethodEvent* event) override;
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;

private:
    void retranslateUi();

    QString m_preedit;     // what the input method is composing, not yet in the document
    QString m_alreadySent; // preedit sent on Enter; its late commit must not come back
};

} // namespace kmlm::ui
