#include "enginetypes.h"

#include "kmlm/generate.h"
#include "kmlm/language_model.h"
#include "kmlm/sampler.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>

namespace kmlm::core {

namespace {
// A float setting as the decimal it was written as: 0.8f is 0.800000011920929 as a double,
// which would show in the settings file and the exported JSON.
double widen(float x) { return std::round(double(x) * 1e6) / 1e6; }
} // namespace

SamplingSettings::SamplingSettings(const kmlm::SamplingParams& params)
    : temperature(widen(params.temperature)), topK(params.top_k), topP(widen(params.top_p)), minP(widen(params.min_p)),
      repeatPenalty(widen(params.repeat_penalty)), repeatLastN(params.repeat_last_n), presencePenalty(widen(params.presence_penalty)),
      seed(params.seed ? static_cast<qint64>(std::min<uint64_t>(*params.seed, 9007199254740991ull)) : -1) {}

kmlm::SamplingParams SamplingSettings::toParams() const {
    kmlm::SamplingParams p;
    p.temperature = static_cast<float>(temperature);
    p.top_k = topK;
    p.top_p = static_cast<float>(topP);
    p.min_p = static_cast<float>(minP);
    p.repeat_penalty = static_cast<float>(repeatPenalty);
    p.repeat_last_n = repeatLastN;
    p.presence_penalty = static_cast<float>(presencePenalty);
    if (seed >= 0) p.seed = static_cast<uint64_t>(seed);
    return p;
}

QJsonObject SamplingSettings::toJson() const {
    QJsonObject o;
    o[QStringLiteral("temperature")] = temperature;
    o[QStringLiteral("top_k")] = topK;
    o[QStringLiteral("top_p")] = topP;
    o[QStringLiteral("min_p")] = minP;
    o[QStringLiteral("repeat_penalty")] = repeatPenalty;
    o[QStringLiteral("repeat_last_n")] = repeatLastN;
    o[QStringLiteral("presence_penalty")] = presencePenalty;
    o[QStringLiteral("max_tokens")] = maxTokens;
    o[QStringLiteral("seed")] = seed;
    return o;
}

SamplingSettings SamplingSettings::fromJson(const QJsonObject& json) {
    SamplingSettings s;
    // Out of range: clamped to the engine's ranges (kmlm/sampler.h); not a finite number: the default.
    auto num = [&json](const char* key, double fallback, kmlm::OptionRange range) {
        const QJsonValue v = json.value(QLatin1String(key));
        return v.isDouble() && std::isfinite(v.toDouble()) ? std::clamp(v.toDouble(), range.min, range.max) : fallback;
    };
    s.temperature = num("temperature", s.temperature, kmlm::kTemperatureRange);
    s.topK = static_cast<int>(num("top_k", s.topK, kmlm::kTopKRange));
    s.topP = num("top_p", s.topP, kmlm::kTopPRange);
    s.minP = num("min_p", s.minP, kmlm::kMinPRange);
    s.repeatPenalty = num("repeat_penalty", s.repeatPenalty, kmlm::kRepeatPenaltyRange);
    s.repeatLastN = static_cast<int>(num("repeat_last_n", s.repeatLastN, kmlm::kRepeatLastNRange));
    s.presencePenalty = num("presence_penalty", s.presencePenalty, kmlm::kPresencePenaltyRange);
    s.maxTokens = static_cast<int>(num("max_tokens", s.maxTokens, kmlm::kMaxTokensRange));
    s.seed = static_cast<qint64>(num("seed", static_cast<double>(s.seed), {-1, 9007199254740991.0}));
    return s;
}

bool SamplingSettings::operator==(const SamplingSettings& o) const {
    return qFuzzyCompare(1 + temperature, 1 + o.temperature) && topK == o.topK && qFuzzyCompare(1 + topP, 1 + o.topP) &&
           qFuzzyCompare(1 + minP, 1 + o.minP) && qFuzzyCompare(1 + repeatPenalty, 1 + o.repeatPenalty) && repeatLastN == o.repeatLastN &&
           qFuzzyCompare(1 + presencePenalty, 1 + o.presencePenalty) && maxTokens == o.maxTokens && seed == o.seed;
}

kmlm::LoadOptions EngineSettings::toLoadOptions() const {
    kmlm::LoadOptions lo;
    lo.n_threads = std::max(0, threads);
    lo.n_ctx = static_cast<uint32_t>(std::max(16, contextLength));
    lo.kv_type = kvType.compare(QLatin1String("f16"), Qt::CaseInsensitive) == 0 ? kmlm::KvType::F16 : kmlm::KvType::Q8_0;
    lo.memory_limit = memoryLimit;
    return lo;
}

// The names are those the signals spell (moc records a parameter type as written, here without
// the namespace); Q_DECLARE_METATYPE adds the qualified ones.
void registerEngineMetaTypes() {
    qRegisterMetaType<SamplingSettings>("SamplingSettings");
    qRegisterMetaType<EngineSettings>("EngineSettings");
    qRegisterMetaType<RemoteModelSettings>("RemoteModelSettings");
    qRegisterMetaType<ChatTurn>("ChatTurn");
    qRegisterMetaType<QVector<ChatTurn>>("QVector<ChatTurn>");
    qRegisterMetaType<ModelDescription>("ModelDescription");
    qRegisterMetaType<GenerationResult>("GenerationResult");
    qRegisterMetaType<StopReason>("StopReason");
}

} // namespace kmlm::core
