// Settings: models (bundled GRU and GGUF files, with their memory estimates; switching loads
// on the engine thread with progress), engine (threads, context, KV cache), generation
// defaults, and appearance (theme, language, font size). Saved in AppSettings on OK/Apply.
#pragma once
#include "appservices.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTreeWidget;
class SamplingEditor;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(const AppServices& services, QWidget* parent = nullptr);

    QTabWidget* tabs() const { return m_tabs; }
    QTreeWidget* modelList() const { return m_models; }
    // Writes the pages to AppSettings; emits engineSettingsChanged / appearanceChanged /
    // languageChanged when those changed.
    void apply();

signals:
    void activateModelRequested(const QString& path);
    void engineSettingsChanged();
    void appearanceChanged();
    void languageChanged(); // the UI language: the windows follow without a restart

protected:
    void changeEvent(QEvent* event) override;

private:
    void createPages();
    QWidget* createModelsPage();
    QWidget* createEnginePage();
    QWidget* createGenerationPage();
    QWidget* createAppearancePage();
    void load();
    void fillModels();
    void addModelFile();
    void useSelectedModel();

    AppServices m_services;
    QTabWidget* m_tabs;
    QTreeWidget* m_models = nullptr;
    QPushButton* m_useModel = nullptr;
    QProgressBar* m_loadProgress = nullptr;
    QLabel* m_loadStatus = nullptr;
    QSpinBox* m_threads = nullptr;
    QSpinBox* m_context = nullptr;
    QComboBox* m_kvType = nullptr;
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
