// Translations: the Korean and English catalogues are compiled into the program, load, and
// translate; the Korean one is complete; the language follows the locale when not set.
#include "appearance.h"
#include "chatpage.h"
#include "engineworker.h"
#include "kmlm_test.h"
#include "mainwindow.h"
#include "settingsdialog.h"

#include <QApplication>
#include <QFile>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace kmlm::core;
using namespace kmlm::ui;

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void koreanCatalogueTranslates_data() {
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("korean");
        // The contexts tr() uses: the classes' names with their namespace.
        const char* chatPage = ChatPage::staticMetaObject.className();
        QTest::newRow("send") << chatPage << "Send" << QStringLiteral("보내기");
        QTest::newRow("new chat") << chatPage << "New chat" << QStringLiteral("새 대화");
        QTest::newRow("settings") << SettingsDialog::staticMetaObject.className() << "Settings" << QStringLiteral("설정");
        QTest::newRow("editor tab") << MainWindow::staticMetaObject.className() << "Editor" << QStringLiteral("편집기");
        QTest::newRow("undo delete") << chatPage << "Undo" << QStringLiteral("되돌리기");
        QTest::newRow("app core") << EngineWorker::staticMetaObject.className() << "No model is loaded."
                                  << QStringLiteral("불러온 모델이 없습니다.");
    }
    void koreanCatalogueTranslates() {
        QFETCH(QString, context);
        QFETCH(QString, source);
        QFETCH(QString, korean);
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/kmlm_ko.qm")));
        QCOMPARE(translator.translate(context.toLatin1(), source.toUtf8()), korean);
    }

    void installSwitchesLanguage() {
        QVERIFY(Appearance::installTranslations(QStringLiteral("ko")));
        QCOMPARE(QCoreApplication::translate("kmlm::ui::ChatPage", "Send"), QStringLiteral("보내기"));
        QVERIFY(Appearance::installTranslations(QStringLiteral("en")));
        QCOMPARE(QCoreApplication::translate("kmlm::ui::ChatPage", "Send"), QStringLiteral("Send"));
    }

    void plurals() {
        QVERIFY(Appearance::installTranslations(QStringLiteral("ko")));
        QCOMPARE(QCoreApplication::translate("kmlm::ui::ChatPage", "%n token(s)", nullptr, 3), QStringLiteral("토큰 3개"));
        QVERIFY(Appearance::installTranslations(QStringLiteral("en")));
        QCOMPARE(QCoreApplication::translate("kmlm::ui::ChatPage", "%n token(s)", nullptr, 1), QStringLiteral("1 token"));
        QCOMPARE(QCoreApplication::translate("kmlm::ui::ChatPage", "%n token(s)", nullptr, 3), QStringLiteral("3 tokens"));
    }

    void languageFollowsLocale_data() {
        QTest::addColumn<QString>("locale");
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("language");
        QTest::newRow("korean locale") << "ko_KR"
                                       << ""
                                       << "ko";
        QTest::newRow("english locale") << "en_US"
                                        << ""
                                        << "en";
        QTest::newRow("german locale falls back to english") << "de_DE"
                                                             << ""
                                                             << "en";
        QTest::newRow("setting wins") << "ko_KR"
                                      << "en"
                                      << "en";
    }
    void languageFollowsLocale() {
        QFETCH(QString, locale);
        QFETCH(QString, setting);
        QFETCH(QString, language);
        const QLocale saved;
        QLocale::setDefault(QLocale(locale));
        QCOMPARE(Appearance::resolveLanguage(setting), language);
        QLocale::setDefault(saved);
    }

    // Every message of the Korean catalogue is translated (none left "unfinished").
    void koreanIsComplete() {
        QFile file(QStringLiteral(KMLM_SOURCE_DIR "/i18n/kmlm_ko.ts"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        int messages = 0;
        QString source;
        QStringList missing;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement) continue;
            if (xml.name() == QLatin1String("message")) {
                ++messages;
            } else if (xml.name() == QLatin1String("source")) {
                source = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation")) {
                const bool unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                if (unfinished || text.trimmed().isEmpty()) missing << source;
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(messages > 100);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral(" | "))));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
