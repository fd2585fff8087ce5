// `kmlm pull`: downloads a model file from Hugging Face into the models folder with the app's
// own download code (resume, SHA-256 check, atomic rename), and `kmlm pull --list` prints the
// model catalog with what each file needs under the memory ceiling. The only part of kmlm
// that uses Qt (Core + Network, the event loop the download runs on).
#include "command.h"
#include "model_options.h"
#include "progress.h"

#include "catalog.h"
#include "modeldownload.h"

#include "kmlm/error.h"
#include "kmlm/memory.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

namespace kmlm::cli {
namespace {

using core::Catalog;
using core::CatalogEntry;
using core::CatalogFile;
using core::DownloadSpec;
using core::estimateCatalogMemory;
using core::ModelDownload;

struct PullCommand {
    std::string repo; // "owner/name", or a catalog id
    std::string file; // file name, or with a catalog id a quantization (optional)
    std::string models_dir;
    bool list = false;
    ModelOptions model; // --ctx, --kv-type, --mem-limit for the estimates
};

// The desktop app's folder (QStandardPaths AppDataLocation of kmlm/korean-mini-lm).
QString defaultModelsDir() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/models"); }

std::string fixed(double v, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

void listCatalog(const Catalog& catalog, const PullCommand& cmd) {
    const LoadOptions lo = to_load_options(cmd.model);
    std::cout << "catalog " << catalog.source.toStdString() << " (revision " << catalog.revision.toStdString() << "); estimates at context "
              << lo.n_ctx << ", " << kv_type_name(lo.kv_type) << " KV cache, ceiling "
              << (lo.memory_limit ? format_bytes(lo.memory_limit) : std::string("none")) << "\n";
    for (const CatalogEntry& e : catalog.entries) {
        std::cout << "\n"
                  << e.id.toStdString() << "  " << e.name.toStdString() << " (" << e.publisher.toStdString() << "; "
                  << e.architecture.toStdString() << ", " << fixed(double(e.parameters) / 1e9, 2) << " B parameters; "
                  << e.license.toStdString() << ")" << (e.runsHere() ? "" : "  [this engine does not run this architecture yet]") << "\n";
        for (const CatalogFile& f : e.files) {
            const MemoryEstimate m = estimateCatalogMemory(e, f, lo.n_ctx, lo.kv_type);
            const bool fits = lo.memory_limit == 0 || m.total() <= lo.memory_limit;
            std::printf("  %-8s %9s download  %9s memory  %-13s %s/%s\n", f.quantization.toUtf8().constData(), format_bytes(f.size).c_str(),
                        format_bytes(m.total()).c_str(), fits ? "fits" : "does not fit", f.repo.toUtf8().constData(),
                        f.file.toUtf8().constData());
        }
    }
    std::cout << std::flush;
}

// A catalog id with an optional quantization names a file of the catalog; the first that fits.
std::optional<DownloadSpec> specFromCatalog(const Catalog& catalog, const PullCommand& cmd) {
    const CatalogEntry* e = catalog.entry(QString::fromStdString(cmd.repo));
    if (!e) return std::nullopt;
    const LoadOptions lo = to_load_options(cmd.model);
    const CatalogFile* chosen = nullptr;
    if (!cmd.file.empty()) {
        chosen = e->file(QString::fromStdString(cmd.file));
        if (!chosen) throw InvalidArgument(cmd.repo + " has no quantization " + cmd.file);
    } else {
        chosen = firstFittingFile(*e, lo.memory_limit, lo.n_ctx, lo.kv_type);
        if (!chosen) throw MemoryLimitError(cmd.repo + ": no quantization fits under the memory ceiling");
    }
    DownloadSpec spec;
    spec.repo = chosen->repo;
    spec.file = chosen->file;
    spec.sha256 = chosen->sha256;
    spec.sizeHint = chosen->size;
    return spec;
}

int runDownload(const DownloadSpec& spec) {
    QNetworkAccessManager network;
    ModelDownload download(spec, &network);
    download.setToken(qEnvironmentVariable("HF_TOKEN"));
    std::optional<ProgressBar> bar;
    const std::string label = QFileInfo(spec.file).fileName().toStdString();
    QObject::connect(&download, &ModelDownload::progress, [&](quint64 received, quint64 total) {
        if (!bar) {
            bar.emplace(label, double(total), "B", double(received));
            bar->set_plain_interval(5);
        }
        bar->update(double(received));
    });
    QObject::connect(&download, &ModelDownload::message, [&](const QString& text) {
        if (bar)
            bar->message(text.toStdString());
        else
            std::cerr << text.toStdString() << "\n";
    });
    QObject::connect(&download, &ModelDownload::stateChanged, [&](ModelDownload::State state) {
        if (state == ModelDownload::State::Verifying && bar) bar->finish("checking SHA-256");
        if (download.isDone()) QCoreApplication::quit();
    });
    std::cerr << "pulling " << spec.repo.toStdString() << "/" << spec.file.toStdString() << " from "
              << ModelDownload::defaultEndpoint().toStdString() << " into " << QDir::toNativeSeparators(spec.folder).toStdString() << "\n";
    QMetaObject::invokeMethod(&download, &ModelDownload::start, Qt::QueuedConnection);
    QCoreApplication::exec();
    if (download.state() != ModelDownload::State::Finished) {
        std::cerr << "kmlm: " << download.errorString().toStdString() << "\n";
        return kError;
    }
    std::cout << download.targetPath().toStdString() << (download.verified() ? " (SHA-256 verified)" : " (no SHA-256 to check)") << "\n";
    return kOk;
}

void setup_pull(CLI::App& root) {
    auto* sub = root.add_subcommand("pull", "Download a model from Hugging Face into the models folder (resumes, checks "
                                            "SHA-256); --list prints the model catalog and what fits");
    static PullCommand cmd;
    sub->add_option("repo", cmd.repo, "Hugging Face repository (owner/name), or a catalog id");
    sub->add_option("file", cmd.file, "File in the repository (with a catalog id: a quantization, default the first that fits)");
    sub->add_option("--models-dir", cmd.models_dir, "Folder to download into (default: the desktop app's models folder)");
    sub->add_flag("--list", cmd.list, "Print the catalog with each file's memory estimate and whether it fits");
    sub->add_option("-c,--ctx", cmd.model.ctx, "Context length for the estimates")->check(CLI::Range(16u, 1u << 20))->capture_default_str();
    sub->add_option("--kv-type", cmd.model.kv_type, "KV cache type for the estimates: f16 or q8_0")
        ->check(CLI::IsMember({"f16", "q8_0"}, CLI::ignore_case))
        ->capture_default_str();
    sub->add_option("--mem-limit", cmd.model.mem_limit, "Memory ceiling, e.g. 3G, 1536M, or none")->capture_default_str();
    sub->footer("The hub is $HF_ENDPOINT (default https://huggingface.co); a token for gated models is read from $HF_TOKEN.");
    sub->callback([] {
        static int argc = 1;
        static char name[] = "kmlm";
        static char* argv[] = {name, nullptr};
        QCoreApplication app(argc, argv);
        QCoreApplication::setOrganizationName(QStringLiteral("kmlm"));
        QCoreApplication::setApplicationName(QStringLiteral("korean-mini-lm"));
        QString warning;
        const Catalog catalog = Catalog::load(&warning);
        if (!warning.isEmpty()) std::cerr << "kmlm: " << warning.toStdString() << "\n";
        if (cmd.list) {
            listCatalog(catalog, cmd);
            return;
        }
        if (cmd.repo.empty()) throw CLI::ValidationError("pull", "give REPO FILE, a catalog id, or --list");
        std::optional<DownloadSpec> spec = specFromCatalog(catalog, cmd);
        if (!spec) {
            if (cmd.file.empty() || cmd.repo.find('/') == std::string::npos)
                throw CLI::ValidationError("pull", "'" + cmd.repo + "' is neither a catalog id nor REPO FILE");
            spec = DownloadSpec{QString::fromStdString(cmd.repo), QString::fromStdString(cmd.file), {}, {}, 0};
        }
        spec->folder = cmd.models_dir.empty() ? defaultModelsDir() : QString::fromStdString(cmd.models_dir);
        set_exit_code(runDownload(*spec));
    });
}
KMLM_CLI_COMMAND(85, setup_pull);

} // namespace
} // namespace kmlm::cli
