// Chat import files from fuzz/regressions/chat_import (inputs that once broke the importer,
// such as ids beyond the range of an integer): refused with a message, nothing written.
#include "kmlm_test.h"

#include "chatimport.h"
#include "chatstore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace kmlm::core;

class TestChatImportFuzz : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void refused_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(QStringLiteral(KMLM_SOURCE_DIR "/fuzz/regressions/chat_import"));
        for (const QFileInfo& f : dir.entryInfoList(QDir::Files)) QTest::newRow(qPrintable(f.fileName())) << f.filePath();
    }
    void refused() {
        QFETCH(QString, file);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTemporaryDir dir;
        ChatStore store;
        QVERIFY2(store.open(dir.filePath(QStringLiteral("chats.sqlite"))), qPrintable(store.errorString()));
        QCOMPARE(ChatImporter(store).importJson(f.readAll()), qint64(0));
        QVERIFY(!store.errorString().isEmpty());
        QVERIFY(store.conversations().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestChatImportFuzz)
#include "tst_chat_import_fuzz.moc"
