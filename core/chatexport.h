// A conversation of a ChatStore written out: Markdown for reading (the path shown), JSON for
// moving it with its whole message tree (format "korean-mini-lm-chat", read by ChatImporter).
#pragma once
#include "chatstore.h"

#include <QByteArray>
#include <QString>

namespace kmlm::core {

// The words of a Markdown export, in the reader's language: the UI passes them translated.
struct MarkdownLabels {
    QString conversation; // the heading of an untitled conversation
    QString systemPrompt;
    QString user;
    QString assistant;
    QString system;
    QString role(const QString& name) const; // user, assistant, else system
};

class ChatExporter {
public:
    explicit ChatExporter(const ChatStore& store) : m_store(store) {}

    // Empty when there is no such conversation.
    QString markdown(qint64 conversationId, const MarkdownLabels& labels) const;
    QByteArray json(qint64 conversationId) const;

private:
    const ChatStore& m_store;
};

} // namespace kmlm::core
