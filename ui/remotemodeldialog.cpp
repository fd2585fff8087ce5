#include "remotemodeldialog.h"

#include "enginecontroller.h"

#include "kmlm_server/remote_client.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QtConcurrent>

namespace kmlm::ui {

namespace {
// Listing is quick when the server is there; a dead address should not keep the user long.
constexpr int kListTimeoutSeconds = 10;
} // namespace

RemoteModelDialog::RemoteModelDialog(QWidget* parent)
    : QDialog(parent), m_url(new QLineEdit), m_key(new QLineEdit), m_list(new QPushButton(tr("&List models"))), m_models(new QComboBox),
      m_status(new QLabel), m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
    setWindowTitle(tr("Add remote model"));
    m_url->setPlaceholderText(QStringLiteral("http://gpu-box:11434/v1"));
    m_url->setAccessibleName(tr("Server address"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("optional"));
    m_key->setAccessibleName(tr("API key"));
    m_models->setAccessibleName(tr("Model on the server"));
    m_models->setEnabled(false);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* note = new QLabel(tr("A server with an OpenAI-compatible API: kmlm serve, llama.cpp's server, Ollama or vLLM. "
                               "The questions of chats on this model are sent to it. The key is stored readable by "
                               "you alone, never in the settings file."));
    note->setWordWrap(true);
    auto* urlRow = new QHBoxLayout;
    urlRow->addWidget(m_url, 1);
    urlRow->addWidget(m_list);
    auto* form = new QFormLayout(this);
    form->addRow(note);
    form->addRow(tr("Server &address:"), urlRow);
    form->addRow(tr("API &key:"), m_key);
    form->addRow(tr("&Model:"), m_models);
    form->addRow(m_status);
    form->addRow(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QPushButton::clicked, this, &RemoteModelDialog::listModels);
    connect(m_url, &QLineEdit::returnPressed, this, &RemoteModelDialog::listModels);
    connect(&m_watcher, &QFutureWatcher<Listing>::finished, this, &RemoteModelDialog::showModels);
    // Another server or key: the list shown is not its.
    for (QLineEdit* edit : {m_url, m_key})
        connect(edit, &QLineEdit::textEdited, this, [this] {
            m_models->clear();
            m_models->setEnabled(false);
            m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
        });
    resize(qMax(560, 60 * fontMetrics().averageCharWidth()), sizeHint().height());
}

core::RemoteModelSettings RemoteModelDialog::remoteModel() const {
    core::RemoteModelSettings r;
    r.baseUrl = m_url->text().trimmed();
    r.apiKey = m_key->text().trimmed();
    r.model = m_models->currentText();
    return r;
}

void RemoteModelDialog::listModels() {
    if (m_watcher.isRunning() || m_url->text().trimmed().isEmpty()) return;
    kmlm::server::RemoteEndpoint endpoint;
    endpoint.base_url = m_url->text().trimmed().toStdString();
    endpoint.api_key = m_key->text().trimmed().toStdString();
    endpoint.timeout_seconds = kListTimeoutSeconds;
    m_list->setEnabled(false);
    m_status->setText(tr("Asking the server for its models…"));
    m_watcher.setFuture(QtConcurrent::run([endpoint] {
        Listing listing;
        try {
            for (const std::string& id : kmlm::server::remote_models(endpoint)) listing.ids << QString::fromStdString(id);
        } catch (const std::exception& e) {
            listing.error = core::remoteErrorMessage(e);
        }
        return listing;
    }));
}

void RemoteModelDialog::showModels() {
    const Listing listing = m_watcher.result();
    m_list->setEnabled(true);
    m_models->clear();
    m_models->addItems(listing.ids);
    m_models->setEnabled(!listing.ids.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!listing.ids.isEmpty());
    if (!listing.error.isEmpty())
        m_status->setText(listing.error);
    else if (listing.ids.isEmpty())
        m_status->setText(tr("The server lists no models."));
    else
        m_status->setText(tr("%n model(s) on the server: choose one.", nullptr, int(listing.ids.size())));
    Q_EMIT modelsListed();
}

} // namespace kmlm::ui
