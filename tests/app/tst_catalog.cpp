// The model catalog: the bundled resources/catalog.json is valid and complete, a malformed
// file is refused with the place of the problem, a user catalog with a later revision
// replaces the bundled one (a malformed one is skipped with a warning), and the estimate of a
// catalog entry, made from its shape alone, equals `kmlm memory` on a random model file of
// that shape.
#include "kmlm_test.h"

#include "catalog.h"

#include "kmlm/gguf.h"
#include "kmlm/model_random.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace kmlm::core;

namespace {

QString bundled() { return QStringLiteral(KMLM_SOURCE_DIR "/resources/catalog.json"); }

QJsonObject bundledJson() {
    QFile f(bundled());
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QString writeJson(const QTemporaryDir& dir, const QString& name, const QJsonObject& o) {
    const QString path = dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly)) f.write(QJsonDocument(o).toJson());
    return path;
}

// The first model's object, changed by edit, parsed; returns the error ("" when it parsed).
QString errorAfter(const std::function<void(QJsonObject&)>& edit) {
    QJsonObject root = bundledJson();
    QJsonArray models = root[QStringLiteral("models")].toArray();
    QJsonObject first = models[0].toObject();
    edit(first);
    models[0] = first;
    root[QStringLiteral("models")] = models;
    QString error;
    const auto c = Catalog::parse(QJsonDocument(root).toJson(), QStringLiteral("test.json"), &error);
    return c ? QString() : error;
}

} // namespace

