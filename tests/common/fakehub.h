// A loopback HTTP server that answers like the Hugging Face hub, for download tests without
// the internet: HEAD/GET {repo}/resolve/main/{file} give 302 to a content URL with
// x-linked-size and x-linked-etag (the SHA-256), the content URL honours Range (206), and it
// can throttle, drop the connection mid-body, send wrong bytes, answer 404, or want a token
// (401). Every request is logged. Runs on the test's event loop (QTcpServer).
#pragma once
#include <QCryptographicHash>
#include <QHostAddress>
#include <QMap>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QVector>

#include <memory>

class FakeHub {
public:
    struct File {
        QByteArray content;
        QString token;        // non-empty: requests need "Authorization: Bearer <token>"
        bool corrupt = false; // serves bytes that do not match the advertised SHA-256
    };
    struct Request {
        QByteArray method, path, range, authorization;
    };

    int throttleBytes = 0; // > 0: this many body bytes per tick
    int throttleTickMs = 10;
    int dropAfterBytes = -1;  // >= 0: the next GETs of content close after this many body bytes
    int drops = 0;            // how many GETs to drop (then it serves normally)
    bool ignoreRange = false; // answer 200 with the whole file to a Range request

    FakeHub() {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) accept(s);
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    File& addFile(const QString& repo, const QString& name, const QByteArray& content) {
        File& f = m_files[repo + QLatin1Char('/') + name];
        f.content = content;
        return f;
    }
    static QString sha256(const QByteArray& data) {
        return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    }
    QVector<Request> requests() const { return m_requests; }
    QVector<Request> gets() const {
        QVector<Request> r;
        for (const Request& q : m_requests)
            if (q.method == "GET") r << q;
        return r;
    }

private:
    struct Connection {
        QPointer<QTcpSocket> socket;
        QByteArray buffer;
        QByteArray body;
        qint64 sent = 0;
        qint64 dropAt = -1;
        std::unique_ptr<QTimer> timer;
    };

    void accept(QTcpSocket* socket) {
        auto c = std::make_shared<Connection>();
        c->socket = socket;
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, c] {
            if (!c->socket || !c->body.isEmpty() || c->buffer.contains("\r\n\r\n")) return;
            c->buffer += c->socket->readAll();
            if (c->buffer.contains("\r\n\r\n")) respond(c);
        });
    }

    static QByteArray header(const QList<QByteArray>& lines, const QByteArray& name) {
        for (const QByteArray& l : lines) {
            const int colon = l.indexOf(':');
            if (colon > 0 && l.left(colon).trimmed().toLower() == name) return l.mid(colon + 1).trimmed();
        }
        return {};
    }

    void respond(const std::shared_ptr<Connection>& c) {
        const QList<QByteArray> lines = c->buffer.left(c->buffer.indexOf("\r\n\r\n")).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        Request r{first.value(0), first.value(1), header(lines, "range"), header(lines, "authorization")};
        m_requests << r;
        const bool head = r.method == "HEAD";
        const QByteArray resolve = "/resolve/main/";
        if (r.path.startsWith("/content/")) {
            serveContent(c, QString::fromUtf8(QByteArray::fromPercentEncoding(r.path.mid(9))), r, head);
            return;
        }
        const int at = r.path.indexOf(resolve);
        const QString key =
            at > 0 ? QString::fromUtf8(QByteArray::fromPercentEncoding(r.path.mid(1, at - 1) + '/' + r.path.mid(at + resolve.size())))
                   : QString();
        if (!m_files.contains(key)) {
            send(c, "404 Not Found", {"X-Error-Code: EntryNotFound"}, "Entry not found", head);
            return;
        }
        const File& f = m_files[key];
        if (!f.token.isEmpty() && r.authorization != "Bearer " + f.token.toUtf8()) {
            send(c, "401 Unauthorized", {"X-Error-Code: GatedRepo"}, "Access to this model is restricted", head);
            return;
        }
        const QByteArray sha = sha256(f.content).toLatin1();
        send(c, "302 Found",
             {"Location: " + endpoint().toUtf8() + "/content/" + QUrl::toPercentEncoding(key, "/"),
              "x-linked-size: " + QByteArray::number(f.content.size()), "x-linked-etag: \"" + sha + "\"", "ETag: \"0123456789abcdef\""},
             {}, head);
    }

    void serveContent(const std::shared_ptr<Connection>& c, const QString& key, const Request& r, bool head) {
        if (!m_files.contains(key)) {
            send(c, "404 Not Found", {}, {}, head);
            return;
        }
        QByteArray content = m_files[key].content;
        if (m_files[key].corrupt)
            for (int i = 0; i < content.size(); i += 4096) content[i] = char(content[i] ^ 0x5a);
        const qint64 size = content.size();
        qint64 from = 0;
        if (r.range.startsWith("bytes=") && !ignoreRange) from = r.range.mid(6, r.range.indexOf('-') - 6).toLongLong();
        if (from >= size && size > 0) {
            send(c, "416 Range Not Satisfiable", {"Content-Range: bytes */" + QByteArray::number(size)}, {}, head);
            return;
        }
        QList<QByteArray> headers{"Accept-Ranges: bytes", "ETag: \"" + sha256(m_files[key].content).toLatin1() + "\""};
        const bool partial = from > 0;
        if (partial)
            headers << "Content-Range: bytes " + QByteArray::number(from) + '-' + QByteArray::number(size - 1) + '/' +
                           QByteArray::number(size);
        if (!head && drops > 0 && dropAfterBytes >= 0) {
            --drops;
            c->dropAt = dropAfterBytes;
        }
        send(c, partial ? "206 Partial Content" : "200 OK", headers, content.mid(int(from)), head);
    }

    void send(const std::shared_ptr<Connection>& c, const QByteArray& status, const QList<QByteArray>& headers, const QByteArray& body,
              bool head) {
        QByteArray out = "HTTP/1.1 " + status + "\r\n";
        for (const QByteArray& h : headers) out += h + "\r\n";
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n";
        c->socket->write(out);
        c->body = head ? QByteArray() : body;
        if (c->body.isEmpty()) {
            c->socket->disconnectFromHost();
            return;
        }
        c->timer = std::make_unique<QTimer>();
        QObject::connect(c->timer.get(), &QTimer::timeout, c->socket, [this, c] { pump(c); });
        c->timer->start(throttleBytes > 0 ? throttleTickMs : 0);
    }

    // Writes the next piece of the body; closes after the last one or at the drop point.
    void pump(const std::shared_ptr<Connection>& c) {
        if (!c->socket || c->socket->state() != QAbstractSocket::ConnectedState) {
            c->timer->stop();
            return;
        }
        if (c->socket->bytesToWrite() > (1 << 20)) return; // let the client read
        qint64 n = throttleBytes > 0 ? throttleBytes : (256 << 10);
        n = qMin(n, c->body.size() - c->sent);
        if (c->dropAt >= 0) n = qMin(n, c->dropAt - c->sent);
        c->socket->write(c->body.constData() + c->sent, n);
        c->sent += n;
        if (c->sent >= c->body.size() || (c->dropAt >= 0 && c->sent >= c->dropAt)) {
            c->timer->stop();
            c->socket->disconnectFromHost();
        }
    }

    QTcpServer m_server;
    QMap<QString, File> m_files;
    QVector<Request> m_requests;
};
