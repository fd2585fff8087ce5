#include "catalog.h"

#include "kmlm/bundled_model.h"
#include "kmlm/transformer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

#include <limits>

namespace kmlm::core {

namespace {

const QString kFormat = QStringLiteral("korean-mini-lm-catalog");

// Reads one object's fields, remembering the first problem with its place in the document.
class Reader {
public:
    Reader(const QJsonObject& object, QString place, QString* error) : m_object(object), m_place(std::move(place)), m_error(error) {}

    bool failed() const { return !m_error->isEmpty(); }
    void fail(const QString& key, const QString& what) {
        if (m_error->isEmpty()) *m_error = m_place + QStringLiteral(": \"") + key + QStringLiteral("\" ") + what;
    }

    QString text(const QString& key, bool required = true) {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() && !required) return {};
        if (!v.isString() || (required && v.toString().trimmed().isEmpty())) fail(key, QStringLiteral("must be a non-empty string"));
        return v.toString().trimmed();
    }
    quint64 count(const QString& key, bool required = true, quint64 max = quint64(1) << 52) {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() && !required) return 0;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 0 || d != double(quint64(d)) || d > double(max)) {
            fail(key, QStringLiteral("must be a whole number from 0 to %1").arg(max));
            return 0;
        }
        return quint64(d);
    }
    quint32 count32(const QString& key, bool required = true) { return quint32(count(key, required, 1u << 30)); }
    bool flag(const QString& key) {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined()) return false;
        if (!v.isBool()) fail(key, QStringLiteral("must be true or false"));
        return v.toBool();
    }
    QJsonObject object(const QString& key) {
        const QJsonValue v = m_object.value(key);
        if (!v.isObject()) fail(key, QStringLiteral("must be an object"));
        return v.toObject();
    }
    QJsonArray array(const QString& key, bool required = true) {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() && !required) return {};
        if (!v.isArray()) fail(key, QStringLiteral("must be an array"));
        return v.toArray();
    }
    const QString& place() const { return m_place; }

private:
    QJsonObject m_object;
    QString m_place;
    QString* m_error;
};

bool validRepo(const QString& repo) {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"));
    return re.match(repo).hasMatch() && !repo.contains(QStringLiteral(".."));
}

// A file name inside a repository: relative, no "..", ends in .gguf.
bool validFileName(const QString& file) {
    return !file.startsWith(QLatin1Char('/')) && !file.contains(QStringLiteral("..")) && !file.contains(QLatin1Char('\\')) &&
           file.endsWith(QStringLiteral(".gguf"), Qt::CaseInsensitive);
}

CatalogShape readShape(const QJsonObject& o, const QString& place, QString* error) {
    Reader r(o, place, error);
    CatalogShape s;
    s.layers = r.count32(QStringLiteral("layers"));
    s.heads = r.count32(QStringLiteral("heads"));
    s.kvHeads = r.count32(QStringLiteral("kv_heads"));
    s.headDim = r.count32(QStringLiteral("head_dim"));
    s.embedding = r.count32(QStringLiteral("embedding"));
    s.feedForward = r.count32(QStringLiteral("feed_forward"));
    s.vocabulary = r.count32(QStringLiteral("vocabulary"));
    s.slidingWindow = r.count32(QStringLiteral("sliding_window"), false);
    s.slidingPattern = r.count32(QStringLiteral("sliding_pattern"), false);
    s.ropeDims = r.count32(QStringLiteral("rope_dims"), false);
    if (r.failed()) return s;
    if (s.layers == 0 || s.heads == 0 || s.kvHeads == 0 || s.headDim == 0 || s.embedding == 0 || s.feedForward == 0 || s.vocabulary == 0)
        r.fail(QStringLiteral("layers"), QStringLiteral("and the other sizes must all be positive"));
    else if (s.kvHeads > s.heads || s.heads % s.kvHeads != 0)
        r.fail(QStringLiteral("kv_heads"), QStringLiteral("must divide heads"));
    else if (s.ropeDims > s.headDim)
        r.fail(QStringLiteral("rope_dims"), QStringLiteral("must not exceed head_dim"));
    return s;
}

