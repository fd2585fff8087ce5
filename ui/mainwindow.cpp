#include "mainwindow.h"

#include "appearance.h"
#include "appsettings.h"
#include "chatpage.h"
#include "chatsession.h"
#include "editorpage.h"
#include "enginecontroller.h"
#include "localapiserver.h"
#include "memorymeterwidget.h"
#include "modelregistry.h"
#include "notify.h"
#include "settingsdialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>

namespace kmlm::ui {

// Every size the icon is drawn at, so it is crisp at 1x and 2x (and 1.5x) without scaling.
QIcon MainWindow::appIcon() {
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256}) icon.addFile(QStringLiteral(":/icons/korean-mini-lm-%1.png").arg(size), QSize(size, size));
    return icon;
}

MainWindow::MainWindow(const AppServices& services, QWidget* parent)
    : QMainWindow(parent), m_services(services), m_tabs(new QTabWidget), m_chat(new ChatPage(services)),
      m_editor(new EditorPage(services)) {
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_chat, QString());
    m_tabs->addTab(m_editor, QString());
    m_texts.add([this] {
        m_tabs->setTabText(0, tr("Chat"));
        m_tabs->setTabText(1, tr("Editor"));
        m_tabs->setAccessibleName(tr("Chat and editor"));
    });
    setCentralWidget(m_tabs);
    setWindowIcon(appIcon());
    createMenus();
    connect(m_chat, &ChatPage::modelsRequested, this, &MainWindow::showSettings);
    createStatusBar();
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateTitle);
    connect(m_editor, &EditorPage::titleChanged, this, &MainWindow::updateTitle);
    updateTitle();
    // New chats start with the default system prompt of the moment.
    services.session->setDefaultSystemPrompt(services.settings->defaultSystemPrompt());
    connect(services.settings, &core::AppSettings::changed, this,
            [this] { m_services.session->setDefaultSystemPrompt(m_services.settings->defaultSystemPrompt()); });
    applyApiServerSettings();
    if (!restoreGeometry(services.settings->windowGeometry())) resize(1080, 720);
    restoreState(services.settings->windowState());
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(QString());
    QAction* newChat = file->addAction(QString(), m_chat, [this] {
        m_tabs->setCurrentWidget(m_chat);
        m_chat->newChat();
    });
    newChat->setShortcut(QKeySequence::New);
    file->addSeparator();
    QAction* open = file->addAction(QString(), this, [this] {
        m_tabs->setCurrentWidget(m_editor);
        m_editor->open();
    });
    open->setShortcut(QKeySequence::Open);
    QAction* save = file->addAction(QString(), m_editor, &EditorPage::save);
    save->setShortcut(QKeySequence::Save);
    QAction* saveAs = file->addAction(QString(), m_editor, &EditorPage::saveAs);
    file->addSeparator();
    QAction* quit = file->addAction(QString(), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* chat = menuBar()->addMenu(QString());
    QAction* find = chat->addAction(QString(), this, [this] {
        m_tabs->setCurrentWidget(m_chat);
        m_chat->focusSearch();
    });
    find->setShortcut(QKeySequence::Find);
    QAction* stop = chat->addAction(QString(), m_chat, &ChatPage::stop);
    stop->setShortcut(Qt::Key_Escape);
    QAction* regenerate = chat->addAction(QString(), m_services.session, &core::ChatSession::regenerate);
    QAction* conversation = chat->addAction(QString(), m_chat, &ChatPage::editConversationSettings);
    chat->addSeparator();
    QAction* exportMarkdown = chat->addAction(QString(), m_chat, [this] { m_chat->exportMarkdown(m_services.session->conversationId()); });
    QAction* exportJson = chat->addAction(QString(), m_chat, [this] { m_chat->exportJson(m_services.session->conversationId()); });
    QAction* importChat = chat->addAction(QString(), this, [this] {
        m_tabs->setCurrentWidget(m_chat);
        m_chat->importChat();
    });
    // Export needs a stored chat (a new one is stored with its first message).
    const auto enableExport = [=](qint64 id) {
        exportMarkdown->setEnabled(id != 0);
        exportJson->setEnabled(id != 0);
    };
    connect(m_services.session, &core::ChatSession::conversationChanged, this, enableExport);
    enableExport(m_services.session->conversationId());

    QMenu* settings = menuBar()->addMenu(QString());
    QAction* prefs = settings->addAction(QString(), this, &MainWindow::showSettings);
    prefs->setShortcut(QKeySequence(QStringLiteral("Ctrl+,")));
    prefs->setMenuRole(QAction::PreferencesRole);

    QMenu* help = menuBar()->addMenu(QString());
    QAction* about = help->addAction(QString(), this, &MainWindow::showAbout);

    m_texts.add([=] {
        file->setTitle(tr("&File"));
        newChat->setText(tr("&New chat"));
        open->setText(tr("&Open document…"));
        save->setText(tr("&Save document"));
        saveAs->setText(tr("Save document &as…"));
        quit->setText(tr("&Quit"));
        chat->setTitle(tr("&Chat"));
        find->setText(tr("&Search chats"));
        stop->setText(tr("S&top answer"));
        regenerate->setText(tr("&Regenerate answer"));
        conversation->setText(tr("Conversation &settings…"));
        exportMarkdown->setText(tr("Export as &Markdown…"));
        exportJson->setText(tr("Export as &JSON…"));
        importChat->setText(tr("&Import chat…"));
        settings->setTitle(tr("&Settings"));
        prefs->setText(tr("&Settings…"));
        help->setTitle(tr("&Help"));
        about->setText(tr("&About Korean Mini LM"));
    });
}

