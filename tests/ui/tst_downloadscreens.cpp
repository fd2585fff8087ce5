// The model catalog in the app: the settings' Download list (each catalog file with its
// download size, memory need and whether it fits under the ceiling, progress while it
// downloads), the memory ceiling on the Engine page, and the chat page's first-run offer when
// only the bundled GRU is there (download with one click, use with another, dismiss for
// good). Downloads come from a loopback hub. Writes PNGs in English and Korean to
// $KMLM_TEST_OUTPUT/screenshots.
#include "appearance.h"
#include "appsettings.h"
#include "catalog.h"
#include "chatpage.h"
#include "chatsession.h"
#include "chatstore.h"
#include "downloadmanager.h"
#include "enginecontroller.h"
#include "fakehub.h"
#include "firstrunoffer.h"
#include "mainwindow.h"
#include "modelregistry.h"
#include "settingsdialog.h"
#include "ui_test.h"

#include <QApplication>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>

using namespace kmlm::core;
using namespace kmlm::ui;

class TestDownloadScreens : public QObject {
    Q_OBJECT

    QTemporaryDir tmp;
    QString outDir;
    AppSettings* settings = nullptr;
    ChatStore* store = nullptr;
    EngineController* engine = nullptr;
    ChatSession* session = nullptr;
    ModelRegistry* models = nullptr;
    Catalog catalog;

    void save(QWidget* w, const QString& name) {
        QApplication::processEvents();
        const QImage image = w->grab().toImage();
        QVERIFY(!image.isNull());
        const QString path = outDir + QLatin1Char('/') + name + QStringLiteral(".png");
        QVERIFY2(image.save(path), qPrintable(path));
        qInfo("wrote %s", qPrintable(path));
    }

