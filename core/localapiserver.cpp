#include "localapiserver.h"

#include "enginecontroller.h"
#include "engineworker.h"

#include "kmlm/error.h"
#include "kmlm_server/http_server.h"

#include <QMetaObject>

namespace kmlm::core {

namespace {
// How often a waiting request looks whether its client went away.
constexpr std::chrono::milliseconds kCancelPoll{50};
// Requests waiting for the engine beyond the one answering; more get 503.
constexpr int kQueuedRequests = 8;
} // namespace

std::string EngineBackend::model_id() const {
    std::lock_guard lock(m_mutex);
    return m_modelId;
}

void EngineBackend::setModelId(const QString& id) {
    std::lock_guard lock(m_mutex);
    m_modelId = id.toStdString();
}

kmlm::server::BackendResult EngineBackend::generate(const kmlm::server::GenerationRequest& request,
                                                    const std::function<void(std::string_view)>& on_text, const std::atomic<bool>& cancel) {
    auto job = std::make_shared<ApiJob>();
    const quint64 id = m_engine->newRequestId();
    m_engine->startApi(id, request, job);
    bool cancelSent = false;
    for (bool done = false; !done;) {
        const std::string text = job->take(kCancelPoll, &done);
        if (!text.empty() && on_text) on_text(text);
        if (cancel && !cancelSent) {
            // Queued or running, the engine drops it and finishes it as cancelled.
            m_engine->cancel(id);
            cancelSent = true;
        }
    }
    if (job->error()) std::rethrow_exception(job->error());
    const GenerationResult& r = job->result();
    if (r.reason == StopReason::Error) throw kmlm::Error(r.errorMessage.toStdString());
    kmlm::server::BackendResult out;
    out.text = r.text.toStdString();
    out.reason = r.reason;
    out.usage = {r.promptTokens, r.generatedTokens};
    out.reused_tokens = r.reusedTokens;
    if (r.reason != StopReason::Cancelled && m_served) m_served();
    return out;
}

LocalApiServer::LocalApiServer(EngineController* engine, QObject* parent) : QObject(parent), m_engine(engine), m_backend(engine) {
    m_backend.setModelId(engine->currentModel().name);
    connect(engine, &EngineController::modelLoaded, this, [this](const ModelDescription& m) { m_backend.setModelId(m.name); });
    connect(engine, &EngineController::modelUnloaded, this, [this] { m_backend.setModelId({}); });
    m_backend.setServedCallback([this] {
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_state != State::Serving) return;
                Q_EMIT requestsServedChanged(++m_served);
            },
            Qt::QueuedConnection);
    });
}

LocalApiServer::~LocalApiServer() { stop(); }

void LocalApiServer::start(int port, const QString& apiKey) {
    stop();
    kmlm::server::ServerOptions options;
    options.host = "127.0.0.1"; // the app's server is for this computer only
    options.port = port;
    options.api_key = apiKey.toStdString();
    options.parallel = 1; // the engine thread answers one request at a time anyway
    options.queue = kQueuedRequests;
    m_port = port;
    m_key = apiKey;
    m_served = 0;
    m_http = std::make_unique<kmlm::server::HttpServer>(m_backend, options);
    try {
        m_port = m_http->bind();
    } catch (const std::exception& e) {
        m_http.reset();
        m_error = QString::fromUtf8(e.what());
        return setState(State::Failed);
    }
    m_error.clear();
    m_thread = std::thread([http = m_http.get()] { http->run(); });
    setState(State::Serving);
}

void LocalApiServer::stop() {
    if (m_http) {
        m_http->stop();
        if (m_thread.joinable()) m_thread.join();
        m_http.reset();
    }
    m_error.clear();
    setState(State::Off);
}

void LocalApiServer::setState(State state) {
    if (state == m_state && state != State::Failed) return;
    m_state = state;
    Q_EMIT stateChanged();
}

} // namespace kmlm::core
