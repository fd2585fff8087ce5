#include "settingsdialog.h"

#include "appsettings.h"
#include "enginecontroller.h"
#include "modelregistry.h"
#include "notify.h"
#include "samplingeditor.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

QString formatBytes(quint64 bytes) {
    const double b = double(bytes);
    if (b >= 1e9)
        return QCoreApplication::translate("SettingsDialog", "%1 GB").arg(b / 1e9, 0, 'f', 2);
    if (b >= 1e6)
        return QCoreApplication::translate("SettingsDialog", "%1 MB").arg(b / 1e6, 0, 'f', 1);
    return QCoreApplication::translate("SettingsDialog", "%1 KB").arg(b / 1e3, 0, 'f', 0);
}

QString formatCount(quint64 count) {
    const double c = double(count);
    if (c >= 1e9)
        return QStringLiteral("%1 B").arg(c / 1e9, 0, 'f', 1);
    if (c >= 1e6)
        return QStringLiteral("%1 M").arg(c / 1e6, 0, 'f', 1);
    if (c >= 1e3)
        return QStringLiteral("%1 K").arg(c / 1e3, 0, 'f', 0);
    return QString::number(count);
}

namespace {
enum Column { NameColumn, ArchitectureColumn, ParametersColumn, QuantizationColumn, SizeColumn, ContextColumn, MemoryColumn };
constexpr int PathRole = Qt::UserRole + 1;
} // namespace

SettingsDialog::SettingsDialog(const AppServices& services, QWidget* parent)
    : QDialog(parent), m_services(services), m_tabs(new QTabWidget) {
    createPages();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] { apply(); accept(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &SettingsDialog::apply);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    resize(860, 520);
}

// The pages show what is saved, so after Apply they can be made again in another language.
void SettingsDialog::createPages() {
    const int current = m_tabs->currentIndex();
    m_services.models->disconnect(this); // the old pages' connections go with them
    m_services.engine->disconnect(this);
    while (m_tabs->count() > 0)
        delete m_tabs->widget(0);
    setWindowTitle(tr("Settings"));
    m_tabs->addTab(createModelsPage(), tr("Models"));
    m_tabs->addTab(createEnginePage(), tr("Engine"));
    m_tabs->addTab(createGenerationPage(), tr("Generation"));
    m_tabs->addTab(createAppearancePage(), tr("Appearance"));
    m_tabs->setCurrentIndex(qMax(0, current));
    load();
}

void SettingsDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        createPages();
    QDialog::changeEvent(event);
}

QWidget* SettingsDialog::createModelsPage() {
    auto* page = new QWidget;
    m_models = new QTreeWidget;
    m_models->setRootIsDecorated(false);
    m_models->setAlternatingRowColors(true);
    m_models->setHeaderLabels({tr("Model"), tr("Architecture"), tr("Parameters"), tr("Quantization"),
                               tr("File size"), tr("Context"), tr("Memory estimate")});
    m_models->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_models->header()->setStretchLastSection(false);
    m_useModel = new QPushButton(tr("Use this model"));
    auto* add = new QPushButton(tr("Add model file…"));
    auto* folder = new QPushButton(tr("Open models folder"));
    auto* refresh = new QPushButton(tr("Refresh"));
    m_loadProgress = new QProgressBar;
    m_loadProgress->setRange(0, 100);
    m_loadProgress->hide();
    m_loadStatus = new QLabel;
    m_loadStatus->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(m_useModel);
    row->addWidget(add);
    row->addWidget(folder);
    row->addStretch(1);
    row->addWidget(refresh);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(new QLabel(tr("Models folder: %1").arg(QDir::toNativeSeparators(m_services.models->modelsFolder()))));
    layout->addWidget(m_models, 1);
    layout->addLayout(row);
    layout->addWidget(m_loadProgress);
    layout->addWidget(m_loadStatus);

    connect(m_useModel, &QPushButton::clicked, this, &SettingsDialog::useSelectedModel);
    connect(m_models, &QTreeWidget::itemDoubleClicked, this, &SettingsDialog::useSelectedModel);
    connect(m_models, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        m_useModel->setEnabled(item && item->flags().testFlag(Qt::ItemIsEnabled));
    });
    connect(add, &QPushButton::clicked, this, &SettingsDialog::addModelFile);
    connect(folder, &QPushButton::clicked, this, [this] {
        QDir().mkpath(m_services.models->modelsFolder());
        QDesktopServices::openUrl(QUrl::fromLocalFile(m_services.models->modelsFolder()));
    });
    connect(refresh, &QPushButton::clicked, m_services.models, &ModelRegistry::refresh);
    connect(m_services.models, &ModelRegistry::modelsChanged, this, &SettingsDialog::fillModels);
    connect(m_services.models, &ModelRegistry::modelAddFailed, this, [this](const QString& path, const QString& message) {
        showWarning(this, tr("Add model file"), tr("%1 is not a usable model: %2").arg(path, message));
    });

    EngineController* engine = m_services.engine;
    connect(engine, &EngineController::modelLoadStarted, this, [this](const QString& path) {
        m_loadProgress->setValue(0);
        m_loadProgress->show();
        m_loadStatus->setText(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    });
    connect(engine, &EngineController::modelLoadProgress, this, [this](float f) { m_loadProgress->setValue(int(f * 100)); });
    connect(engine, &EngineController::modelLoaded, this, [this](const ModelDescription& model) {
        m_loadProgress->hide();
        m_loadStatus->setText(tr("Active model: %1").arg(model.name));
        fillModels();
    });
    connect(engine, &EngineController::modelLoadFailed, this, [this](const QString& message, const QString&) {
        m_loadProgress->hide();
        m_loadStatus->setText(tr("Loading failed: %1").arg(message));
        fillModels();
    });
    fillModels();
    return page;
}