CatalogFile readFile(const QJsonObject& o, const QString& entryRepo, const QString& place, QString* error) {
    Reader r(o, place, error);
    CatalogFile f;
    f.quantization = r.text(QStringLiteral("quantization"));
    f.repo = r.text(QStringLiteral("repo"), false);
    if (f.repo.isEmpty()) f.repo = entryRepo;
    f.file = r.text(QStringLiteral("file"));
    f.size = r.count(QStringLiteral("size"));
    f.sha256 = r.text(QStringLiteral("sha256"), false).toLower();
    if (r.failed()) return f;
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    if (!validRepo(f.repo))
        r.fail(QStringLiteral("repo"), QStringLiteral("must be a Hugging Face repository \"owner/name\""));
    else if (!validFileName(f.file))
        r.fail(QStringLiteral("file"), QStringLiteral("must be a relative .gguf file name"));
    else if (f.size == 0)
        r.fail(QStringLiteral("size"), QStringLiteral("must be positive"));
    else if (!f.sha256.isEmpty() && !hex.match(f.sha256).hasMatch())
        r.fail(QStringLiteral("sha256"), QStringLiteral("must be 64 hex digits"));
    return f;
}

CatalogEntry readEntry(const QJsonObject& o, const QString& place, QString* error) {
    Reader r(o, place, error);
    CatalogEntry e;
    e.id = r.text(QStringLiteral("id"));
    e.name = r.text(QStringLiteral("name"));
    e.publisher = r.text(QStringLiteral("publisher"));
    e.license = r.text(QStringLiteral("license"));
    const QString repo = r.text(QStringLiteral("repo"), false);
    e.architecture = r.text(QStringLiteral("architecture"));
    e.parameters = r.count(QStringLiteral("parameters"));
    e.contextLength = r.count32(QStringLiteral("context_length"));
    const QJsonObject shape = r.object(QStringLiteral("shape"));
    const QJsonObject description = r.object(QStringLiteral("description"));
    const QJsonArray tags = r.array(QStringLiteral("tags"));
    e.gated = r.flag(QStringLiteral("gated"));
    e.notes = r.text(QStringLiteral("notes"), false);
    const QJsonArray files = r.array(QStringLiteral("files"));
    if (r.failed()) return e;
    if (e.contextLength == 0) r.fail(QStringLiteral("context_length"), QStringLiteral("must be positive"));
    e.shape = readShape(shape, place + QStringLiteral(".shape"), error);
    Reader d(description, place + QStringLiteral(".description"), error);
    e.descriptionKo = d.text(QStringLiteral("ko"));
    e.descriptionEn = d.text(QStringLiteral("en"));
    for (int i = 0; i < tags.size() && !r.failed(); ++i) {
        if (!tags[i].isString() || tags[i].toString().isEmpty()) r.fail(QStringLiteral("tags"), QStringLiteral("must hold strings"));
        e.tags << tags[i].toString();
    }
    if (!r.failed() && files.isEmpty()) r.fail(QStringLiteral("files"), QStringLiteral("must list at least one file"));
    for (int i = 0; i < files.size() && !r.failed(); ++i) {
        const QString filePlace = place + QStringLiteral(".files[%1]").arg(i);
        if (!files[i].isObject()) {
            *error = filePlace + QStringLiteral(": must be an object");
            break;
        }
        e.files << readFile(files[i].toObject(), repo, filePlace, error);
    }
    return e;
}

QString appDataPath(const QString& name) {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QLatin1Char('/') + name;
}

} // namespace

QString CatalogEntry::description(const QString& language) const {
    return language.startsWith(QStringLiteral("ko")) ? descriptionKo : descriptionEn;
}

bool CatalogEntry::runsHere() const { return kmlm::is_transformer_arch(architecture.toStdString()); }

const CatalogFile* CatalogEntry::file(const QString& quantization) const {
    for (const CatalogFile& f : files)
        if (f.quantization == quantization) return &f;
    return nullptr;
}

const CatalogEntry* Catalog::entry(const QString& id) const {
    for (const CatalogEntry& e : entries)
        if (e.id == id) return &e;
    return nullptr;
}

