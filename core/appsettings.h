// Typed access to the persistent settings (QSettings) with their defaults.
#pragma once
#include "enginetypes.h"

#include "kmlm/memory.h"

#include <QByteArray>
#include <QObject>
#include <QSettings>
#include <QStringList>

#include <memory>

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

    int threads() const;                 // 0: all cores
    void setThreads(int threads);
    int contextLength() const;           // 2048
    void setContextLength(int tokens);
    QString kvType() const;              // "q8_0" or "f16"
    void setKvType(const QString& type);
    quint64 memoryLimit() const;         // kmlm::kDefaultMemoryLimit (3 GiB); 0: no ceiling
    void setMemoryLimit(quint64 bytes);
    EngineSettings engineSettings() const;

    SamplingSettings sampling() const;   // defaults for conversations without their own
    void setSampling(const SamplingSettings& sampling);
    QString defaultSystemPrompt() const;
    void setDefaultSystemPrompt(const QString& text);

    Theme theme() const;
    void setTheme(Theme theme);
    QString uiLanguage() const;          // "" = the system's, "ko", "en"
    void setUiLanguage(const QString& language);
    int fontSize() const;                // points; 0 = the system's
    void setFontSize(int points);

    QString modelsFolder() const;        // AppDataLocation/models by default
    void setModelsFolder(const QString& folder);
    QStringList extraModelFiles() const; // files added with "Add model file..."
    void setExtraModelFiles(const QStringList& files);
    QString activeModelPath() const;     // "" = the bundled GRU
    void setActiveModelPath(const QString& path);
    QString chatDatabasePath() const;    // AppDataLocation/chats.sqlite by default
    void setChatDatabasePath(const QString& path);

    // Hugging Face access token for gated models ("" = none). Writing it makes the settings
    // file readable by the user alone (mode 0600); it is never logged.
    QString huggingFaceToken() const;
    void setHuggingFaceToken(const QString& token);
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

    std::unique_ptr<QSettings> m_settings;
};
