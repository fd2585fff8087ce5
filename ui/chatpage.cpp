#include "chatpage.h"

#include "appearance.h"
#include "appsettings.h"
#include "chatexport.h"
#include "chatimport.h"
#include "chatsession.h"
#include "chatstore.h"
#include "chatview.h"
#include "composer.h"
#include "conversationdelegate.h"
#include "conversationlistmodel.h"
#include "enginecontroller.h"
#include "firstrunoffer.h"
#include "modelregistry.h"
#include "notify.h"
#include "samplingeditor.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace kmlm::ui {

ChatPage::ChatPage(const AppServices& services, QWidget* parent)
    : QWidget(parent), m_services(services), m_listModel(new core::ConversationListModel(services.store, this)), m_search(new QLineEdit),
      m_list(new QListView), m_title(new QLabel), m_view(new ChatView), m_composer(new Composer), m_tokenCount(new QLabel),
      m_speed(new QLabel), m_send(new QPushButton), m_stop(new QPushButton) {
    m_undoBar = createUndoBar();
    setPathChoosers({}, {});
    // Left: search, conversations, new chat.
    m_search->setClearButtonEnabled(true);
    m_list->setModel(m_listModel);
    m_list->setItemDelegate(new ConversationDelegate(m_list));
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    auto* newButton = new QPushButton;
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 6);
    leftLayout->addWidget(newButton);
    leftLayout->addWidget(m_search);
    leftLayout->addWidget(m_list);
    leftLayout->addWidget(m_undoBar);
    // Delete and Ctrl+Z act on the list when it has the focus.
    auto* deleteAction = new QAction(m_list);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteAction, &QAction::triggered, this, [this] {
        if (m_list->currentIndex().isValid())
            deleteConversation(m_list->currentIndex().data(core::ConversationListModel::IdRole).toLongLong());
    });
    auto* undoAction = new QAction(m_list);
    undoAction->setShortcut(QKeySequence::Undo);
    undoAction->setShortcutContext(Qt::WidgetShortcut);
    connect(undoAction, &QAction::triggered, this, &ChatPage::undoDelete);
    m_list->addActions({deleteAction, undoAction});

    // Right: title, messages, composer.
    auto* settingsButton = new QPushButton;
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(settingsButton);
    const int line = m_composer->fontMetrics().lineSpacing();
    m_composer->setMinimumHeight(2 * line + 16);
    m_composer->setMaximumHeight(5 * line + 16);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_tokenCount);
    actions->addStretch(1);
    actions->addWidget(m_speed);
    actions->addWidget(m_stop);
    actions->addWidget(m_send);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 6, 6, 6);
    rightLayout->addLayout(header);
    rightLayout->addWidget(new FirstRunOffer(services)); // hidden unless only the bundled model is there
    rightLayout->addWidget(m_view, 1);
    // The composer under the messages' column: as wide as it, centred.
    auto* composerRow = new QHBoxLayout;
    composerRow->addStretch(1);
    composerRow->addWidget(m_composer, 1000);
    composerRow->addStretch(1);
    rightLayout->addLayout(composerRow);
    connect(m_view, &ChatView::columnChanged, m_composer, &QWidget::setMaximumWidth);
    rightLayout->addLayout(actions);

    auto* splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({240, 760});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(250);
    m_countDelay.setSingleShot(true);
    m_countDelay.setInterval(300);
    connect(&m_searchDelay, &QTimer::timeout, this, [this] { m_listModel->setFilter(m_search->text().trimmed()); });
    connect(m_search, &QLineEdit::textChanged, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(&m_countDelay, &QTimer::timeout, this, &ChatPage::requestTokenCount);
    connect(m_composer, &QPlainTextEdit::textChanged, &m_countDelay, qOverload<>(&QTimer::start));
    connect(m_composer, &Composer::sendRequested, this, &ChatPage::send);
    connect(m_send, &QPushButton::clicked, m_composer, &Composer::submit);
    connect(m_stop, &QPushButton::clicked, this, &ChatPage::stop);
    connect(newButton, &QPushButton::clicked, this, &ChatPage::newChat);
    connect(settingsButton, &QPushButton::clicked, this, &ChatPage::editConversationSettings);
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex& index) {
        openConversation(index.data(core::ConversationListModel::IdRole).toLongLong());
        // A search hit: show the message that matched.
        if (const qint64 message = index.data(core::ConversationListModel::MessageIdRole).toLongLong())
            m_view->showMessage(message, m_listModel->filter());
    });
    connect(m_list, &QWidget::customContextMenuRequested, this, &ChatPage::showListMenu);

    core::ChatSession* session = services.session;
    connect(session, &core::ChatSession::conversationChanged, this, [this](qint64 id) {
        const int row = m_listModel->rowOf(id);
        m_list->setCurrentIndex(row >= 0 ? m_listModel->index(row) : QModelIndex());
        refreshMessages();
    });
    connect(session, &core::ChatSession::messagesChanged, this, &ChatPage::refreshMessages);
    connect(session, &core::ChatSession::answerStarted, this, &ChatPage::updateButtons);
    connect(session, &core::ChatSession::answerStreamed, this, [this](qint64 id, const QString&, double tps) {
        m_view->setStreamingText(id, m_services.session->streamingText(), tps);
        m_speed->setText(tr("%1 tokens/s").arg(tps, 0, 'f', 1));
    });
    connect(session, &core::ChatSession::answerFinished, this, [this](qint64, const core::GenerationResult& result) {
        m_speed->setText(result.tokensPerSecond > 0 ? tr("%1 tokens/s").arg(result.tokensPerSecond, 0, 'f', 1) : QString());
        refreshMessages();
    });
    connect(session, &core::ChatSession::errorOccurred, this, [this](const QString& message) { showWarning(this, tr("Chat"), message); });
    connect(services.engine, &core::EngineController::tokenCount, this, [this](quint64 id, int count) {
        if (id == m_countRequest) m_tokenCount->setText(count < 0 ? QString() : tr("%n token(s)", nullptr, count));
    });
    connect(services.store, &core::ChatStore::conversationsChanged, this, [this] {
        m_listModel->refresh();
        const int row = m_listModel->rowOf(m_services.session->conversationId());
        if (row >= 0) m_list->setCurrentIndex(m_listModel->index(row));
    });
    connect(m_view, &ChatView::editRequested, this, &ChatPage::editMessage);
    connect(m_view, &ChatView::alternativeRequested, this, &ChatPage::stepAlternative);
    connect(m_view, &ChatView::regenerateRequested, session, &core::ChatSession::regenerate);
    connect(m_view, &ChatView::promptChosen, this, &ChatPage::send);
    connect(m_view, &ChatView::modelsRequested, this, &ChatPage::modelsRequested);
    connect(services.engine, &core::EngineController::modelLoaded, this, &ChatPage::showModel);
    showModel(services.engine->currentModel());

    // Keyboard order: the chats on the left, then the conversation from top to bottom.
    setTabOrder(newButton, m_search);
    setTabOrder(m_search, m_list);
    setTabOrder(m_list, settingsButton);
    setTabOrder(settingsButton, m_view);
    setTabOrder(m_view, m_composer);
    setTabOrder(m_composer, m_send);
    setTabOrder(m_send, m_stop);

    m_texts.add([this, newButton, deleteAction, undoAction, settingsButton] {
        m_send->setText(tr("Send"));
        m_stop->setText(tr("Stop"));
        m_stop->setToolTip(tr("Stop the answer (Esc)"));
        m_search->setPlaceholderText(tr("Search all chats"));
        newButton->setText(tr("New chat"));
        deleteAction->setText(tr("Delete chat"));
        undoAction->setText(tr("Undo delete"));
        settingsButton->setText(tr("Conversation settings…"));
        settingsButton->setToolTip(tr("System prompt, sampling and reasoning for this conversation"));
        m_search->setAccessibleName(tr("Search all chats"));
        m_list->setAccessibleName(tr("Chats"));
        m_view->setAccessibleName(tr("Messages"));
        m_composer->setAccessibleName(tr("Message"));
        m_title->setAccessibleName(tr("Chat title"));
        m_tokenCount->setAccessibleName(tr("Tokens in the message"));
        m_speed->setAccessibleName(tr("Answer speed"));
    });
    updateTheme();
    refreshMessages();
}

