// Korean Mini LM desktop app: sets up look, language and the app core, then the main window.
#include "appearance.h"
#include "appsettings.h"
#include "catalog.h"
#include "chatsession.h"
#include "chatstore.h"
#include "downloadmanager.h"
#include "enginecontroller.h"
#include "localapiserver.h"
#include "mainwindow.h"
#include "memorymonitor.h"
#include "modelregistry.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>

int main(int argc, char* argv[]) {
#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
    // Qt 6 does this by itself: sizes follow the screen's scale, icons use their large pixmaps.
    QApplication::setAttribute(Qt::AA_EnableHighDpiScaling);
    QApplication::setAttribute(Qt::AA_UseHighDpiPixmaps);
#endif
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("kmlm"));
    QApplication::setApplicationName(QStringLiteral("korean-mini-lm"));
    QApplication::setApplicationDisplayName(QStringLiteral("Korean Mini LM"));
    QApplication::setApplicationVersion(QStringLiteral(KMLM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.kmlm.KoreanMiniLM"));
    QApplication::setWindowIcon(kmlm::ui::MainWindow::appIcon());

    kmlm::core::AppSettings settings;
    kmlm::ui::Appearance::applyTheme(settings.theme());
    kmlm::ui::Appearance::applyFont(settings.fontSize());
    kmlm::ui::Appearance::installTranslations(settings.uiLanguage());
    QApplication::setApplicationDisplayName(QApplication::translate("kmlm::ui::MainWindow", "Korean Mini LM"));

    kmlm::core::ChatStore store;
    const QString database = settings.chatDatabasePath();
    QDir().mkpath(QFileInfo(database).path());
    if (!store.open(database)) {
        QMessageBox::critical(
            nullptr, QApplication::translate("main", "Korean Mini LM"),
            QApplication::translate("main", "The chat history %1 cannot be opened: %2").arg(database, store.errorString()));
        return 1;
    }
    kmlm::core::EngineController engine;
    kmlm::core::ChatSession session(&store, &engine);
    session.setDefaultSampling(settings.sampling());
    QObject::connect(&settings, &kmlm::core::AppSettings::changed, &session, [&] { session.setDefaultSampling(settings.sampling()); });
    kmlm::core::ModelRegistry models(&settings);
    models.refresh();
    kmlm::core::MemoryMonitor memory;
    memory.setEngine(&engine);
    memory.setCeiling(settings.memoryLimit());
    QObject::connect(&settings, &kmlm::core::AppSettings::changed, &memory, [&] { memory.setCeiling(settings.memoryLimit()); });
    memory.start();

    QString catalogWarning;
    const kmlm::core::Catalog catalog = kmlm::core::Catalog::load(&catalogWarning);
    if (!catalogWarning.isEmpty()) qWarning("%s", qPrintable(catalogWarning));
    kmlm::core::DownloadManager downloads;
    downloads.setTokenProvider([&settings] { return settings.huggingFaceToken(); });
    downloads.restore(settings.modelsFolder()); // part files of an earlier run, paused
    QObject::connect(&downloads, &kmlm::core::DownloadManager::finished, &models, &kmlm::core::ModelRegistry::refresh);

    kmlm::core::LocalApiServer apiServer(&engine); // after the engine: it stops before the engine goes

    kmlm::ui::MainWindow window(
        kmlm::ui::AppServices{&settings, &engine, &store, &session, &models, &memory, &catalog, &downloads, &apiServer});
    window.show();
    window.loadActiveModel();
    return app.exec();
}
