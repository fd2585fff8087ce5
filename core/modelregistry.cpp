#include "modelregistry.h"

#include "appsettings.h"

#include "kmlm/bundled_model.h"
#include "kmlm/model_file.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QtConcurrent>

namespace kmlm::core {

namespace {

// The engine's description of a file, in the app's terms.
void fromModelFile(const kmlm::ModelFileInfo& info, ModelDescription* d) {
    d->architecture = QString::fromStdString(info.architecture);
    if (!info.name.empty()) d->name = QString::fromStdString(info.name);
    d->quantization = QString::fromStdString(info.quantization);
    d->parameters = info.parameters;
    d->contextLength = int(info.context_length);
    d->vocabSize = int(info.vocab_size);
    if (!info.supported) d->error = ModelRegistry::tr("This model cannot be run: %1.").arg(QString::fromStdString(info.reason));
    if (info.memory) {
        d->weightBytes = info.memory->weights;
        d->kvBytes = info.memory->kv_cache;
        d->memoryEstimate = info.memory->total();
    }
}

} // namespace

ModelRegistry::ModelRegistry(AppSettings* settings, QObject* parent) : QObject(parent), m_settings(settings) {
    connect(&m_watcher, &QFutureWatcher<QVector<ModelDescription>>::finished, this, [this] {
        m_models = m_watcher.result();
        Q_EMIT modelsChanged();
        if (m_refreshAgain) {
            m_refreshAgain = false;
            refresh();
        }
    });
}

QString ModelRegistry::bundledModelPath() {
    const std::filesystem::path found = kmlm::find_bundled_model();
    if (found.empty()) return {};
    const QFileInfo file(QString::fromStdString(found.string()));
    return file.exists() ? file.canonicalFilePath() : file.absoluteFilePath();
}

ModelDescription ModelRegistry::describe(const QString& path, const EngineSettings& settings) {
    ModelDescription d;
    d.path = path;
    const QFileInfo info(path);
    d.name = info.completeBaseName();
    d.fileSize = quint64(info.size());
    d.bundled = !path.isEmpty() && info == QFileInfo(bundledModelPath());
    if (!info.isFile()) {
        d.error = tr("The file does not exist.");
        return d;
    }
    try {
        const kmlm::LoadOptions options = settings.toLoadOptions();
        fromModelFile(kmlm::describe_model_file(path.toStdString(), options.n_ctx, options.kv_type), &d);
    } catch (const std::exception& e) {
        d.error = QString::fromUtf8(e.what());
    }
    return d;
}

QString ModelRegistry::modelsFolder() const { return m_settings->modelsFolder(); }

ModelDescription ModelRegistry::model(const QString& path) const {
    for (const ModelDescription& m : m_models)
        if (QFileInfo(m.path) == QFileInfo(path)) return m;
    return {};
}

bool ModelRegistry::isRefreshing() const { return m_watcher.isRunning(); }

QStringList ModelRegistry::candidatePaths() const {
    QStringList paths;
    const QString bundled = bundledModelPath();
    if (!bundled.isEmpty()) paths << bundled;
    const QDir folder(modelsFolder());
    for (const QFileInfo& f : folder.entryInfoList({QStringLiteral("*.gguf")}, QDir::Files | QDir::Readable, QDir::Name))
        paths << f.absoluteFilePath();
    paths << m_settings->extraModelFiles();
    // The same file once, by its canonical path (links and "..").
    QStringList unique;
    QSet<QString> seen;
    for (const QString& p : paths) {
        const QString key = QFileInfo(p).canonicalFilePath().isEmpty() ? p : QFileInfo(p).canonicalFilePath();
        if (!seen.contains(key)) {
            seen.insert(key);
            unique << p;
        }
    }
    return unique;
}

void ModelRegistry::refresh() {
    if (m_watcher.isRunning()) {
        m_refreshAgain = true;
        return;
    }
    const QStringList paths = candidatePaths();
    const EngineSettings settings = m_settings->engineSettings();
    m_watcher.setFuture(QtConcurrent::run([paths, settings] {
        QVector<ModelDescription> models;
        for (const QString& p : paths) models.append(describe(p, settings));
        return models;
    }));
}

bool ModelRegistry::addModelFile(const QString& path) {
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable()) {
        Q_EMIT modelAddFailed(path, tr("The file %1 cannot be read.").arg(path));
        return false;
    }
    QStringList files = m_settings->extraModelFiles();
    if (!files.contains(info.absoluteFilePath())) {
        files << info.absoluteFilePath();
        m_settings->setExtraModelFiles(files);
    }
    refresh();
    return true;
}

void ModelRegistry::removeModelFile(const QString& path) {
    QStringList files = m_settings->extraModelFiles();
    if (files.removeAll(QFileInfo(path).absoluteFilePath()) + files.removeAll(path) > 0) {
        m_settings->setExtraModelFiles(files);
        refresh();
    }
}

} // namespace kmlm::core
