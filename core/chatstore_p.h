// Internal to the chat store sources (ChatStore, ChatSearch, ChatExporter, ChatImporter,
// ChatCheckpointer): reading message rows, binding values, the export format.
#pragma once
#include "chatstore.h"

#include <QSqlQuery>
#include <QVariant>

namespace kmlm::core {

// The message columns of `messages m` (plus the sibling count), as rowToMessage() reads them.
extern const char* const kMessageColumns;
ChatMessage rowToMessage(const QSqlQuery& q);
// A message id to bind, NULL for 0 (the parent of a conversation's first message).
QVariant nullableId(qint64 id);
// A string to bind to a NOT NULL column: a null QString would bind as NULL.
inline QVariant textValue(const QString& s) { return QVariant(s.isNull() ? QString(QLatin1String("")) : s); }
// "kmlm-<what>-<n>": a QSqlDatabase connection name no other connection has.
QString uniqueConnectionName(const char* what);

// The JSON export format, written by ChatExporter and read by ChatImporter.
inline const QString kChatJsonFormat = QStringLiteral("korean-mini-lm-chat");
constexpr int kChatJsonVersion = 1;

} // namespace kmlm::core
