// Every input in fuzz/regressions/<target>/ that once crashed, hung or blew up a fuzz target
// (or was written to show a known attack) goes through that target again: it must come back
// normally, with the engine's error where the bytes are bad. The sanitizer build
// (scripts/test-sanitizers.sh) runs this too, so memory errors and undefined behaviour fail it.
#include "kmlm_test.h"

#include "targets.h"

#include "kmlm/chat_template.h"
#include "kmlm/error.h"
#include "kmlm/jinja.h"

#include <QDir>
#include <QFile>

Q_DECLARE_METATYPE(std::string)

class TestFuzzRegressions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void replay_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("file");
        const QDir root(QStringLiteral(KMLM_FUZZ_REGRESSIONS));
        int count = 0;
        for (const QString& target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (!kmlm::fuzz::engine_target(target.toStdString())) continue; // chat_import: tests/app
            for (const QFileInfo& f : QDir(root.filePath(target)).entryInfoList(QDir::Files)) {
                QTest::newRow(qPrintable(target + QLatin1Char('/') + f.fileName())) << target << f.filePath();
                ++count;
            }
        }
        QVERIFY(count > 0);
    }
    void replay() {
        QFETCH(QString, target);
        QFETCH(QString, file);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        kmlm::fuzz::engine_target(target.toStdString())(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    }

    // Each attack on the template interpreter ends in an error or renders; none takes the
    // chat path down, which then has a prompt (the template's, or the built-in format's).
    void templatesEndInAnErrorOrRender() {
        const QDir dir(QStringLiteral(KMLM_FUZZ_REGRESSIONS "/jinja"));
        const std::vector<kmlm::ChatMessage> messages = {{"user", "안녕"}};
        for (const QFileInfo& info : dir.entryInfoList(QDir::Files)) {
            QFile f(info.filePath());
            QVERIFY(f.open(QIODevice::ReadOnly));
            kmlm::ChatOptions o;
            o.chat_template = "{# <|im_start|> #}" + f.readAll().toStdString();
            const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
            QVERIFY2(p.from_template || !p.template_error.empty(), qPrintable(info.fileName()));
            if (!p.from_template) QCOMPARE(p.text, std::string("<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n"));
        }
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"
