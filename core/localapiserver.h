// The desktop app's OpenAI-compatible API: kmlm_server's HttpServer on a thread of its own,
// on 127.0.0.1 only, answering with the active model through the engine thread. An API
// request is one more request in the engine's queue, in turn with the chat's and the
// editor's, so the window never waits for it; it streams, and a client that goes away
// cancels it. Widgets only read the state and the count (UI thread).
#pragma once
#include "kmlm_server/backend.h"

#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <thread>

namespace kmlm::server {
class HttpServer;
}

namespace kmlm::core {

class EngineController;

// A kmlm::server::Backend that forwards each request to the engine thread and waits for it.
class EngineBackend final : public kmlm::server::Backend {
public:
    explicit EngineBackend(EngineController* engine) : m_engine(engine) {}

    std::string model_id() const override;
    void setModelId(const QString& id); // the active model's name; any thread
    // Called on the HTTP thread after each request that ran to its end (not cancelled).
    void setServedCallback(std::function<void()> callback) { m_served = std::move(callback); }

    kmlm::server::BackendResult generate(const kmlm::server::GenerationRequest& request,
                                         const std::function<void(std::string_view)>& on_text, const std::atomic<bool>& cancel) override;

private:
    EngineController* m_engine;
    mutable std::mutex m_mutex;
    std::string m_modelId;
    std::function<void()> m_served;
};

class LocalApiServer : public QObject {
    Q_OBJECT
public:
    enum class State { Off, Serving, Failed };

    explicit LocalApiServer(EngineController* engine, QObject* parent = nullptr);
    ~LocalApiServer() override; // stops the server (call it before the engine goes)

    // Listens on 127.0.0.1:port (0: any free port) with apiKey (empty: none asked); a server
    // already running stops first. Failed (errorMessage) when the port cannot be had.
    void start(int port, const QString& apiKey);
    // Cancels what runs and stops listening.
    void stop();

    State state() const { return m_state; }
    int port() const { return m_port; }                 // the port listened on (or tried)
    quint64 requestsServed() const { return m_served; } // since the last start
    QString errorMessage() const { return m_error; }
    QString apiKey() const { return m_key; }

Q_SIGNALS:
    void stateChanged();
    void requestsServedChanged(quint64 count);

private:
    void setState(State state);

    EngineController* m_engine;
    EngineBackend m_backend;
    std::unique_ptr<kmlm::server::HttpServer> m_http;
    std::thread m_thread;
    State m_state = State::Off;
    int m_port = 0;
    quint64 m_served = 0;
    QString m_error;
    QString m_key;
};

} // namespace kmlm::core
