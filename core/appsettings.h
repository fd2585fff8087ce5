// Typed access to the persistent settings (QSettings) with their defaults.
#pragma once
#include "enginetypes.h"

#include "kmlm/memory.h"

#include <QByteArray>
#include <QObject>
#include <QSettings>
#include <QStringList>

#include <memory>
#include <optional>

namespace kmlm::core {

// The local API server's port when none is set (that of `kmlm serve`).
inline constexpr int kDefaultApiPort = 8080;

class AppSettings : public QObject {
    Q_OBJECT
public:
    enum class Theme { System, Light, Dark };
    Q_ENUM(Theme)

    // The application's QSettings (organisation and application names from QCoreApplication).
    explicit AppSettings(QObject* parent = nullptr);
    // An INI file (tests, portable use).
    explicit AppSettings(const QString& iniFile, QObject* parent = nullptr);
    ~AppSettings() override;

    int threads() const; // 0: all cores
    void setThreads(int threads);
    int contextLength() const; // 2048
    void setContextLength(int tokens);
    QString kvType() const; // "q8_0" or "f16"
    void setKvType(const QString& type);
    quint64 memoryLimit() const; // kmlm::kDefaultMemoryLimit (3 GiB); 0: no ceiling
    void setMemoryLimit(quint64 bytes);
    EngineSettings engineSettings() const;

    SamplingSettings sampling() const; // defaults for conversations without their own
    void setSampling(const SamplingSettings& sampling);
    QString defaultSystemPrompt() const;
    void setDefaultSystemPrompt(const QString& text);

    Theme theme() const;
    void setTheme(Theme theme);
    QString uiLanguage() const; // "" = the system's, "ko", "en"
    void setUiLanguage(const QString& language);
    int fontSize() const; // points; 0 = the system's
    void setFontSize(int points);

    QString modelsFolder() const; // AppDataLocation/models by default
    void setModelsFolder(const QString& folder);
    QStringList extraModelFiles() const; // files added with "Add model file..."
    void setExtraModelFiles(const QStringList& files);
    QString activeModelPath() const; // "" = the bundled GRU
    void setActiveModelPath(const QString& path);
    QString chatDatabasePath() const; // AppDataLocation/chats.sqlite by default
    void setChatDatabasePath(const QString& path);

    // Hugging Face access token for gated models ("" = none). Writing it makes the settings
    // file readable by the user alone (mode 0600); it is never logged.
    QString huggingFaceToken() const;
    void setHuggingFaceToken(const QString& token);
    // The local API server (LocalApiServer): off by default, on 127.0.0.1 only.
    bool apiServerEnabled() const;
    void setApiServerEnabled(bool enabled);
    int apiServerPort() const; // kDefaultApiPort
    void setApiServerPort(int port);
    QString apiServerKey() const; // "" = none asked; kept in keyFile()
    void setApiServerKey(const QString& key);

    // Models on OpenAI-compatible servers ("Add remote model…"), with their keys from keyFile().
    QVector<RemoteModelSettings> remoteModels() const;
    // Adds remote (or replaces the one with its URL and model); its key goes to keyFile().
    void addRemoteModel(const RemoteModelSettings& remote);
    // Forgets the remote model of that path (remoteModelPath()) and its key (and it as the
    // active model).
    void removeRemoteModel(const QString& path);
    std::optional<RemoteModelSettings> remoteModel(const QString& path) const;
    // How a remote model is named where a file path would be (the active model, the list).
    static QString remoteModelPath(const QString& baseUrl, const QString& model);

    // The API keys (the local server's, the remote models'): a JSON file beside the settings
    // file, readable by the user alone (mode 0600), never in the settings file, never logged.
    QString keyFile() const;

    bool firstRunOfferDismissed() const; // the chat page's "get a real model" offer, dismissed for good
    void setFirstRunOfferDismissed(bool dismissed);
    QString settingsFile() const;

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    void sync();

Q_SIGNALS:
    void changed(const QString& key); // after a setter changed a value

private:
    QVariant value(const QString& key, const QVariant& fallback) const;
    void setValue(const QString& key, const QVariant& value);
    QString secret(const QString& name) const;
    void setSecret(const QString& name, const QString& value); // "" removes it

    std::unique_ptr<QSettings> m_settings;
};

} // namespace kmlm::core
