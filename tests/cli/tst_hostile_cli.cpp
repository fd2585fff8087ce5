// Hostile input to the kmlm commands: models whose chat template attacks the interpreter (the
// answer still comes, in the built-in format, with a warning naming the file), junk model
// files of 1 GB (rejected by their header, never read whole), directories given as files,
// out-of-range sampling options (usage errors), and perplexity's context clamped to the
// model's. Every run's peak memory stays far under the 3 GB ceiling.
#include "hostile_templates.h"
#include "kmlm_test.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <sys/resource.h>

namespace {

// The highest resident memory of any kmlm run so far (waited-for children), in bytes.
quint64 childrenPeakRss() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return quint64(usage.ru_maxrss) * 1024;
}

constexpr quint64 kPeakLimit = 1ull << 30; // a third of the default ceiling

} // namespace

class TestHostileCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_; // a well-behaved model with a 32-token context

    QString writeFile(const QString& name, const QByteArray& head, qint64 size = 0) {
        QFile f(dir_.filePath(name));
        if (!f.open(QIODevice::WriteOnly)) return {};
        f.write(head);
        if (size > 0) f.resize(size); // sparse: the test takes no disk space for it
        return f.fileName();
    }

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("ctx32.gguf");
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"make-random", "--ctx", "32", model_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    // 1 GB files whose first bytes already say they are no model: refused at once.
    void junkModelFiles_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("message");
        QTest::newRow("binary, zero config length") << "zero.bin" << QByteArray(4, '\0') << QStringList{} << "config is not valid JSON";
        QTest::newRow("binary, config beyond the end") << "far.bin" << QByteArray("\xff\xff\xff\x7f") << QStringList{} << "beyond the end";
        QTest::newRow("binary, config too long")
            << "long.bin" << QByteArray("\x00\x00\x00\x10", 4) << QStringList{} << "more than a config takes";
        QTest::newRow("JSON, junk") << "junk.json" << QByteArray("{xxxx") << QStringList{"--mem-limit", "none"} << "not valid JSON";
        QTest::newRow("JSON, over the ceiling") << "big.json" << QByteArray("{\"config\": ") << QStringList{} << "memory";
    }
    void junkModelFiles() {
        QFETCH(QString, name);
        QFETCH(QByteArray, head);
        QFETCH(QStringList, extra);
        QFETCH(QString, message);
        const QString path = writeFile(name, head, 1ll << 30);
        QVERIFY(!path.isEmpty());
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(QStringList{"run", "-m", path, "-p", "x"} + extra);
        QVERIFY2(r.code == 3 || r.code == 4, qPrintable(r.err));
        QVERIFY2(r.err.contains(message, Qt::CaseInsensitive), qPrintable(r.err));
        // Not read whole (these run first, after one small make-random).
        QVERIFY2(childrenPeakRss() < 256ull << 20, qPrintable(QString::number(childrenPeakRss())));
        QFile::remove(path);
    }

    void hostileTemplate_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("body");
        for (const auto& [name, body] : kmlm_test::hostileTemplates())
            QTest::newRow(name.c_str()) << QString::fromStdString(name) << QString::fromStdString(body);
    }
    void hostileTemplate() {
        QFETCH(QString, name);
        QFETCH(QString, body);
        const QString tmpl = writeFile(name + ".jinja", body.toUtf8());
        const QString model = dir_.filePath(name + ".gguf");
        const kmlm_test::KmlmRun made = kmlm_test::runKmlm({"make-random", "--chat-template-file", tmpl, model});
        QVERIFY2(made.code == 0, qPrintable(made.err));
        const QString warning = "warning: the chat template of " + model + " cannot be used";

        const kmlm_test::KmlmRun run =
            kmlm_test::runKmlm({"run", "--chat", "-m", model, "-n", "4", "--seed", "1", "--stats"}, "안녕하세요");
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(warning), qPrintable(run.err));
        QVERIFY(run.err.contains("using the built-in chatml format"));
        QVERIFY(run.err.contains("prompt tokens")); // the answer was generated

        const kmlm_test::KmlmRun chat = kmlm_test::runKmlm({"chat", "-m", model, "-n", "3", "--stats"}, "안녕\n또 만나\n/exit\n");
        QVERIFY2(chat.code == 0, qPrintable(chat.err));
        QCOMPARE(chat.err.count(warning), 1); // once, not at every message
        QCOMPARE(chat.err.count("prompt tokens"), 2);
        QVERIFY2(childrenPeakRss() < kPeakLimit, qPrintable(QString::number(childrenPeakRss())));
    }

    void directories_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("run -m") << QStringList{"run", "-m", "DIR", "-p", "x"};
        QTest::newRow("info -m") << QStringList{"info", "-m", "DIR"};
        QTest::newRow("perplexity -f") << QStringList{"perplexity", "-m", "MODEL", "-f", "DIR"};
    }
    void directories() {
        QFETCH(QStringList, args);
        args.replaceInStrings("DIR", dir_.path());
        args.replaceInStrings("MODEL", model_);
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(dir_.path() + " is a directory"), qPrintable(r.err));
    }

    void badSamplingOptions_data() {
        QTest::addColumn<QStringList>("option");
        QTest::newRow("-n -5") << QStringList{"-n", "-5"};
        QTest::newRow("-n 0") << QStringList{"-n", "0"};
        QTest::newRow("--temp -1") << QStringList{"--temp", "-1"};
        QTest::newRow("--temp inf") << QStringList{"--temp", "inf"};
        QTest::newRow("--top-p nan") << QStringList{"--top-p", "nan"};
        QTest::newRow("--top-p 1.5") << QStringList{"--top-p", "1.5"};
        QTest::newRow("--top-k -1") << QStringList{"--top-k", "-1"};
        QTest::newRow("--min-p 2") << QStringList{"--min-p", "2"};
        QTest::newRow("--repeat-penalty 0") << QStringList{"--repeat-penalty", "0"};
        QTest::newRow("--repeat-last-n -3") << QStringList{"--repeat-last-n", "-3"};
        QTest::newRow("--presence-penalty nan") << QStringList{"--presence-penalty", "nan"};
    }
    void badSamplingOptions() {
        QFETCH(QStringList, option);
        for (const QString& command : {QStringLiteral("run"), QStringLiteral("chat")}) {
            const kmlm_test::KmlmRun r = kmlm_test::runKmlm(QStringList{command, "-m", model_, "-p", "x"} + option);
            QVERIFY2(r.code == 2, qPrintable(command + ": " + r.err));
            QVERIFY2(r.err.contains("not in range"), qPrintable(r.err));
        }
    }

    // The default --ctx 2048 is longer than the model's 32: clamped, as run does.
    void perplexityClampsTheContext() {
        QByteArray text;
        for (int i = 0; i < 40; ++i) text += "오늘 날씨가 맑아서 공원에 산책을 나갔다. ";
        const QString file = writeFile("text.txt", text);
        const kmlm_test::KmlmRun r = kmlm_test::runKmlm({"perplexity", "-m", model_, "-f", file});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("chunks of 32"));
    }
};

QTEST_GUILESS_MAIN(TestHostileCli)
#include "tst_hostile_cli.moc"
