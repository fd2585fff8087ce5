// Completions from the engine thread: each editor request becomes an engine request; a new
// one replaces (and so cancels) the previous one on the engine thread.
#pragma once
#include "completionprovider.h"

namespace kmlm::core {
class AppSettings;
class EngineController;
} // namespace kmlm::core

namespace kmlm::ui {

class EngineCompletionProvider : public CompletionProvider {
    Q_OBJECT
public:
    EngineCompletionProvider(core::EngineController* engine, core::AppSettings* settings, QObject* parent = nullptr);
    void request(quint64 id, const QString& prefix) override;
    void cancel(quint64 id) override;

    static constexpr int maxTokens = 32; // a phrase or a sentence, quick on the GRU and the decoder

private:
    core::EngineController* m_engine;
    core::AppSettings* m_settings;
    quint64 m_editorId = 0;
    quint64 m_engineId = 0;
};

} // namespace kmlm::ui
