// Desktop integration files: the .desktop entry and the AppStream metadata pass the
// freedesktop validators, and they agree with each other and with the install rules.
#include "kmlm_test.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>

namespace {
const QString resources = QStringLiteral(KMLM_SOURCE_DIR "/resources");
const QString appId = QStringLiteral("io.github.kmlm.KoreanMiniLM");

// Runs a validator; skips when it is not installed (scripts/install-deps.sh installs both).
QString runTool(const QString& tool, const QStringList& args, int* exitCode) {
    if (QStandardPaths::findExecutable(tool).isEmpty()) return QStringLiteral("<missing>");
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(tool, args);
    p.waitForFinished(60000);
    *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return QString::fromUtf8(p.readAll());
}
} // namespace

class TestDesktopFiles : public QObject {
    Q_OBJECT
private slots:
    void desktopFileIsValid() {
        int rc = -1;
        const QString out = runTool(QStringLiteral("desktop-file-validate"), {resources + QStringLiteral("/korean-mini-lm.desktop")}, &rc);
        if (out == QLatin1String("<missing>")) QSKIP("desktop-file-validate is not installed (desktop-file-utils)");
        QVERIFY2(rc == 0 && !out.contains(QLatin1String("error")), qPrintable(out));
    }

    void appStreamIsValid() {
        int rc = -1;
        const QString out = runTool(QStringLiteral("appstreamcli"),
                                    {QStringLiteral("validate"), QStringLiteral("--no-net"),
                                     resources + QStringLiteral("/") + appId + QStringLiteral(".metainfo.xml")},
                                    &rc);
        if (out == QLatin1String("<missing>")) QSKIP("appstreamcli is not installed (appstream)");
        QVERIFY2(rc == 0, qPrintable(out));
    }

    void filesAgree() {
        QSettings desktop(resources + QStringLiteral("/korean-mini-lm.desktop"), QSettings::IniFormat);
        desktop.beginGroup(QStringLiteral("Desktop Entry"));
        QCOMPARE(desktop.value(QStringLiteral("Icon")).toString(), appId);
        QCOMPARE(desktop.value(QStringLiteral("Exec")).toString(), QStringLiteral("korean-mini-lm"));
        QFile meta(resources + QStringLiteral("/") + appId + QStringLiteral(".metainfo.xml"));
        QVERIFY(meta.open(QIODevice::ReadOnly));
        const QByteArray xml = meta.readAll();
        QVERIFY(xml.contains("<id>" + appId.toUtf8() + "</id>"));
        QVERIFY(xml.contains("<launchable type=\"desktop-id\">" + appId.toUtf8() + ".desktop</launchable>"));
        // The install rules rename the files to the application id.
        QFile rules(QStringLiteral(KMLM_SOURCE_DIR "/app/desktop/CMakeLists.txt"));
        QVERIFY(rules.open(QIODevice::ReadOnly));
        const QByteArray cmake = rules.readAll();
        QVERIFY(cmake.contains("RENAME io.github.kmlm.KoreanMiniLM.desktop"));
        QVERIFY(cmake.contains("RENAME io.github.kmlm.KoreanMiniLM.png"));
    }

    void iconsHaveTheirSizes_data() {
        QTest::addColumn<int>("size");
        for (int s : {16, 32, 48, 64, 128, 256}) QTest::newRow(qPrintable(QString::number(s))) << s;
    }
    void iconsHaveTheirSizes() {
        QFETCH(int, size);
        const QImage icon(resources + QStringLiteral("/icons/korean-mini-lm-%1.png").arg(size));
        QVERIFY(!icon.isNull());
        QCOMPARE(icon.size(), QSize(size, size));
        QVERIFY(icon.hasAlphaChannel());
    }
};

QTEST_MAIN(TestDesktopFiles)
#include "tst_desktopfiles.moc"
