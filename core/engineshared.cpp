#include "engineworker.h"

#include <QMutexLocker>

namespace kmlm::core {

quint64 EngineShared::issue(bool completion) {
    QMutexLocker lock(&mutex);
    const quint64 serial = ++issuedSerial;
    if (completion) {
        completionSerial = serial;
        if (runningCompletion) cancel = true;
    }
    return serial;
}

void EngineShared::cancelId(quint64 id) {
    QMutexLocker lock(&mutex);
    if (runningId == id)
        cancel = true;
    else
        cancelledIds.insert(id);
}

void EngineShared::cancelAll() {
    QMutexLocker lock(&mutex);
    stopSerial = issuedSerial;
    if (runningId != 0) cancel = true;
}

bool EngineShared::begin(quint64 id, quint64 serial, bool completion) {
    QMutexLocker lock(&mutex);
    if (cancelledIds.remove(id) || serial <= stopSerial || (completion && serial < completionSerial)) return false;
    runningId = id;
    runningCompletion = completion;
    cancel = false;
    return true;
}

void EngineShared::end() {
    QMutexLocker lock(&mutex);
    runningId = 0;
    runningCompletion = false;
    cancel = false;
}

std::shared_ptr<const kmlm::LanguageModel> EngineShared::model() {
    QMutexLocker lock(&mutex);
    return loadedModel;
}

void EngineShared::setModel(std::shared_ptr<const kmlm::LanguageModel> model) {
    QMutexLocker lock(&mutex);
    loadedModel = std::move(model);
}

} // namespace kmlm::core
