#include "settingsdialog.h"

#include "appsettings.h"
#include "catalog.h"
#include "downloadmanager.h"
#include "enginecontroller.h"
#include "modelregistry.h"
#include "notify.h"
#include "remotemodeldialog.h"
#include "samplingeditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QThread>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace kmlm::ui {

QString formatBytes(quint64 bytes) {
    const double b = double(bytes);
    if (b >= 1e9) return QCoreApplication::translate("kmlm::ui::SettingsDialog", "%1 GB").arg(b / 1e9, 0, 'f', 2);
    if (b >= 1e6) return QCoreApplication::translate("kmlm::ui::SettingsDialog", "%1 MB").arg(b / 1e6, 0, 'f', 1);
    return QCoreApplication::translate("kmlm::ui::SettingsDialog", "%1 KB").arg(b / 1e3, 0, 'f', 0);
}

QString formatCount(quint64 count) {
    const double c = double(count);
    if (c >= 1e9) return QStringLiteral("%1 B").arg(c / 1e9, 0, 'f', 1);
    if (c >= 1e6) return QStringLiteral("%1 M").arg(c / 1e6, 0, 'f', 1);
    if (c >= 1e3) return QStringLiteral("%1 K").arg(c / 1e3, 0, 'f', 0);
    return QString::number(count);
}

QString describeDownload(const core::ModelDownload& d) {
    const int percent = d.total() > 0 ? int(100.0 * double(d.received()) / double(d.total())) : 0;
    switch (d.state()) {
    case core::ModelDownload::State::Queued:
        return QCoreApplication::translate("kmlm::ui::SettingsDialog", "Waiting for the download before it");
    case core::ModelDownload::State::Connecting:
        return QCoreApplication::translate("kmlm::ui::SettingsDialog", "Connecting to Hugging Face…");
    case core::ModelDownload::State::Downloading: {
        QString text = QCoreApplication::translate("kmlm::ui::SettingsDialog", "Downloading: %1% (%2 of %3)")
                           .arg(percent)
                           .arg(formatBytes(d.received()), formatBytes(d.total()));
        if (d.bytesPerSecond() > 0)
            text += QCoreApplication::translate("kmlm::ui::SettingsDialog", ", %1/s").arg(formatBytes(quint64(d.bytesPerSecond())));
        const qint64 left = d.secondsLeft();
        if (left >= 0)
            text += left >= 90 ? QCoreApplication::translate("kmlm::ui::SettingsDialog", ", %1 min left").arg((left + 30) / 60)
                               : QCoreApplication::translate("kmlm::ui::SettingsDialog", ", %1 s left").arg(left);
        return text;
    }
    case core::ModelDownload::State::Verifying: return QCoreApplication::translate("kmlm::ui::SettingsDialog", "Checking the SHA-256…");
    case core::ModelDownload::State::Paused:
        return QCoreApplication::translate("kmlm::ui::SettingsDialog", "Paused at %1% (%2 of %3)")
            .arg(percent)
            .arg(formatBytes(d.received()), formatBytes(d.total()));
    case core::ModelDownload::State::Finished:
        return d.verified() ? QCoreApplication::translate("kmlm::ui::SettingsDialog", "Downloaded and verified")
                            : QCoreApplication::translate("kmlm::ui::SettingsDialog", "Downloaded");
    case core::ModelDownload::State::Failed:
        return QCoreApplication::translate("kmlm::ui::SettingsDialog", "Failed: %1").arg(d.errorString());
    case core::ModelDownload::State::Cancelled: return QCoreApplication::translate("kmlm::ui::SettingsDialog", "Cancelled");
    }
    return {};
}

namespace {
enum Column { NameColumn, ArchitectureColumn, ParametersColumn, QuantizationColumn, SizeColumn, ContextColumn, MemoryColumn };
enum CatalogColumn { CatalogNameColumn, CatalogSizeColumn, CatalogMemoryColumn, CatalogFitsColumn, CatalogStatusColumn };
constexpr int PathRole = Qt::UserRole + 1;
constexpr int EntryRole = Qt::UserRole + 2;  // catalog entry id
constexpr int FileRole = Qt::UserRole + 3;   // index into the entry's files; -1 on the entry's row
constexpr int RemoteRole = Qt::UserRole + 4; // a remote model (PathRole: AppSettings::remoteModelPath)
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

QString uiLanguage(const core::AppSettings* settings) {
    return settings->uiLanguage().isEmpty() ? QLocale().name() : settings->uiLanguage();
}

QLabel* detailsLabel() {
    auto* label = new QLabel;
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setMinimumWidth(220);
    return label;
}

QScrollArea* scrolled(QWidget* w) {
    auto* area = new QScrollArea;
    area->setWidget(w);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}

QString row(const QString& key, const QString& value) {
    return QStringLiteral("<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>").arg(key.toHtmlEscaped(), value);
}
} // namespace

