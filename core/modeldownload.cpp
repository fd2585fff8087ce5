#include "modeldownload.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QTimer>

#include <cstdio>

namespace kmlm::core {

namespace {

constexpr int kMaxHeadHops = 5;        // relative redirects of a renamed repository
constexpr int kStallTimeoutMs = 60000; // no byte for this long: treat as a dropped connection
constexpr int kMaxDelayMs = 60000;
constexpr qint64 kHashChunk = 4 << 20;

QString cleanEtag(QString etag) {
    etag = etag.trimmed();
    if (etag.startsWith(QStringLiteral("W/"))) etag = etag.mid(2);
    if (etag.size() >= 2 && etag.startsWith(QLatin1Char('"')) && etag.endsWith(QLatin1Char('"'))) etag = etag.mid(1, etag.size() - 2);
    return etag.toLower();
}

bool isSha256(const QString& s) {
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
    return re.match(s).hasMatch();
}

QString humanBytes(quint64 bytes) {
    const double b = double(bytes);
    if (b >= 1e9) return QStringLiteral("%1 GB").arg(b / 1e9, 0, 'f', 2);
    if (b >= 1e6) return QStringLiteral("%1 MB").arg(b / 1e6, 0, 'f', 1);
    return QStringLiteral("%1 KB").arg(b / 1e3, 0, 'f', 0);
}

} // namespace

ModelDownload::ModelDownload(const DownloadSpec& spec, QNetworkAccessManager* network, QObject* parent)
    : QObject(parent), m_spec(spec), m_network(network), m_endpoint(defaultEndpoint()), m_freeSpace(availableSpace),
      m_retryTimer(new QTimer(this)) {
    m_retryTimer->setSingleShot(true);
    m_received = quint64(qMax<qint64>(0, QFileInfo(partPath()).size())); // a part file of an earlier run
    connect(m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_contentUrl.isValid() && m_total > 0)
            sendGet();
        else
            sendHead();
    });
}

ModelDownload::~ModelDownload() { stopReply(); }

QString ModelDownload::defaultEndpoint() {
    const QString env = qEnvironmentVariable("HF_ENDPOINT").trimmed();
    QString e = env.isEmpty() ? QStringLiteral("https://huggingface.co") : env;
    while (e.endsWith(QLatin1Char('/'))) e.chop(1);
    return e;
}

QUrl ModelDownload::resolveUrl(const QString& endpoint, const QString& repo, const QString& file) {
    QString e = endpoint;
    while (e.endsWith(QLatin1Char('/'))) e.chop(1);
    QUrl url(e + QLatin1Char('/') + repo + QStringLiteral("/resolve/main/") + file);
    return url;
}

QString ModelDownload::targetPath(const QString& folder, const QString& file) { return QDir(folder).filePath(QFileInfo(file).fileName()); }

qint64 ModelDownload::availableSpace(const QString& folder) {
    QString path = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    while (!QFileInfo::exists(path) && QFileInfo(path).path() != path) path = QFileInfo(path).path();
    QStorageInfo info(path);
    return info.isValid() ? info.bytesAvailable() : -1;
}

qint64 ModelDownload::secondsLeft() const {
    if (m_rate <= 0 || total() == 0 || m_received >= total()) return -1;
    return qint64(double(total() - m_received) / m_rate + 0.5);
}

