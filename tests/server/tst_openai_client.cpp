// The official OpenAI client (npm "openai", run by Node.js) against kmlm serve: model list,
// chat, streamed chat, the same text streamed and not, abort mid-stream, malformed JSON, six
// concurrent chats, legacy completions. Skips when Node.js or the installed package is
// absent (scripts/install-server-test-deps.sh installs it).
#include "serve_process.h"

#include <QStandardPaths>

class TestOpenAiClient : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    kmlm_test::ServeProcess server_;
    QString node_;
    const QString script_ = QStringLiteral(KMLM_NODE_TESTS "/openai_test.mjs");

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        node_ = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node_.isEmpty()) QSKIP("Node.js is not installed: skipped");
        if (!QFileInfo::exists(QStringLiteral(KMLM_NODE_TESTS "/node_modules/openai/package.json")))
            QSKIP("the openai package is not installed (scripts/install-server-test-deps.sh): skipped");
        QVERIFY(dir_.isValid());
        const QString model = kmlm_test::makeTinyModel(dir_);
        QVERIFY(!model.isEmpty());
        QVERIFY2(server_.start(model, {"--api-key", "node-key", "--parallel", "2", "--queue", "8"}), qPrintable(server_.log()));
    }

    void officialClient() {
        QProcess node;
        node.setProcessChannelMode(QProcess::MergedChannels);
        node.start(node_, {script_, server_.baseUrl(), "node-key", "tiny"});
        QVERIFY(node.waitForStarted());
        QVERIFY2(node.waitForFinished(300000), "the client script did not finish in 5 minutes");
        const QString out = QString::fromUtf8(node.readAll());
        qInfo().noquote() << out;
        QCOMPARE(node.exitStatus(), QProcess::NormalExit);
        QVERIFY2(node.exitCode() == 0, qPrintable(out + server_.log()));
        for (const char* name : {"modelList", "chat", "streamedChat", "sameTextStreamedAndNot", "abortMidStream", "malformedJson",
                                 "wrongKey", "sixConcurrentChats", "legacyCompletions"})
            QVERIFY2(out.contains(QStringLiteral("ok %1\n").arg(QLatin1String(name))), name);
        QVERIFY(server_.waitForLog("cancelled: the client went away"));
    }

    void cleanupTestCase() { server_.stop(); }
};

QTEST_GUILESS_MAIN(TestOpenAiClient)
#include "tst_openai_client.moc"