SettingsDialog::SettingsDialog(const AppServices& services, QWidget* parent)
    : QDialog(parent), m_services(services), m_tabs(new QTabWidget) {
    createPages();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &SettingsDialog::apply);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    const int em = fontMetrics().averageCharWidth();
    resize(qMax(960, 120 * em), qMax(680, fontMetrics().lineSpacing() * 40));
}

// The pages show what is saved, so after Apply they can be made again in another language.
void SettingsDialog::createPages() {
    const int current = m_tabs->currentIndex();
    m_services.models->disconnect(this); // the old pages' connections go with them
    m_services.engine->disconnect(this);
    if (m_services.downloads) m_services.downloads->disconnect(this);
    while (m_tabs->count() > 0) delete m_tabs->widget(0);
    m_catalog = nullptr;
    setWindowTitle(tr("Settings"));
    // The engine page first: the models page reads its ceiling, context and KV cache.
    QWidget* engine = createEnginePage();
    m_tabs->addTab(createModelsPage(), tr("Models"));
    m_tabs->addTab(engine, tr("Engine"));
    m_tabs->addTab(createGenerationPage(), tr("Generation"));
    m_tabs->addTab(createAppearancePage(), tr("Appearance"));
    m_tabs->setCurrentIndex(qMax(0, current));
    load();
    fillCatalog();
}

void SettingsDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) createPages();
    QDialog::changeEvent(event);
}

QWidget* SettingsDialog::createModelsPage() {
    auto* page = new QWidget;
    auto* folder = new QLabel(tr("Models folder: %1").arg(QDir::toNativeSeparators(m_services.models->modelsFolder())));
    folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* split = new QSplitter(Qt::Vertical);
    split->setChildrenCollapsible(false);
    split->addWidget(createInstalledPane());
    if (m_services.catalog && m_services.downloads) split->addWidget(createDownloadPane());
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(folder);
    layout->addWidget(split, 1);
    return page;
}

QWidget* SettingsDialog::createInstalledPane() {
    auto* box = new QGroupBox(tr("Installed models"));
    m_models = new QTreeWidget;
    m_models->setRootIsDecorated(false);
    m_models->setAlternatingRowColors(true);
    m_models->setAccessibleName(tr("Installed models"));
    m_models->setHeaderLabels(
        {tr("Model"), tr("Architecture"), tr("Parameters"), tr("Quantization"), tr("File size"), tr("Context"), tr("Memory estimate")});
    m_models->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_models->header()->setStretchLastSection(false);
    m_modelDetails = detailsLabel();
    auto* split = new QSplitter;
    split->addWidget(m_models);
    split->addWidget(scrolled(m_modelDetails));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    m_useModel = new QPushButton(tr("Use this model"));
    auto* add = new QPushButton(tr("Add model file…"));
    m_addRemote = new QPushButton(tr("Add remote model…"));
    m_removeModel = new QPushButton(tr("Remove"));
    m_removeModel->setToolTip(tr("Forgets the remote model and its API key"));
    auto* folder = new QPushButton(tr("Open models folder"));
    auto* refresh = new QPushButton(tr("Refresh"));
    m_loadProgress = new QProgressBar;
    m_loadProgress->setRange(0, 100);
    m_loadProgress->hide();
    m_loadStatus = new QLabel;
    m_loadStatus->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_useModel);
    buttons->addWidget(add);
    buttons->addWidget(m_addRemote);
    buttons->addWidget(m_removeModel);
    buttons->addWidget(folder);
    buttons->addStretch(1);
    buttons->addWidget(refresh);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_loadProgress);
    layout->addWidget(m_loadStatus);

    connect(m_useModel, &QPushButton::clicked, this, &SettingsDialog::useSelectedModel);
    connect(m_models, &QTreeWidget::itemDoubleClicked, this, &SettingsDialog::useSelectedModel);
    connect(m_models, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        m_useModel->setEnabled(item && item->flags().testFlag(Qt::ItemIsEnabled));
        m_removeModel->setEnabled(item && item->data(0, RemoteRole).toBool());
        showModelDetails();
    });
    connect(add, &QPushButton::clicked, this, &SettingsDialog::addModelFile);
    connect(m_addRemote, &QPushButton::clicked, this, &SettingsDialog::addRemoteModel);
    connect(m_removeModel, &QPushButton::clicked, this, &SettingsDialog::removeSelectedModel);
    connect(folder, &QPushButton::clicked, this, [this] {
        QDir().mkpath(m_services.models->modelsFolder());
        QDesktopServices::openUrl(QUrl::fromLocalFile(m_services.models->modelsFolder()));
    });
    connect(refresh, &QPushButton::clicked, m_services.models, &core::ModelRegistry::refresh);
    connect(m_services.models, &core::ModelRegistry::modelsChanged, this, &SettingsDialog::fillModels);
    connect(m_services.models, &core::ModelRegistry::modelAddFailed, this, [this](const QString& path, const QString& message) {
        showWarning(this, tr("Add model file"), tr("%1 is not a usable model: %2").arg(path, message));
    });

    core::EngineController* engine = m_services.engine;
    connect(engine, &core::EngineController::modelLoadStarted, this, [this](const QString& path) {
        m_loadProgress->setValue(0);
        m_loadProgress->show();
        m_loadStatus->setText(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    });
    connect(engine, &core::EngineController::modelLoadProgress, this, [this](float f) { m_loadProgress->setValue(int(f * 100)); });
    connect(engine, &core::EngineController::modelLoaded, this, [this](const core::ModelDescription& model) {
        m_loadProgress->hide();
        m_loadStatus->setText(tr("Active model: %1").arg(model.name));
        fillModels();
    });
    connect(engine, &core::EngineController::modelLoadFailed, this, [this](const QString& message, const QString&) {
        m_loadProgress->hide();
        m_loadStatus->setText(tr("Loading failed: %1").arg(message));
        fillModels();
    });
    fillModels();
    return box;
}