void SettingsDialog::fillModels() {
    const QString active = m_services.engine->currentModel().path;
    const QString selected = m_models->currentItem() ? m_models->currentItem()->data(0, PathRole).toString() : active;
    m_models->clear();
    for (const ModelDescription& m : m_services.models->models()) {
        auto* item = new QTreeWidgetItem(m_models);
        QString name = m.name.isEmpty() ? QFileInfo(m.path).fileName() : m.name;
        if (m.bundled)
            name = tr("%1 (bundled)").arg(name);
        const bool isActive = !active.isEmpty() && QFileInfo(m.path) == QFileInfo(active);
        if (isActive)
            name = tr("%1 — active").arg(name);
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
        if (m.path == selected)
            m_models->setCurrentItem(item);
    }
    for (int c = ArchitectureColumn; c <= MemoryColumn; ++c)
        m_models->resizeColumnToContents(c);
}

void SettingsDialog::addModelFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Add model file"), QString(), tr("GGUF models (*.gguf);;All files (*)"));
    if (!path.isEmpty() && m_services.models->addModelFile(path))
        m_services.models->refresh();
}

void SettingsDialog::useSelectedModel() {
    QTreeWidgetItem* item = m_models->currentItem();
    if (!item || !item->flags().testFlag(Qt::ItemIsEnabled))
        return;
    emit activateModelRequested(item->data(0, PathRole).toString());
}

QWidget* SettingsDialog::createEnginePage() {
    auto* page = new QWidget;
    m_threads = new QSpinBox;
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_context = new QSpinBox;
    m_context->setRange(256, 131072);
    m_context->setSingleStep(256);
    m_context->setSuffix(tr(" tokens"));
    m_kvType = new QComboBox;
    m_kvType->addItem(tr("8-bit (Q8_0, half the memory)"), QStringLiteral("q8_0"));
    m_kvType->addItem(tr("16-bit (F16, exact)"), QStringLiteral("f16"));
    auto* note = new QLabel(tr("Changes take effect when the model is loaded again (done on OK)."));
    note->setWordWrap(true);
    auto* form = new QFormLayout(page);
    form->addRow(tr("&Threads:"), m_threads);
    form->addRow(tr("&Context length:"), m_context);
    form->addRow(tr("&KV cache:"), m_kvType);
    form->addRow(note);
    return page;
}

QWidget* SettingsDialog::createGenerationPage() {
    auto* page = new QWidget;
    m_systemPrompt = new QPlainTextEdit;
    m_systemPrompt->setPlaceholderText(tr("For example: 당신은 친절한 한국어 도우미입니다."));
    m_systemPrompt->setMaximumHeight(90);
    m_sampling = new SamplingEditor;
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(new QLabel(tr("System prompt of new conversations:")));
    layout->addWidget(m_systemPrompt);
    layout->addWidget(new QLabel(tr("Sampling defaults (a conversation can have its own):")));
    layout->addWidget(m_sampling);
    layout->addStretch(1);
    return page;
}

QWidget* SettingsDialog::createAppearancePage() {
    auto* page = new QWidget;
    m_theme = new QComboBox;
    m_theme->addItem(tr("System"), int(AppSettings::Theme::System));
    m_theme->addItem(tr("Light"), int(AppSettings::Theme::Light));
    m_theme->addItem(tr("Dark"), int(AppSettings::Theme::Dark));
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
    AppSettings* s = m_services.settings;
    m_threads->setValue(s->threads());
    m_context->setValue(s->contextLength());
    m_kvType->setCurrentIndex(qMax(0, m_kvType->findData(s->kvType())));
    m_systemPrompt->setPlainText(s->defaultSystemPrompt());
    m_sampling->setSampling(s->sampling());
    m_theme->setCurrentIndex(qMax(0, m_theme->findData(int(s->theme()))));
    m_language->setCurrentIndex(qMax(0, m_language->findData(s->uiLanguage())));
    m_fontSize->setValue(s->fontSize());
}

void SettingsDialog::apply() {
    AppSettings* s = m_services.settings;
    const bool engineChanged = s->threads() != m_threads->value() || s->contextLength() != m_context->value()
        || s->kvType() != m_kvType->currentData().toString();
    const auto theme = AppSettings::Theme(m_theme->currentData().toInt());
    const bool looksChanged = s->theme() != theme || s->fontSize() != m_fontSize->value();
    const bool newLanguage = s->uiLanguage() != m_language->currentData().toString();
    s->setThreads(m_threads->value());
    s->setContextLength(m_context->value());
    s->setKvType(m_kvType->currentData().toString());
    s->setDefaultSystemPrompt(m_systemPrompt->toPlainText());
    s->setSampling(m_sampling->sampling());
    s->setTheme(theme);
    s->setUiLanguage(m_language->currentData().toString());
    s->setFontSize(m_fontSize->value());
    s->sync();
    if (engineChanged)
        emit engineSettingsChanged();
    if (looksChanged)
        emit appearanceChanged();
    if (newLanguage)
        emit languageChanged();
}
