// A conversation exported as JSON (ChatExporter::json) added to a ChatStore as a new
// conversation, with its whole message tree.
#pragma once
#include "chatstore.h"

#include <QByteArray>
#include <QCoreApplication>

namespace kmlm::core {

class ChatImporter {
    Q_DECLARE_TR_FUNCTIONS(ChatImporter) // its messages name what is wrong with the file
public:
    explicit ChatImporter(ChatStore& store) : m_store(store) {}

    // Validates everything first and writes in one transaction: on error nothing is written,
    // 0 is returned and the store's errorString() says what is wrong.
    qint64 importJson(const QByteArray& json);

private:
    ChatStore& m_store;
};

} // namespace kmlm::core