QWidget* SettingsDialog::createDownloadPane() {
    auto* box = new QGroupBox(tr("Download"));
    m_catalog = new QTreeWidget;
    m_catalog->setObjectName(QStringLiteral("downloadList"));
    m_catalog->setAccessibleName(tr("Models to download"));
    m_catalog->setAlternatingRowColors(true);
    m_catalog->header()->setStretchLastSection(true);
    m_catalogDetails = detailsLabel();
    m_downloadProgress = new QProgressBar;
    m_downloadProgress->setRange(0, 1000);
    m_downloadProgress->setTextVisible(false);
    m_downloadStatus = new QLabel;
    m_downloadStatus->setWordWrap(true);
    m_download = new QPushButton(tr("Download"));
    m_pause = new QPushButton(tr("Pause"));
    m_cancelDownload = new QPushButton(tr("Cancel download"));
    m_useDownloaded = new QPushButton(tr("Use this model"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_download);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_cancelDownload);
    buttons->addWidget(m_useDownloaded);
    buttons->addStretch(1);
    auto* details = new QWidget;
    auto* detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(scrolled(m_catalogDetails), 1);
    detailsLayout->addWidget(m_downloadProgress);
    detailsLayout->addWidget(m_downloadStatus);
    detailsLayout->addLayout(buttons);
    auto* split = new QSplitter;
    split->addWidget(m_catalog);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(split);

    connect(m_catalog, &QTreeWidget::currentItemChanged, this, &SettingsDialog::showCatalogDetails);
    connect(m_download, &QPushButton::clicked, this, &SettingsDialog::startSelectedDownload);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        core::ModelDownload* d = selectedDownload();
        if (!d) return;
        if (d->state() == core::ModelDownload::State::Paused || d->state() == core::ModelDownload::State::Failed)
            m_services.downloads->resume(d);
        else
            d->pause();
    });
    connect(m_cancelDownload, &QPushButton::clicked, this, [this] {
        if (core::ModelDownload* d = selectedDownload()) m_services.downloads->remove(d);
        fillCatalog();
    });
    connect(m_useDownloaded, &QPushButton::clicked, this, [this] {
        if (core::ModelDownload* d = selectedDownload(); d && d->state() == core::ModelDownload::State::Finished)
            emit activateModelRequested(d->targetPath());
    });
    connect(m_services.downloads, &core::DownloadManager::changed, this, &SettingsDialog::updateDownloadRow);
    connect(m_services.downloads, &core::DownloadManager::added, this, &SettingsDialog::updateDownloadRow);
    return box;
}

quint64 SettingsDialog::chosenMemoryLimit() const {
    return m_memoryLimit ? quint64(m_memoryLimit->value() * kGiB + 0.5) : m_services.settings->memoryLimit();
}

