#include "engineworker.h"

#include "chatprompt.h"
#include "enginecontroller.h"
#include "modelregistry.h"

#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/memory.h"
#include "kmlm_server/model_pool.h"

#include <QFileInfo>

#include <algorithm>
#include <chrono>

namespace kmlm::core {

namespace {

// The file's description (the registry's), with the loaded model's own figures: the context
// it runs with and the memory it holds.
ModelDescription describeModel(const kmlm::LanguageModel& model, const QString& path, const EngineSettings& settings) {
    ModelDescription d = ModelRegistry::describe(path, settings);
    const kmlm::MemoryUsage usage = model.memory_usage();
    d.contextLength = int(model.context_length());
    d.weightBytes = usage.weights;
    d.kvBytes = usage.kv_cache;
    d.memoryEstimate = usage.weights + usage.kv_cache + usage.compute + kmlm::kAppBaselineBytes;
    return d;
}

kmlm::GenerateOptions optionsFor(const SamplingSettings& sampling, int maxTokens) {
    kmlm::GenerateOptions options;
    options.sampling = sampling.toParams();
    options.max_tokens = maxTokens;
    return options;
}

} // namespace

void ApiJob::push(std::string_view text) {
    std::lock_guard lock(m_mutex);
    m_pending.append(text);
    m_changed.notify_all();
}

void ApiJob::finish(const GenerationResult& result) {
    std::lock_guard lock(m_mutex);
    m_result = result;
    m_done = true;
    m_changed.notify_all();
}

void ApiJob::fail(std::exception_ptr error) {
    std::lock_guard lock(m_mutex);
    m_error = std::move(error);
    m_done = true;
    m_changed.notify_all();
}

std::string ApiJob::take(std::chrono::milliseconds timeout, bool* done) {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [this] { return m_done || !m_pending.empty(); });
    *done = m_done && m_pending.empty();
    return std::exchange(m_pending, std::string());
}

EngineWorker::EngineWorker(std::shared_ptr<EngineShared> shared, QObject* parent) : QObject(parent), m_shared(std::move(shared)) {}

EngineWorker::~EngineWorker() = default;

std::unique_ptr<kmlm::LanguageModel> EngineWorker::tryLoad(const QString& path, const EngineSettings& settings, QString* error) {
    kmlm::LoadOptions options = settings.toLoadOptions();
    options.progress = [this](float fraction) { Q_EMIT modelLoadProgress(fraction); };
    options.cancel = &m_shared->quitting;
    try {
        return kmlm::load_model(path.toStdString(), options);
    } catch (const std::exception& e) {
        *error = QString::fromUtf8(e.what());
    }
    return nullptr;
}

void EngineWorker::setModel(std::unique_ptr<kmlm::LanguageModel> model, const QString& path, const EngineSettings& settings) {
    m_model = std::move(model);
    m_shared->setModel(m_model);
    m_modelPath = path;
    m_settings = settings;
    m_templateNoticeShown = false;
    reportMemory();
    Q_EMIT modelLoaded(describeModel(*m_model, path, settings));
}

void EngineWorker::loadModel(const QString& path, const EngineSettings& settings, const QString& fallbackPath) {
    Q_EMIT modelLoadStarted(path);
    m_remote.reset();
    // The old model goes first: holding two models at once could break the memory ceiling.
    const QString previousPath = m_modelPath;
    const EngineSettings previousSettings = m_settings;
    dropModel();

    QString error;
    if (auto model = tryLoad(path, settings, &error)) {
        setModel(std::move(model), path, settings);
        return;
    }
    const QString message = tr("Could not load the model %1: %2").arg(QFileInfo(path).fileName(), error);
    // Back to the previous model, else the fallback (the bundled GRU).
    const QString fallback = fallbackPath.isEmpty() ? ModelRegistry::bundledModelPath() : fallbackPath;
    if (m_shared->quitting) return;
    for (const auto& [candidate, candidateSettings] : {std::pair{previousPath, previousSettings}, std::pair{fallback, settings}}) {
        if (candidate.isEmpty() || QFileInfo(candidate) == QFileInfo(path)) continue;
        QString ignored;
        if (auto model = tryLoad(candidate, candidateSettings, &ignored)) {
            setModel(std::move(model), candidate, candidateSettings);
            Q_EMIT modelLoadFailed(message, candidate);
            return;
        }
    }
    reportMemory();
    Q_EMIT modelLoadFailed(message, QString());
    Q_EMIT modelUnloaded();
}