std::optional<Catalog> Catalog::parse(const QByteArray& json, const QString& source, QString* error) {
    QString problem;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = tr("%1: not valid JSON at offset %2: %3").arg(source).arg(parseError.offset).arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = tr("%1: the catalog must be a JSON object").arg(source);
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    Catalog catalog;
    catalog.source = source;
    Reader r(root, QStringLiteral("catalog"), &problem);
    if (r.text(QStringLiteral("format")) != kFormat && !r.failed())
        r.fail(QStringLiteral("format"), QStringLiteral("must be \"%1\"").arg(kFormat));
    catalog.version = int(r.count(QStringLiteral("version"), true, 1000));
    catalog.revision = r.text(QStringLiteral("revision"));
    const QJsonArray models = r.array(QStringLiteral("models"));
    static const QRegularExpression date(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    if (!r.failed() && catalog.version > kFormatVersion)
        r.fail(QStringLiteral("version"),
               QStringLiteral("%1 is newer than this program reads (%2)").arg(catalog.version).arg(kFormatVersion));
    if (!r.failed() && !date.match(catalog.revision).hasMatch())
        r.fail(QStringLiteral("revision"), QStringLiteral("must be a date YYYY-MM-DD"));
    for (int i = 0; i < models.size() && problem.isEmpty(); ++i) {
        const QString place = QStringLiteral("models[%1]").arg(i);
        if (!models[i].isObject()) {
            problem = place + QStringLiteral(": must be an object");
            break;
        }
        CatalogEntry e = readEntry(models[i].toObject(), place, &problem);
        if (problem.isEmpty() && catalog.entry(e.id)) problem = place + QStringLiteral(": the id \"%1\" is used twice").arg(e.id);
        catalog.entries << e;
    }
    if (!problem.isEmpty()) {
        *error = source + QStringLiteral(": ") + problem;
        return std::nullopt;
    }
    return catalog;
}

std::optional<Catalog> Catalog::readFile(const QString& path, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = tr("%1 cannot be read: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    if (f.size() > (16 << 20)) {
        *error = tr("%1 is too large for a catalog").arg(path);
        return std::nullopt;
    }
    return parse(f.readAll(), path, error);
}

QString Catalog::bundledPath() {
    const std::filesystem::path found = kmlm::find_bundled_file("catalog.json");
    return found.empty() ? QString() : QFileInfo(QString::fromStdString(found.string())).canonicalFilePath();
}

QString Catalog::userPath() { return appDataPath(QStringLiteral("catalog.json")); }

Catalog Catalog::load(QString* warning) { return load(bundledPath(), userPath(), warning); }

Catalog Catalog::load(const QString& bundled, const QString& user, QString* warning) {
    QString problem;
    std::optional<Catalog> base = bundled.isEmpty() ? std::nullopt : readFile(bundled, &problem);
    if (!base && bundled.isEmpty()) problem = tr("The bundled model catalog (catalog.json) was not found.");
    if (!user.isEmpty() && QFileInfo::exists(user)) {
        QString userProblem;
        std::optional<Catalog> mine = readFile(user, &userProblem);
        if (!mine)
            problem = userProblem;
        else if (!base || mine->revision > base->revision)
            base = std::move(mine);
    }
    if (warning) *warning = problem;
    return base ? *base : Catalog{};
}

kmlm::TransformerHParams catalogHParams(const CatalogEntry& entry) {
    const CatalogShape& s = entry.shape;
    kmlm::TransformerHParams hp;
    hp.arch_name = entry.architecture.toStdString();
    hp.n_vocab = s.vocabulary;
    hp.n_ctx_train = entry.contextLength;
    hp.n_embd = s.embedding;
    hp.n_layer = s.layers;
    hp.n_ff = s.feedForward;
    hp.n_head = s.heads;
    hp.n_head_kv = s.kvHeads;
    hp.head_dim = s.headDim;
    hp.n_rot = s.ropeDims ? s.ropeDims : s.headDim;
    return hp;
}

// The whole file counts as mapped weights: its tensors and its header (which estimate_memory
// books under vocabulary). The tokenizer's own tables are not known before the file is here.
kmlm::MemoryEstimate estimateCatalogMemory(const CatalogEntry& entry, const CatalogFile& file, quint32 contextLength, kmlm::KvType kvType,
                                           quint64 baseline) {
    kmlm::MemoryEstimate e = kmlm::estimate_decoder_memory(catalogHParams(entry), file.size, 0, contextLength, kvType, baseline);
    e.parameters = entry.parameters;
    return e;
}

const CatalogFile* firstFittingFile(const CatalogEntry& entry, quint64 ceiling, quint32 contextLength, kmlm::KvType kvType,
                                    quint64 freeDisk, quint64* memory) {
    // Room for the memory guard's margin too, or the first long answer would stop early.
    const quint64 room = ceiling == 0 ? std::numeric_limits<quint64>::max() : ceiling - kmlm::MemoryGuard::default_margin(ceiling);
    for (const CatalogFile& f : entry.files) {
        if (f.size > freeDisk) continue;
        const quint64 need = estimateCatalogMemory(entry, f, contextLength, kvType).total();
        if (need > room) continue;
        if (memory) *memory = need;
        return &f;
    }
    return nullptr;
}

CatalogPick pickFirstModel(const Catalog& catalog, quint64 ceiling, quint32 contextLength, kmlm::KvType kvType, quint64 freeDisk) {
    for (const CatalogEntry& e : catalog.entries) {
        if (!e.runsHere() || !e.tags.contains(QStringLiteral("chat"))) continue;
        quint64 memory = 0;
        if (const CatalogFile* f = firstFittingFile(e, ceiling, contextLength, kvType, freeDisk, &memory))
            return CatalogPick{&e, f, memory};
    }
    return {};
}

} // namespace kmlm::core
