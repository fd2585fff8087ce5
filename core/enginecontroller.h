// The UI thread's handle on the engine. Owns a QThread with an EngineWorker on it; every
// method only posts a request to that thread (or flips an atomic cancel flag) and returns
// at once, so the UI never waits on the engine. Results come back as signals.
#pragma once
#include "enginetypes.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

namespace kmlm::server {
struct GenerationRequest;
}

namespace kmlm::core {

class ApiJob;
class EngineWorker;
struct EngineShared;

// A failure of a remote server (kmlm_server's RemoteError: refused, timeout, key, busy,
// failing, lost mid-answer) worded for the user, with the client's own message (naming the
// server, never the key) as the detail. Other exceptions: their message. Any thread.
QString remoteErrorMessage(const std::exception& e);

class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    ~EngineController() override; // cancels what runs and joins the engine thread

    // A fresh request id (ids only need to be unique; these are increasing). Any thread.
    quint64 newRequestId();

    // Loads a model on the engine thread. A running generation is cancelled and finished
    // (generationFinished with StopReason::Cancelled) first. The old model is freed before
    // the new one loads (two models at once could break the memory ceiling); on failure the
    // previous model is loaded again, or when there was none fallbackPath (default: the
    // bundled GRU); modelLoaded reports it, then modelLoadFailed names it.
    // Requests posted after this call run on the new model.
    void loadModel(const QString& path, const EngineSettings& settings, const QString& fallbackPath = {});
    // Unloads the model (frees its memory).
    void unloadModel();
    // Answers with a model on an OpenAI-compatible server instead (the local model is freed
    // once the server listed the model; on failure the current model stays). modelLoaded
    // reports it with remote set; chat and completion requests then stream from the server,
    // and a failure ends the request with StopReason::Error, the text received so far kept.
    void loadRemoteModel(const RemoteModelSettings& remote);

    // Answers a conversation: decoders get the model's chat template (with systemPrompt);
    // the GRU gets the last user message(s) as a plain prompt. thinking: the template's
    // enable_thinking (reasoning models). Streams textStreamed, ends with generationFinished.
    void startChat(quint64 id, const QVector<ChatTurn>& messages, const QString& systemPrompt, const SamplingSettings& sampling,
                   bool thinking = true);
    // Continues prefix (the editor's ghost text). A new completion cancels older ones that
    // are running or still queued.
    void startCompletion(quint64 id, const QString& prefix, int maxTokens, const SamplingSettings& sampling = {});
    // A request of the local API server (LocalApiServer), from its HTTP thread: it waits its
    // turn behind the requests posted before it, like a chat answer, and runs on the active
    // model; its text and end go to job, not to the signals. cancel(id) ends it.
    void startApi(quint64 id, const kmlm::server::GenerationRequest& request, std::shared_ptr<ApiJob> job);
    // Cancels the running generation and every generation requested before this call.
    void stop();
    // Cancels one request, running or queued. Any thread.
    void cancel(quint64 id);
    // Tokens of text for the active model (tokenCount; -1 when no model is loaded), counted
    // on a pool thread even while an answer is being generated.
    void countTokens(quint64 id, const QString& text);

    // Last model reported by modelLoaded (invalid before the first load).
    const ModelDescription& currentModel() const { return m_currentModel; }
    bool isLoading() const { return m_loading; }
    // The request whose text is streaming now, 0 when none (approximate: the engine thread's
    // view, read without waiting).
    quint64 runningRequest() const;

Q_SIGNALS:
    void modelLoadStarted(const QString& path);
    void modelLoadProgress(float fraction);
    void modelLoaded(const ModelDescription& model);
    // message says what went wrong; fallbackPath is the model active now (empty: none).
    void modelLoadFailed(const QString& message, const QString& fallbackPath);
    void modelUnloaded();
    void textStreamed(quint64 id, const QString& chunk, double tokensPerSecond);
    void generationFinished(quint64 id, const GenerationResult& result);
    void tokenCount(quint64 id, int count);
    // Memory the model holds (weights mapped/owned, KV cache / hidden state), after a load
    // and after each generation.
    void modelMemory(quint64 weights, quint64 kvCache);
    // The engine failed outside the normal flow (an exception from the model while generating,
    // the tokenizer failing); the request concerned also ends with its own error.
    void engineError(const QString& message);

private:
    // Runs f on the engine thread (queued).
    template <typename F>
    void post(F&& f);

    QThread m_thread;
    EngineWorker* m_worker = nullptr; // lives on m_thread
    std::shared_ptr<EngineShared> m_shared;
    ModelDescription m_currentModel;
    bool m_loading = false;
    std::atomic<quint64> m_nextId{0};
};

} // namespace kmlm::core
