#include "enginecontroller.h"

#include "chatprompt.h"
#include "engineworker.h"

#include "kmlm_server/remote_client.h"

#include <QFutureWatcher>
#include <QtConcurrent>

namespace kmlm::core {

QString remoteErrorMessage(const std::exception& e) {
    using kmlm::server::RemoteFailure;
    const QString detail = QString::fromUtf8(e.what());
    const auto* remote = dynamic_cast<const kmlm::server::RemoteError*>(&e);
    switch (remote ? remote->kind() : RemoteFailure::Other) {
    case RemoteFailure::Unreachable: return EngineController::tr("Cannot connect to the server. Is it running? (%1)").arg(detail);
    case RemoteFailure::Timeout: return EngineController::tr("The server did not answer in time. (%1)").arg(detail);
    case RemoteFailure::Key:
        return EngineController::tr("The server refused the API key: check the key of the remote model. (%1)").arg(detail);
    case RemoteFailure::Busy: return EngineController::tr("The server is busy: try again in a moment. (%1)").arg(detail);
    case RemoteFailure::Server: return EngineController::tr("The server failed. (%1)").arg(detail);
    case RemoteFailure::Lost:
        return EngineController::tr("The connection to the server was lost; the part of the answer that came is kept. (%1)").arg(detail);
    case RemoteFailure::Other: break;
    }
    return detail;
}

template <typename F>
void EngineController::post(F&& f) {
    QMetaObject::invokeMethod(m_worker, std::forward<F>(f), Qt::QueuedConnection);
}

EngineController::EngineController(QObject* parent) : QObject(parent), m_shared(std::make_shared<EngineShared>()) {
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

void EngineController::startCompletion(quint64 id, const QString& prefix, int maxTokens, const SamplingSettings& sampling) {
    const quint64 serial = m_shared->issue(true);
    EngineWorker* worker = m_worker;
    post([worker, id, serial, prefix, maxTokens, sampling] { worker->startCompletion(id, serial, prefix, maxTokens, sampling); });
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

} // namespace kmlm::core
