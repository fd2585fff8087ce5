// The completion editor tab: a plain text / Markdown document with ghost-text completion,
// opened from and saved to files.
#pragma once
#include "appservices.h"
#include "retranslator.h"

#include <QWidget>

class QLabel;

namespace kmlm::ui {

class GhostEditor;

class EditorPage : public QWidget {
    Q_OBJECT
public:
    explicit EditorPage(const AppServices& services, QWidget* parent = nullptr);

    GhostEditor* editor() const { return m_editor; }
    QString filePath() const { return m_path; }
    QString documentTitle() const; // file name or "Untitled", with * when modified
    // Asks to save unsaved changes; false when the user cancels.
    bool maybeSave();
    bool openFile(const QString& path);
    bool saveFile(const QString& path);

public slots:
    void newDocument();
    void open();
    bool save();
    bool saveAs();

signals:
    void titleChanged(const QString& title);

protected:
    void changeEvent(QEvent* event) override;

private:
    void setPath(const QString& path);

    GhostEditor* m_editor;
    QLabel* m_hint;
    QString m_path;
    Retranslator m_texts;
};

} // namespace kmlm::ui
