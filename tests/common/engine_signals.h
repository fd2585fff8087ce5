// Waiting for EngineController's answers in the app tests.
#pragma once
#include "enginetypes.h"

#include <QSignalSpy>
#include <QtTest>

#include <optional>

namespace kmlm_test {

// The result of request id among the spy's generationFinished signals.
inline std::optional<kmlm::core::GenerationResult> finished(const QSignalSpy& spy, quint64 id) {
    for (const QList<QVariant>& args : spy)
        if (args.at(0).toULongLong() == id) return args.at(1).value<kmlm::core::GenerationResult>();
    return std::nullopt;
}

// Generous by default: the machine may be busy; the wait ends as soon as the signal comes.
inline bool waitFinished(QSignalSpy& spy, quint64 id, int timeoutMs = 60000) {
    return QTest::qWaitFor([&] { return finished(spy, id).has_value(); }, timeoutMs);
}

} // namespace kmlm_test