    static QTreeWidgetItem* fileRow(QTreeWidget* list, const QString& entryName, const QString& quantization) {
        for (int t = 0; t < list->topLevelItemCount(); ++t) {
            QTreeWidgetItem* top = list->topLevelItem(t);
            if (!top->text(0).startsWith(entryName)) continue;
            for (int i = 0; i < top->childCount(); ++i)
                if (top->child(i)->text(0) == quantization) return top->child(i);
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp.isValid());
        outDir = qEnvironmentVariable("KMLM_TEST_OUTPUT", QDir::tempPath()) + QStringLiteral("/screenshots");
        QVERIFY(QDir().mkpath(outDir));
        if (ModelRegistry::bundledModelPath().isEmpty()) QSKIP("the bundled GRU model is absent");
        Appearance::applyFont(10);
        Appearance::applyTheme(AppSettings::Theme::Light);
        settings = new AppSettings(tmp.filePath(QStringLiteral("settings.ini")), this);
        settings->setModelsFolder(tmp.filePath(QStringLiteral("models")));
        store = new ChatStore(this);
        QVERIFY2(store->open(tmp.filePath(QStringLiteral("chats.sqlite"))), qPrintable(store->errorString()));
        engine = new EngineController(this);
        session = new ChatSession(store, engine, this);
        models = new ModelRegistry(settings, this);
        QString error;
        auto c = Catalog::readFile(QStringLiteral(KMLM_SOURCE_DIR "/resources/catalog.json"), &error);
        QVERIFY2(c, qPrintable(error));
        catalog = *c;
        QSignalSpy loaded(engine, &EngineController::modelLoaded);
        engine->loadModel(ModelRegistry::bundledModelPath(), settings->engineSettings());
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 60000);
        models->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!models->isRefreshing(), 20000);
        QCOMPARE(models->models().size(), 1); // the bundled GRU only: a first run
    }

    void firstRunAndDownloadList_data() {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << "en";
        QTest::newRow("ko") << "ko";
    }
    void firstRunAndDownloadList() {
        QFETCH(QString, language);
        QVERIFY(Appearance::installTranslations(language));
        settings->setUiLanguage(language);
        settings->setFirstRunOfferDismissed(false);
        QDir(settings->modelsFolder()).removeRecursively();

        DownloadManager downloads;
        FakeHub hub;
        hub.throttleBytes = 16 << 10;
        hub.throttleTickMs = 50;
        downloads.setEndpoint(hub.endpoint());
        downloads.setRetries(2, 50);
        const AppServices services{settings, engine, store, session, models, nullptr, &catalog, &downloads};

        MainWindow window(services);
        window.resize(1100, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* offer = window.chatPage()->findChild<FirstRunOffer*>();
        QVERIFY(offer);
        QVERIFY(offer->isVisible());
        // The first chat model this engine runs whose recommended quantization fits 3 GiB.
        const CatalogPick pick = offer->pick();
        QCOMPARE(pick.entry->id, QStringLiteral("exaone-3.5-2.4b-instruct"));
        QCOMPARE(pick.file->quantization, QStringLiteral("Q4_K_M"));
        QVERIFY(pick.memory < settings->memoryLimit());
        save(&window, QStringLiteral("first-run-offer-") + language);

        // One click downloads it (from the loopback hub), the next uses it.
        hub.addFile(pick.file->repo, pick.file->file, QByteArray(3 << 20, 'k'));
        offer->downloadButton()->click();
        ModelDownload* d = downloads.find(pick.file->repo, pick.file->file);
        QVERIFY(d);
        QTRY_VERIFY_WITH_TIMEOUT(d->bytesPerSecond() > 0 && d->received() > (64u << 10), 20000);
        QVERIFY(!offer->downloadButton()->isEnabled());
        save(&window, QStringLiteral("first-run-downloading-") + language);

        SettingsDialog dialog(services, &window);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTreeWidget* list = dialog.downloadList();
        QVERIFY(list);
        QCOMPARE(list->topLevelItemCount(), catalog.entries.size());
        QTreeWidgetItem* exaone = fileRow(list, QStringLiteral("EXAONE 3.5"), QStringLiteral("Q4_K_M"));
        QVERIFY(exaone);
        QCOMPARE(exaone->text(3), QCoreApplication::translate("kmlm::ui::SettingsDialog", "fits"));
        QTreeWidgetItem* big = fileRow(list, QStringLiteral("Qwen3 4B"), QStringLiteral("Q8_0"));
        QVERIFY(big);
        QCOMPARE(big->text(3), QCoreApplication::translate("kmlm::ui::SettingsDialog", "does not fit"));
        // A higher ceiling on the Engine page changes the verdict before it is applied.
        dialog.memoryLimitEditor()->setValue(8);
        QCOMPARE(fileRow(list, QStringLiteral("Qwen3 4B"), QStringLiteral("Q8_0"))->text(3),
                 QCoreApplication::translate("kmlm::ui::SettingsDialog", "fits"));
        dialog.memoryLimitEditor()->setValue(3);
        list->setCurrentItem(fileRow(list, QStringLiteral("EXAONE 3.5"), QStringLiteral("Q4_K_M")));
        QVERIFY(!list->currentItem()->text(4).isEmpty()); // its progress
        save(&dialog, QStringLiteral("settings-download-") + language);
        dialog.tabs()->setCurrentIndex(1);
        save(&dialog, QStringLiteral("settings-engine-") + language);
        dialog.tabs()->setCurrentIndex(2);
        save(&dialog, QStringLiteral("settings-generation-") + language);
        dialog.close();

        hub.throttleBytes = 0;
        QTRY_VERIFY_WITH_TIMEOUT(d->state() == ModelDownload::State::Finished, 60000);
        QVERIFY(QFileInfo::exists(d->targetPath()));
        QTRY_VERIFY(offer->useButton()->isVisible());
        save(&window, QStringLiteral("first-run-ready-") + language);

        // Dismissed for good: a setting, and the offer is gone.
        QFile::remove(d->targetPath());
        downloads.remove(d);
        offer->refresh();
        QVERIFY(offer->isVisible());
        offer->neverButton()->click();
        QVERIFY(settings->firstRunOfferDismissed());
        QVERIFY(!offer->isVisible());
    }

    void cleanupTestCase() { Appearance::installTranslations(QStringLiteral("en")); }
};

QTEST_MAIN(TestDownloadScreens)
#include "tst_downloadscreens.moc"