void SettingsDialog::fillCatalog() {
    if (!m_catalog) return;
    const quint32 context = quint32(m_context->value());
    const kmlm::KvType kv = m_kvType->currentData().toString() == QLatin1String("f16") ? kmlm::KvType::F16 : kmlm::KvType::Q8_0;
    const quint64 ceiling = chosenMemoryLimit();
    const QString selectedEntry = m_catalog->currentItem() ? m_catalog->currentItem()->data(0, EntryRole).toString() : QString();
    const int selectedFile = m_catalog->currentItem() ? m_catalog->currentItem()->data(0, FileRole).toInt() : -1;
    m_catalog->clear();
    m_catalog->setHeaderLabels(
        {tr("Model"), tr("Download"), tr("Memory at %1 tokens").arg(context), tr("Under the ceiling"), tr("Status")});
    for (const core::CatalogEntry& e : m_services.catalog->entries) {
        auto* top = new QTreeWidgetItem(m_catalog);
        top->setText(CatalogNameColumn, e.runsHere() ? e.name : tr("%1 (not supported yet)").arg(e.name));
        top->setData(0, EntryRole, e.id);
        top->setData(0, FileRole, -1);
        top->setToolTip(CatalogNameColumn, e.description(uiLanguage(m_services.settings)));
        if (!e.runsHere()) top->setForeground(CatalogNameColumn, palette().brush(QPalette::Disabled, QPalette::Text));
        for (int i = 0; i < e.files.size(); ++i) {
            const core::CatalogFile& f = e.files[i];
            auto* item = new QTreeWidgetItem(top);
            const quint64 memory = core::estimateCatalogMemory(e, f, context, kv).total();
            const bool fits = ceiling == 0 || memory <= ceiling;
            item->setText(CatalogNameColumn, f.quantization);
            item->setText(CatalogSizeColumn, formatBytes(f.size));
            item->setText(CatalogMemoryColumn, formatBytes(memory));
            item->setText(CatalogFitsColumn, fits ? tr("fits") : tr("does not fit"));
            // Not the colour alone: the words say it too.
            item->setForeground(CatalogFitsColumn, fits ? QColor(0x1e, 0x8e, 0x3e) : QColor(0xd9, 0x30, 0x25));
            item->setData(0, EntryRole, e.id);
            item->setData(0, FileRole, i);
            for (int c : {CatalogSizeColumn, CatalogMemoryColumn}) item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            if (e.id == selectedEntry && i == selectedFile) m_catalog->setCurrentItem(item);
        }
        if (e.id == selectedEntry && selectedFile < 0) m_catalog->setCurrentItem(top);
    }
    m_catalog->expandAll();
    for (core::ModelDownload* d : m_services.downloads->downloads()) updateDownloadRow(d);
    for (int c = CatalogSizeColumn; c <= CatalogFitsColumn; ++c) m_catalog->resizeColumnToContents(c);
    m_catalog->header()->resizeSection(CatalogNameColumn,
                                       qMax(m_catalog->header()->sectionSize(CatalogNameColumn), fontMetrics().averageCharWidth() * 34));
    // Files already in the models folder.
    for (int t = 0; t < m_catalog->topLevelItemCount(); ++t) {
        QTreeWidgetItem* top = m_catalog->topLevelItem(t);
        const core::CatalogEntry* e = m_services.catalog->entry(top->data(0, EntryRole).toString());
        for (int i = 0; i < top->childCount(); ++i) {
            QTreeWidgetItem* item = top->child(i);
            if (item->text(CatalogStatusColumn).isEmpty() &&
                QFileInfo::exists(core::ModelDownload::targetPath(m_services.settings->modelsFolder(), e->files[i].file)))
                item->setText(CatalogStatusColumn, tr("installed"));
        }
    }
    showCatalogDetails();
}

void SettingsDialog::updateDownloadRow(core::ModelDownload* d) {
    if (!m_catalog) return;
    for (int t = 0; t < m_catalog->topLevelItemCount(); ++t) {
        QTreeWidgetItem* top = m_catalog->topLevelItem(t);
        const core::CatalogEntry* e = m_services.catalog->entry(top->data(0, EntryRole).toString());
        for (int i = 0; e && i < top->childCount(); ++i) {
            const core::CatalogFile& f = e->files[i];
            if (f.repo != d->spec().repo || f.file != d->spec().file) continue;
            QString status;
            const int percent = d->total() ? int(100.0 * double(d->received()) / double(d->total())) : 0;
            switch (d->state()) {
            case core::ModelDownload::State::Downloading: status = tr("%1%").arg(percent); break;
            case core::ModelDownload::State::Paused: status = tr("paused at %1%").arg(percent); break;
            case core::ModelDownload::State::Finished: status = tr("installed"); break;
            case core::ModelDownload::State::Failed: status = tr("failed"); break;
            case core::ModelDownload::State::Cancelled: break;
            default: status = tr("waiting"); break;
            }
            top->child(i)->setText(CatalogStatusColumn, status);
        }
    }
    if (d == selectedDownload()) showCatalogDetails();
}

core::ModelDownload* SettingsDialog::selectedDownload() const {
    QTreeWidgetItem* item = m_catalog ? m_catalog->currentItem() : nullptr;
    if (!item || item->data(0, FileRole).toInt() < 0) return nullptr;
    const core::CatalogEntry* e = m_services.catalog->entry(item->data(0, EntryRole).toString());
    const core::CatalogFile& f = e->files[item->data(0, FileRole).toInt()];
    return m_services.downloads->find(f.repo, f.file);
}

