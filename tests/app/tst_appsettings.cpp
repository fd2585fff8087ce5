// AppSettings: defaults, values persisted across instances (a temporary INI file), range
// checks on bad stored values.
#include "kmlm_test.h"

#include "appsettings.h"

#include "kmlm/sampler.h"

#include <QSignalSpy>
#include <QTemporaryDir>

#include <limits>

using namespace kmlm::core;

class TestAppSettings : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;
    QString newFile() { return m_dir.filePath(QStringLiteral("settings%1.ini").arg(++m_counter)); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
    }

    void defaults() {
        AppSettings s(newFile());
        QCOMPARE(s.threads(), 0);
        QCOMPARE(s.contextLength(), 2048);
        QCOMPARE(s.kvType(), QStringLiteral("q8_0"));
        QCOMPARE(s.memoryLimit(), quint64(3) * 1024 * 1024 * 1024);
        QCOMPARE(s.theme(), AppSettings::Theme::System);
        QCOMPARE(s.uiLanguage(), QString());
        QCOMPARE(s.fontSize(), 0);
        QCOMPARE(s.sampling(), SamplingSettings{});
        QVERIFY(s.modelsFolder().endsWith(QStringLiteral("/models")));
        QVERIFY(s.chatDatabasePath().endsWith(QStringLiteral("/chats.sqlite")));
        QVERIFY(s.activeModelPath().isEmpty());
        QVERIFY(s.extraModelFiles().isEmpty());
        QVERIFY(s.windowGeometry().isEmpty());
        const EngineSettings e = s.engineSettings();
        QCOMPARE(e.contextLength, 2048);
        QCOMPARE(e.memoryLimit, kmlm::kDefaultMemoryLimit);
    }

    // The app's sampling defaults are the engine's, said once in kmlm/sampler.h; the float
    // values come over as the decimals they are written as.
    void samplingDefaultsAreTheEngines() {
        const SamplingSettings s;
        const kmlm::SamplingParams engine;
        QCOMPARE(float(s.temperature), engine.temperature);
        QCOMPARE(s.topK, engine.top_k);
        QCOMPARE(float(s.topP), engine.top_p);
        QCOMPARE(float(s.minP), engine.min_p);
        QCOMPARE(float(s.repeatPenalty), engine.repeat_penalty);
        QCOMPARE(s.repeatLastN, engine.repeat_last_n);
        QCOMPARE(float(s.presencePenalty), engine.presence_penalty);
        QCOMPARE(s.seed, qint64(-1));
        QCOMPARE(s.maxTokens, kmlm::kChatMaxTokens);
        QCOMPARE(s.temperature, QString::number(engine.temperature).toDouble()); // 0.8, not 0.800000011920929
        // And back: what the app passes to the engine by default is the engine's default.
        const kmlm::SamplingParams p = s.toParams();
        QCOMPARE(p.temperature, engine.temperature);
        QCOMPARE(p.top_p, engine.top_p);
        QCOMPARE(p.min_p, engine.min_p);
        QCOMPARE(p.repeat_penalty, engine.repeat_penalty);
        QVERIFY(!p.seed);
        QCOMPARE(SamplingSettings::fromJson({}), s);
    }

    // The token makes the settings file private, and it stays so after later writes.
    void tokenFileIsPrivate() {
        const QString file = newFile();
        AppSettings s(file);
        s.setContextLength(1024);
        s.sync();
        QVERIFY(QFileInfo(file).permissions() & QFileDevice::ReadOther);
        s.setHuggingFaceToken(QStringLiteral("  hf_secret  "));
        QCOMPARE(s.huggingFaceToken(), QStringLiteral("hf_secret"));
        const auto privateMode = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        QCOMPARE(QFileInfo(file).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser), privateMode);
        s.setThreads(2);
        s.sync();
        QCOMPARE(QFileInfo(file).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser), privateMode);
        QCOMPARE(AppSettings(file).huggingFaceToken(), QStringLiteral("hf_secret"));
        QVERIFY(!s.firstRunOfferDismissed());
        s.setFirstRunOfferDismissed(true);
        s.sync();
        QVERIFY(AppSettings(file).firstRunOfferDismissed());
    }

    // The API keys live in their own file, mode 0600, never in the settings file; removing
    // a remote model removes its key, and the file goes with the last key.
    void keysInAPrivateFile() {
        const QString file = newFile();
        AppSettings s(file);
        QVERIFY(!s.apiServerEnabled());
        QCOMPARE(s.apiServerPort(), kDefaultApiPort);
        RemoteModelSettings remote;
        remote.baseUrl = QStringLiteral("http://gpu-box:11434/v1");
        remote.model = QStringLiteral("qwen3:8b");
        remote.apiKey = QStringLiteral("remote-secret");
        s.addRemoteModel(remote);
        s.setApiServerKey(QStringLiteral(" local-secret "));
        s.setApiServerEnabled(true);
        s.setApiServerPort(8181);
        s.sync();

        const QString keys = s.keyFile();
        QVERIFY(QFileInfo::exists(keys));
        QVERIFY(keys != s.settingsFile());
        const auto privateMode = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        QCOMPARE(QFileInfo(keys).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser), privateMode);
        QFile settingsFile(file);
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        const QByteArray settingsText = settingsFile.readAll();
        QVERIFY(settingsText.contains("gpu-box"));
        QVERIFY(!settingsText.contains("secret"));

        AppSettings again(file);
        QVERIFY(again.apiServerEnabled());
        QCOMPARE(again.apiServerPort(), 8181);
        QCOMPARE(again.apiServerKey(), QStringLiteral("local-secret"));
        QCOMPARE(again.remoteModels().size(), 1);
        const QString path = AppSettings::remoteModelPath(remote.baseUrl, remote.model);
        QCOMPARE(again.remoteModel(path)->apiKey, QStringLiteral("remote-secret"));

        again.setActiveModelPath(path);
        again.removeRemoteModel(path);
        QVERIFY(again.remoteModels().isEmpty());
        QVERIFY(again.activeModelPath().isEmpty());
        QVERIFY(!again.remoteModel(path));
        QFile keyFile(keys);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        QVERIFY(!keyFile.readAll().contains("remote-secret"));
        keyFile.close();
        again.setApiServerKey(QString());
        QVERIFY(!QFileInfo::exists(keys));
    }

    void persisted() {
        const QString file = newFile();
        SamplingSettings sampling;
        sampling.temperature = 0.25;
        sampling.topK = 7;
        sampling.topP = 0.5;
        sampling.minP = 0.1;
        sampling.repeatPenalty = 1.3;
        sampling.maxTokens = 99;
        sampling.seed = 1234;
        {
            AppSettings s(file);
            QSignalSpy changed(&s, &AppSettings::changed);
            s.setThreads(3);
            s.setContextLength(4096);
            s.setKvType(QStringLiteral("F16"));
            s.setMemoryLimit(quint64(1536) << 20);
            s.setSampling(sampling);
            s.setDefaultSystemPrompt(QStringLiteral("존댓말로 답하세요."));
            s.setTheme(AppSettings::Theme::Dark);
            s.setUiLanguage(QStringLiteral("ko"));
            s.setFontSize(13);
            s.setModelsFolder(QStringLiteral("/tmp/모델/"));
            s.setExtraModelFiles({QStringLiteral("/data/a.gguf"), QStringLiteral("/data/b.gguf")});
            s.setActiveModelPath(QStringLiteral("/data/a.gguf"));
            s.setChatDatabasePath(QStringLiteral("/tmp/chats.sqlite"));
            s.setWindowGeometry(QByteArray("\x01\x02geometry", 10));
            s.setWindowState(QByteArray("state"));
            QCOMPARE(changed.count(), 15);
            s.setThreads(3); // unchanged: no signal
            QCOMPARE(changed.count(), 15);
            s.sync();
        }
        AppSettings s(file);
        QCOMPARE(s.threads(), 3);
        QCOMPARE(s.contextLength(), 4096);
        QCOMPARE(s.kvType(), QStringLiteral("f16"));
        QCOMPARE(s.memoryLimit(), quint64(1536) << 20);
        QCOMPARE(s.sampling(), sampling);
        QCOMPARE(s.defaultSystemPrompt(), QStringLiteral("존댓말로 답하세요."));
        QCOMPARE(s.theme(), AppSettings::Theme::Dark);
        QCOMPARE(s.uiLanguage(), QStringLiteral("ko"));
        QCOMPARE(s.fontSize(), 13);
        QCOMPARE(s.modelsFolder(), QStringLiteral("/tmp/모델"));
        QCOMPARE(s.extraModelFiles(), (QStringList{QStringLiteral("/data/a.gguf"), QStringLiteral("/data/b.gguf")}));
        QCOMPARE(s.activeModelPath(), QStringLiteral("/data/a.gguf"));
        QCOMPARE(s.chatDatabasePath(), QStringLiteral("/tmp/chats.sqlite"));
        QCOMPARE(s.windowGeometry(), QByteArray("\x01\x02geometry", 10));
        QCOMPARE(s.windowState(), QByteArray("state"));
        const EngineSettings e = s.engineSettings();
        QCOMPARE(e.threads, 3);
        QCOMPARE(e.kvType, QStringLiteral("f16"));
    }

    void badStoredValues_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("threads") << "engine/threads"
                                 << "-5";
        QTest::newRow("context") << "engine/contextLength"
                                 << "3";
        QTest::newRow("kv type") << "engine/kvType"
                                 << "q2";
        QTest::newRow("memory limit") << "engine/memoryLimit"
                                      << "lots";
        QTest::newRow("theme") << "ui/theme"
                               << "purple";
        QTest::newRow("font size") << "ui/fontSize"
                                   << "1000";
        QTest::newRow("sampling") << "chat/sampling"
                                  << "{not json";
    }

    void badStoredValues() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        const QString file = newFile();
        {
            QSettings raw(file, QSettings::IniFormat);
            raw.setValue(key, value);
        }
        AppSettings s(file);
        QVERIFY(s.threads() >= 0);
        QVERIFY(s.contextLength() >= 16);
        QVERIFY(s.kvType() == QLatin1String("q8_0") || s.kvType() == QLatin1String("f16"));
        QCOMPARE(s.memoryLimit() == 0, false);
        QCOMPARE(s.theme(), AppSettings::Theme::System);
        QVERIFY(s.fontSize() <= 72);
        QCOMPARE(s.sampling(), SamplingSettings{});
    }

    void samplingJsonIsClamped() {
        const SamplingSettings s = SamplingSettings::fromJson(QJsonObject{
            {QStringLiteral("temperature"), 99.0}, {QStringLiteral("top_p"), -1.0}, {QStringLiteral("top_k"), QStringLiteral("x")}});
        QCOMPARE(s.temperature, 5.0);
        QCOMPARE(s.topP, 0.0);
        QCOMPARE(s.topK, SamplingSettings{}.topK);
        const SamplingSettings round = SamplingSettings::fromJson(s.toJson());
        QCOMPARE(round, s);
    }

    // What the CLI refuses (-n -5, --temp -1, --top-p nan) is clamped or reset when stored.
    void outOfRangeSamplingIsClampedWhenStored() {
        const QString file = newFile();
        SamplingSettings bad;
        bad.maxTokens = -5;
        bad.temperature = -1;
        bad.topP = std::numeric_limits<double>::quiet_NaN();
        bad.minP = std::numeric_limits<double>::infinity();
        bad.topK = -3;
        bad.repeatPenalty = 0;
        AppSettings(file).setSampling(bad);
        const SamplingSettings s = AppSettings(file).sampling();
        QCOMPARE(s.maxTokens, 1);
        QCOMPARE(s.temperature, 0.0);
        QCOMPARE(s.topP, SamplingSettings{}.topP);
        QCOMPARE(s.minP, SamplingSettings{}.minP);
        QCOMPARE(s.topK, 0);
        QCOMPARE(s.repeatPenalty, kmlm::kRepeatPenaltyRange.min);
        kmlm::validate(s.toParams()); // what the engine's own check accepts
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