void ChatPage::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        m_texts.retranslate();
        updateTitle(); // "New chat"
        requestTokenCount();
        m_speed->clear();
        updateUndoNotice();
    }
    QWidget::changeEvent(event);
}

void ChatPage::send(const QString& text) {
    if (text.trimmed().isEmpty()) return;
    if (!m_services.session->send(text)) m_composer->setPlainText(text); // not sent (an answer still running): keep it
}

void ChatPage::newChat() {
    m_services.session->setConversation(0);
    m_list->clearSelection();
    refreshMessages();
    m_composer->setFocus();
}

void ChatPage::openConversation(qint64 id) {
    if (id != m_services.session->conversationId()) m_services.session->setConversation(id);
}

void ChatPage::focusSearch() {
    m_search->setFocus();
    m_search->selectAll();
}

void ChatPage::stop() { m_services.session->stop(); }

void ChatPage::refreshMessages() {
    core::ChatSession* session = m_services.session;
    m_view->setMessages(session->messages());
    if (session->isGenerating()) m_view->setStreamingText(session->streamingMessageId(), session->streamingText(), 0);
    updateTitle();
    updateButtons();
}

void ChatPage::updateTitle() {
    const auto info = m_services.store->conversation(m_services.session->conversationId());
    m_title->setText(info ? info->title : tr("New chat"));
}

