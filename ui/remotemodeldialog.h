// "Add remote model…": a model on an OpenAI-compatible server (kmlm serve, llama.cpp's
// server, Ollama, vLLM). The user gives the base URL and an optional API key, lists the
// server's /v1/models (off the UI thread) and chooses one.
#pragma once
#include "enginetypes.h"

#include <QDialog>
#include <QFutureWatcher>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace kmlm::ui {

class RemoteModelDialog : public QDialog {
    Q_OBJECT
public:
    explicit RemoteModelDialog(QWidget* parent = nullptr);

    // The chosen model, its URL and key (valid once accepted).
    core::RemoteModelSettings remoteModel() const;

    QLineEdit* urlEditor() const { return m_url; }
    QLineEdit* keyEditor() const { return m_key; }
    QPushButton* listButton() const { return m_list; }
    QComboBox* modelChooser() const { return m_models; }
    QLabel* statusLabel() const { return m_status; }

Q_SIGNALS:
    void modelsListed(); // the list (or the failure) is shown

private:
    void listModels();
    void showModels();

    QLineEdit* m_url;
    QLineEdit* m_key;
    QPushButton* m_list;
    QComboBox* m_models;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    // The server's model ids, or the failure worded for the user.
    struct Listing {
        QStringList ids;
        QString error;
    };
    QFutureWatcher<Listing> m_watcher;
};

} // namespace kmlm::ui
