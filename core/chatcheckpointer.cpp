#include "chatcheckpointer.h"

#include "chatstore_p.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>
#include <QtConcurrent>

namespace kmlm::core {

namespace {

constexpr int kCheckpointInterval = 5000; // ms

// PRAGMA wal_checkpoint(PASSIVE) on a connection of its own: (log frames, copied frames).
QPair<int, int> checkpoint(const QString& path) {
    const QString name = uniqueConnectionName("checkpoint");
    QPair<int, int> result{-1, -1};
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        database.setDatabaseName(path);
        database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (database.open()) {
            QSqlQuery q(database);
            if (q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && q.next()) result = {q.value(1).toInt(), q.value(2).toInt()};
        }
        database.close();
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

} // namespace

ChatCheckpointer::ChatCheckpointer(QObject* parent) : QObject(parent), m_timer(new QTimer(this)) {
    m_timer->setInterval(kCheckpointInterval);
    connect(m_timer, &QTimer::timeout, this, &ChatCheckpointer::checkpointInBackground);
    connect(&m_watcher, &QFutureWatcher<QPair<int, int>>::finished, this,
            [this] { Q_EMIT checkpointed(m_watcher.result().first, m_watcher.result().second); });
}

ChatCheckpointer::~ChatCheckpointer() { m_watcher.waitForFinished(); }

void ChatCheckpointer::start(const QString& databasePath) {
    m_path = databasePath;
    m_timer->start();
}

void ChatCheckpointer::stop() {
    m_timer->stop();
    m_path.clear();
}

void ChatCheckpointer::checkpointInBackground() {
    if (m_path.isEmpty() || m_watcher.isRunning()) return;
    const QString path = m_path;
    m_watcher.setFuture(QtConcurrent::run([path] { return checkpoint(path); }));
}

} // namespace kmlm::core
