#include "enginecompletionprovider.h"

#include "appsettings.h"
#include "enginecontroller.h"

namespace kmlm::ui {

EngineCompletionProvider::EngineCompletionProvider(core::EngineController* engine, core::AppSettings* settings, QObject* parent)
    : CompletionProvider(parent), m_engine(engine), m_settings(settings) {
    connect(engine, &core::EngineController::textStreamed, this, [this](quint64 id, const QString& chunk, double) {
        if (id == m_engineId && id != 0) emit textArrived(m_editorId, chunk);
    });
    connect(engine, &core::EngineController::generationFinished, this, [this](quint64 id, const core::GenerationResult&) {
        if (id == m_engineId && id != 0) {
            m_engineId = 0;
            emit finished(m_editorId);
        }
    });
}

void EngineCompletionProvider::request(quint64 id, const QString& prefix) {
    m_editorId = id;
    m_engineId = m_engine->newRequestId();
    m_engine->startCompletion(m_engineId, prefix, maxTokens, m_settings->sampling());
}

void EngineCompletionProvider::cancel(quint64 id) {
    if (id == m_editorId && m_engineId != 0) {
        m_engine->cancel(m_engineId);
        m_engineId = 0;
    }
}

} // namespace kmlm::ui
