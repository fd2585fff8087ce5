// Internal to the ChatStore sources: reading message rows.
#pragma once
#include "chatstore.h"

#include <QSqlQuery>
#include <QVariant>

// The message columns of `messages m` (plus the sibling count), as rowToMessage() reads them.
extern const char* const kMessageColumns;
ChatMessage rowToMessage(const QSqlQuery& q);
// A message id to bind, NULL for 0 (the parent of a conversation's first message).
QVariant nullableId(qint64 id);
// A string to bind to a NOT NULL column: a null QString would bind as NULL.
inline QVariant textValue(const QString& s) { return QVariant(s.isNull() ? QString(QLatin1String("")) : s); }
