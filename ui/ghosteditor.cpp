#include "ghosteditor.h"

#include "completionprovider.h"

#include <QKeyEvent>
#include <QPainter>
#include <QTextBlock>
#include <QTextLayout>

namespace kmlm::ui {

namespace {
constexpr int maxPrefixChars = 4000; // the prompt: enough context, cheap to tokenize

bool isAcceptKey(const QKeyEvent* e) {
    return (e->key() == Qt::Key_Tab && e->modifiers() == Qt::NoModifier) ||
           (e->key() == Qt::Key_Right && e->modifiers() == Qt::ControlModifier) ||
           (e->key() == Qt::Key_Escape && e->modifiers() == Qt::NoModifier);
}
} // namespace

GhostEditor::GhostEditor(QWidget* parent) : QPlainTextEdit(parent) {
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_pause.setSingleShot(true);
    m_pause.setInterval(400);
    connect(&m_pause, &QTimer::timeout, this, &GhostEditor::requestCompletion);
    connect(document(), &QTextDocument::contentsChange, this, &GhostEditor::onContentsChange);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, [this] {
        // Moving away drops the ghost; the pause timer of a just typed character stays.
        if (!m_ownEdit && !m_typingThrough && (!m_ghost.isEmpty() || m_requestOpen) && textCursor().position() != m_ghostAnchor) {
            cancelRequest();
            setGhost({});
        }
    });
}

void GhostEditor::setProvider(CompletionProvider* provider) {
    if (m_provider) disconnect(m_provider, nullptr, this, nullptr);
    dismissGhost();
    m_provider = provider;
    if (!provider) return;
    connect(provider, &CompletionProvider::textArrived, this, &GhostEditor::onTextArrived);
    connect(provider, &CompletionProvider::finished, this, [this](quint64 id) {
        if (id == m_requestId) m_requestOpen = false;
    });
}

void GhostEditor::setPauseInterval(int ms) { m_pause.setInterval(ms); }

QString GhostEditor::prefixForCompletion() const {
    const int pos = textCursor().position();
    const int from = qMax(0, pos - maxPrefixChars);
    QTextCursor c(document());
    c.setPosition(from);
    c.setPosition(pos, QTextCursor::KeepAnchor);
    return c.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
}

void GhostEditor::requestCompletion() {
    cancelRequest();
    setGhost({});
    const QTextCursor cursor = textCursor();
    // Only at the end of a paragraph: ghost text painted over following text would be unreadable.
    if (!m_provider || cursor.hasSelection() || !cursor.atBlockEnd() || m_hasPreedit) return;
    const QString prefix = prefixForCompletion();
    if (prefix.trimmed().isEmpty()) return;
    ++m_requestId;
    m_requestOpen = true;
    m_ghostAnchor = cursor.position();
    m_provider->request(m_requestId, prefix);
}

void GhostEditor::cancelRequest() {
    if (m_requestOpen && m_provider) m_provider->cancel(m_requestId);
    m_requestOpen = false;
}

void GhostEditor::onTextArrived(quint64 id, const QString& chunk) {
    if (id != m_requestId || !m_requestOpen) return; // a stale request: its text belongs to an older cursor position
    setGhost(m_ghost + chunk);
}

void GhostEditor::setGhost(const QString& ghost) {
    if (ghost == m_ghost) return;
    m_ghost = ghost;
    viewport()->update();
    emit ghostChanged(m_ghost);
}

void GhostEditor::dismissGhost() {
    m_pause.stop();
    cancelRequest();
    setGhost({});
}

void GhostEditor::acceptGhost() { insertFromGhost(m_ghost.size()); }

// One word: leading white space, then everything up to the next white space (a Korean
// eojeol with its particles counts as one word).
void GhostEditor::acceptGhostWord() {
    int i = 0;
    while (i < m_ghost.size() && m_ghost.at(i).isSpace()) ++i;
    while (i < m_ghost.size() && !m_ghost.at(i).isSpace()) ++i;
    insertFromGhost(i);
}

