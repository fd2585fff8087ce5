// kmlm::find_bundled_model: the one lookup of the bundled GRU model used by the CLI and the
// app ($KMLM_MODEL, then the data folders in order).
#include "kmlm_test.h"

#include "kmlm/bundled_model.h"

#include <QTemporaryDir>

#include <algorithm>
#include <fstream>

namespace fs = std::filesystem;

class TestBundledModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    // <root>/<name>/ with models/kmlm-gru-ko.gguf in it when withModel.
    fs::path folder(const char* name, bool withModel) {
        const fs::path dir = kmlm_test::toPath(m_dir.path()) / name;
        fs::create_directories(dir / "models");
        if (withModel) std::ofstream(dir / kmlm::kBundledModelFile) << "GGUF";
        return dir;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        qunsetenv("KMLM_MODEL");
    }
    void cleanup() { qunsetenv("KMLM_MODEL"); }

    void firstFolderThatHasItWins() {
        const std::vector<fs::path> dirs = {folder("empty", false), folder("second", true), folder("third", true)};
        QCOMPARE(kmlm::find_bundled_model(dirs), dirs[1] / kmlm::kBundledModelFile);
    }

    void noneFoundIsEmpty() {
        const std::vector<fs::path> dirs = {folder("none1", false), kmlm_test::toPath(m_dir.filePath("missing"))};
        QVERIFY(kmlm::find_bundled_model(dirs).empty());
    }

    // The variable is the user's explicit choice: used as given, even when the file is
    // missing (loading it then fails naming it, instead of another model standing in).
    void environmentComesFirst() {
        const std::vector<fs::path> dirs = {folder("env", true)};
        const std::string chosen = m_dir.filePath(QStringLiteral("mine.gguf")).toStdString();
        qputenv("KMLM_MODEL", QByteArray::fromStdString(chosen));
        QCOMPARE(kmlm::find_bundled_model(dirs), fs::path(chosen));
        qputenv("KMLM_MODEL", "");
        QCOMPARE(kmlm::find_bundled_model(dirs), dirs[0] / kmlm::kBundledModelFile);
    }

    // Next to the running program first (an installed or moved tree), the source tree last.
    void searchOrder() {
        const std::vector<fs::path> dirs = kmlm::bundled_model_dirs();
        QCOMPARE(dirs.size(), size_t(3));
        const fs::path exe = kmlm_test::toPath(QCoreApplication::applicationDirPath());
        QCOMPARE(dirs.front(), exe.parent_path() / "share" / "korean-mini-lm");
        QCOMPARE(dirs.back(), kmlm_test::toPath(QStringLiteral(KMLM_SOURCE_DIR "/resources")));
        // The source tree has one, so some folder's is found.
        const fs::path found = kmlm::find_bundled_model();
        QVERIFY(!found.empty());
        QVERIFY(std::any_of(dirs.begin(), dirs.end(), [&](const fs::path& d) { return found == d / kmlm::kBundledModelFile; }));
    }
};

QTEST_GUILESS_MAIN(TestBundledModel)
#include "tst_bundled_model.moc"
