#include "firstrunoffer.h"

#include "appsettings.h"
#include "downloadmanager.h"
#include "enginecontroller.h"
#include "modelregistry.h"
#include "settingsdialog.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <limits>

namespace kmlm::ui {

FirstRunOffer::FirstRunOffer(const AppServices& services, QWidget* parent)
    : QFrame(parent), m_services(services), m_freeSpace(core::ModelDownload::availableSpace), m_title(new QLabel), m_text(new QLabel),
      m_status(new QLabel), m_progress(new QProgressBar), m_download(new QPushButton), m_use(new QPushButton), m_later(new QPushButton),
      m_never(new QPushButton) {
    setObjectName(QStringLiteral("firstRunOffer"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_download);
    buttons->addWidget(m_use);
    buttons->addStretch(1);
    buttons->addWidget(m_later);
    buttons->addWidget(m_never);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_text);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addLayout(buttons);

    m_texts.add([this] {
        m_title->setText(tr("The built-in model is only a tiny demonstration"));
        m_later->setText(tr("Not now"));
        m_never->setText(tr("Don't show again"));
        m_later->setAccessibleName(m_later->text());
        m_never->setAccessibleName(m_never->text());
    });
    connect(m_download, &QPushButton::clicked, this, &FirstRunOffer::startDownload);
    connect(m_use, &QPushButton::clicked, this, [this] {
        if (core::ModelDownload* d = download(); d && d->state() == core::ModelDownload::State::Finished)
            m_services.engine->loadModel(d->targetPath(), m_services.settings->engineSettings(), core::ModelRegistry::bundledModelPath());
    });
    connect(m_later, &QPushButton::clicked, this, [this] {
        m_hiddenForNow = true;
        refresh();
    });
    connect(m_never, &QPushButton::clicked, this, [this] {
        m_services.settings->setFirstRunOfferDismissed(true);
        m_services.settings->sync();
        refresh();
    });
    if (m_services.models) connect(m_services.models, &core::ModelRegistry::modelsChanged, this, &FirstRunOffer::refresh);
    if (m_services.engine) connect(m_services.engine, &core::EngineController::modelLoaded, this, &FirstRunOffer::refresh);
    if (m_services.downloads) {
        connect(m_services.downloads, &core::DownloadManager::changed, this, [this](core::ModelDownload* d) {
            if (d == download()) showProgress();
        });
    }
    // Decided once the page has put it in its layout (shown before that, it would be a window).
    hide();
    QMetaObject::invokeMethod(this, &FirstRunOffer::refresh, Qt::QueuedConnection);
}

void FirstRunOffer::setFreeSpaceFunction(std::function<qint64(const QString&)> f) {
    m_freeSpace = std::move(f);
    refresh();
}

core::ModelDownload* FirstRunOffer::download() const {
    if (!m_pick.file || !m_services.downloads) return nullptr;
    return m_services.downloads->find(m_pick.file->repo, m_pick.file->file);
}

void FirstRunOffer::refresh() {
    core::AppSettings* s = m_services.settings;
    const bool applies = s && m_services.catalog && m_services.downloads && m_services.models && !m_hiddenForNow &&
                         !s->firstRunOfferDismissed() && !m_services.models->isRefreshing();
    bool onlyBundled = true;
    if (applies) {
        const QString downloaded = download() ? download()->targetPath() : QString();
        for (const core::ModelDescription& m : m_services.models->models())
            if (m.isValid() && !m.bundled && QFileInfo(m.path) != QFileInfo(downloaded)) onlyBundled = false;
        const core::ModelDescription active = m_services.engine ? m_services.engine->currentModel() : core::ModelDescription();
        if (active.isValid() && !active.bundled && !active.path.isEmpty()) onlyBundled = false;
    }
    m_pick = {};
    if (applies && onlyBundled) {
        const core::EngineSettings e = s->engineSettings();
        const qint64 free = m_freeSpace(s->modelsFolder());
        m_pick = core::pickFirstModel(*m_services.catalog, e.memoryLimit, quint32(e.contextLength), e.toLoadOptions().kv_type,
                                      free < 0 ? std::numeric_limits<quint64>::max() : quint64(free));
    }
    setVisible(m_pick.entry != nullptr);
    if (m_pick.entry) showProgress();
}

void FirstRunOffer::showProgress() {
    if (!m_pick.entry) return;
    const core::AppSettings* s = m_services.settings;
    const QString language = s->uiLanguage().isEmpty() ? QLocale().name() : s->uiLanguage();
    m_text->setText(tr("Korean Mini LM comes with a tiny jamo-level GRU (under a million parameters) so that it works "
                       "without a download, but it cannot really answer questions. %1 by %2 fits this computer: a %3 "
                       "download, about %4 of memory with a %5-token context (ceiling %6). %7")
                        .arg(m_pick.entry->name, m_pick.entry->publisher, formatBytes(m_pick.file->size), formatBytes(m_pick.memory),
                             QString::number(s->contextLength()), s->memoryLimit() ? formatBytes(s->memoryLimit()) : tr("none"),
                             m_pick.entry->description(language)));
    core::ModelDownload* d = download();
    const bool finished = d && d->state() == core::ModelDownload::State::Finished;
    const bool running = d && !d->isDone() && d->state() != core::ModelDownload::State::Paused;
    m_download->setText(d && d->state() == core::ModelDownload::State::Paused
                            ? tr("Resume download")
                            : tr("Download %1 (%2)").arg(m_pick.entry->name, formatBytes(m_pick.file->size)));
    m_download->setVisible(!finished);
    m_download->setEnabled(!running);
    m_use->setText(tr("Use %1").arg(m_pick.entry->name));
    m_use->setVisible(finished);
    m_progress->setVisible(d && !d->isDone());
    if (d && d->total() > 0) m_progress->setValue(int(1000.0 * double(d->received()) / double(d->total())));
    m_status->setText(d ? describeDownload(*d) : QString());
    m_status->setVisible(d != nullptr);
    m_download->setAccessibleName(m_download->text());
    m_use->setAccessibleName(m_use->text());
}

void FirstRunOffer::startDownload() {
    if (!m_pick.entry) return;
    core::DownloadSpec spec;
    spec.repo = m_pick.file->repo;
    spec.file = m_pick.file->file;
    spec.folder = m_services.settings->modelsFolder();
    spec.sha256 = m_pick.file->sha256;
    spec.sizeHint = m_pick.file->size;
    m_services.downloads->enqueue(spec);
    showProgress();
}

void FirstRunOffer::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        m_texts.retranslate();
        showProgress();
    }
    QFrame::changeEvent(event);
}

} // namespace kmlm::ui
