// Settings: models (the installed ones and the remote ones with a details pane, and the
// catalog's Download list with each file's memory need under the ceiling, before any
// download), engine (threads, memory ceiling, context, KV cache, Hugging Face token, the
// local API server), generation defaults, and appearance (theme, language, font size).
// Saved in AppSettings on OK/Apply.
#pragma once
#include "appservices.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace kmlm::core {
class ModelDownload;
}

namespace kmlm::ui {

class SamplingEditor;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(const AppServices& services, QWidget* parent = nullptr);

    QTabWidget* tabs() const { return m_tabs; }
    QTreeWidget* modelList() const { return m_models; }
    QTreeWidget* downloadList() const { return m_catalog; } // catalog entries, their files as children
    QPushButton* downloadButton() const { return m_download; }
    QDoubleSpinBox* memoryLimitEditor() const { return m_memoryLimit; }
    QPushButton* addRemoteButton() const { return m_addRemote; }
    QPushButton* useModelButton() const { return m_useModel; }
    QPushButton* removeModelButton() const { return m_removeModel; }
    QCheckBox* apiServerSwitch() const { return m_apiEnabled; }
    QSpinBox* apiPortEditor() const { return m_apiPort; }
    // Writes the pages to AppSettings; emits engineSettingsChanged / appearanceChanged /
    // languageChanged / apiServerChanged when those changed.
    void apply();
    // Opens the "Add remote model" dialog; an accepted model is stored and listed.
    void addRemoteModel();

signals:
    // A model file, or a remote model (AppSettings::remoteModelPath()).
    void activateModelRequested(const QString& path);
    void apiServerChanged();
    void engineSettingsChanged();
    void appearanceChanged();
    void languageChanged(); // the UI language: the windows follow without a restart

protected:
    void changeEvent(QEvent* event) override;

private:
    void createPages();
    QWidget* createModelsPage();
    QWidget* createInstalledPane();
    QWidget* createDownloadPane();
    QWidget* createEnginePage();
    QWidget* createGenerationPage();
    QWidget* createAppearancePage();
    void load();
    void fillModels();
    void showModelDetails();
    void fillCatalog();
    void showCatalogDetails();
    void updateDownloadRow(core::ModelDownload* download);
    void addModelFile();
    void removeSelectedModel();
    void useSelectedModel();
    void fillRemoteModels(const QString& selected);
    QWidget* createApiServerGroup();
    void startSelectedDownload();
    core::ModelDownload* selectedDownload() const;
    quint64 chosenMemoryLimit() const; // the Engine page's value (not yet applied)

    AppServices m_services;
    QTabWidget* m_tabs;
    QTreeWidget* m_models = nullptr;
    QLabel* m_modelDetails = nullptr;
    QPushButton* m_useModel = nullptr;
    QPushButton* m_addRemote = nullptr;
    QPushButton* m_removeModel = nullptr;
    QCheckBox* m_apiEnabled = nullptr;
    QSpinBox* m_apiPort = nullptr;
    QLineEdit* m_apiKey = nullptr;
    QLabel* m_apiAddress = nullptr;
    QProgressBar* m_loadProgress = nullptr;
    QLabel* m_loadStatus = nullptr;
    QTreeWidget* m_catalog = nullptr;
    QLabel* m_catalogDetails = nullptr;
    QProgressBar* m_downloadProgress = nullptr;
    QLabel* m_downloadStatus = nullptr;
    QPushButton* m_download = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_cancelDownload = nullptr;
    QPushButton* m_useDownloaded = nullptr;
    QSpinBox* m_threads = nullptr;
    QDoubleSpinBox* m_memoryLimit = nullptr;
    QSpinBox* m_context = nullptr;
    QComboBox* m_kvType = nullptr;
    QLineEdit* m_token = nullptr;
    SamplingEditor* m_sampling = nullptr;
    QPlainTextEdit* m_systemPrompt = nullptr;
    QComboBox* m_theme = nullptr;
    QComboBox* m_language = nullptr;
    QSpinBox* m_fontSize = nullptr;
};

// "1.2 GB", "350 MB": sizes in the settings and the status bar.
QString formatBytes(quint64 bytes);
// "1.3 B", "270 M", "887 K" parameters.
QString formatCount(quint64 count);
// "Downloading: 42% (680 MB of 1.6 GB), 3.1 MB/s, 5 min left", "Paused at 42%", "Failed: ..."
QString describeDownload(const core::ModelDownload& download);

} // namespace kmlm::ui