void MainWindow::createStatusBar() {
    m_modelLabel = new QLabel;
    m_loadProgress = new QProgressBar;
    m_loadProgress->setRange(0, 100);
    m_loadProgress->setMaximumWidth(180);
    m_loadProgress->hide();
    statusBar()->addWidget(m_modelLabel);
    statusBar()->addWidget(m_loadProgress);
    if (m_services.apiServer) {
        m_apiStatus = new QLabel;
        m_apiStatus->setObjectName(QStringLiteral("apiServerStatus"));
        statusBar()->addPermanentWidget(m_apiStatus);
        connect(m_services.apiServer, &core::LocalApiServer::stateChanged, this, &MainWindow::showApiServerState);
        connect(m_services.apiServer, &core::LocalApiServer::requestsServedChanged, this, &MainWindow::showApiServerState);
        m_texts.add([this] {
            m_apiStatus->setAccessibleName(tr("Local API server"));
            showApiServerState();
        });
    }
    if (m_services.memory) {
        auto* meter = new MemoryMeterWidget;
        meter->setMonitor(m_services.memory);
        statusBar()->addPermanentWidget(meter);
    }

    core::EngineController* engine = m_services.engine;
    connect(engine, &core::EngineController::modelLoadStarted, this, [this](const QString& path) {
        // A remote model's "path" is its server's URL: shown whole.
        m_modelLabel->setText(tr("Loading %1…").arg(path.contains(QLatin1String("://")) ? path : QFileInfo(path).fileName()));
        m_loadProgress->setValue(0);
        m_loadProgress->show();
    });
    connect(engine, &core::EngineController::modelLoadProgress, this, [this](float f) { m_loadProgress->setValue(int(f * 100)); });
    connect(engine, &core::EngineController::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(engine, &core::EngineController::modelLoadFailed, this, &MainWindow::onModelLoadFailed);
    m_texts.add([this] {
        if (!m_loadProgress->isVisible()) // "Loading…" stays until the load ends
            showModel(m_services.engine->currentModel());
        m_modelLabel->setAccessibleName(tr("Active model"));
        m_loadProgress->setAccessibleName(tr("Loading the model"));
    });
}

void MainWindow::loadActiveModel() {
    const QString path = m_services.settings->activeModelPath();
    loadModel(path.isEmpty() ? core::ModelRegistry::bundledModelPath() : path);
}

void MainWindow::loadModel(const QString& path) {
    if (path.isEmpty()) {
        m_modelLabel->setText(tr("No model found: put a GGUF file in the models folder (Settings)."));
        return;
    }
    if (const auto remote = m_services.settings->remoteModel(path)) {
        m_services.engine->loadRemoteModel(*remote);
        return;
    }
    m_services.engine->loadModel(path, m_services.settings->engineSettings(), core::ModelRegistry::bundledModelPath());
}

void MainWindow::applyApiServerSettings() {
    core::LocalApiServer* server = m_services.apiServer;
    const core::AppSettings* s = m_services.settings;
    if (!server) return;
    if (!s->apiServerEnabled()) {
        server->stop();
        return;
    }
    const bool same = server->state() == core::LocalApiServer::State::Serving && server->port() == s->apiServerPort() &&
                      server->apiKey() == s->apiServerKey();
    if (same) return;
    server->start(s->apiServerPort(), s->apiServerKey());
    if (server->state() == core::LocalApiServer::State::Failed) showWarning(this, tr("Local API server"), apiServerFailure());
}

QString MainWindow::apiServerFailure() const {
    return tr("The local API server could not start: %1. Choose another port in Settings, Engine.")
        .arg(m_services.apiServer->errorMessage());
}

void MainWindow::showApiServerState() {
    const core::LocalApiServer* server = m_services.apiServer;
    switch (server->state()) {
    case core::LocalApiServer::State::Off:
        m_apiStatus->setText(tr("API server: off"));
        m_apiStatus->setToolTip(tr("The local API server is off (Settings, Engine)."));
        break;
    case core::LocalApiServer::State::Serving:
        m_apiStatus->setText(tr("API server: 127.0.0.1:%1, %2 served").arg(server->port()).arg(server->requestsServed()));
        m_apiStatus->setToolTip(tr("Programs on this computer reach the active model at http://127.0.0.1:%1/v1; "
                                   "requests answered since the server started: %2.")
                                    .arg(server->port())
                                    .arg(server->requestsServed()));
        break;
    case core::LocalApiServer::State::Failed:
        m_apiStatus->setText(tr("API server: port %1 is taken").arg(server->port()));
        m_apiStatus->setToolTip(apiServerFailure());
        break;
    }
}

void MainWindow::showModel(const core::ModelDescription& model) {
    if (model.remote)
        m_modelLabel->setText(tr("Model: %1 (remote, %2)").arg(model.name, model.path));
    else
        m_modelLabel->setText(model.isValid() ? tr("Model: %1 (%2, %3)").arg(model.name, model.architecture, model.quantization)
                                              : tr("No model"));
}

void MainWindow::onModelLoaded(const core::ModelDescription& model) {
    m_loadProgress->hide();
    showModel(model);
    if (model.remote) {
        m_services.settings->setActiveModelPath(core::AppSettings::remoteModelPath(model.path, model.name));
        return;
    }
    const bool bundled = QFileInfo(model.path) == QFileInfo(core::ModelRegistry::bundledModelPath());
    m_services.settings->setActiveModelPath(bundled ? QString() : model.path);
}

void MainWindow::onModelLoadFailed(const QString& message, const QString& activePath) {
    m_loadProgress->hide();
    const QString active = activePath.isEmpty() ? tr("no model is loaded") : tr("%1 is used now").arg(QFileInfo(activePath).fileName());
    m_modelLabel->setText(activePath.isEmpty() ? tr("No model") : QFileInfo(activePath).fileName());
    showWarning(this, tr("Model not loaded"), tr("The model could not be loaded: %1\n\nInstead, %2.").arg(message, active));
}

void MainWindow::showSettings() {
    SettingsDialog dialog(m_services, this);
    connect(&dialog, &SettingsDialog::activateModelRequested, this, &MainWindow::loadModel);
    connect(&dialog, &SettingsDialog::engineSettingsChanged, this, [this] {
        const core::ModelDescription& current = m_services.engine->currentModel();
        if (!current.path.isEmpty() && !current.remote) // a remote model has no engine settings here
            loadModel(current.path);
    });
    connect(&dialog, &SettingsDialog::apiServerChanged, this, &MainWindow::applyApiServerSettings);
    connect(&dialog, &SettingsDialog::appearanceChanged, this, &MainWindow::applyAppearance);
    // Every window gets QEvent::LanguageChange and sets its texts again.
    connect(&dialog, &SettingsDialog::languageChanged, this,
            [this] { Appearance::installTranslations(m_services.settings->uiLanguage()); });
    m_services.models->refresh();
    dialog.exec();
}

void MainWindow::applyAppearance() {
    Appearance::applyTheme(m_services.settings->theme());
    Appearance::applyFont(m_services.settings->fontSize());
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) m_chat->updateTheme(); // code block colours follow light/dark
    if (event->type() == QEvent::LanguageChange) {
        m_texts.retranslate();
        QApplication::setApplicationDisplayName(tr("Korean Mini LM"));
        updateTitle();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Korean Mini LM"),
                       tr("<h3>Korean Mini LM %1</h3><p>An offline Korean chat assistant and completion editor. "
                          "Everything runs on this computer; nothing is sent anywhere.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::updateTitle() {
    const QString app = tr("Korean Mini LM");
    setWindowTitle(m_tabs->currentWidget() == m_editor ? m_editor->documentTitle() + QStringLiteral(" — ") + app : app);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!m_editor->maybeSave()) {
        event->ignore();
        return;
    }
    m_services.session->stop();
    m_services.settings->setWindowGeometry(saveGeometry());
    m_services.settings->setWindowState(saveState());
    m_services.settings->sync();
    event->accept();
}

} // namespace kmlm::ui