void ChatPage::updateButtons() {
    const bool generating = m_services.session->isGenerating();
    m_stop->setEnabled(generating);
    m_send->setEnabled(!generating);
}

void ChatPage::updateTheme() {
    m_view->setDark(Appearance::isDark());
    // Figures for information: muted, with the contrast text needs (a disabled label has not).
    for (QLabel* label : {m_tokenCount, m_speed}) {
        QPalette p = label->palette();
        p.setColor(QPalette::WindowText, Appearance::mutedTextColor(QApplication::palette(), QPalette::Window));
        label->setPalette(p);
    }
}

void ChatPage::showModel(const core::ModelDescription& model) {
    const bool bundled = !model.path.isEmpty() && QFileInfo(model.path) == QFileInfo(core::ModelRegistry::bundledModelPath());
    m_view->setActiveModel(model.isValid() ? model.name : QString(), bundled);
}

void ChatPage::requestTokenCount() {
    const QString text = m_composer->pendingText();
    if (text.isEmpty()) {
        m_countRequest = 0;
        m_tokenCount->clear();
        return;
    }
    m_countRequest = m_services.engine->newRequestId();
    m_services.engine->countTokens(m_countRequest, text);
}

void ChatPage::editMessage(qint64 messageId) {
    const auto message = m_services.store->message(messageId);
    if (!message) return;
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(this, tr("Edit and resend"), tr("Question:"), message->text, &ok);
    if (ok && !text.trimmed().isEmpty() && text != message->text) m_services.session->editAndResend(messageId, text);
}

void ChatPage::stepAlternative(qint64 messageId, int step) {
    const QVector<core::ChatMessage> siblings = m_services.store->alternatives(messageId);
    for (int i = 0; i < siblings.size(); ++i) {
        if (siblings.at(i).id == messageId) {
            const int next = i + step;
            if (next >= 0 && next < siblings.size()) m_services.session->selectAlternative(siblings.at(next).id);
            return;
        }
    }
}

