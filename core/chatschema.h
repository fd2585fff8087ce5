// The chat database's schema history. Step i (0-based) takes PRAGMA user_version from i to
// i + 1; a database is brought up to date by running the steps it has not seen, each in its
// own transaction. Steps are never edited once released: changes are new steps.
#pragma once
#include <QStringList>
#include <QVector>

namespace kmlm::core {

const QVector<QStringList>& chatSchemaMigrations();

} // namespace kmlm::core
