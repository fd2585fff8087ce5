// Copies a chat database's write-ahead log into the database (PRAGMA wal_checkpoint) every
// few seconds, on a worker thread with a connection of its own: the store's connection never
// checkpoints, so its commits never wait for the fsync that a checkpoint does.
#pragma once
#include <QFutureWatcher>
#include <QObject>
#include <QPair>
#include <QString>

class QTimer;

namespace kmlm::core {

class ChatCheckpointer : public QObject {
    Q_OBJECT
public:
    explicit ChatCheckpointer(QObject* parent = nullptr);
    ~ChatCheckpointer() override; // waits for a running checkpoint

    void start(const QString& databasePath); // checkpoints path from now on
    void stop();

public Q_SLOTS:
    // One checkpoint now (checkpointed() when done); nothing when stopped or one is running.
    void checkpointInBackground();

Q_SIGNALS:
    // logFrames: pages in the log; copied: pages now in the database (all of them unless a
    // reader was still using older ones). -1 when the checkpoint failed.
    void checkpointed(int logFrames, int copied);

private:
    QString m_path;
    QTimer* m_timer;
    QFutureWatcher<QPair<int, int>> m_watcher;
};

} // namespace kmlm::core