void ChatPage::showListMenu(const QPoint& pos) {
    const QModelIndex index = m_list->indexAt(pos);
    if (!index.isValid()) return;
    const qint64 id = index.data(core::ConversationListModel::IdRole).toLongLong();
    QMenu menu;
    menu.addAction(tr("Rename…"), this, [this, id] { renameConversation(id); });
    menu.addAction(tr("Export as Markdown…"), this, [this, id] { exportMarkdown(id); });
    menu.addAction(tr("Export as JSON…"), this, [this, id] { exportJson(id); });
    menu.addAction(tr("Delete"), this, [this, id] { deleteConversation(id); });
    menu.addSeparator();
    menu.addAction(tr("Import chat…"), this, &ChatPage::importChat);
    menu.exec(m_list->viewport()->mapToGlobal(pos));
}

void ChatPage::renameConversation(qint64 id) {
    const auto info = m_services.store->conversation(id);
    if (!info) return;
    bool ok = false;
    const QString title = QInputDialog::getText(this, tr("Rename chat"), tr("Title:"), QLineEdit::Normal, info->title, &ok);
    if (ok && !title.trimmed().isEmpty()) m_services.store->renameConversation(id, title.trimmed());
    refreshMessages();
}

void ChatPage::deleteConversation(qint64 id) {
    const auto info = m_services.store->conversation(id);
    if (!info) return;
    const bool listFocused = m_list->hasFocus();
    if (id == m_services.session->conversationId()) newChat();
    if (listFocused) m_list->setFocus(); // Ctrl+Z there brings it back
    if (!m_services.store->deleteConversation(id)) {
        showWarning(this, tr("Chat"), m_services.store->errorString());
        return;
    }
    m_deletedId = id;
    m_deletedTitle = info->title;
    updateUndoNotice();
    m_undoBar->show();
    m_undoTimeout.start();
}

void ChatPage::undoDelete() {
    if (!m_deletedId) return;
    const qint64 id = m_deletedId;
    hideUndoBar();
    if (m_services.store->undeleteConversation(id)) openConversation(id);
}

QWidget* ChatPage::createUndoBar() {
    auto* bar = new QFrame;
    bar->setFrameShape(QFrame::StyledPanel);
    m_undoLabel = new QLabel;
    m_undoLabel->setWordWrap(true);
    auto* undo = new QPushButton;
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(6, 3, 3, 3);
    layout->addWidget(m_undoLabel, 1);
    layout->addWidget(undo);
    bar->hide();
    connect(undo, &QPushButton::clicked, this, &ChatPage::undoDelete);
    m_undoTimeout.setSingleShot(true);
    m_undoTimeout.setInterval(10000);
    connect(&m_undoTimeout, &QTimer::timeout, this, &ChatPage::hideUndoBar);
    m_texts.add([=] {
        undo->setText(tr("Undo"));
        undo->setToolTip(tr("Bring the chat back (Ctrl+Z in the list)"));
    });
    return bar;
}

void ChatPage::updateUndoNotice() { m_undoLabel->setText(tr("Chat “%1” deleted.").arg(m_deletedTitle)); }

void ChatPage::hideUndoBar() {
    m_undoTimeout.stop();
    m_undoBar->hide();
    m_deletedId = 0;
}

// System prompt and sampling of the conversation shown (a new chat gets created for them).
void ChatPage::editConversationSettings() {
    core::ChatSession* session = m_services.session;
    core::ChatStore* store = m_services.store;
    qint64 id = session->conversationId();
    const auto info = store->conversation(id);
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Conversation settings"));
    auto* prompt = new QPlainTextEdit(info ? info->systemPrompt : m_services.settings->defaultSystemPrompt());
    prompt->setTabChangesFocus(true);
    prompt->setAccessibleName(tr("System prompt"));
    auto* own = new QCheckBox(tr("Use its own sampling settings (otherwise the defaults from Settings)"));
    auto* sampling = new SamplingEditor;
    auto* think = new QCheckBox(tr("Think before answering (reasoning models such as Qwen3)"));
    think->setToolTip(tr("The model reasons first; the reasoning is shown folded above the answer. "
                         "Off: it answers at once."));
    think->setChecked(!info || info->thinking);
    own->setChecked(info && info->hasSampling);
    sampling->setSampling(info && info->hasSampling ? info->sampling : m_services.settings->sampling());
    sampling->setEnabled(own->isChecked());
    connect(own, &QCheckBox::toggled, sampling, &QWidget::setEnabled);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(tr("System prompt:")));
    layout->addWidget(prompt);
    layout->addWidget(think);
    layout->addWidget(own);
    layout->addWidget(sampling);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted) return;
    if (!info) {
        id = store->createConversation(tr("New chat"), prompt->toPlainText());
        session->setConversation(id);
    } else {
        store->setSystemPrompt(id, prompt->toPlainText());
    }
    if (own->isChecked())
        store->setSampling(id, sampling->sampling());
    else
        store->clearSampling(id);
    store->setThinking(id, think->isChecked());
}

