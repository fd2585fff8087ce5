#include "downloadmanager.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>

namespace kmlm::core {

DownloadManager::DownloadManager(QObject* parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)), m_endpoint(ModelDownload::defaultEndpoint()) {}

ModelDownload* DownloadManager::find(const QString& repo, const QString& file) const {
    for (ModelDownload* d : m_downloads)
        if (d->spec().repo == repo && d->spec().file == file) return d;
    return nullptr;
}

ModelDownload* DownloadManager::create(const DownloadSpec& spec) {
    auto* d = new ModelDownload(spec, m_network, this);
    connect(d, &ModelDownload::progress, this, [this, d] { Q_EMIT changed(d); });
    connect(d, &ModelDownload::stateChanged, this, [this, d](ModelDownload::State state) {
        Q_EMIT changed(d);
        if (state == ModelDownload::State::Finished) Q_EMIT finished(d);
        if (state == ModelDownload::State::Failed) Q_EMIT failed(d, d->errorString());
        if (d->isDone() || state == ModelDownload::State::Paused) startNext();
    });
    m_downloads << d;
    Q_EMIT added(d);
    return d;
}

ModelDownload* DownloadManager::enqueue(const DownloadSpec& spec) {
    ModelDownload* d = find(spec.repo, spec.file);
    if (!d) d = create(spec);
    resume(d);
    return d;
}

void DownloadManager::resume(ModelDownload* d) {
    if (!d || d->isActive() || d->state() == ModelDownload::State::Finished || m_waiting.contains(d)) return;
    m_waiting << d;
    startNext();
}

void DownloadManager::remove(ModelDownload* d) {
    if (!m_downloads.contains(d)) return;
    m_waiting.removeAll(d);
    m_downloads.removeAll(d);
    d->disconnect(this);
    if (!d->isDone()) d->cancel();
    d->deleteLater();
    startNext();
}

void DownloadManager::startNext() {
    for (ModelDownload* d : m_downloads)
        if (d->isActive()) return;
    while (!m_waiting.isEmpty()) {
        ModelDownload* next = m_waiting.takeFirst();
        if (!m_downloads.contains(next)) continue;
        next->setEndpoint(m_endpoint);
        next->setToken(m_token ? m_token() : QString());
        if (m_freeSpace) next->setFreeSpaceFunction(m_freeSpace);
        next->setRetries(m_retries, m_firstDelayMs);
        next->start();
        return;
    }
}

void DownloadManager::restore(const QString& folder) {
    const QDir dir(folder);
    for (const QFileInfo& meta : dir.entryInfoList({QStringLiteral("*.part.json")}, QDir::Files)) {
        QFile f(meta.absoluteFilePath());
        if (!f.open(QIODevice::ReadOnly)) continue;
        const QJsonObject o = QJsonDocument::fromJson(f.read(1 << 16)).object();
        DownloadSpec spec;
        spec.repo = o.value(QStringLiteral("repo")).toString();
        spec.file = o.value(QStringLiteral("file")).toString();
        spec.folder = folder;
        spec.sha256 = o.value(QStringLiteral("sha256")).toString();
        spec.sizeHint = o.value(QStringLiteral("size")).toString().toULongLong();
        if (spec.repo.isEmpty() || spec.file.isEmpty() || find(spec.repo, spec.file)) continue;
        ModelDownload* d = create(spec);
        d->pause(); // listed as paused until the user (or the caller) resumes it
    }
}

} // namespace kmlm::core
