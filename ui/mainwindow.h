// The main window: Chat and Editor tabs, menus with the shortcuts (Ctrl+N new chat, Ctrl+F
// search, Ctrl+, settings, Esc stop), and a status bar with the active model, its loading
// progress, the local API server's state and the memory meter. Remembers its geometry.
#pragma once
#include "appservices.h"
#include "retranslator.h"

#include <QIcon>
#include <QMainWindow>

class QLabel;
class QProgressBar;
class QTabWidget;

namespace kmlm::core {
struct ModelDescription;
}

namespace kmlm::ui {

class ChatPage;
class EditorPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const AppServices& services, QWidget* parent = nullptr);

    ChatPage* chatPage() const { return m_chat; }
    EditorPage* editorPage() const { return m_editor; }
    QTabWidget* tabs() const { return m_tabs; }

    // Loads the active model from the settings (the bundled GRU when none is set).
    void loadActiveModel();
    // A model file, or a remote model by its AppSettings::remoteModelPath().
    void loadModel(const QString& path);
    // Starts, restarts or stops the local API server as the settings say.
    void applyApiServerSettings();
    QLabel* apiServerStatus() const { return m_apiStatus; }
    static QIcon appIcon();

public slots:
    void showSettings();
    void showAbout();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void createMenus();
    void createStatusBar();
    void updateTitle();
    void showModel(const core::ModelDescription& model);
    void onModelLoaded(const core::ModelDescription& model);
    void onModelLoadFailed(const QString& message, const QString& activePath);
    void applyAppearance();
    void showApiServerState();
    QString apiServerFailure() const; // why the server is not listening, and what to do

    AppServices m_services;
    QTabWidget* m_tabs;
    ChatPage* m_chat;
    EditorPage* m_editor;
    QLabel* m_modelLabel = nullptr;
    QProgressBar* m_loadProgress = nullptr;
    QLabel* m_apiStatus = nullptr;
    Retranslator m_texts;
};

} // namespace kmlm::ui
