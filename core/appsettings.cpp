#include "appsettings.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace kmlm::core {

namespace {
const QString kThreads = QStringLiteral("engine/threads");
const QString kContext = QStringLiteral("engine/contextLength");
const QString kKvType = QStringLiteral("engine/kvType");
const QString kMemoryLimit = QStringLiteral("engine/memoryLimit");
const QString kSampling = QStringLiteral("chat/sampling");
const QString kSystemPrompt = QStringLiteral("chat/systemPrompt");
const QString kDatabase = QStringLiteral("chat/database");
const QString kTheme = QStringLiteral("ui/theme");
const QString kLanguage = QStringLiteral("ui/language");
const QString kFontSize = QStringLiteral("ui/fontSize");
const QString kGeometry = QStringLiteral("ui/windowGeometry");
const QString kWindowState = QStringLiteral("ui/windowState");
const QString kModelsFolder = QStringLiteral("models/folder");
const QString kExtraModels = QStringLiteral("models/extraFiles");
const QString kActiveModel = QStringLiteral("models/active");
const QString kHfToken = QStringLiteral("models/huggingFaceToken");
const QString kOfferDismissed = QStringLiteral("models/firstRunOfferDismissed");
const QString kApiEnabled = QStringLiteral("apiServer/enabled");
const QString kApiPort = QStringLiteral("apiServer/port");
const QString kRemoteModels = QStringLiteral("models/remote"); // JSON: [{"url", "model"}]
const QString kApiKeySecret = QStringLiteral("apiServer");
const QString kRemotePrefix = QStringLiteral("remote:");

QJsonObject readKeys(const QString& file) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QString appDataDir() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation); }
} // namespace

AppSettings::AppSettings(QObject* parent) : QObject(parent), m_settings(std::make_unique<QSettings>()) {}

AppSettings::AppSettings(const QString& iniFile, QObject* parent)
    : QObject(parent), m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat)) {}

AppSettings::~AppSettings() = default;

QVariant AppSettings::value(const QString& key, const QVariant& fallback) const { return m_settings->value(key, fallback); }

void AppSettings::setValue(const QString& key, const QVariant& value) {
    if (m_settings->contains(key) && m_settings->value(key) == value) return;
    m_settings->setValue(key, value);
    Q_EMIT changed(key);
}

int AppSettings::threads() const { return qBound(0, value(kThreads, 0).toInt(), 256); }
void AppSettings::setThreads(int threads) { setValue(kThreads, qBound(0, threads, 256)); }

int AppSettings::contextLength() const { return qBound(16, value(kContext, 2048).toInt(), 1 << 20); }
void AppSettings::setContextLength(int tokens) { setValue(kContext, qBound(16, tokens, 1 << 20)); }

QString AppSettings::kvType() const {
    const QString t = value(kKvType, QStringLiteral("q8_0")).toString().toLower();
    return t == QLatin1String("f16") ? t : QStringLiteral("q8_0");
}
void AppSettings::setKvType(const QString& type) { setValue(kKvType, type.toLower()); }

quint64 AppSettings::memoryLimit() const {
    bool ok = false;
    const quint64 v = value(kMemoryLimit, quint64(kmlm::kDefaultMemoryLimit)).toULongLong(&ok);
    return ok ? v : kmlm::kDefaultMemoryLimit;
}
void AppSettings::setMemoryLimit(quint64 bytes) { setValue(kMemoryLimit, bytes); }

EngineSettings AppSettings::engineSettings() const {
    EngineSettings s;
    s.threads = threads();
    s.contextLength = contextLength();
    s.kvType = kvType();
    s.memoryLimit = memoryLimit();
    return s;
}

SamplingSettings AppSettings::sampling() const {
    const QByteArray json = value(kSampling, QByteArray()).toByteArray();
    return SamplingSettings::fromJson(QJsonDocument::fromJson(json).object());
}
void AppSettings::setSampling(const SamplingSettings& sampling) {
    setValue(kSampling, QJsonDocument(sampling.toJson()).toJson(QJsonDocument::Compact));
}

QString AppSettings::defaultSystemPrompt() const { return value(kSystemPrompt, QString()).toString(); }
void AppSettings::setDefaultSystemPrompt(const QString& text) { setValue(kSystemPrompt, text); }

AppSettings::Theme AppSettings::theme() const {
    const QString t = value(kTheme, QStringLiteral("system")).toString();
    if (t == QLatin1String("light")) return Theme::Light;
    if (t == QLatin1String("dark")) return Theme::Dark;
    return Theme::System;
}
void AppSettings::setTheme(Theme theme) {
    setValue(kTheme, theme == Theme::Light  ? QStringLiteral("light")
                     : theme == Theme::Dark ? QStringLiteral("dark")
                                            : QStringLiteral("system"));
}

QString AppSettings::uiLanguage() const { return value(kLanguage, QString()).toString(); }
void AppSettings::setUiLanguage(const QString& language) { setValue(kLanguage, language); }

int AppSettings::fontSize() const { return qBound(0, value(kFontSize, 0).toInt(), 72); }
void AppSettings::setFontSize(int points) { setValue(kFontSize, qBound(0, points, 72)); }

QString AppSettings::modelsFolder() const { return value(kModelsFolder, appDataDir() + QStringLiteral("/models")).toString(); }
void AppSettings::setModelsFolder(const QString& folder) { setValue(kModelsFolder, QDir::cleanPath(folder)); }

QStringList AppSettings::extraModelFiles() const { return value(kExtraModels, QStringList()).toStringList(); }
void AppSettings::setExtraModelFiles(const QStringList& files) { setValue(kExtraModels, files); }

