#include "composer.h"

#include <QGuiApplication>
#include <QInputMethod>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QMimeData>

#include <utility>

namespace kmlm::ui {

Composer::Composer(QWidget* parent) : QPlainTextEdit(parent) {
    setTabChangesFocus(true);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    retranslateUi();
}

void Composer::retranslateUi() { setPlaceholderText(tr("Type a message. Enter sends, Shift+Enter starts a new line.")); }

void Composer::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslateUi();
    QPlainTextEdit::changeEvent(event);
}

QString Composer::pendingText() const { return toPlainText() + m_preedit; }

void Composer::keyPressEvent(QKeyEvent* event) {
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        event->accept();
        submit();
        return;
    }
    if (enter) { // Shift+Enter: a plain line break, not a paragraph separator
        insertPlainText(QStringLiteral("\n"));
        event->accept();
        return;
    }
    m_alreadySent.clear();
    QPlainTextEdit::keyPressEvent(event);
}

void Composer::inputMethodEvent(QInputMethodEvent* event) {
    if (!m_alreadySent.isEmpty()) {
        // The input method commits the syllable we already sent with Enter: drop it once.
        const QString pending = std::exchange(m_alreadySent, QString());
        if (event->commitString() == pending) {
            QInputMethodEvent rest(event->preeditString(), event->attributes());
            m_preedit = event->preeditString();
            QPlainTextEdit::inputMethodEvent(&rest);
            event->accept();
            return;
        }
    }
    m_preedit = event->preeditString();
    QPlainTextEdit::inputMethodEvent(event);
}

void Composer::submit() {
    const QString text = pendingText();
    if (text.trimmed().isEmpty()) return;
    if (!m_preedit.isEmpty()) {
        m_alreadySent = m_preedit;
        m_preedit.clear();
        // Clears the preedit shown in the layout; an input method that commits on reset
        // delivers the syllable again, which inputMethodEvent() then drops.
        QInputMethodEvent clearPreedit;
        QPlainTextEdit::inputMethodEvent(&clearPreedit);
        if (hasFocus()) QGuiApplication::inputMethod()->reset();
    }
    clear();
    emit sendRequested(text);
}

bool Composer::canInsertFromMimeData(const QMimeData* source) const { return source->hasText(); }

// Pastes plain text only: rich text from browsers would bring fonts and colours into a chat.
void Composer::insertFromMimeData(const QMimeData* source) {
    if (source->hasText()) textCursor().insertText(source->text());
}

} // namespace kmlm::ui