void EngineWorker::dropModel() {
    m_remote.reset();
    m_shared->setModel(nullptr);
    m_model.reset();
    m_modelPath.clear();
}

void EngineWorker::unloadModel() {
    dropModel();
    reportMemory();
    Q_EMIT modelUnloaded();
}

void EngineWorker::loadRemoteModel(const RemoteModelSettings& remote) {
    Q_EMIT modelLoadStarted(remote.baseUrl);
    kmlm::server::RemoteEndpoint endpoint;
    endpoint.base_url = remote.baseUrl.toStdString();
    endpoint.model = remote.model.toStdString();
    endpoint.api_key = remote.apiKey.toStdString();
    endpoint.timeout_seconds = remote.timeoutSeconds;
    try {
        const std::vector<std::string> ids = kmlm::server::remote_models(endpoint);
        if (endpoint.model.empty() && ids.size() == 1) endpoint.model = ids.front();
        if (std::find(ids.begin(), ids.end(), endpoint.model) == ids.end())
            throw kmlm::server::RemoteError(endpoint.base_url + " has no model '" + endpoint.model + "'");
    } catch (const std::exception& e) {
        // The key never appears in messages: the client's errors name only the URL.
        Q_EMIT modelLoadFailed(tr("Could not use the remote model: %1").arg(remoteErrorMessage(e)), m_modelPath);
        return;
    }
    dropModel(); // the local model's memory is not needed while a server answers
    m_remote = endpoint;
    reportMemory();
    ModelDescription d;
    d.path = remote.baseUrl;
    d.name = QString::fromStdString(endpoint.model);
    d.architecture = QStringLiteral("remote");
    d.remote = true;
    Q_EMIT modelLoaded(d);
}

void EngineWorker::reportMemory() {
    const kmlm::MemoryUsage usage = m_model ? m_model->memory_usage() : kmlm::MemoryUsage{};
    Q_EMIT modelMemory(usage.weights, usage.kv_cache);
}

void EngineWorker::finishWithError(quint64 id, StopReason reason, const QString& message) {
    GenerationResult result;
    result.reason = reason;
    result.errorMessage = message;
    if (m_model) result.model = QString::fromStdString(m_model->info().name);
    if (m_remote) result.model = QString::fromStdString(m_remote->model);
    deliverResult(id, result);
}

void EngineWorker::deliverText(quint64 id, std::string_view text, double tokensPerSecond) {
    if (const std::shared_ptr<ApiJob> job = m_apiJobs.value(id))
        job->push(text);
    else
        Q_EMIT textStreamed(id, QString::fromUtf8(text.data(), int(text.size())), tokensPerSecond);
}

void EngineWorker::deliverResult(quint64 id, const GenerationResult& result) {
    if (const std::shared_ptr<ApiJob> job = m_apiJobs.take(id))
        job->finish(result);
    else
        Q_EMIT generationFinished(id, result);
}

