#include "editorpage.h"

#include "enginecompletionprovider.h"
#include "ghosteditor.h"
#include "notify.h"

#include <QAction>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QSaveFile>
#include <QToolBar>
#include <QVBoxLayout>

namespace kmlm::ui {

EditorPage::EditorPage(const AppServices& services, QWidget* parent) : QWidget(parent), m_editor(new GhostEditor), m_hint(new QLabel) {
    m_editor->setProvider(new EngineCompletionProvider(services.engine, services.settings, this));
    QTextDocument* doc = m_editor->document();
    doc->setUndoRedoEnabled(false); // the margin is a format change: not an edit to undo or save
    doc->setDocumentMargin(16);
    doc->setUndoRedoEnabled(true);
    doc->setModified(false);
    m_hint->setEnabled(false); // a hint: greyed, in every palette

    auto* toolbar = new QToolBar;
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    QAction* newDocument = toolbar->addAction(QString(), this, &EditorPage::newDocument);
    QAction* open = toolbar->addAction(QString(), this, &EditorPage::open);
    QAction* save = toolbar->addAction(QString(), this, &EditorPage::save);
    QAction* saveAs = toolbar->addAction(QString(), this, &EditorPage::saveAs);
    toolbar->addSeparator();
    toolbar->addWidget(m_hint);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(toolbar);
    layout->addWidget(m_editor, 1);
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, [this] { emit titleChanged(documentTitle()); });
    m_texts.add([this, newDocument, open, save, saveAs] {
        m_editor->setPlaceholderText(tr("Write here. When you pause, the model proposes how to go on."));
        m_editor->setAccessibleName(tr("Document"));
        m_hint->setText(tr("Tab: accept · Ctrl+→: accept a word · Esc: dismiss"));
        newDocument->setText(tr("New"));
        open->setText(tr("Open…"));
        save->setText(tr("Save"));
        saveAs->setText(tr("Save as…"));
    });
}

void EditorPage::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        m_texts.retranslate();
        emit titleChanged(documentTitle()); // "Untitled"
    }
    QWidget::changeEvent(event);
}

QString EditorPage::documentTitle() const {
    const QString name = m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName();
    return m_editor->document()->isModified() ? name + QLatin1Char('*') : name;
}

void EditorPage::setPath(const QString& path) {
    m_path = path;
    m_editor->document()->setModified(false);
    emit titleChanged(documentTitle());
}

bool EditorPage::maybeSave() {
    if (!m_editor->document()->isModified()) return true;
    const auto answer =
        QMessageBox::warning(this, tr("Unsaved changes"), tr("The document “%1” has unsaved changes. Save them?").arg(documentTitle()),
                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void EditorPage::newDocument() {
    if (!maybeSave()) return;
    m_editor->clear();
    m_editor->dismissGhost();
    setPath({});
}

void EditorPage::open() {
    if (!maybeSave()) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open document"), QFileInfo(m_path).path(),
                                                      tr("Text and Markdown (*.txt *.md *.markdown);;All files (*)"));
    if (!path.isEmpty()) openFile(path);
}

bool EditorPage::openFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showWarning(this, tr("Open document"), tr("Cannot open %1: %2").arg(path, file.errorString()));
        return false;
    }
    const QByteArray bytes = file.readAll();
    m_editor->setPlainText(QString::fromUtf8(bytes));
    m_editor->dismissGhost(); // a freshly opened file gets no proposal until the user types
    setPath(path);
    return true;
}

bool EditorPage::save() { return m_path.isEmpty() ? saveAs() : saveFile(m_path); }

bool EditorPage::saveAs() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save document"), m_path, tr("Text and Markdown (*.txt *.md *.markdown);;All files (*)"));
    return !path.isEmpty() && saveFile(path);
}

bool EditorPage::saveFile(const QString& path) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->toPlainText().toUtf8()) < 0 || !file.commit()) {
        showWarning(this, tr("Save document"), tr("Cannot save %1: %2").arg(path, file.errorString()));
        return false;
    }
    setPath(path);
    return true;
}

} // namespace kmlm::ui