void SettingsDialog::showCatalogDetails() {
    if (!m_catalog) return;
    QTreeWidgetItem* item = m_catalog->currentItem();
    const core::CatalogEntry* e = item ? m_services.catalog->entry(item->data(0, EntryRole).toString()) : nullptr;
    const int fileIndex = item ? item->data(0, FileRole).toInt() : -1;
    const core::CatalogFile* f = e && fileIndex >= 0 ? &e->files[fileIndex] : nullptr;
    core::ModelDownload* d = selectedDownload();
    if (!e) {
        m_catalogDetails->setText(tr("Choose a model and one of its quantizations: the list shows how much memory each "
                                     "needs with the context and KV cache of the Engine page, before anything is downloaded."));
    } else {
        QString html = QStringLiteral("<p><b>%1</b></p><p>%2</p><table>")
                           .arg(e->name.toHtmlEscaped(), e->description(uiLanguage(m_services.settings)).toHtmlEscaped());
        html += row(tr("Publisher"), e->publisher.toHtmlEscaped());
        html += row(tr("License"), e->license.toHtmlEscaped());
        html += row(tr("Architecture"), e->architecture.toHtmlEscaped());
        html += row(tr("Parameters"), formatCount(e->parameters));
        html += row(tr("Context"), QString::number(e->contextLength));
        html += row(tr("Use"), e->tags.join(QStringLiteral(", ")).toHtmlEscaped());
        if (f) html += row(tr("File"), (f->repo + QLatin1Char('/') + f->file).toHtmlEscaped());
        html += QStringLiteral("</table>");
        if (!e->runsHere())
            html += QStringLiteral("<p>%1</p>")
                        .arg(tr("This version of the engine cannot run %1 models yet; the memory "
                                "figures show what it will need.")
                                 .arg(e->architecture)
                                 .toHtmlEscaped());
        if (e->gated)
            html += QStringLiteral("<p>%1</p>").arg(tr("A gated model: it needs a Hugging Face token (Engine page).").toHtmlEscaped());
        if (!e->notes.isEmpty()) html += QStringLiteral("<p><i>%1</i></p>").arg(e->notes.toHtmlEscaped());
        m_catalogDetails->setText(html);
    }
    const bool canDownload = f && e->runsHere() && (!d || d->isDone() || d->state() == core::ModelDownload::State::Paused);
    m_download->setEnabled(canDownload && !(d && d->state() == core::ModelDownload::State::Finished));
    m_pause->setVisible(d && !d->isDone() && d->state() != core::ModelDownload::State::Queued);
    m_pause->setText(d && d->state() == core::ModelDownload::State::Paused ? tr("Resume") : tr("Pause"));
    m_cancelDownload->setVisible(d && !d->isDone());
    m_useDownloaded->setVisible(d && d->state() == core::ModelDownload::State::Finished);
    m_downloadProgress->setVisible(d && !d->isDone());
    if (d && d->total() > 0) m_downloadProgress->setValue(int(1000.0 * double(d->received()) / double(d->total())));
    m_downloadStatus->setText(d ? describeDownload(*d) : QString());
    m_downloadStatus->setVisible(d != nullptr);
}

void SettingsDialog::startSelectedDownload() {
    QTreeWidgetItem* item = m_catalog->currentItem();
    if (!item || item->data(0, FileRole).toInt() < 0) return;
    const core::CatalogEntry* e = m_services.catalog->entry(item->data(0, EntryRole).toString());
    const core::CatalogFile& f = e->files[item->data(0, FileRole).toInt()];
    core::DownloadSpec spec;
    spec.repo = f.repo;
    spec.file = f.file;
    spec.folder = m_services.settings->modelsFolder();
    spec.sha256 = f.sha256;
    spec.sizeHint = f.size;
    m_services.downloads->enqueue(spec);
    showCatalogDetails();
}

void SettingsDialog::fillModels() {
    const QString active = m_services.engine->currentModel().path;
    const QString selected = m_models->currentItem() ? m_models->currentItem()->data(0, PathRole).toString() : active;
    m_models->clear();
    for (const core::ModelDescription& m : m_services.models->models()) {
        auto* item = new QTreeWidgetItem(m_models);
        QString name = m.name.isEmpty() ? QFileInfo(m.path).fileName() : m.name;
        if (m.bundled) name = tr("%1 (bundled)").arg(name);
        const bool isActive = !active.isEmpty() && QFileInfo(m.path) == QFileInfo(active);
        if (isActive) name = tr("%1 — active").arg(name);
        item->setText(NameColumn, name);
        item->setData(0, PathRole, m.path);
        item->setToolTip(NameColumn, QDir::toNativeSeparators(m.path));
        if (!m.isValid()) {
            item->setText(ArchitectureColumn, tr("unreadable: %1").arg(m.error));
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            continue;
        }
        item->setText(ArchitectureColumn, m.architecture);
        item->setText(ParametersColumn, formatCount(m.parameters));
        item->setText(QuantizationColumn, m.quantization);
        item->setText(SizeColumn, formatBytes(m.fileSize));
        item->setText(ContextColumn, m.contextLength > 0 ? QString::number(m.contextLength) : tr("unbounded"));
        item->setText(MemoryColumn, m.memoryEstimate > 0 ? formatBytes(m.memoryEstimate) : tr("unknown"));
        for (int c : {ParametersColumn, SizeColumn, ContextColumn, MemoryColumn})
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        if (isActive) {
            QFont bold = item->font(NameColumn);
            bold.setBold(true);
            item->setFont(NameColumn, bold);
        }
        if (m.path == selected) m_models->setCurrentItem(item);
    }
    fillRemoteModels(selected);
    for (int c = ArchitectureColumn; c <= MemoryColumn; ++c) m_models->resizeColumnToContents(c);
    m_removeModel->setEnabled(m_models->currentItem() && m_models->currentItem()->data(0, RemoteRole).toBool());
    showModelDetails();
}

