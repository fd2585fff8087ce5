// Raw HTTP requests from fuzz/regressions/http (hand-made attacks on the server's request
// handling, and any input that ever broke fuzz_http) go to an in-process HttpServer through
// the fuzz target's own exchange (fuzz/http_target.h). Each gets an HTTP answer or a closed
// connection, never a server error, and the server answers /health afterwards. A file named
// "NNN-..." must get status NNN.
#include "kmlm_test.h"

#include "http_target.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace {

// The status of the first response, or 0 when the server closed without answering.
int status(const std::string& reply) {
    static const QRegularExpression line(QStringLiteral("^HTTP/1\\.[01] (\\d{3}) "));
    const QRegularExpressionMatch m = line.match(QString::fromLatin1(reply.substr(0, 64).c_str()));
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

std::string exchange(const QByteArray& bytes) {
    return kmlm::fuzz::http_exchange(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
}

} // namespace

class TestHttpFuzzRegressions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void replay_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(QStringLiteral(KMLM_SOURCE_DIR "/fuzz/regressions/http"));
        const QFileInfoList files = dir.entryInfoList(QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QFileInfo& f : files) QTest::newRow(qPrintable(f.fileName())) << f.filePath();
    }
    void replay() {
        QFETCH(QString, file);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::string reply = exchange(f.readAll());
        const int code = status(reply);
        QVERIFY2(reply.empty() || code != 0, reply.substr(0, 200).c_str());
        QVERIFY2(code < 500, reply.substr(0, 400).c_str());
        static const QRegularExpression expected(QStringLiteral("^(\\d{3})-"));
        const QRegularExpressionMatch m = expected.match(QFileInfo(file).fileName());
        if (m.hasMatch()) QCOMPARE(code, m.captured(1).toInt());
        QCOMPARE(status(exchange("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")), 200);
    }

    // The seeds' kind of request works end to end through the echo backend.
    void echoesAChat() {
        const std::string body = R"({"messages":[{"role":"user","content":"안녕하세요"}],"max_tokens":4})";
        const std::string reply = exchange(QByteArray::fromStdString(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + std::string(kmlm::fuzz::kHttpFuzzKey) +
            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body));
        QCOMPARE(status(reply), 200);
        QVERIFY2(reply.find("안녕하세요") != std::string::npos, reply.c_str());
    }
};

QTEST_GUILESS_MAIN(TestHttpFuzzRegressions)
#include "tst_http_fuzz_regressions.moc"
