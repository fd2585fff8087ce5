#include "memorymonitor.h"

#include "enginecontroller.h"

#include "kmlm/memory.h"

#include <QDateTime>

namespace kmlm::core {

quint64 MemoryMonitor::guardMargin(quint64 ceiling) { return kmlm::MemoryGuard::default_margin(ceiling); }

MemoryMonitor::MemoryMonitor(QObject* parent) : QObject(parent) {
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &MemoryMonitor::sampleNow);
}

void MemoryMonitor::setEngine(EngineController* engine) {
    connect(engine, &EngineController::modelMemory, this, &MemoryMonitor::setModelMemory);
    connect(engine, &EngineController::modelLoaded, this, [this](const ModelDescription& model) { m_modelFile = model.path; });
    connect(engine, &EngineController::modelUnloaded, this, [this] { m_modelFile.clear(); });
}

void MemoryMonitor::setCeiling(quint64 bytes) { m_ceiling = bytes; }

void MemoryMonitor::setHistoryLength(int samples) {
    m_historyLength = qMax(1, samples);
    if (m_history.size() > m_historyLength) m_history.remove(0, m_history.size() - m_historyLength);
}

void MemoryMonitor::start() {
    sampleNow();
    m_timer.start();
}

void MemoryMonitor::stop() { m_timer.stop(); }

void MemoryMonitor::setModelMemory(quint64 weights, quint64 kvCache) {
    m_weights = weights;
    m_kv = kvCache;
}

void MemoryMonitor::sampleNow() {
    kmlm::MemoryUsage usage;
    usage.weights = m_weights;
    usage.kv_cache = m_kv;
    kmlm::MemorySample s;
    try {
        s = kmlm::sample_memory(m_ceiling, m_modelFile.toStdString(), usage);
    } catch (const std::exception& e) {
        qWarning("MemoryMonitor: %s", e.what());
        return;
    }
    Sample sample;
    sample.msecsSinceEpoch = QDateTime::currentMSecsSinceEpoch();
    sample.used = s.used;
    sample.ceiling = s.ceiling;
    sample.model = s.model;
    sample.kv = s.kv_cache;
    sample.app = s.app;
    m_history.append(sample);
    if (m_history.size() > m_historyLength) m_history.removeFirst();
    Q_EMIT sampled(sample.used, sample.ceiling, sample.model, sample.kv, sample.app);
}

} // namespace kmlm::core