void EngineWorker::startChat(quint64 id, quint64 serial, const QVector<ChatTurn>& messages, const QString& systemPrompt,
                             const SamplingSettings& sampling, bool thinking) {
    if (!m_shared->begin(id, serial, false)) return finishWithError(id, StopReason::Cancelled, {});
    if (m_remote) {
        kmlm::server::GenerationRequest request;
        if (!systemPrompt.trimmed().isEmpty())
            request.messages.push_back({"system", systemPrompt.normalized(QString::NormalizationForm_C).toStdString()});
        for (const ChatTurn& turn : messages)
            request.messages.push_back({turn.role.toStdString(), turn.text.normalized(QString::NormalizationForm_C).toStdString()});
        request.params.sampling = sampling.toParams();
        request.params.max_tokens = sampling.maxTokens;
        return generateRemote(id, request);
    }
    if (!m_model) {
        m_shared->end();
        return finishWithError(id, StopReason::Error, tr("No model is loaded."));
    }
    try {
        const EnginePrompt prompt = chatPrompt(*m_model, messages, systemPrompt, thinking);
        if (!prompt.templateError.empty() && !m_templateNoticeShown) {
            // The answer still comes, in the family's format; the user learns why it may read oddly.
            m_templateNoticeShown = true;
            Q_EMIT engineError(tr("The chat template of %1 cannot be used (%2); the built-in %3 chat format is used instead.")
                                   .arg(QFileInfo(m_modelPath).fileName(), QString::fromStdString(prompt.templateError),
                                        QString::fromStdString(prompt.family)));
        }
        kmlm::GenerateOptions options = optionsFor(sampling, sampling.maxTokens);
        options.stop_strings = prompt.stopStrings;
        generate(id, prompt.tokens, std::move(options));
    } catch (const std::exception& e) {
        m_shared->end();
        finishWithError(id, StopReason::Error, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::startCompletion(quint64 id, quint64 serial, const QString& prefix, int maxTokens, const SamplingSettings& sampling) {
    if (!m_shared->begin(id, serial, true)) return finishWithError(id, StopReason::Cancelled, {});
    if (m_remote) {
        kmlm::server::GenerationRequest request;
        request.chat = false;
        request.prompt = prefix.normalized(QString::NormalizationForm_C).toStdString();
        request.params.sampling = sampling.toParams();
        request.params.max_tokens = maxTokens;
        return generateRemote(id, request);
    }
    if (!m_model) {
        m_shared->end();
        return finishWithError(id, StopReason::Error, tr("No model is loaded."));
    }
    try {
        const EnginePrompt prompt = completionPrompt(*m_model, prefix);
        kmlm::GenerateOptions options = optionsFor(sampling, maxTokens);
        options.stop_strings = prompt.stopStrings;
        generate(id, prompt.tokens, std::move(options));
    } catch (const std::exception& e) {
        m_shared->end();
        finishWithError(id, StopReason::Error, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::startApi(quint64 id, quint64 serial, const kmlm::server::GenerationRequest& request, std::shared_ptr<ApiJob> job) {
    m_apiJobs.insert(id, std::move(job));
    if (!m_shared->begin(id, serial, false)) return finishWithError(id, StopReason::Cancelled, {});
    if (m_remote) return generateRemote(id, request);
    if (!m_model) {
        m_shared->end();
        return finishWithError(id, StopReason::Error, tr("No model is loaded."));
    }
    kmlm::GenerateOptions options;
    options.sampling = request.params.sampling;
    options.max_tokens = request.params.max_tokens;
    options.stop_strings = request.params.stop;
    options.ignore_eos = request.params.ignore_eos;
    std::vector<int32_t> prompt;
    try {
        prompt = kmlm::server::request_prompt(*m_model, request, options.stop_strings, "the app's context length, Settings > Engine");
    } catch (const std::exception&) {
        // Refused before it ran (empty, longer than the context): the client gets a 400.
        m_shared->end();
        m_apiJobs.take(id)->fail(std::current_exception());
        return;
    }
    generate(id, prompt, std::move(options));
}

// Runs one generation to its end; begin() was called, end() is called here.
void EngineWorker::generate(quint64 id, const std::vector<int32_t>& prompt, kmlm::GenerateOptions options) {
    using Clock = std::chrono::steady_clock;
    options.max_tokens = qMax(1, options.max_tokens);
    // Greedy settings (temperature 0 or top-k 1) check guessed tokens in batches: the same
    // text, sooner where it repeats what came before.
    options.draft_tokens = kmlm::kDefaultDraftTokens;
    options.cancel = &m_shared->cancel;
    const kmlm::MemoryGuard guard(m_settings.memoryLimit);
    if (m_settings.memoryLimit > 0) options.memory_ok = guard.callback();

    // Speed is measured from the first sampled token, so prompt processing doesn't count.
    int generated = 0;
    Clock::time_point firstToken;
    options.on_token = [&](int32_t) {
        if (generated++ == 0) firstToken = Clock::now();
    };
    options.on_text = [&](std::string_view text) {
        const double seconds = std::chrono::duration<double>(Clock::now() - firstToken).count();
        const double speed = generated > 1 && seconds > 0 ? (generated - 1) / seconds : 0;
        deliverText(id, text, speed);
    };

    kmlm::GenerateResult r;
    try {
        r = kmlm::generate(*m_model, prompt, options);
    } catch (const std::exception& e) {
        // The model itself failed (not the request): say so beyond this request too.
        m_shared->end();
        const QString message = tr("The model failed: %1").arg(QString::fromUtf8(e.what()));
        finishWithError(id, StopReason::Error, message);
        Q_EMIT engineError(message);
        return;
    }
    m_shared->end();
    GenerationResult result;
    result.text = QString::fromStdString(r.text);
    result.tokens = QVector<int>(r.tokens.begin(), r.tokens.end());
    result.reason = r.reason;
    result.promptTokens = r.stats.prompt_tokens;
    result.reusedTokens = r.stats.reused_tokens;
    result.generatedTokens = r.stats.generated_tokens;
    result.draftedTokens = r.stats.drafted_tokens;
    result.acceptedTokens = r.stats.accepted_tokens;
    result.tokensPerSecond = r.stats.tokens_per_second();
    result.model = QString::fromStdString(m_model->info().name);
    if (r.reason == kmlm::StopReason::MemoryLimit) result.errorMessage = QString::fromStdString(guard.message());
    deliverResult(id, result);
    reportMemory();
}

// One request to the server; begin() was called, end() is called here. A failure keeps the
// part of the answer that came (result.text) beside the message.
void EngineWorker::generateRemote(quint64 id, const kmlm::server::GenerationRequest& request) {
    using Clock = std::chrono::steady_clock;
    kmlm::server::GenerationRequest r = request;
    r.params.max_tokens = qMax(1, r.params.max_tokens);
    GenerationResult result;
    result.model = QString::fromStdString(m_remote->model);
    std::string text;
    int pieces = 0;
    const Clock::time_point start = Clock::now();
    auto onText = [&](std::string_view piece) {
        text += piece;
        ++pieces;
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        deliverText(id, piece, seconds > 0 ? pieces / seconds : 0);
    };
    try {
        const kmlm::server::RemoteResult answer = kmlm::server::remote_generate(*m_remote, r, onText, &m_shared->cancel);
        result.reason = answer.cancelled                   ? StopReason::Cancelled
                        : answer.finish_reason == "length" ? StopReason::MaxTokens
                                                           : StopReason::EndOfText;
        result.promptTokens = answer.usage.prompt_tokens;
        result.generatedTokens = answer.usage.completion_tokens;
    } catch (const std::exception& e) {
        result.reason = StopReason::Error;
        result.errorMessage = remoteErrorMessage(e);
    }
    m_shared->end();
    result.text = QString::fromStdString(text);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (seconds > 0 && result.generatedTokens > 0) result.tokensPerSecond = result.generatedTokens / seconds;
    deliverResult(id, result);
}

void EngineWorker::countTokens(quint64 id, const QString& text) {
    try {
        Q_EMIT tokenCount(id, m_model ? promptTokenCount(*m_model, text) : -1);
    } catch (const std::exception& e) {
        Q_EMIT tokenCount(id, -1);
        Q_EMIT engineError(tr("Could not count tokens: %1").arg(QString::fromUtf8(e.what())));
    }
}

} // namespace kmlm::core