void SettingsDialog::fillRemoteModels(const QString& selected) {
    const core::ModelDescription& current = m_services.engine->currentModel();
    const QString active = current.remote ? core::AppSettings::remoteModelPath(current.path, current.name) : QString();
    for (const core::RemoteModelSettings& r : m_services.settings->remoteModels()) {
        const QString path = core::AppSettings::remoteModelPath(r.baseUrl, r.model);
        auto* item = new QTreeWidgetItem(m_models);
        const bool isActive = path == active;
        item->setText(NameColumn, isActive ? tr("%1 — remote, active").arg(r.model) : tr("%1 — remote").arg(r.model));
        item->setText(ArchitectureColumn, r.baseUrl);
        item->setData(0, PathRole, path);
        item->setData(0, RemoteRole, true);
        item->setToolTip(NameColumn, r.baseUrl);
        if (isActive) {
            QFont bold = item->font(NameColumn);
            bold.setBold(true);
            item->setFont(NameColumn, bold);
        }
        if (path == selected) m_models->setCurrentItem(item);
    }
}

void SettingsDialog::showModelDetails() {
    QTreeWidgetItem* item = m_models->currentItem();
    if (item && item->data(0, RemoteRole).toBool()) {
        const auto r = m_services.settings->remoteModel(item->data(0, PathRole).toString());
        if (!r) return;
        QString html = QStringLiteral("<p><b>%1</b></p><table>").arg(r->model.toHtmlEscaped());
        html += row(tr("Server"), r->baseUrl.toHtmlEscaped());
        html += row(tr("API key"), r->apiKey.isEmpty() ? tr("none") : tr("stored, readable by you alone"));
        html += QStringLiteral("</table><p>%1</p>")
                    .arg(tr("A model on another server: the questions of its chats are sent "
                            "there, and it uses no memory here.")
                             .toHtmlEscaped());
        m_modelDetails->setText(html);
        return;
    }
    const core::ModelDescription m = item ? m_services.models->model(item->data(0, PathRole).toString()) : core::ModelDescription();
    if (!item || m.path.isEmpty()) {
        m_modelDetails->setText(tr("Choose a model to see its details."));
        return;
    }
    QString html =
        QStringLiteral("<p><b>%1</b></p><table>").arg((m.name.isEmpty() ? QFileInfo(m.path).fileName() : m.name).toHtmlEscaped());
    html += row(tr("File"), QDir::toNativeSeparators(m.path).toHtmlEscaped());
    if (!m.isValid()) {
        html += row(tr("Problem"), m.error.toHtmlEscaped()) + QStringLiteral("</table>");
        m_modelDetails->setText(html);
        return;
    }
    html += row(tr("Architecture"), m.architecture.toHtmlEscaped());
    html += row(tr("Parameters"), formatCount(m.parameters));
    html += row(tr("Quantization"), m.quantization.toHtmlEscaped());
    if (m.vocabSize > 0) html += row(tr("Vocabulary"), QString::number(m.vocabSize));
    const quint64 ceiling = m_services.settings->memoryLimit();
    if (m.memoryEstimate > 0) {
        html += row(tr("Memory estimate"), tr("%1 (weights %2, KV cache %3) at %4 tokens")
                                               .arg(formatBytes(m.memoryEstimate), formatBytes(m.weightBytes), formatBytes(m.kvBytes))
                                               .arg(m_services.settings->contextLength()));
        if (ceiling > 0)
            html += row(tr("Ceiling"), m.memoryEstimate <= ceiling ? tr("fits under %1").arg(formatBytes(ceiling))
                                                                   : tr("does not fit under %1").arg(formatBytes(ceiling)));
    }
    html += QStringLiteral("</table>");
    if (m.bundled)
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("The built-in model is a tiny demonstration model: it writes Korean-looking "
                            "text but cannot really answer. Download a real model below.")
                             .toHtmlEscaped());
    m_modelDetails->setText(html);
}

void SettingsDialog::addModelFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Add model file"), QString(), tr("GGUF models (*.gguf);;All files (*)"));
    if (!path.isEmpty() && m_services.models->addModelFile(path)) m_services.models->refresh();
}

void SettingsDialog::addRemoteModel() {
    RemoteModelDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted) return;
    const core::RemoteModelSettings remote = dialog.remoteModel();
    m_services.settings->addRemoteModel(remote);
    m_services.settings->sync();
    fillModels();
    for (int i = 0; i < m_models->topLevelItemCount(); ++i)
        if (m_models->topLevelItem(i)->data(0, PathRole).toString() == core::AppSettings::remoteModelPath(remote.baseUrl, remote.model))
            m_models->setCurrentItem(m_models->topLevelItem(i));
}

