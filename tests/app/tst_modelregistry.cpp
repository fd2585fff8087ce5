// ModelRegistry: the bundled model, the models folder and added files, each described from
// its metadata (architecture, parameters, quantization, size, context, memory estimate)
// off the UI thread; unreadable files are listed with an error instead of failing.
#include "kmlm_test.h"

#include "appsettings.h"
#include "modelregistry.h"

#include "kmlm/bundled_model.h"
#include "kmlm/gru_io.h"
#include "kmlm/model_random.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace kmlm::core;

class TestModelRegistry : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_folder;

    QString writeModel(const QString& name, const std::string& arch, const std::string& type) {
        kmlm::RandomModelSpec spec;
        spec.arch = arch;
        spec.type = type;
        spec.name = name.toStdString();
        spec.n_ctx = 512;
        const QString path = m_folder + QLatin1Char('/') + name + QStringLiteral(".gguf");
        kmlm::write_random_model(spec, path.toStdString());
        return path;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_folder = m_dir.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(m_folder));
    }

    void describe_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("type");
        QTest::newRow("llama Q8_0") << "llama"
                                    << "Q8_0";
        QTest::newRow("qwen2 Q4_0") << "qwen2"
                                    << "Q4_0";
        QTest::newRow("gptneox F16") << "gptneox"
                                     << "F16";
        QTest::newRow("exaone F32") << "exaone"
                                    << "F32";
    }

    void describe() {
        QFETCH(QString, arch);
        QFETCH(QString, type);
        const QString path = writeModel(arch + QLatin1Char('-') + type, arch.toStdString(), type.toStdString());
        EngineSettings settings;
        settings.contextLength = 256;
        const ModelDescription d = ModelRegistry::describe(path, settings);
        QVERIFY2(d.error.isEmpty(), qPrintable(d.error));
        QCOMPARE(d.architecture, arch);
        QCOMPARE(d.quantization, type);
        QCOMPARE(d.name, arch + QLatin1Char('-') + type);
        QCOMPARE(d.contextLength, 512);
        QCOMPARE(d.fileSize, quint64(QFileInfo(path).size()));
        QVERIFY(d.parameters > 0);
        QVERIFY(d.vocabSize >= 256);
        QVERIFY(d.weightBytes > 0);
        QVERIFY(d.kvBytes > 0);
        QVERIFY(d.memoryEstimate > d.weightBytes + d.kvBytes);
        QVERIFY(!d.bundled);
        // A longer context needs more memory.
        settings.contextLength = 512;
        QVERIFY(ModelRegistry::describe(path, settings).kvBytes > d.kvBytes);
        QFile::remove(path);
    }

    void describeGru() {
        kmlm::GruConfig config;
        config.embed_dim = 8;
        config.hidden_dim = 16;
        const QString path = m_dir.filePath(QStringLiteral("gru.gguf"));
        kmlm::write_gru_gguf(kmlm::GruWeights::random(config, 1), path.toStdString(), kmlm::GgmlType::F32, "작은 GRU");
        const ModelDescription d = ModelRegistry::describe(path, EngineSettings{});
        QVERIFY2(d.error.isEmpty(), qPrintable(d.error));
        QVERIFY(d.isGru());
        QCOMPARE(d.name, QStringLiteral("작은 GRU"));
        QCOMPARE(d.parameters, quint64(config.param_count()));
        QVERIFY(d.memoryEstimate > 0);
    }

    void describeGruOriginalFormats_data() {
        QTest::addColumn<QString>("extension");
        QTest::newRow("json") << "json";
        QTest::newRow("binary") << "bin";
    }

    void describeGruOriginalFormats() {
        QFETCH(QString, extension);
        kmlm::GruConfig config;
        config.vocab_size = kmlm::JamoTokenizer::kOriginalVocabSize;
        config.embed_dim = 4;
        config.hidden_dim = 8;
        const QString path = m_dir.filePath(QStringLiteral("gru.") + extension);
        kmlm::write_gru_file(kmlm::GruWeights::random(config, 2), path.toStdString(), kmlm::gru_format_from_extension(path.toStdString()));
        const ModelDescription d = ModelRegistry::describe(path, EngineSettings{});
        QVERIFY2(d.error.isEmpty(), qPrintable(d.error));
        QVERIFY(d.isGru());
        QCOMPARE(d.vocabSize, 77);
        QCOMPARE(d.parameters, quint64(config.param_count()));
        QVERIFY(d.memoryEstimate > 0);
    }

    void badFilesAreListedWithAnError_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("missing") << QByteArray();
        QTest::newRow("not a model") << QByteArray("hello, world");
        QTest::newRow("broken JSON model") << QByteArray("{\"config\": {\"vocabSize\": 77}");
        QTest::newRow("truncated GGUF") << QByteArray("GGUF\x03\x00\x00\x00\x05", 9);
    }

    void badFilesAreListedWithAnError() {
        QFETCH(QByteArray, content);
        const QString path = m_dir.filePath(QStringLiteral("bad.gguf"));
        QFile::remove(path);
        if (!content.isEmpty()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const ModelDescription d = ModelRegistry::describe(path, EngineSettings{});
        QVERIFY(!d.error.isEmpty());
        QVERIFY(!d.isValid());
        QCOMPARE(d.path, path);
    }

    void scansFolderAndAddedFiles() {
        AppSettings settings(m_dir.filePath(QStringLiteral("settings.ini")));
        settings.setModelsFolder(m_folder);
        const QString a = writeModel(QStringLiteral("a"), "llama", "Q8_0");
        const QString b = writeModel(QStringLiteral("b"), "qwen2", "Q4_0");
        QFile notModel(m_folder + QStringLiteral("/readme.txt"));
        QVERIFY(notModel.open(QIODevice::WriteOnly));
        notModel.close();
        const QString elsewhere = m_dir.filePath(QStringLiteral("elsewhere.gguf"));
        QVERIFY(QFile::copy(a, elsewhere));

        ModelRegistry registry(&settings);
        QSignalSpy changed(&registry, &ModelRegistry::modelsChanged);
        registry.refresh();
        QVERIFY(registry.isRefreshing() || !changed.isEmpty());
        QVERIFY(changed.wait(30000));
        const QString bundled = ModelRegistry::bundledModelPath();
        const int base = bundled.isEmpty() ? 0 : 1;
        QCOMPARE(registry.models().size(), base + 2);
        if (!bundled.isEmpty()) {
            QVERIFY(registry.models().first().bundled);
            QVERIFY(registry.models().first().isGru());
        }
        QCOMPARE(registry.model(a).name, QStringLiteral("a"));
        QCOMPARE(registry.model(b).architecture, QStringLiteral("qwen2"));

        QVERIFY(registry.addModelFile(elsewhere));
        QVERIFY(changed.wait(30000));
        QCOMPARE(registry.models().size(), base + 3);
        QCOMPARE(settings.extraModelFiles(), QStringList{elsewhere});
        QVERIFY(registry.addModelFile(elsewhere)); // once only
        QVERIFY(changed.wait(30000));
        QCOMPARE(registry.models().size(), base + 3);

        QSignalSpy addFailed(&registry, &ModelRegistry::modelAddFailed);
        QVERIFY(!registry.addModelFile(m_dir.filePath(QStringLiteral("nope.gguf"))));
        QCOMPARE(addFailed.count(), 1);

        registry.removeModelFile(elsewhere);
        QVERIFY(changed.wait(30000));
        QCOMPARE(registry.models().size(), base + 2);
        QVERIFY(QFile::exists(elsewhere)); // forgotten, not deleted
        QFile::remove(a);
        QFile::remove(b);
    }

    void bundledModelFromEnvironment() {
        const QString path = writeModel(QStringLiteral("env"), "llama", "F32");
        qputenv("KMLM_MODEL", path.toUtf8());
        QCOMPARE(ModelRegistry::bundledModelPath(), path);
        QVERIFY(ModelRegistry::describe(path, EngineSettings{}).bundled);
        // The CLI's rule (kmlm/bundled_model.h): a file the variable names is the choice even
        // when missing; the list then shows why it cannot be used.
        const QString missing = QFileInfo(path).absolutePath() + QStringLiteral("/missing.gguf");
        qputenv("KMLM_MODEL", missing.toUtf8());
        QCOMPARE(ModelRegistry::bundledModelPath(), missing);
        QVERIFY(!ModelRegistry::describe(missing, EngineSettings{}).isValid());
        qunsetenv("KMLM_MODEL");
        QVERIFY(ModelRegistry::bundledModelPath() != path);
        QCOMPARE(ModelRegistry::bundledModelPath(),
                 QFileInfo(QString::fromStdString(kmlm::find_bundled_model().string())).canonicalFilePath());
        QFile::remove(path);
    }
};

QTEST_GUILESS_MAIN(TestModelRegistry)
#include "tst_modelregistry.moc"
