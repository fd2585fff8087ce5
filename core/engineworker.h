// The engine thread's side: owns the kmlm::LanguageModel and runs one request at a time.
// Reached only through queued calls from EngineController (its methods run on the engine
// thread); only the cancel flags in EngineShared are touched from the UI thread.
#pragma once
#include "enginetypes.h"

#include "kmlm/language_model.h"
#include "kmlm_server/remote_client.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSet>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kmlm::core {

// State both threads touch. Requests carry a serial number in posting order so stop() can
// cancel everything posted before it without a round trip. The mutex makes "is this request
// cancelled?" and "this request is now running" one step, so a cancel is never lost between them.
struct EngineShared {
    std::atomic<bool> cancel{false};   // the running generation's flag (GenerateOptions::cancel)
    std::atomic<quint64> runningId{0}; // id of the running generation, 0: none
    std::atomic<bool> quitting{false}; // the controller is going away: abandon a model load

    // UI thread.
    quint64 issue(bool completion); // serial for a new request; a completion makes older ones stale
    void cancelId(quint64 id);
    void cancelAll(); // everything issued so far
    // The loaded model, for work that may run beside a generation (counting tokens: the
    // tokenizers are safe to use from several threads). Null while none is loaded.
    std::shared_ptr<const kmlm::LanguageModel> model();
    // Engine thread: false when the request was cancelled before it started.
    bool begin(quint64 id, quint64 serial, bool completion);
    void end();
    void setModel(std::shared_ptr<const kmlm::LanguageModel> model);

private:
    QMutex mutex;
    quint64 issuedSerial = 0;
    quint64 stopSerial = 0;       // requests with a serial <= this are cancelled
    quint64 completionSerial = 0; // the newest completion
    bool runningCompletion = false;
    QSet<quint64> cancelledIds; // cancelled before they started
    std::shared_ptr<const kmlm::LanguageModel> loadedModel;
};

// One request of the local API server on its way through the engine thread: the worker
// pushes its text and its end, the HTTP thread that posted it waits for them.
class ApiJob {
public:
    // Engine thread.
    void push(std::string_view text);
    void finish(const GenerationResult& result);
    void fail(std::exception_ptr error); // a request the engine refused (kmlm_server's ApiError)

    // HTTP thread: waits up to timeout for text or the end, and takes the text that came.
    std::string take(std::chrono::milliseconds timeout, bool* done);
    // Once done: the end, or the refusal (null when none).
    const GenerationResult& result() const { return m_result; }
    std::exception_ptr error() const { return m_error; }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::string m_pending;
    bool m_done = false;
    GenerationResult m_result;
    std::exception_ptr m_error;
};

class EngineWorker : public QObject {
    Q_OBJECT
public:
    explicit EngineWorker(std::shared_ptr<EngineShared> shared, QObject* parent = nullptr);
    ~EngineWorker() override;

    void loadModel(const QString& path, const EngineSettings& settings, const QString& fallbackPath);
    void unloadModel();
    // Checks the server (its model list) and uses it instead of a local model; on failure
    // the current model stays.
    void loadRemoteModel(const RemoteModelSettings& remote);
    void startChat(quint64 id, quint64 serial, const QVector<ChatTurn>& messages, const QString& systemPrompt,
                   const SamplingSettings& sampling, bool thinking = true);
    void startCompletion(quint64 id, quint64 serial, const QString& prefix, int maxTokens, const SamplingSettings& sampling);
    // A request of the local API server: it runs in turn with the others, on the active model
    // (local or remote); its text and end go to job instead of the signals.
    void startApi(quint64 id, quint64 serial, const kmlm::server::GenerationRequest& request, std::shared_ptr<ApiJob> job);
    void countTokens(quint64 id, const QString& text);

Q_SIGNALS:
    void modelLoadStarted(const QString& path);
    void modelLoadProgress(float fraction);
    void modelLoaded(const ModelDescription& model);
    void modelLoadFailed(const QString& message, const QString& fallbackPath);
    void modelUnloaded();
    void textStreamed(quint64 id, const QString& chunk, double tokensPerSecond);
    void generationFinished(quint64 id, const GenerationResult& result);
    void tokenCount(quint64 id, int count);
    void modelMemory(quint64 weights, quint64 kvCache);
    void engineError(const QString& message);

private:
    std::unique_ptr<kmlm::LanguageModel> tryLoad(const QString& path, const EngineSettings& settings, QString* error);
    void setModel(std::unique_ptr<kmlm::LanguageModel> model, const QString& path, const EngineSettings& settings);
    void dropModel();
    // options: sampling, max_tokens, stop_strings, ignore_eos of the request; the rest is set here.
    void generate(quint64 id, const std::vector<int32_t>& prompt, kmlm::GenerateOptions options);
    void generateRemote(quint64 id, const kmlm::server::GenerationRequest& request);
    void finishWithError(quint64 id, StopReason reason, const QString& message);
    // A request's text and end: to its API job when it has one, else to the signals.
    void deliverText(quint64 id, std::string_view text, double tokensPerSecond);
    void deliverResult(quint64 id, const GenerationResult& result);
    void reportMemory();

    std::shared_ptr<EngineShared> m_shared;
    std::shared_ptr<kmlm::LanguageModel> m_model; // shared with EngineShared for token counts
    QString m_modelPath;
    EngineSettings m_settings;
    bool m_templateNoticeShown = false;                   // for the loaded model: said once, not at every message
    std::optional<kmlm::server::RemoteEndpoint> m_remote; // set: requests go to this server
    QHash<quint64, std::shared_ptr<ApiJob>> m_apiJobs;    // API requests posted and not yet finished
};

} // namespace kmlm::core