void ChatPage::setPathChoosers(SavePathChooser save, OpenPathChooser open) {
    m_chooseSavePath = save ? std::move(save) : [this](const QString& caption, const QString& suggested, const QString& filter) {
        return QFileDialog::getSaveFileName(this, caption, suggested, filter);
    };
    m_chooseOpenPath = open ? std::move(open) : [this](const QString& caption, const QString& filter) {
        return QFileDialog::getOpenFileName(this, caption, QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation), filter);
    };
}

core::MarkdownLabels ChatPage::markdownLabels() {
    return {tr("Conversation"), tr("System prompt"), tr("User"), tr("Assistant"), tr("System")};
}

void ChatPage::exportMarkdown(qint64 id) {
    if (const auto info = m_services.store->conversation(id))
        exportChat(info->title, QStringLiteral("md"), tr("Markdown (*.md)"),
                   core::ChatExporter(*m_services.store).markdown(id, markdownLabels()).toUtf8());
}

void ChatPage::exportJson(qint64 id) {
    if (const auto info = m_services.store->conversation(id))
        exportChat(info->title, QStringLiteral("json"), tr("JSON (*.json)"), core::ChatExporter(*m_services.store).json(id));
}

namespace {
// The title as a file name: no path separators or characters some file systems refuse.
QString fileNameFor(const QString& title, const QString& extension) {
    QString name;
    for (const QChar c : title.left(80)) name += c.isPrint() && !QStringLiteral("/\\:*?\"<>|").contains(c) ? c : QLatin1Char('_');
    name = name.trimmed();
    if (name.isEmpty() || name.startsWith(QLatin1Char('.'))) name.prepend(QStringLiteral("chat"));
    return name + QLatin1Char('.') + extension;
}
} // namespace

void ChatPage::exportChat(const QString& title, const QString& extension, const QString& filter, const QByteArray& data) {
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = m_chooseSavePath(tr("Export chat"), QDir(folder).filePath(fileNameFor(title, extension)), filter);
    if (path.isEmpty()) return;
    // QSaveFile: an existing file is replaced only once everything is written.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
        showWarning(this, tr("Export chat"),
                    tr("The chat could not be saved to %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
}

void ChatPage::importChat() {
    const QString path = m_chooseOpenPath(tr("Import chat"), tr("Exported chats (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    const QString name = QDir::toNativeSeparators(path);
    constexpr qint64 kMaxBytes = 256 * 1024 * 1024; // far above any real chat; refuses before reading
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showWarning(this, tr("Import chat"), tr("%1 could not be read: %2").arg(name, file.errorString()));
        return;
    }
    if (file.size() > kMaxBytes) {
        showWarning(this, tr("Import chat"), tr("%1 is too large to be an exported chat.").arg(name));
        return;
    }
    const qint64 id = core::ChatImporter(*m_services.store).importJson(file.readAll());
    if (!id) {
        showWarning(this, tr("Import chat"), tr("%1 could not be imported: %2").arg(name, m_services.store->errorString()));
        return;
    }
    openConversation(id);
}

} // namespace kmlm::ui
