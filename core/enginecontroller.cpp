#include "enginecontroller.h"

#include "chatprompt.h"
#include "engineworker.h"

#include <QFutureWatcher>
#include <QtConcurrent>

template <typename F> void EngineController::post(F&& f) {
    QMetaObject::invokeMethod(m_worker, std::forward<F>(f), Qt::QueuedConnection);
}

EngineController::EngineController(QObject* parent)
    : QObject(parent), m_shared(std::make_shared<EngineShared>()) {
    registerEngineMetaTypes();
    m_thread.setObjectName(QStringLiteral("engine"));
    m_worker = new EngineWorker(m_shared);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &EngineWorker::modelLoadStarted, this, &EngineController::modelLoadStarted);
    connect(m_worker, &EngineWorker::modelLoadProgress, this, &EngineController::modelLoadProgress);
    connect(m_worker, &EngineWorker::modelLoaded, this, [this](const ModelDescription& model) {
        m_currentModel = model;
        m_loading = false;
        Q_EMIT modelLoaded(model);
    });
    connect(m_worker, &EngineWorker::modelLoadFailed, this, [this](const QString& message, const QString& fallback) {
        m_loading = false;
        Q_EMIT modelLoadFailed(message, fallback);
    });
    connect(m_worker, &EngineWorker::modelUnloaded, this, [this] {
        m_currentModel = ModelDescription();
        m_loading = false;
        Q_EMIT modelUnloaded();
    });
    connect(m_worker, &EngineWorker::textStreamed, this, &EngineController::textStreamed);
    connect(m_worker, &EngineWorker::generationFinished, this, &EngineController::generationFinished);
    connect(m_worker, &EngineWorker::tokenCount, this, &EngineController::tokenCount);
    connect(m_worker, &EngineWorker::modelMemory, this, &EngineController::modelMemory);
    connect(m_worker, &EngineWorker::engineError, this, &EngineController::engineError);
    m_thread.start();
}

EngineController::~EngineController() {
    m_shared->quitting = true;
    m_shared->cancelAll();
    m_thread.quit();
    m_thread.wait();
}

quint64 EngineController::newRequestId() { return ++m_nextId; }

quint64 EngineController::runningRequest() const { return m_shared->runningId; }

void EngineController::loadModel(const QString& path, const EngineSettings& settings, const QString& fallbackPath) {
    // Whatever is generating ends (as cancelled) before the model changes under it.
    m_shared->cancelAll();
    m_loading = true;
    EngineWorker* worker = m_worker;
    post([worker, path, settings, fallbackPath] { worker->loadModel(path, settings, fallbackPath); });
}

void EngineController::loadRemoteModel(const RemoteModelSettings& remote) {
    m_shared->cancelAll();
    m_loading = true;
    EngineWorker* worker = m_worker;
    post([worker, remote] { worker->loadRemoteModel(remote); });
}

void EngineController::unloadModel() {
    m_shared->cancelAll();
    EngineWorker* worker = m_worker;
    post([worker] { worker->unloadModel(); });
}

void EngineController::startChat(quint64 id, const QVector<ChatTurn>& messages, const QString& systemPrompt,
                                 const SamplingSettings& sampling, bool thinking) {
    const quint64 serial = m_shared->issue(false);
    EngineWorker* worker = m_worker;
    post([worker, id, serial, messages, systemPrompt, sampling, thinking] {
        worker->startChat(id, serial, messages, systemPrompt, sampling, thinking);
    });
}

void EngineController::startCompletion(quint64 id, const QString& prefix, int maxTokens,
                                       const SamplingSettings& sampling) {
    const quint64 serial = m_shared->issue(true);
    EngineWorker* worker = m_worker;
    post([worker, id, serial, prefix, maxTokens, sampling] {
        worker->startCompletion(id, serial, prefix, maxTokens, sampling);
    });
}

void EngineController::startApi(quint64 id, const kmlm::server::GenerationRequest& request, std::shared_ptr<ApiJob> job) {
    const quint64 serial = m_shared->issue(false);
    EngineWorker* worker = m_worker;
    post([worker, id, serial, request, job = std::move(job)] { worker->startApi(id, serial, request, job); });
}

void EngineController::stop() { m_shared->cancelAll(); }

void EngineController::cancel(quint64 id) { m_shared->cancelId(id); }

void EngineController::countTokens(quint64 id, const QString& text) {
    // Counted beside a running generation on a pool thread; queued behind the load when no
    // model is there yet.
    std::shared_ptr<const kmlm::LanguageModel> model = m_shared->model();
    if (!model) {
        EngineWorker* worker = m_worker;
        post([worker, id, text] { worker->countTokens(id, text); });
        return;
    }
    auto* watcher = new QFutureWatcher<int>(this);
    connect(watcher, &QFutureWatcher<int>::finished, this, [this, watcher, id] {
        Q_EMIT tokenCount(id, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([model, text] {
        try {
            return promptTokenCount(*model, text);
        } catch (const std::exception&) {
            return -1;
        }
    }));
}