void ModelDownload::setState(State state) {
    if (m_state == state) return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void ModelDownload::fail(const QString& message) {
    stopReply();
    m_retryTimer->stop();
    if (m_part.isOpen()) m_part.close();
    m_error = message;
    setState(State::Failed);
}

void ModelDownload::start() {
    if (isActive()) return;
    if (QFileInfo(m_spec.file).fileName().isEmpty() || m_spec.file.contains(QStringLiteral(".."))) {
        fail(tr("%1 is not a file name in a repository.").arg(m_spec.file));
        return;
    }
    m_error.clear();
    m_attempt = 0;
    m_contentUrl.clear();
    m_total = 0;
    setState(State::Connecting);
    sendHead();
}

void ModelDownload::pause() {
    if (isDone() || m_state == State::Paused) return;
    stopReply();
    m_retryTimer->stop();
    if (m_part.isOpen()) m_part.close();
    m_rate = 0;
    setState(State::Paused);
}

void ModelDownload::cancel() {
    if (isDone()) return;
    stopReply();
    m_retryTimer->stop();
    if (m_part.isOpen()) m_part.close();
    removePart();
    m_received = 0;
    m_rate = 0;
    setState(State::Cancelled);
}

void ModelDownload::stopReply() {
    if (!m_reply) return;
    QNetworkReply* reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
}

// The token is for the hub only: a redirect to a content host (a CDN) goes without it.
static void addHeaders(QNetworkRequest& request, const QString& endpoint, const QString& token) {
    request.setRawHeader("User-Agent", QByteArrayLiteral("korean-mini-lm/" KMLM_VERSION_STRING));
    request.setRawHeader("Accept-Encoding", "identity"); // byte ranges of the file itself, never gzip
    if (!token.isEmpty() && request.url().host() == QUrl(endpoint).host())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
}

void ModelDownload::sendHead() {
    setState(State::Connecting);
    QNetworkRequest request(resolveUrl(m_endpoint, m_spec.repo, m_spec.file));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    addHeaders(request, m_endpoint, m_token);
    stopReply();
    m_reply = m_network->head(request);
    m_reply->setProperty("hops", 0);
    connect(m_reply, &QNetworkReply::finished, this, &ModelDownload::onHeadFinished);
}

QString ModelDownload::httpError(int status) const {
    const QString where = m_spec.repo + QLatin1Char('/') + m_spec.file;
    if (status == 404)
        return tr("%1 was not found on Hugging Face: the file has moved or was removed. A newer model catalog may "
                  "know where it is now.")
            .arg(where);
    if (status == 401)
        return m_token.isEmpty() ? tr("%1 needs a Hugging Face token: this is a gated model. Accept its license on the model's page, "
                                      "create a token and enter it in the settings (Engine page).")
                                       .arg(m_spec.repo)
                                 : tr("Hugging Face refused the token for %1: it is invalid or expired.").arg(m_spec.repo);
    if (status == 403)
        return tr("Access to %1 was refused: accept the model's license on its Hugging Face page with the account of "
                  "your token.")
            .arg(m_spec.repo);
    return tr("Hugging Face answered HTTP %1 for %2.").arg(status).arg(where);
}

void ModelDownload::onHeadFinished() {
    QNetworkReply* reply = m_reply;
    if (!reply) return;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        retryLater(tr("Cannot reach %1: %2").arg(reply->url().host(), reply->errorString()));
        return;
    }
    if (status >= 500) {
        retryLater(tr("Hugging Face answered HTTP %1").arg(status));
        return;
    }
    if (status >= 400) {
        fail(httpError(status));
        return;
    }
    const QByteArray linkedSize = reply->rawHeader("x-linked-size");
    const QByteArray linkedEtag = reply->rawHeader("x-linked-etag");
    QUrl next = reply->url();
    if (status >= 300 && status < 400) {
        const QUrl location = QUrl(QString::fromUtf8(reply->rawHeader("Location")));
        if (location.isEmpty()) {
            fail(tr("Hugging Face redirected %1 nowhere.").arg(m_spec.file));
            return;
        }
        next = reply->url().resolved(location);
        // A renamed repository redirects to its new resolve URL on the hub itself.
        if (linkedSize.isEmpty() && location.isRelative()) {
            const int hops = reply->property("hops").toInt() + 1;
            if (hops > kMaxHeadHops) {
                fail(tr("Too many redirects for %1.").arg(m_spec.file));
                return;
            }
            QNetworkRequest request(next);
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
            addHeaders(request, m_endpoint, m_token);
            m_reply = m_network->head(request);
            m_reply->setProperty("hops", hops);
            connect(m_reply, &QNetworkReply::finished, this, &ModelDownload::onHeadFinished);
            return;
        }
    }
    bool ok = false;
    m_total = linkedSize.isEmpty() ? 0 : linkedSize.toULongLong(&ok);
    if (!ok) m_total = reply->header(QNetworkRequest::ContentLengthHeader).toULongLong();
    const QString etag = cleanEtag(QString::fromLatin1(linkedEtag.isEmpty() ? reply->rawHeader("ETag") : linkedEtag));
    m_sha256 = isSha256(etag) ? etag : m_spec.sha256.toLower();
    if (m_total == 0) {
        fail(tr("Hugging Face gave no size for %1.").arg(m_spec.file));
        return;
    }
    m_contentUrl = next;

    if (QFileInfo(targetPath()).size() == qint64(m_total)) {
        removePart();
        m_received = m_total;
        Q_EMIT message(tr("%1 is already in the models folder.").arg(QFileInfo(targetPath()).fileName()));
        setState(State::Finished);
        return;
    }
    // A part file of the same file and hash (an earlier run) is resumed; anything else restarts.
    QString partSha;
    quint64 partSize = 0;
    if (!readMeta(&partSha, &partSize) || partSha != m_sha256 || partSize != m_total) removePart();
    if (!writeMeta()) {
        fail(tr("Cannot write to the models folder %1.").arg(QDir::toNativeSeparators(m_spec.folder)));
        return;
    }
    const quint64 have = quint64(qMax<qint64>(0, QFileInfo(partPath()).size()));
    const qint64 free = m_freeSpace(m_spec.folder);
    if (have < m_total && free >= 0 && quint64(free) < m_total - have) {
        fail(tr("Not enough disk space in %1: the download needs %2, %3 are free.")
                 .arg(QDir::toNativeSeparators(m_spec.folder), humanBytes(m_total - have), humanBytes(quint64(free))));
        return;
    }
    if (!openPart()) return;
    sendGet();
}

