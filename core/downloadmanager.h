// The queue of model downloads: one runs at a time, the others wait their turn; a paused one
// keeps its place. Part files left in the models folder by an earlier run come back as paused
// downloads (restore()), so a restart of the app resumes where it stopped.
#pragma once
#include "modeldownload.h"

#include <QObject>
#include <QVector>

#include <functional>

class QNetworkAccessManager;

namespace kmlm::core {

class DownloadManager : public QObject {
    Q_OBJECT
public:
    explicit DownloadManager(QObject* parent = nullptr);

    // Read when a download starts: the token may change in the settings meanwhile.
    void setTokenProvider(std::function<QString()> provider) { m_token = std::move(provider); }
    void setEndpoint(const QString& endpoint) { m_endpoint = endpoint; }
    void setFreeSpaceFunction(std::function<qint64(const QString&)> f) { m_freeSpace = std::move(f); }
    void setRetries(int retries, int firstDelayMs) {
        m_retries = retries;
        m_firstDelayMs = firstDelayMs;
    }

    // Queues a file (or returns the download already listed for it) and starts the queue.
    ModelDownload* enqueue(const DownloadSpec& spec);
    // Lists the part files of folder (with their .part.json) as paused downloads.
    void restore(const QString& folder);
    ModelDownload* find(const QString& repo, const QString& file) const;
    QVector<ModelDownload*> downloads() const { return m_downloads; }
    void resume(ModelDownload* download); // back into the queue
    void remove(ModelDownload* download); // cancels it if running and forgets it

Q_SIGNALS:
    void added(ModelDownload* download);
    void changed(ModelDownload* download);  // state or progress
    void finished(ModelDownload* download); // the model file is in place
    void failed(ModelDownload* download, const QString& message);

private:
    ModelDownload* create(const DownloadSpec& spec);
    void startNext();

    QNetworkAccessManager* m_network;
    QVector<ModelDownload*> m_downloads;
    QVector<ModelDownload*> m_waiting;
    std::function<QString()> m_token;
    std::function<qint64(const QString&)> m_freeSpace;
    QString m_endpoint;
    int m_retries = 6;
    int m_firstDelayMs = 1000;
};

} // namespace kmlm::core
