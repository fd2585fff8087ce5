// The curated catalog of Korean-capable GGUF models (resources/catalog.json): where each
// quantization lives on Hugging Face, and the shape the memory estimator needs to say before
// any download whether a model fits under the ceiling. A catalog.json in the user's data
// folder with a later "revision" replaces the bundled one (a newer list without a new build).
#pragma once
#include "kmlm/language_model.h"
#include "kmlm/memory.h"
#include "kmlm/transformer.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <optional>

namespace kmlm::core {

// One downloadable file: a quantization of an entry, in the entry's repository unless it
// names its own.
struct CatalogFile {
    QString quantization; // "Q4_K_M"
    QString repo;         // Hugging Face repository ("owner/name")
    QString file;         // file name in the repository
    quint64 size = 0;     // bytes (the hub's figure; the download takes the exact one from the hub)
    QString sha256;       // lower-case hex, when known; the hub's x-linked-etag is checked first
};

// What the estimator needs (llama.cpp's GGUF keys, from the model's config.json).
struct CatalogShape {
    quint32 layers = 0;
    quint32 heads = 0;
    quint32 kvHeads = 0;
    quint32 headDim = 0;
    quint32 embedding = 0;
    quint32 feedForward = 0;
    quint32 vocabulary = 0;
    quint32 slidingWindow = 0;  // 0: every layer attends to the whole context
    quint32 slidingPattern = 0; // every n-th layer is global, the others use the window
    quint32 ropeDims = 0;       // rotary dimensions per head; 0: the whole head
};

struct CatalogEntry {
    QString id;
    QString name;
    QString publisher;
    QString license;
    QString architecture; // GGUF general.architecture ("exaone", "qwen3", ...)
    quint64 parameters = 0;
    quint32 contextLength = 0;
    CatalogShape shape;
    QString descriptionKo;
    QString descriptionEn;
    QStringList tags;   // chat, completion, reasoning
    bool gated = false; // the repository asks for a token (its license accepted on the hub)
    QString notes;      // what could not be checked, caveats
    QVector<CatalogFile> files;

    // The description in the UI language ("ko" or anything else: English).
    QString description(const QString& language) const;
    // Whether this build's engine runs the architecture (llama, qwen2, exaone, gptneox).
    bool runsHere() const;
    const CatalogFile* file(const QString& quantization) const;
};

struct Catalog {
    Q_DECLARE_TR_FUNCTIONS(Catalog)

public:
    static constexpr int kFormatVersion = 1;

    int version = 0;
    QString revision; // ISO date "2026-12-01": the later one wins
    QString source;   // the file it was read from
    QVector<CatalogEntry> entries;

    const CatalogEntry* entry(const QString& id) const;

    // Parses a catalog document; nullopt with *error naming the place ("models[2].files[0]:
    // \"size\" must be a positive number") when it is malformed.
    static std::optional<Catalog> parse(const QByteArray& json, const QString& source, QString* error);
    static std::optional<Catalog> readFile(const QString& path, QString* error);

    // resources/catalog.json as installed (<exe>/../share/korean-mini-lm) or in the source tree.
    static QString bundledPath();
    // <AppDataLocation>/catalog.json.
    static QString userPath();
    // The bundled catalog, or the user's when its revision is later. A malformed user file is
    // skipped (*warning says why); a missing or malformed bundled one gives an empty catalog
    // and *warning.
    static Catalog load(QString* warning = nullptr);
    static Catalog load(const QString& bundled, const QString& user, QString* warning);
};

// The engine's hyperparameters for an entry's shape.
kmlm::TransformerHParams catalogHParams(const CatalogEntry& entry);
// Memory an entry needs at a context and KV cache type, from its shape and the file's size
// alone (nothing downloaded), by the engine's estimator (kmlm::estimate_decoder_memory). The
// engine keeps every layer's KV cache whole, so a sliding window does not lower it yet.
kmlm::MemoryEstimate estimateCatalogMemory(const CatalogEntry& entry, const CatalogFile& file, quint32 contextLength, kmlm::KvType kvType,
                                           quint64 baseline = kmlm::kAppBaselineBytes);

// The first of an entry's files (the catalog lists its recommended quantization first) whose
// estimate fits under the ceiling (0: none) less the memory guard's margin, and in freeDisk.
const CatalogFile* firstFittingFile(const CatalogEntry& entry, quint64 ceiling, quint32 contextLength, kmlm::KvType kvType,
                                    quint64 freeDisk = std::numeric_limits<quint64>::max(), quint64* memory = nullptr);

// The catalog's best choice for a new user: the first chat entry (the catalog lists the
// recommended ones first) that this engine runs and that has a fitting file. Null when none.
struct CatalogPick {
    const CatalogEntry* entry = nullptr;
    const CatalogFile* file = nullptr;
    quint64 memory = 0;
};
CatalogPick pickFirstModel(const Catalog& catalog, quint64 ceiling, quint32 contextLength, kmlm::KvType kvType, quint64 freeDisk);

} // namespace kmlm::core