QString AppSettings::activeModelPath() const { return value(kActiveModel, QString()).toString(); }
void AppSettings::setActiveModelPath(const QString& path) { setValue(kActiveModel, path); }

QString AppSettings::chatDatabasePath() const { return value(kDatabase, appDataDir() + QStringLiteral("/chats.sqlite")).toString(); }
void AppSettings::setChatDatabasePath(const QString& path) { setValue(kDatabase, path); }

QString AppSettings::huggingFaceToken() const { return value(kHfToken, QString()).toString(); }
void AppSettings::setHuggingFaceToken(const QString& token) {
    setValue(kHfToken, token.trimmed());
    sync();
}

bool AppSettings::apiServerEnabled() const { return value(kApiEnabled, false).toBool(); }
void AppSettings::setApiServerEnabled(bool enabled) { setValue(kApiEnabled, enabled); }

int AppSettings::apiServerPort() const {
    const int port = value(kApiPort, kDefaultApiPort).toInt();
    return port >= 1 && port <= 65535 ? port : kDefaultApiPort;
}
void AppSettings::setApiServerPort(int port) { setValue(kApiPort, qBound(1, port, 65535)); }

QString AppSettings::apiServerKey() const { return secret(kApiKeySecret); }
void AppSettings::setApiServerKey(const QString& key) { setSecret(kApiKeySecret, key.trimmed()); }

QString AppSettings::remoteModelPath(const QString& baseUrl, const QString& model) {
    return kRemotePrefix + model + QLatin1Char('@') + baseUrl;
}

QVector<RemoteModelSettings> AppSettings::remoteModels() const {
    QVector<RemoteModelSettings> models;
    const QJsonArray list = QJsonDocument::fromJson(value(kRemoteModels, QByteArray()).toByteArray()).array();
    for (const QJsonValue& v : list) {
        RemoteModelSettings r;
        r.baseUrl = v[QStringLiteral("url")].toString();
        r.model = v[QStringLiteral("model")].toString();
        if (r.baseUrl.isEmpty()) continue;
        r.apiKey = secret(remoteModelPath(r.baseUrl, r.model));
        models.push_back(r);
    }
    return models;
}

void AppSettings::addRemoteModel(const RemoteModelSettings& remote) {
    const QString path = remoteModelPath(remote.baseUrl, remote.model);
    QJsonArray list;
    for (const RemoteModelSettings& r : remoteModels())
        if (remoteModelPath(r.baseUrl, r.model) != path)
            list.append(QJsonObject{{QStringLiteral("url"), r.baseUrl}, {QStringLiteral("model"), r.model}});
    list.append(QJsonObject{{QStringLiteral("url"), remote.baseUrl}, {QStringLiteral("model"), remote.model}});
    setValue(kRemoteModels, QJsonDocument(list).toJson(QJsonDocument::Compact));
    setSecret(path, remote.apiKey.trimmed());
}

void AppSettings::removeRemoteModel(const QString& path) {
    QJsonArray list;
    for (const RemoteModelSettings& r : remoteModels())
        if (remoteModelPath(r.baseUrl, r.model) != path)
            list.append(QJsonObject{{QStringLiteral("url"), r.baseUrl}, {QStringLiteral("model"), r.model}});
    setValue(kRemoteModels, QJsonDocument(list).toJson(QJsonDocument::Compact));
    setSecret(path, QString());
    if (activeModelPath() == path) setActiveModelPath(QString()); // the next start loads the bundled model
}

std::optional<RemoteModelSettings> AppSettings::remoteModel(const QString& path) const {
    for (const RemoteModelSettings& r : remoteModels())
        if (remoteModelPath(r.baseUrl, r.model) == path) return r;
    return std::nullopt;
}

QString AppSettings::keyFile() const {
    const QFileInfo settings(m_settings->fileName());
    return settings.dir().filePath(settings.completeBaseName() + QStringLiteral("-keys.json"));
}

QString AppSettings::secret(const QString& name) const { return readKeys(keyFile())[name].toString(); }

void AppSettings::setSecret(const QString& name, const QString& value) {
    QJsonObject keys = readKeys(keyFile());
    if (keys[name].toString() == value) return;
    if (value.isEmpty())
        keys.remove(name);
    else
        keys[name] = value;
    if (keys.isEmpty()) {
        QFile::remove(keyFile());
        return;
    }
    QDir().mkpath(QFileInfo(keyFile()).path());
    QFile f(keyFile());
    // The mode is set before any key is written, so no one else ever reads one.
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        qWarning("Cannot write the key file %s", qPrintable(keyFile()));
        return;
    }
    f.write(QJsonDocument(keys).toJson());
}

bool AppSettings::firstRunOfferDismissed() const { return value(kOfferDismissed, false).toBool(); }
void AppSettings::setFirstRunOfferDismissed(bool dismissed) { setValue(kOfferDismissed, dismissed); }

QString AppSettings::settingsFile() const { return m_settings->fileName(); }

QByteArray AppSettings::windowGeometry() const { return value(kGeometry, QByteArray()).toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& geometry) { setValue(kGeometry, geometry); }

QByteArray AppSettings::windowState() const { return value(kWindowState, QByteArray()).toByteArray(); }
void AppSettings::setWindowState(const QByteArray& state) { setValue(kWindowState, state); }

void AppSettings::sync() {
    m_settings->sync();
    // The token is a password: the settings file that holds it is the user's alone.
    if (!huggingFaceToken().isEmpty()) QFile::setPermissions(m_settings->fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

} // namespace kmlm::core