bool ModelDownload::openPart() {
    if (m_part.isOpen()) m_part.close();
    m_part.setFileName(partPath());
    if (!m_part.open(QIODevice::ReadWrite)) {
        fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(partPath()), m_part.errorString()));
        return false;
    }
    // The hash goes over the whole file: what an earlier run wrote is read once more.
    m_hash = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256);
    m_part.seek(0);
    while (!m_part.atEnd()) {
        const QByteArray chunk = m_part.read(kHashChunk);
        if (chunk.isEmpty()) break;
        m_hash->addData(chunk);
    }
    m_received = quint64(m_part.size());
    if (m_received > m_total) { // not this file: start over
        m_part.resize(0);
        m_hash->reset();
        m_received = 0;
    }
    m_part.seek(qint64(m_received));
    return true;
}

void ModelDownload::sendGet() {
    if (m_received >= m_total) {
        finishFile();
        return;
    }
    if (!m_part.isOpen() && !openPart()) return;
    setState(State::Downloading);
    QNetworkRequest request(m_contentUrl);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kStallTimeoutMs);
    addHeaders(request, m_endpoint, m_token);
    if (m_received > 0) request.setRawHeader("Range", "bytes=" + QByteArray::number(m_received) + '-');
    stopReply();
    m_reply = m_network->get(request);
    m_reply->setProperty("checked", false);
    m_rateClock.start();
    m_rateBytes = m_received;
    connect(m_reply, &QNetworkReply::readyRead, this, &ModelDownload::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &ModelDownload::onGetFinished);
}

void ModelDownload::onReadyRead() {
    QNetworkReply* reply = m_reply;
    if (!reply) return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200 && status != 206) return; // the error is handled when it finishes
    if (!reply->property("checked").toBool()) {
        reply->setProperty("checked", true);
        // A server that ignores Range sends the whole file: start the part over.
        const QByteArray range = reply->rawHeader("Content-Range");
        const bool resumed = status == 206 && range.startsWith("bytes " + QByteArray::number(m_received) + '-');
        if (!resumed && m_received > 0) {
            if (status == 206) {
                stopReply();
                retryLater(tr("The server sent the wrong part of the file"));
                return;
            }
            m_part.resize(0);
            m_part.seek(0);
            m_hash->reset();
            m_received = 0;
        }
    }
    const QByteArray data = reply->readAll();
    if (data.isEmpty()) return;
    if (m_received + quint64(data.size()) > m_total) {
        removePart();
        fail(tr("Hugging Face sent more than the %1 bytes of %2.").arg(m_total).arg(m_spec.file));
        return;
    }
    if (m_part.write(data) != data.size()) {
        fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(partPath()), m_part.errorString()));
        return;
    }
    m_hash->addData(data);
    m_received += quint64(data.size());
    m_attempt = 0; // progress: the next failure starts the backoff afresh
    updateRate();
    Q_EMIT progress(m_received, m_total);
}

