// Value types passed between the UI thread and the engine thread (queued signals), and
// stored by the chat store. Plain data, copyable, registered as Qt meta types.
#pragma once
#include "kmlm/generate.h"
#include "kmlm/gru.h"
#include "kmlm/language_model.h"
#include "kmlm/sampler.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace kmlm {
struct LoadOptions;
}

namespace kmlm::core {

// Sampling for one answer. Stored per conversation (JSON) with global defaults in AppSettings.
// The defaults and the accepted ranges are the engine's (kmlm/sampler.h).
struct SamplingSettings {
    SamplingSettings() : SamplingSettings(kmlm::SamplingParams{}) {}
    // The engine's values in the app's types (float to double, no seed as -1).
    explicit SamplingSettings(const kmlm::SamplingParams& params);

    double temperature;   // <= 0: greedy
    int topK;             // 0: off
    double topP;          // 1: off
    double minP;          // 0: off
    double repeatPenalty; // 1: off
    int repeatLastN;
    double presencePenalty;
    int maxTokens = kmlm::kChatMaxTokens; // answer length limit
    qint64 seed;                          // < 0: a random seed

    kmlm::SamplingParams toParams() const;
    QJsonObject toJson() const;
    // Missing keys keep their defaults; out-of-range values are clamped.
    static SamplingSettings fromJson(const QJsonObject& json);
    bool operator==(const SamplingSettings& o) const;
    bool operator!=(const SamplingSettings& o) const { return !(*this == o); }
};

// How a model is loaded.
struct EngineSettings {
    int threads = 0;                                 // 0: all cores
    int contextLength = 2048;                        // clamped to the model's
    QString kvType = QStringLiteral("q8_0");         // "q8_0" or "f16"
    quint64 memoryLimit = kmlm::kDefaultMemoryLimit; // the ceiling; 0: no check

    kmlm::LoadOptions toLoadOptions() const;
};

// A model on an OpenAI-compatible server (kmlm serve, llama.cpp, Ollama, vLLM).
struct RemoteModelSettings {
    QString baseUrl; // "http://gpu-box:11434/v1"
    QString model;   // the server's name for it; empty: the server's only model
    QString apiKey;  // empty: none
    int timeoutSeconds = 120;
};

// One message of a conversation as the engine sees it.
struct ChatTurn {
    QString role; // "system", "user" or "assistant"
    QString text;
};

// A model file: what the registry reads from its metadata, and what the engine reports
// once it is loaded (then the memory figures are measured, not estimated).
struct ModelDescription {
    QString path;
    QString name;         // general.name or the file name
    QString architecture; // "kmlm-gru", "llama", "qwen2", "exaone", "gptneox"
    QString quantization; // "F32", "Q4_0", "Q4_K_M", ...
    quint64 parameters = 0;
    quint64 fileSize = 0;
    int contextLength = 0; // training context; 0: unbounded (GRU)
    int vocabSize = 0;
    bool bundled = false;       // the GRU model that ships with the program
    quint64 memoryEstimate = 0; // bytes for the configured context and KV type; 0: unknown
    quint64 weightBytes = 0;    // loaded model: weights; registry: estimate
    quint64 kvBytes = 0;        // loaded model: sequence state; registry: estimate
    QString error;              // non-empty when the file could not be read
    bool remote = false;        // a model on an OpenAI-compatible server: path is its base URL

    bool isValid() const { return error.isEmpty() && !architecture.isEmpty(); }
    bool isGru() const { return architecture == QLatin1String(kmlm::kGruArchitecture.data()); }
};

using StopReason = kmlm::StopReason;

// The end of one chat or completion request.
struct GenerationResult {
    QString text;        // the whole answer
    QVector<int> tokens; // generated ids
    StopReason reason = StopReason::EndOfText;
    int promptTokens = 0;
    int reusedTokens = 0; // prompt tokens already in the model's state
    int generatedTokens = 0;
    int draftedTokens = 0;  // greedy sampling: tokens guessed and checked in batches
    int acceptedTokens = 0; // of those, the ones greedy decoding produced
    double tokensPerSecond = 0;
    QString model;        // name of the model that answered
    QString errorMessage; // set when reason is Error or MemoryLimit
};

// Registers the types of this file for queued connections (called by EngineController).
void registerEngineMetaTypes();

} // namespace kmlm::core

Q_DECLARE_METATYPE(kmlm::core::SamplingSettings)
Q_DECLARE_METATYPE(kmlm::core::EngineSettings)
Q_DECLARE_METATYPE(kmlm::core::RemoteModelSettings)
Q_DECLARE_METATYPE(kmlm::core::ChatTurn)
Q_DECLARE_METATYPE(kmlm::core::ModelDescription)
Q_DECLARE_METATYPE(kmlm::core::GenerationResult)
Q_DECLARE_METATYPE(kmlm::core::StopReason)
