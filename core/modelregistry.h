// The models the user can choose: the bundled GRU model, every *.gguf in the models folder
// and files added one by one (remembered in the settings). Metadata is read from the GGUF
// header only (no tensor data), off the UI thread.
#pragma once
#include "enginetypes.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <QVector>

namespace kmlm::core {

class AppSettings;

class ModelRegistry : public QObject {
    Q_OBJECT
public:
    explicit ModelRegistry(AppSettings* settings, QObject* parent = nullptr);

    // kmlm::find_bundled_model() (kmlm/bundled_model.h): $KMLM_MODEL, else the first
    // share/korean-mini-lm/models or resources/models that has it; empty when none does.
    static QString bundledModelPath();
    // Reads one file's metadata and memory estimate for settings' context length and KV
    // type; never throws (ModelDescription::error says what went wrong). Any thread.
    static ModelDescription describe(const QString& path, const EngineSettings& settings);

    QString modelsFolder() const; // from AppSettings (default: AppDataLocation/models)
    QVector<ModelDescription> models() const { return m_models; }
    ModelDescription model(const QString& path) const; // invalid when not listed
    bool isRefreshing() const;

public Q_SLOTS:
    void refresh();                            // rescans in the background; modelsChanged when done
    bool addModelFile(const QString& path);    // remembered; false when it is not a readable model
    void removeModelFile(const QString& path); // forgets an added file (never deletes it)

Q_SIGNALS:
    void modelsChanged();
    void modelAddFailed(const QString& path, const QString& message);

private:
    QStringList candidatePaths() const;

    AppSettings* m_settings;
    QVector<ModelDescription> m_models;
    QFutureWatcher<QVector<ModelDescription>> m_watcher;
    bool m_refreshAgain = false;
};

} // namespace kmlm::core