class TestCatalog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void bundledCatalogIsComplete() {
        QString error;
        const auto c = Catalog::readFile(bundled(), &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->version, Catalog::kFormatVersion);
        QVERIFY(c->entries.size() >= 11);
        int runnable = 0;
        for (const CatalogEntry& e : c->entries) {
            QVERIFY2(!e.descriptionKo.isEmpty() && !e.descriptionEn.isEmpty(), qPrintable(e.id));
            QVERIFY2(!e.files.isEmpty() && !e.license.isEmpty() && !e.publisher.isEmpty(), qPrintable(e.id));
            QVERIFY2(e.shape.heads * e.shape.headDim > 0 && e.shape.heads % e.shape.kvHeads == 0, qPrintable(e.id));
            QVERIFY2(e.tags.contains(QStringLiteral("chat")) || e.tags.contains(QStringLiteral("completion")), qPrintable(e.id));
            runnable += e.runsHere() ? 1 : 0;
            for (const CatalogFile& f : e.files) QVERIFY2(f.repo.contains(QLatin1Char('/')) && f.size > 0, qPrintable(f.file));
        }
        QVERIFY(runnable >= 5); // exaone, llama (two), qwen2 (two), gptneox
        const CatalogEntry* exaone = c->entry(QStringLiteral("exaone-3.5-2.4b-instruct"));
        QVERIFY(exaone);
        QCOMPARE(exaone->file(QStringLiteral("Q4_K_M"))->file, QStringLiteral("EXAONE-3.5-2.4B-Instruct-Q4_K_M.gguf"));
        QCOMPARE(exaone->description(QStringLiteral("ko")), exaone->descriptionKo);
        QCOMPARE(exaone->description(QStringLiteral("en")), exaone->descriptionEn);
        // A file of its own repository (Qwen3 1.7B's Q4_K_M is ggml-org's).
        QCOMPARE(c->entry(QStringLiteral("qwen3-1.7b"))->file(QStringLiteral("Q4_K_M"))->repo, QStringLiteral("ggml-org/Qwen3-1.7B-GGUF"));
        QCOMPARE(c->entry(QStringLiteral("qwen3-1.7b"))->file(QStringLiteral("Q8_0"))->repo, QStringLiteral("Qwen/Qwen3-1.7B-GGUF"));
        QCOMPARE(c->entry(QStringLiteral("gemma-3-1b-it"))->shape.slidingWindow, 512u);
    }

    void malformedFilesSayWhere() {
        QString error;
        QVERIFY(!Catalog::parse("{ not json", QStringLiteral("x.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("x.json: not valid JSON")), qPrintable(error));
        QVERIFY(!Catalog::parse("[]", QStringLiteral("x.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("must be a JSON object")), qPrintable(error));

        QCOMPARE(errorAfter([](QJsonObject&) {}), QString());
        QString e = errorAfter([](QJsonObject& m) { m.remove(QStringLiteral("name")); });
        QVERIFY2(e.contains(QStringLiteral("test.json: models[0]: \"name\" must be a non-empty string")), qPrintable(e));
        e = errorAfter([](QJsonObject& m) {
            QJsonArray files = m[QStringLiteral("files")].toArray();
            QJsonObject f = files[1].toObject();
            f[QStringLiteral("size")] = -5;
            files[1] = f;
            m[QStringLiteral("files")] = files;
        });
        QVERIFY2(e.contains(QStringLiteral("models[0].files[1]: \"size\" must be a whole number")), qPrintable(e));
        e = errorAfter([](QJsonObject& m) {
            QJsonArray files = m[QStringLiteral("files")].toArray();
            QJsonObject f = files[0].toObject();
            f[QStringLiteral("file")] = QStringLiteral("../../etc/passwd.gguf");
            files[0] = f;
            m[QStringLiteral("files")] = files;
        });
        QVERIFY2(e.contains(QStringLiteral("\"file\" must be a relative .gguf file name")), qPrintable(e));
        e = errorAfter([](QJsonObject& m) {
            QJsonObject s = m[QStringLiteral("shape")].toObject();
            s[QStringLiteral("kv_heads")] = 7;
            m[QStringLiteral("shape")] = s;
        });
        QVERIFY2(e.contains(QStringLiteral("models[0].shape: \"kv_heads\" must divide heads")), qPrintable(e));
        e = errorAfter([](QJsonObject& m) { m[QStringLiteral("repo")] = QStringLiteral("no-slash"); });
        QVERIFY2(e.contains(QStringLiteral("\"repo\" must be a Hugging Face repository")), qPrintable(e));
        e = errorAfter([](QJsonObject& m) { m[QStringLiteral("tags")] = QStringLiteral("chat"); });
        QVERIFY2(e.contains(QStringLiteral("\"tags\" must be an array")), qPrintable(e));

        QJsonObject root = bundledJson();
        root[QStringLiteral("version")] = 99;
        QVERIFY(!Catalog::parse(QJsonDocument(root).toJson(), QStringLiteral("new.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("99 is newer than this program reads")), qPrintable(error));
        root = bundledJson();
        QJsonArray models = root[QStringLiteral("models")].toArray();
        models.append(models[0]);
        root[QStringLiteral("models")] = models;
        QVERIFY(!Catalog::parse(QJsonDocument(root).toJson(), QStringLiteral("dup.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("is used twice")), qPrintable(error));
    }

    void laterUserCatalogWins() {
        QTemporaryDir dir;
        QJsonObject root = bundledJson();
        QJsonArray models;
        models.append(root[QStringLiteral("models")].toArray()[0]);
        root[QStringLiteral("models")] = models;
        root[QStringLiteral("revision")] = QStringLiteral("2099-01-01");
        const QString later = writeJson(dir, QStringLiteral("later.json"), root);
        QString warning;
        Catalog c = Catalog::load(bundled(), later, &warning);
        QVERIFY2(warning.isEmpty(), qPrintable(warning));
        QCOMPARE(c.revision, QStringLiteral("2099-01-01"));
        QCOMPARE(c.entries.size(), 1);
        QCOMPARE(c.source, later);

        root[QStringLiteral("revision")] = QStringLiteral("2000-01-01");
        const QString older = writeJson(dir, QStringLiteral("older.json"), root);
        c = Catalog::load(bundled(), older, &warning);
        QCOMPARE(c.source, QFileInfo(bundled()).filePath());
        QVERIFY(c.entries.size() > 1);

        QFile broken(dir.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\"format\": \"korean-mini-lm-catalog\"");
        broken.close();
        c = Catalog::load(bundled(), broken.fileName(), &warning);
        QVERIFY(c.entries.size() > 1);
        QVERIFY2(warning.contains(QStringLiteral("broken.json: not valid JSON")), qPrintable(warning));

        c = Catalog::load(dir.filePath(QStringLiteral("absent.json")), QString(), &warning);
        QVERIFY(c.entries.isEmpty());
        QVERIFY(!warning.isEmpty());
    }
};

// The catalog's estimate uses the engine's estimator on the entry's shape: for a random model
// of that shape its KV cache and compute equal `kmlm memory`'s (in process and as printed),
// and the rest differs only by what needs the file itself: the tokenizer's tables, which the
// catalog cannot know, and the file's alignment padding, which it counts as weights.
class TestCatalogEstimate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void estimateMatchesKmlmMemory_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("kv");
        QTest::newRow("llama q8_0") << "llama" << 2 << "Q8_0"
                                    << "q8_0";
        QTest::newRow("qwen2 q4_k_m f16") << "qwen2" << 2 << "Q4_K_M"
                                          << "f16";
        QTest::newRow("exaone q4_0") << "exaone" << 4 << "Q4_0"
                                     << "q8_0";
        QTest::newRow("gptneox f16") << "gptneox" << 4 << "F16"
                                     << "q8_0";
    }
    void estimateMatchesKmlmMemory() {
        QFETCH(QString, arch);
        QFETCH(int, kvHeads);
        QFETCH(QString, type);
        QFETCH(QString, kv);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("shape.gguf"));
        const QString ctx = QStringLiteral("200");
        const auto run = kmlm_test::runKmlm({QStringLiteral("make-random"),
                                             QStringLiteral("--arch"),
                                             arch,
                                             QStringLiteral("--layers"),
                                             QStringLiteral("3"),
                                             QStringLiteral("--embd"),
                                             QStringLiteral("256"),
                                             QStringLiteral("--heads"),
                                             QStringLiteral("4"),
                                             QStringLiteral("--heads-kv"),
                                             QString::number(kvHeads),
                                             QStringLiteral("--ff"),
                                             QStringLiteral("512"),
                                             QStringLiteral("--vocab"),
                                             QStringLiteral("700"),
                                             QStringLiteral("--ctx"),
                                             QStringLiteral("512"),
                                             QStringLiteral("--type"),
                                             type,
                                             path});
        QVERIFY2(run.code == 0, qPrintable(run.err));

        CatalogEntry entry;
        entry.architecture = arch;
        entry.contextLength = 512;
        entry.shape = CatalogShape{3, 4, quint32(kvHeads), 64, 256, 512, 700, 0, 0, 0};
        CatalogFile file;
        file.size = quint64(QFileInfo(path).size());
        const kmlm::KvType kvType = kv == QLatin1String("f16") ? kmlm::KvType::F16 : kmlm::KvType::Q8_0;
        const kmlm::MemoryEstimate fromShape = estimateCatalogMemory(entry, file, 200, kvType, 1000);
        const auto gguf = kmlm::gguf::GgufFile::open(kmlm_test::toPath(path));
        const kmlm::MemoryEstimate fromFile = kmlm::estimate_memory(*gguf, 200, kvType, 1000);
        QCOMPARE(fromShape.n_ctx, fromFile.n_ctx);
        QCOMPARE(fromShape.kv_cache, fromFile.kv_cache);
        QCOMPARE(fromShape.compute, fromFile.compute);
        const quint64 tokenizerTables = fromFile.vocab - gguf->data_offset();
        const quint64 padding = file.size - gguf->data_offset() - fromFile.weights;
        QCOMPARE(fromFile.total() - fromShape.total(), tokenizerTables - padding);

        // What `kmlm memory` prints for the file: the same KV cache and compute.
        const auto memory = kmlm_test::runKmlm({QStringLiteral("memory"), QStringLiteral("-m"), path, QStringLiteral("--ctx"), ctx,
                                                QStringLiteral("--kv-type"), kv, QStringLiteral("--mem-limit"), QStringLiteral("none")});
        QVERIFY2(memory.code == 0, qPrintable(memory.err));
        const QString kvLine = QStringLiteral("KV cache     ") + QString::fromStdString(kmlm::format_bytes(fromShape.kv_cache));
        const QString computeLine = QStringLiteral("compute      ") + QString::fromStdString(kmlm::format_bytes(fromShape.compute));
        QVERIFY2(memory.out.contains(kvLine), qPrintable(memory.out + kvLine));
        QVERIFY2(memory.out.contains(computeLine), qPrintable(memory.out + computeLine));
        QVERIFY2(memory.out.contains(QStringLiteral("at context 200")), qPrintable(memory.out));
    }

    // Catalog entries of the real models: the estimates `kmlm pull --list` prints are the ones
    // the app shows, and a 3 GiB ceiling takes EXAONE 3.5 2.4B at Q4_K_M but not Qwen3 4B at Q8_0.
    void realEntries() {
        QString error;
        const auto c = Catalog::readFile(bundled(), &error);
        QVERIFY2(c, qPrintable(error));
        const CatalogEntry* exaone = c->entry(QStringLiteral("exaone-3.5-2.4b-instruct"));
        const kmlm::MemoryEstimate e = estimateCatalogMemory(*exaone, *exaone->file(QStringLiteral("Q4_K_M")), 2048, kmlm::KvType::Q8_0);
        // KV cache: 2 x 30 layers x 2048 tokens x 8 heads x 80, in F16 as the engine keeps it
        // when a head (80) is not whole Q8_0 blocks of 32.
        QCOMPARE(e.kv_type, kmlm::KvType::F16);
        QCOMPARE(e.kv_cache, quint64(2) * 30 * 2048 * 8 * 80 * 2);
        QVERIFY(e.total() < kmlm::kDefaultMemoryLimit);
        const CatalogEntry* qwen = c->entry(QStringLiteral("qwen3-4b"));
        QVERIFY(estimateCatalogMemory(*qwen, *qwen->file(QStringLiteral("Q8_0")), 2048, kmlm::KvType::Q8_0).total() >
                kmlm::kDefaultMemoryLimit);
        const CatalogPick pick = pickFirstModel(*c, kmlm::kDefaultMemoryLimit, 2048, kmlm::KvType::Q8_0, quint64(100) << 30);
        QCOMPARE(pick.entry, exaone);
        QCOMPARE(pick.file->quantization, QStringLiteral("Q4_K_M"));
        QVERIFY(!pickFirstModel(*c, kmlm::kDefaultMemoryLimit, 2048, kmlm::KvType::Q8_0, 100 << 20).entry); // no disk
        QCOMPARE(pickFirstModel(*c, quint64(1536) << 20, 2048, kmlm::KvType::Q8_0, quint64(100) << 30).entry->id,
                 QStringLiteral("qwen2.5-1.5b-instruct")); // 1.5 GiB: the first runnable chat model that fits

        const auto list = kmlm_test::runKmlm({QStringLiteral("pull"), QStringLiteral("--list")});
        QVERIFY2(list.code == 0, qPrintable(list.err));
        QVERIFY(list.out.contains(QStringLiteral("exaone-3.5-2.4b-instruct")));
        const QString row = QStringLiteral("%1 download  %2 memory  fits")
                                .arg(QString::fromStdString(kmlm::format_bytes(exaone->file(QStringLiteral("Q4_K_M"))->size)), 9)
                                .arg(QString::fromStdString(kmlm::format_bytes(e.total())), 9);
        QVERIFY2(list.out.contains(row), qPrintable(list.out + row));
        QVERIFY(list.out.contains(QStringLiteral("does not fit")));
        // Every architecture in the bundled catalog runs in this engine now.
        QVERIFY2(!list.out.contains(QStringLiteral("[this engine does not run this architecture yet]")), qPrintable(list.out));
    }
};

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    TestCatalog catalog;
    TestCatalogEstimate estimate;
    return QTest::qExec(&catalog, argc, argv) | QTest::qExec(&estimate, argc, argv);
}
#include "tst_catalog.moc"
