// Samples the process's resident memory about once a second (the engine's Qt-free reader,
// kmlm/memory.h) and splits it into model weights, KV cache and the rest of the application.
#pragma once
#include "kmlm/language_model.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <QVector>

namespace kmlm::core {

class EngineController;

class MemoryMonitor : public QObject {
    Q_OBJECT
public:
    struct Sample {
        qint64 msecsSinceEpoch = 0;
        quint64 used = 0; // resident set size
        quint64 ceiling = 0;
        quint64 model = 0; // weights (resident part of the mapping when known)
        quint64 kv = 0;    // KV cache / hidden state
        quint64 app = 0;   // used - model - kv
    };

    explicit MemoryMonitor(QObject* parent = nullptr);

    // Takes the model's figures from the engine's modelMemory signal.
    void setEngine(EngineController* engine);
    void setCeiling(quint64 bytes);
    quint64 ceiling() const { return m_ceiling; }
    // The room the engine's memory guard keeps under a ceiling: generation stops once
    // used + margin reaches it.
    static quint64 guardMargin(quint64 ceiling);
    void setInterval(int msec) { m_timer.setInterval(msec); } // default 1000
    void setHistoryLength(int samples);                       // default 120
    QVector<Sample> history() const { return m_history; }     // oldest first
    Sample latest() const { return m_history.isEmpty() ? Sample{} : m_history.last(); }

public Q_SLOTS:
    void start();
    void stop();
    void sampleNow();
    void setModelMemory(quint64 weights, quint64 kvCache);

Q_SIGNALS:
    void sampled(quint64 used, quint64 ceiling, quint64 model, quint64 kv, quint64 app);

private:
    QTimer m_timer;
    quint64 m_ceiling = kmlm::kDefaultMemoryLimit;
    quint64 m_weights = 0;
    quint64 m_kv = 0;
    QString m_modelFile; // the loaded model's file, whose resident pages count as model
    int m_historyLength = 120;
    QVector<Sample> m_history;
};

} // namespace kmlm::core