void GhostEditor::insertFromGhost(int length) {
    if (length <= 0) return;
    const QString rest = m_ghost.mid(length);
    QTextCursor cursor = textCursor();
    m_ownEdit = true;
    cursor.beginEditBlock(); // its own undo step, not merged with the typing before it
    cursor.insertText(m_ghost.left(length));
    cursor.endEditBlock();
    setTextCursor(cursor);
    m_ownEdit = false;
    m_ghostAnchor = cursor.position();
    setGhost(rest);
    if (rest.isEmpty() && !m_requestOpen) m_pause.start(); // everything taken: propose what comes next
}

void GhostEditor::onContentsChange(int, int, int) {
    if (m_ownEdit || m_typingThrough) return;
    dismissGhost();
    m_pause.start();
}

bool GhostEditor::typesThrough(const QString& typed) const {
    return !m_ghost.isEmpty() && !typed.isEmpty() && typed.at(0).isPrint() && m_ghost.startsWith(typed) &&
           textCursor().position() == m_ghostAnchor && !textCursor().hasSelection();
}

void GhostEditor::afterTypingThrough(int anchorBefore, const QString& typed) {
    m_typingThrough = false;
    if (textCursor().position() != anchorBefore + typed.size()) { // the edit was not a plain insert
        dismissGhost();
        m_pause.start();
        return;
    }
    // The request goes on streaming into what is left of the ghost.
    m_ghostAnchor = textCursor().position();
    setGhost(m_ghost.mid(typed.size()));
    if (m_ghost.isEmpty() && !m_requestOpen) m_pause.start();
}

void GhostEditor::keyPressEvent(QKeyEvent* event) {
    if (!m_ghost.isEmpty() && isAcceptKey(event)) {
        if (event->key() == Qt::Key_Tab)
            acceptGhost();
        else if (event->key() == Qt::Key_Right)
            acceptGhostWord();
        else
            dismissGhost();
        event->accept();
        return;
    }
    const QString typed = event->text();
    const int anchor = m_ghostAnchor;
    m_typingThrough = typesThrough(typed);
    QPlainTextEdit::keyPressEvent(event);
    if (m_typingThrough) afterTypingThrough(anchor, typed);
}

void GhostEditor::inputMethodEvent(QInputMethodEvent* event) {
    m_hasPreedit = !event->preeditString().isEmpty();
    const QString committed = event->commitString();
    if (committed.isEmpty()) {
        // Only the syllable being composed changed: the document did not, the ghost waits
        // (hidden while composing) for the commit.
        m_ownEdit = true;
        QPlainTextEdit::inputMethodEvent(event);
        m_ownEdit = false;
        viewport()->update();
        return;
    }
    const int anchor = m_ghostAnchor;
    m_typingThrough = typesThrough(committed);
    QPlainTextEdit::inputMethodEvent(event);
    if (m_typingThrough) afterTypingThrough(anchor, committed);
    viewport()->update();
}

// Tab, Ctrl+Right and Esc belong to the ghost while one is shown, before any shortcut.
bool GhostEditor::event(QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride && !m_ghost.isEmpty() && isAcceptKey(static_cast<QKeyEvent*>(event))) {
        event->accept();
        return true;
    }
    return QPlainTextEdit::event(event);
}

void GhostEditor::paintEvent(QPaintEvent* event) {
    QPlainTextEdit::paintEvent(event);
    if (m_ghost.isEmpty() || m_hasPreedit || textCursor().position() != m_ghostAnchor) return;
    const QRect cursor = cursorRect();
    const qreal left = contentOffset().x() + document()->documentMargin();
    const qreal width = viewport()->width() - left - document()->documentMargin();

    QString text = m_ghost;
    text.replace(QLatin1Char('\n'), QChar::LineSeparator);
    QTextLayout layout(text, font());
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    layout.beginLayout();
    qreal y = cursor.top();
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        const bool first = line.lineNumber() == 0;
        const qreal x = first ? cursor.left() + 1 : left;
        line.setLineWidth(qMax<qreal>(1, width - (x - left)));
        line.setPosition(QPointF(x, y));
        y += line.height();
    }
    layout.endLayout();

    QPainter painter(viewport());
    QColor grey = palette().color(QPalette::Text);
    grey.setAlphaF(0.45);
    painter.setPen(grey);
    layout.draw(&painter, QPointF(0, 0));
}

} // namespace kmlm::ui