void SettingsDialog::removeSelectedModel() {
    QTreeWidgetItem* item = m_models->currentItem();
    if (!item || !item->data(0, RemoteRole).toBool()) return;
    m_services.settings->removeRemoteModel(item->data(0, PathRole).toString());
    m_services.settings->sync();
    fillModels();
}

void SettingsDialog::useSelectedModel() {
    QTreeWidgetItem* item = m_models->currentItem();
    if (!item || !item->flags().testFlag(Qt::ItemIsEnabled)) return;
    emit activateModelRequested(item->data(0, PathRole).toString());
}

QWidget* SettingsDialog::createEnginePage() {
    auto* page = new QWidget;
    m_threads = new QSpinBox;
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_memoryLimit = new QDoubleSpinBox;
    m_memoryLimit->setObjectName(QStringLiteral("memoryLimit"));
    m_memoryLimit->setRange(0, 1024);
    m_memoryLimit->setDecimals(2);
    m_memoryLimit->setSingleStep(0.25);
    m_memoryLimit->setSuffix(tr(" GiB"));
    m_memoryLimit->setSpecialValueText(tr("no ceiling"));
    m_context = new QSpinBox;
    m_context->setRange(256, 131072);
    m_context->setSingleStep(256);
    m_context->setSuffix(tr(" tokens"));
    m_kvType = new QComboBox;
    m_kvType->addItem(tr("8-bit (Q8_0, half the memory)"), QStringLiteral("q8_0"));
    m_kvType->addItem(tr("16-bit (F16, exact)"), QStringLiteral("f16"));
    m_token = new QLineEdit;
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("hf_… (only for gated models)"));
    m_token->setClearButtonEnabled(true);

    auto* performance = new QGroupBox(tr("Performance"));
    auto* performanceForm = new QFormLayout(performance);
    performanceForm->addRow(tr("&Threads:"), m_threads);

    auto* memory = new QGroupBox(tr("Memory"));
    auto* memoryForm = new QFormLayout(memory);
    memoryForm->addRow(tr("Memory &ceiling:"), m_memoryLimit);
    memoryForm->addRow(tr("&Context length:"), m_context);
    memoryForm->addRow(tr("&KV cache:"), m_kvType);
    auto* memoryNote = new QLabel(tr("The whole application stays under the ceiling: a model that would not fit is refused "
                                     "before it loads, and an answer stops before memory runs out. Default %1.")
                                      .arg(QString::fromStdString(kmlm::format_bytes(kmlm::kDefaultMemoryLimit))));
    memoryNote->setWordWrap(true);
    memoryForm->addRow(memoryNote);

    auto* hub = new QGroupBox(tr("Hugging Face"));
    auto* hubForm = new QFormLayout(hub);
    hubForm->addRow(tr("Access &token:"), m_token);
    auto* tokenNote = new QLabel(tr("Needed only for gated models (such as Google's own Gemma repositories). It is stored "
                                    "with your settings, readable by you alone, and sent only to Hugging Face."));
    tokenNote->setWordWrap(true);
    hubForm->addRow(tokenNote);

    auto* note = new QLabel(tr("Changes take effect when the model is loaded again (done on OK)."));
    note->setWordWrap(true);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(performance);
    layout->addWidget(memory);
    layout->addWidget(hub);
    layout->addWidget(createApiServerGroup());
    layout->addWidget(note);
    layout->addStretch(1);
    // The Download list shows what fits with these values before they are applied.
    connect(m_memoryLimit, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &SettingsDialog::fillCatalog);
    connect(m_context, qOverload<int>(&QSpinBox::valueChanged), this, &SettingsDialog::fillCatalog);
    connect(m_kvType, qOverload<int>(&QComboBox::currentIndexChanged), this, &SettingsDialog::fillCatalog);
    return page;
}

QWidget* SettingsDialog::createApiServerGroup() {
    auto* box = new QGroupBox(tr("Local API server"));
    m_apiEnabled = new QCheckBox(tr("&Serve the active model to programs on this computer (OpenAI-compatible API)"));
    m_apiPort = new QSpinBox;
    m_apiPort->setRange(1, 65535);
    m_apiPort->setAccessibleName(tr("Port"));
    m_apiKey = new QLineEdit;
    m_apiKey->setEchoMode(QLineEdit::Password);
    m_apiKey->setPlaceholderText(tr("optional"));
    m_apiKey->setClearButtonEnabled(true);
    m_apiAddress = new QLabel;
    m_apiAddress->setWordWrap(true);
    m_apiAddress->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* form = new QFormLayout(box);
    form->addRow(m_apiEnabled);
    form->addRow(tr("&Port:"), m_apiPort);
    form->addRow(tr("API &key:"), m_apiKey);
    form->addRow(m_apiAddress);
    const auto showAddress = [this] {
        m_apiPort->setEnabled(m_apiEnabled->isChecked());
        m_apiKey->setEnabled(m_apiEnabled->isChecked());
        m_apiAddress->setText(tr("Loopback only: the server listens on 127.0.0.1, so only programs on this computer can "
                                 "reach it, at http://127.0.0.1:%1/v1. It answers with the model of the chat window, "
                                 "taking turns with the chat and the editor. With a key, clients send "
                                 "\"Authorization: Bearer KEY\".")
                                  .arg(m_apiPort->value()));
    };
    connect(m_apiEnabled, &QCheckBox::toggled, this, showAddress);
    connect(m_apiPort, qOverload<int>(&QSpinBox::valueChanged), this, showAddress);
    showAddress();
    return box;
}

