// Where the completion editor gets its continuations from. The app uses the engine thread
// (EngineCompletionProvider); tests use a fake. A request with a new id replaces the previous
// one: the provider cancels it and chunks of older ids are ignored by the editor anyway.
#pragma once
#include <QObject>
#include <QString>

namespace kmlm::ui {

class CompletionProvider : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void request(quint64 id, const QString& prefix) = 0;
    virtual void cancel(quint64 id) = 0;

signals:
    void textArrived(quint64 id, const QString& chunk);
    void finished(quint64 id);
};

} // namespace kmlm::ui
