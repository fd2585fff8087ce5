// Conformance of the GGUF tokenizers with the reference runtime on real vocabularies:
// ../shared/data/tokenizer-vectors/ggml-vocab-*.gguf with their .inp/.out vectors, and the
// SentencePiece vocabulary of the small Korean test model.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/utf8.h"
#include "kmlm/vocab.h"

#include <QDirIterator>

#include <fstream>
#include <map>
#include <memory>
#include <random>
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
    for (int32_t id : ids) s.append(" ").append(std::to_string(id));
    return s;
}

// Tokenizers are loaded once per vocabulary and shared by its rows.
const kmlm::Tokenizer& tokenizer_for(const QString& path) {
    static std::map<QString, std::unique_ptr<kmlm::Tokenizer>> cache;
    auto& t = cache[path];
    if (!t) t = kmlm::load_gguf_tokenizer(*kmlm::gguf::GgufFile::open(kmlm_test::toPath(path)));
    return *t;
}

} // namespace

class TestTokenizerConformance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void vectors_data() {
        QTest::addColumn<QString>("vocab");
        QTest::addColumn<std::string>("input");
        QTest::addColumn<QString>("expected");
        KMLM_REQUIRE_SHARED(dir, "tokenizer-vectors"); // skips the whole function
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
        QFETCH(QString, vocab);
        QFETCH(std::string, input);
        QFETCH(QString, expected);
        const kmlm::Tokenizer& tok = tokenizer_for(vocab);
        const std::vector<int32_t> ids = tok.encode(input, false, false);
        QCOMPARE(QString::fromStdString(ids_to_string(ids)), expected);
    }

    // Every vocabulary gives back any valid text it encoded, with and without BOS, and its
    // streaming decoder never lets broken UTF-8 out.
    void roundTrip_data() {
        QTest::addColumn<QString>("vocab");
        KMLM_REQUIRE_SHARED(dir, "tokenizer-vectors");
        QDirIterator it(dir, {QStringLiteral("ggml-vocab-*.gguf")}, QDir::Files);
        QStringList vocabs;
        while (it.hasNext()) vocabs << it.next();
        vocabs.sort();
        for (const QString& vocab : vocabs) QTest::newRow(qPrintable(QFileInfo(vocab).fileName())) << vocab;
    }
    void roundTrip() {
        QFETCH(QString, vocab);
        const kmlm::Tokenizer& tok = tokenizer_for(vocab);
        // Random texts from pieces that stress the splitters: Hangul (also lone jamo),
        // ASCII words, digits, punctuation, every kind of space, emoji, CJK, Latin-1.
        static const char* pieces[] = {"안녕",     "하세요",       "한국어", "ㄱ",    "ㅏ", "뷁",  " ",    "  ", "\t",  "\n", "\r\n",
                                       "\xC2\xA0", "\xE3\x80\x80", "Hello",  "world", "'s", "123", "4567", "!",  "...", "\"", "(",
                                       "😀",        "👍🏽",     "中文",   "日本",  "é",  "ß",   "x²",   "½",  "$",   "<",  "|"};
        std::mt19937 rng(1234);
        for (int n = 0; n < 300; ++n) {
            std::string text;
            const int len = int(rng() % 12);
            for (int k = 0; k < len; ++k) text += pieces[rng() % std::size(pieces)];
            const std::vector<int32_t> ids = tok.encode(text, n % 2 == 0);
            QCOMPARE(tok.decode(ids), text);
            auto stream = tok.stream_decoder();
            std::string streamed;
            for (int32_t id : ids) {
                const std::string piece = stream->push(id);
                QVERIFY(kmlm::is_valid_utf8(piece));
                streamed += piece;
            }
            streamed += stream->flush();
            QVERIFY(streamed.find(text) != std::string::npos); // SentencePiece adds its space in front
        }
    }

    // The 8000-token SentencePiece vocabulary (byte fallback) of the small Korean model.
    void koreanSpm_data() {
        QTest::addColumn<std::string>("text");
        QTest::newRow("sentence") << std::string("오늘 날씨가 좋네요.");
        QTest::newRow("review") << std::string("이 영화 정말 재미있어요!");
        QTest::newRow("question") << std::string("안녕하세요? 저는 한국어 모델입니다.");
        QTest::newRow("outer spaces") << std::string("  앞뒤 공백  ");
        QTest::newRow("newlines") << std::string("줄바꿈\n두 줄\n\n");
        QTest::newRow("mixed") << std::string("ABC 123 한글 😀");
        QTest::newRow("rare syllables") << std::string("뷁 똠얌꿍 햏");
        QTest::newRow("lone jamo") << std::string("ㄱㄴㄷ ㅏㅓ 조합되지 않은 자모");
    }
    void koreanSpm() {
        KMLM_REQUIRE_SHARED(model, "models/ko-tiny-llama-Q8_0.gguf");
        QFETCH(std::string, text);
        const kmlm::Tokenizer& tok = tokenizer_for(model);
        const std::vector<int32_t> ids = tok.encode(text, true);
        QCOMPARE(ids.front(), tok.bos());
        QCOMPARE(tok.decode(ids), text);
        // At most one token per byte (byte fallback), and words are not cut into bytes.
        QVERIFY(ids.size() - 1 <= text.size());
        QVERIFY(ids.size() - 1 <= kmlm::count_code_points(text) * 4);
        // Streaming gives the same text, apart from SentencePiece's leading space.
        auto stream = tok.stream_decoder();
        std::string streamed;
        for (int32_t id : ids) {
            const std::string piece = stream->push(id);
            QVERIFY(kmlm::is_valid_utf8(piece));
            streamed += piece;
        }
        streamed += stream->flush();
        QCOMPARE(streamed, std::string(" ").append(text));
    }

    void koreanSpmText() {
        KMLM_REQUIRE_SHARED(model, "models/ko-tiny-llama-Q8_0.gguf");
        KMLM_REQUIRE_SHARED(valid, "models/ppl-valid.txt");
        const std::string text = read_all(valid);
        const kmlm::Tokenizer& tok = tokenizer_for(model);
        const std::vector<int32_t> ids = tok.encode(text, false);
        QCOMPARE(tok.decode(ids), text);
        // Common Korean syllables and words are whole tokens: fewer tokens than characters.
        const size_t chars = kmlm::count_code_points(text);
        qInfo("%zu characters -> %zu tokens", chars, ids.size());
        QVERIFY(ids.size() < chars);
        QVERIFY(ids.size() * 10 > chars);
    }
};

QTEST_GUILESS_MAIN(TestTokenizerConformance)
#include "tst_tokenizer_conformance.moc"
