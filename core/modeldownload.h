// One model file from Hugging Face into the models folder, the way the hub's own client does
// it: HEAD on {endpoint}/{repo}/resolve/main/{file} without following the redirect reads the
// size and SHA-256 (x-linked-size, x-linked-etag), then a GET of the content URL writes
// <file>.part (with <file>.part.json saying which file and hash it belongs to) and hashes as
// it writes. A dropped connection resumes with Range after a backoff; a restarted program
// resumes the same part file (re-hashing what is there). Only a matching SHA-256 renames the
// part file to the model file, atomically; a mismatch deletes it. Pause keeps the part file,
// cancel deletes it. TLS certificates are checked (Qt's default, never switched off); the
// token goes only to the hub's own host and is never logged.
#pragma once
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace kmlm::core {

struct DownloadSpec {
    QString repo;         // "owner/name"
    QString file;         // file name in the repository
    QString folder;       // the models folder
    QString sha256;       // expected hash when the hub gives none (from the catalog); may be empty
    quint64 sizeHint = 0; // for display before the hub answered
};

class ModelDownload : public QObject {
    Q_OBJECT
public:
    enum class State { Queued, Connecting, Downloading, Verifying, Paused, Finished, Failed, Cancelled };
    Q_ENUM(State)

    ModelDownload(const DownloadSpec& spec, QNetworkAccessManager* network, QObject* parent = nullptr);
    ~ModelDownload() override;

    // $HF_ENDPOINT (as huggingface_hub reads it), else https://huggingface.co.
    static QString defaultEndpoint();
    static QUrl resolveUrl(const QString& endpoint, const QString& repo, const QString& file);
    // Where a finished download lands and where it is written meanwhile.
    static QString targetPath(const QString& folder, const QString& file);
    static QString partPath(const QString& folder, const QString& file) { return targetPath(folder, file) + QStringLiteral(".part"); }
    // Free bytes for a folder (its nearest existing parent when it does not exist yet); -1 unknown.
    static qint64 availableSpace(const QString& folder);

    void setEndpoint(const QString& endpoint) { m_endpoint = endpoint; }
    void setToken(const QString& token) { m_token = token; }
    // Free bytes of the folder's file system (tests inject one); default availableSpace().
    void setFreeSpaceFunction(std::function<qint64(const QString&)> f) { m_freeSpace = std::move(f); }
    // Attempts after a dropped connection or a server error, and the first wait (doubling).
    void setRetries(int retries, int firstDelayMs) {
        m_maxRetries = retries;
        m_firstDelayMs = firstDelayMs;
    }

    const DownloadSpec& spec() const { return m_spec; }
    State state() const { return m_state; }
    bool isActive() const { return m_state == State::Connecting || m_state == State::Downloading || m_state == State::Verifying; }
    bool isDone() const { return m_state == State::Finished || m_state == State::Failed || m_state == State::Cancelled; }
    QString errorString() const { return m_error; }
    quint64 received() const { return m_received; }
    quint64 total() const { return m_total ? m_total : m_spec.sizeHint; }
    double bytesPerSecond() const { return m_rate; }
    qint64 secondsLeft() const;                  // -1 while unknown
    bool verified() const { return m_verified; } // the SHA-256 was checked
    QString targetPath() const { return targetPath(m_spec.folder, m_spec.file); }
    QString partPath() const { return partPath(m_spec.folder, m_spec.file); }
    int attempts() const { return m_attempt; }

public Q_SLOTS:
    void start();  // also resumes after pause or a restart
    void pause();  // keeps the part file
    void cancel(); // deletes the part file

Q_SIGNALS:
    void stateChanged(ModelDownload::State state);
    void progress(quint64 received, quint64 total);
    void message(const QString& text); // retries and other news ("Connection lost; retrying in 2 s")

private:
    void setState(State state);
    void fail(const QString& message);
    void sendHead();
    void onHeadFinished();
    void sendGet();
    void onReadyRead();
    void onGetFinished();
    void retryLater(const QString& reason);
    bool openPart();
    bool writeMeta() const;
    bool readMeta(QString* sha256, quint64* size) const;
    void removePart();
    void finishFile();
    QString httpError(int status) const;
    void stopReply();
    void updateRate();

    DownloadSpec m_spec;
    QNetworkAccessManager* m_network;
    QString m_endpoint;
    QString m_token;
    std::function<qint64(const QString&)> m_freeSpace;
    int m_maxRetries = 6;
    int m_firstDelayMs = 1000;

    State m_state = State::Queued;
    QString m_error;
    QPointer<QNetworkReply> m_reply;
    QUrl m_contentUrl;
    QString m_sha256; // expected (hub or catalog), lower-case hex; empty: unknown
    bool m_verified = false;
    quint64 m_total = 0;
    quint64 m_received = 0;
    QFile m_part;
    std::unique_ptr<QCryptographicHash> m_hash;
    int m_attempt = 0; // consecutive failed attempts
    QTimer* m_retryTimer;
    QElapsedTimer m_rateClock;
    quint64 m_rateBytes = 0;
    double m_rate = 0;
};

} // namespace kmlm::core
