// Conformance of the GGUF tokenizers with the reference runtime on real vocabularies:
// ../shared/data/tokenizer-vectors/ggml-vocab-*.gguf with their .inp/.out vectors, and the
// SentencePiece vocabulary of the small Korean test model.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/vocab.h"

#include <QDirIterator>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

Q_DECLARE_METATYPE(std::string)

namespace {

std::string read_all(const QString& path) {
    std::ifstream in(kmlm_test::toPath(path), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> split(const std::string& text, const std::string& sep) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t at; (at = text.find(sep, start)) != std::string::npos; start = at + sep.size())
        parts.push_back(text.substr(start, at - start));
    parts.push_back(text.substr(start));
    return parts;
}

std::string ids_to_string(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids) s += " " + std::to_string(id);
    return s;
}

// Tokenizers are loaded once per vocabulary and shared by its rows.
const kmlm::Tokenizer& tokenizer_for(const QString& path) {
    static std::map<QString, std::unique_ptr<kmlm::Tokenizer>> cache;
    auto& t = cache[path];
    if (!t) t = kmlm::load_gguf_tokenizer(*kmlm::gguf::GgufFile::open(kmlm_test::toPath(path)));
    return *t;
}

QString vectors_dir() { return kmlm_test::sharedData(QStringLiteral("tokenizer-vectors")); }

} // namespace

class TestTokenizerConformance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void vectors_data() {
        QTest::addColumn<QString>("vocab");
        QTest::addColumn<std::string>("input");
        QTest::addColumn<QString>("expected");
        const QString dir = vectors_dir();
        if (dir.isEmpty()) return;
        QDirIterator it(dir, {QStringLiteral("ggml-vocab-*.gguf")}, QDir::Files);
        QStringList vocabs;
        while (it.hasNext()) vocabs << it.next();
        vocabs.sort();
        for (const QString& vocab : vocabs) {
            if (!QFileInfo::exists(vocab + QStringLiteral(".inp"))) continue; // no vectors (gpt-neox)
            const auto inputs = split(read_all(vocab + QStringLiteral(".inp")), "\n__ggml_vocab_test__\n");
            const auto outputs = split(read_all(vocab + QStringLiteral(".out")), "\n");
            const QString name = QFileInfo(vocab).completeBaseName().mid(int(strlen("ggml-vocab-")));
            for (size_t i = 0; i + 1 < inputs.size(); ++i) {
                QTest::addRow("%s #%02d", qPrintable(name), int(i))
                    << vocab << inputs[i] << QString::fromStdString(i < outputs.size() ? outputs[i] : "");
            }
        }
    }

    void vectors() {
        KMLM_REQUIRE_SHARED(dir, "tokenizer-vectors");
        QFETCH(QString, vocab);
        QFETCH(std::string, input);
        QFETCH(QString, expected);
        const kmlm::Tokenizer& tok = tokenizer_for(vocab);
        const std::vector<int32_t> ids = tok.encode(input, false, false);
        QCOMPARE(QString::fromStdString(ids_to_string(ids)), expected);
    }
};

QTEST_GUILESS_MAIN(TestTokenizerConformance)
#include "tst_tokenizer_conformance.moc"
