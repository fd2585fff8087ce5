// A loopback HTTP client (Qt Network) for the desktop app's API server in tests.
#pragma once
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

namespace kmlm_test {

inline QNetworkRequest apiRequest(int port, const QString& path, const QString& key = {}) {
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/v1%2").arg(port).arg(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (!key.isEmpty()) request.setRawHeader("Authorization", "Bearer " + key.toUtf8());
    return request;
}

// POSTs body (a JSON object) to path; the reply streams as it comes.
inline QNetworkReply* postApi(QNetworkAccessManager& network, int port, const QString& path, const QJsonObject& body,
                              const QString& key = {}) {
    return network.post(apiRequest(port, path, key), QJsonDocument(body).toJson(QJsonDocument::Compact));
}

// Waits for reply to finish (up to timeoutMs) and returns its whole body.
inline QByteArray waitReply(QNetworkReply* reply, int timeoutMs = 60000) {
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return reply->readAll();
}

inline int httpStatus(const QNetworkReply* reply) { return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(); }

} // namespace kmlm_test