QWidget* SettingsDialog::createGenerationPage() {
    auto* page = new QWidget;
    m_systemPrompt = new QPlainTextEdit;
    m_systemPrompt->setPlaceholderText(tr("For example: 당신은 친절한 한국어 도우미입니다."));
    m_systemPrompt->setMaximumHeight(6 * fontMetrics().lineSpacing());
    m_sampling = new SamplingEditor;
    auto* prompt = new QGroupBox(tr("System prompt of new conversations"));
    auto* promptLayout = new QVBoxLayout(prompt);
    promptLayout->addWidget(m_systemPrompt);
    auto* sampling = new QGroupBox(tr("Sampling defaults (a conversation can have its own)"));
    auto* samplingLayout = new QVBoxLayout(sampling);
    samplingLayout->addWidget(m_sampling);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(prompt);
    layout->addWidget(sampling);
    layout->addStretch(1);
    return page;
}

QWidget* SettingsDialog::createAppearancePage() {
    auto* page = new QWidget;
    m_theme = new QComboBox;
    m_theme->addItem(tr("System"), int(core::AppSettings::Theme::System));
    m_theme->addItem(tr("Light"), int(core::AppSettings::Theme::Light));
    m_theme->addItem(tr("Dark"), int(core::AppSettings::Theme::Dark));
    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("language"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("한국어"), QStringLiteral("ko"));
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_fontSize = new QSpinBox;
    m_fontSize->setRange(0, 32);
    m_fontSize->setSpecialValueText(tr("system"));
    m_fontSize->setSuffix(tr(" pt"));
    auto* form = new QFormLayout(page);
    form->addRow(tr("&Theme:"), m_theme);
    form->addRow(tr("&Language:"), m_language);
    form->addRow(tr("&Font size:"), m_fontSize);
    return page;
}

void SettingsDialog::load() {
    core::AppSettings* s = m_services.settings;
    m_threads->setValue(s->threads());
    m_memoryLimit->setValue(double(s->memoryLimit()) / kGiB);
    m_token->setText(s->huggingFaceToken());
    m_apiEnabled->setChecked(s->apiServerEnabled());
    m_apiPort->setValue(s->apiServerPort());
    m_apiKey->setText(s->apiServerKey());
    m_context->setValue(s->contextLength());
    m_kvType->setCurrentIndex(qMax(0, m_kvType->findData(s->kvType())));
    m_systemPrompt->setPlainText(s->defaultSystemPrompt());
    m_sampling->setSampling(s->sampling());
    m_theme->setCurrentIndex(qMax(0, m_theme->findData(int(s->theme()))));
    m_language->setCurrentIndex(qMax(0, m_language->findData(s->uiLanguage())));
    m_fontSize->setValue(s->fontSize());
}

void SettingsDialog::apply() {
    core::AppSettings* s = m_services.settings;
    const bool engineChanged = s->threads() != m_threads->value() || s->contextLength() != m_context->value() ||
                               s->kvType() != m_kvType->currentData().toString() || s->memoryLimit() != chosenMemoryLimit();
    const auto theme = core::AppSettings::Theme(m_theme->currentData().toInt());
    const bool looksChanged = s->theme() != theme || s->fontSize() != m_fontSize->value();
    const bool newLanguage = s->uiLanguage() != m_language->currentData().toString();
    const bool apiChanged = s->apiServerEnabled() != m_apiEnabled->isChecked() || s->apiServerPort() != m_apiPort->value() ||
                            s->apiServerKey() != m_apiKey->text().trimmed();
    s->setApiServerEnabled(m_apiEnabled->isChecked());
    s->setApiServerPort(m_apiPort->value());
    s->setApiServerKey(m_apiKey->text());
    s->setThreads(m_threads->value());
    s->setMemoryLimit(chosenMemoryLimit());
    if (s->huggingFaceToken() != m_token->text().trimmed()) s->setHuggingFaceToken(m_token->text());
    s->setContextLength(m_context->value());
    s->setKvType(m_kvType->currentData().toString());
    s->setDefaultSystemPrompt(m_systemPrompt->toPlainText());
    s->setSampling(m_sampling->sampling());
    s->setTheme(theme);
    s->setUiLanguage(m_language->currentData().toString());
    s->setFontSize(m_fontSize->value());
    s->sync();
    if (engineChanged) emit engineSettingsChanged();
    if (looksChanged) emit appearanceChanged();
    if (newLanguage) emit languageChanged();
    if (apiChanged) emit apiServerChanged();
}

} // namespace kmlm::ui