void ModelDownload::updateRate() {
    const qint64 ms = m_rateClock.elapsed();
    if (ms < 500) return;
    const double now = double(m_received - m_rateBytes) * 1000.0 / double(ms);
    m_rate = m_rate <= 0 ? now : 0.7 * m_rate + 0.3 * now;
    m_rateClock.restart();
    m_rateBytes = m_received;
}

void ModelDownload::onGetFinished() {
    QNetworkReply* reply = m_reply;
    if (!reply) return;
    onReadyRead();        // whatever is still buffered
    if (!m_reply) return; // that failed or restarted
    m_reply = nullptr;
    reply->deleteLater();
    m_part.flush();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 416 && m_received >= m_total) {
        finishFile();
        return;
    }
    if (status >= 400 && status < 500) {
        fail(httpError(status));
        return;
    }
    if (status >= 500) {
        retryLater(tr("Hugging Face answered HTTP %1").arg(status));
        return;
    }
    if (m_received < m_total) {
        const QString why = reply->error() != QNetworkReply::NoError ? reply->errorString() : tr("the connection closed early");
        retryLater(tr("Download interrupted at %1 of %2 (%3)").arg(humanBytes(m_received), humanBytes(m_total), why));
        return;
    }
    finishFile();
}

void ModelDownload::retryLater(const QString& reason) {
    ++m_attempt;
    if (m_attempt > m_maxRetries) {
        fail(tr("%1. Gave up after %2 attempts; the part downloaded so far is kept, start again to resume.").arg(reason).arg(m_attempt));
        return;
    }
    const int delay = qMin(kMaxDelayMs, m_firstDelayMs << qMin(m_attempt - 1, 16));
    Q_EMIT message(tr("%1; retrying in %2 s.").arg(reason).arg(delay / 1000.0, 0, 'f', delay < 1000 ? 1 : 0));
    m_rate = 0;
    setState(State::Connecting);
    m_retryTimer->start(delay);
}

void ModelDownload::finishFile() {
    setState(State::Verifying);
    m_part.close();
    const QString actual = QString::fromLatin1(m_hash->result().toHex());
    if (!m_sha256.isEmpty() && actual != m_sha256) {
        removePart();
        m_received = 0;
        fail(tr("The downloaded %1 is damaged (its SHA-256 is %2, Hugging Face says %3). It was deleted; try again.")
                 .arg(m_spec.file, actual, m_sha256));
        return;
    }
    m_verified = !m_sha256.isEmpty();
    // rename(2) replaces the target in one step: no half-written model file is ever visible.
    if (std::rename(QFile::encodeName(partPath()).constData(), QFile::encodeName(targetPath()).constData()) != 0) {
        fail(tr("Cannot move %1 into place.").arg(QDir::toNativeSeparators(targetPath())));
        return;
    }
    QFile::remove(partPath() + QStringLiteral(".json"));
    setState(State::Finished);
}

bool ModelDownload::writeMeta() const {
    QDir().mkpath(m_spec.folder);
    QFile meta(partPath() + QStringLiteral(".json"));
    if (!meta.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    const QJsonObject o{{QStringLiteral("repo"), m_spec.repo},
                        {QStringLiteral("file"), m_spec.file},
                        {QStringLiteral("sha256"), m_sha256},
                        {QStringLiteral("size"), QString::number(m_total)}};
    return meta.write(QJsonDocument(o).toJson()) > 0;
}

bool ModelDownload::readMeta(QString* sha256, quint64* size) const {
    QFile meta(partPath() + QStringLiteral(".json"));
    if (!meta.open(QIODevice::ReadOnly)) return false;
    const QJsonObject o = QJsonDocument::fromJson(meta.read(1 << 16)).object();
    if (o.value(QStringLiteral("repo")).toString() != m_spec.repo || o.value(QStringLiteral("file")).toString() != m_spec.file)
        return false;
    *sha256 = o.value(QStringLiteral("sha256")).toString();
    *size = o.value(QStringLiteral("size")).toString().toULongLong();
    return true;
}

void ModelDownload::removePart() {
    if (m_part.isOpen()) m_part.close();
    QFile::remove(partPath());
    QFile::remove(partPath() + QStringLiteral(".json"));
}

} // namespace kmlm::core
