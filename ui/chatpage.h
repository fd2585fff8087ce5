// The chat tab: conversation list with full-text search on the left; messages, the
// conversation's settings and the composer on the right.
#pragma once
#include "appservices.h"
#include "retranslator.h"

#include <QTimer>
#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace kmlm::core {
class ConversationListModel;
struct MarkdownLabels;
struct ModelDescription;
} // namespace kmlm::core

namespace kmlm::ui {

class ChatView;
class Composer;

class ChatPage : public QWidget {
    Q_OBJECT
public:
    explicit ChatPage(const AppServices& services, QWidget* parent = nullptr);

    ChatView* view() const { return m_view; }
    Composer* composer() const { return m_composer; }
    QLineEdit* searchField() const { return m_search; }
    QListView* conversationList() const { return m_list; }
    QWidget* undoBar() const { return m_undoBar; } // "Chat deleted. Undo", for a few seconds

    // Where an export goes and which file is imported: file dialogs unless replaced (tests).
    // An empty path cancels.
    using SavePathChooser = std::function<QString(const QString& caption, const QString& suggested, const QString& filter)>;
    using OpenPathChooser = std::function<QString(const QString& caption, const QString& filter)>;
    void setPathChoosers(SavePathChooser save, OpenPathChooser open);
    // The headings of a Markdown export, in the interface language.
    static core::MarkdownLabels markdownLabels();

public slots:
    void newChat();
    void openConversation(qint64 id);
    void focusSearch();
    void stop();
    void renameConversation(qint64 id);
    void deleteConversation(qint64 id); // at once; undoDelete() brings it back
    void undoDelete();
    void editConversationSettings();
    void exportMarkdown(qint64 id);
    void exportJson(qint64 id);
    void importChat(); // opens the imported chat
    void updateTheme();

signals:
    void modelsRequested(); // the empty state's link to the models
protected:
    void changeEvent(QEvent* event) override;

private:
    void send(const QString& text);
    void refreshMessages();
    void updateTitle();
    void updateButtons();
    void editMessage(qint64 messageId);
    void stepAlternative(qint64 messageId, int step);
    void showListMenu(const QPoint& pos);
    void requestTokenCount();
    void showModel(const core::ModelDescription& model);
    QWidget* createUndoBar();
    void updateUndoNotice();
    void hideUndoBar();
    void exportChat(const QString& title, const QString& extension, const QString& filter, const QByteArray& data);

    AppServices m_services;
    core::ConversationListModel* m_listModel;
    QLineEdit* m_search;
    QListView* m_list;
    QLabel* m_title;
    ChatView* m_view;
    Composer* m_composer;
    QLabel* m_tokenCount;
    QLabel* m_speed;
    QPushButton* m_send;
    QPushButton* m_stop;
    QTimer m_searchDelay;
    QTimer m_countDelay;
    QWidget* m_undoBar = nullptr;
    QLabel* m_undoLabel = nullptr;
    QTimer m_undoTimeout;
    qint64 m_deletedId = 0;
    QString m_deletedTitle;
    Retranslator m_texts;
    quint64 m_countRequest = 0;
    SavePathChooser m_chooseSavePath;
    OpenPathChooser m_chooseOpenPath;
};

} // namespace kmlm::ui
