// Jamo tokenizer: id layout, lossless round trip, compatibility jamo, streaming decode.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/jamo_tokenizer.h"
#include "kmlm/utf8.h"

#include <random>
#include <set>

using namespace kmlm;
using Ids = std::vector<int32_t>;
Q_DECLARE_METATYPE(Ids)

namespace {

std::string utf8(char32_t cp) {
    std::string s;
    append_utf8(s, cp);
    return s;
}

// Decodes ids one at a time and checks that what comes out is always valid UTF-8 and never
// taken back: the text so far is a prefix of the final text.
std::string stream_decode(const JamoTokenizer& tok, const Ids& ids, const std::string& expected) {
    auto d = tok.stream_decoder();
    std::string out;
    for (int32_t id : ids) {
        const std::string piece = d->push(id);
        if (!is_valid_utf8(piece)) throw std::runtime_error("invalid UTF-8 piece");
        out += piece;
        if (expected.compare(0, out.size(), out) != 0) throw std::runtime_error("emitted text changed later: " + out);
    }
    return out + d->flush();
}

} // namespace

class TestJamoTokenizer : public QObject {
    Q_OBJECT
private slots:
    void idLayout_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Ids>("ids");
        QTest::newRow("specials") << " \n.,!?" << Ids{4, 5, 6, 7, 8, 9};
        QTest::newRow("가 = ㄱ ㅏ") << "가" << Ids{10, 29};
        QTest::newRow("각 = ㄱ ㅏ final ㄱ") << "각" << Ids{10, 29, 50};
        QTest::newRow("힣 = ㅎ ㅣ final ㅎ") << "힣" << Ids{28, 49, 76};
        QTest::newRow("ㄲ ㅐ final ㄲ") << "깪" << Ids{11, 30, 51};
        QTest::newRow("initial ㅇ vs final ㅇ") << "앙" << Ids{21, 29, 70};
        QTest::newRow("compat ㄱ is not initial ㄱ") << "ㄱ" << Ids{77};
        QTest::newRow("compat ㅋ") << "ㅋ" << Ids{77 + 0x314B - 0x3131};
        QTest::newRow("compat ㅣ") << "ㅣ" << Ids{127};
        QTest::newRow("byte fallback a") << "a" << Ids{128 + 'a'};
        QTest::newRow("byte fallback é") << "é" << Ids{128 + 0xC3, 128 + 0xA9};
    }
    void idLayout() {
        QFETCH(QString, text);
        QFETCH(Ids, ids);
        JamoTokenizer tok;
        QCOMPARE(tok.encode(text.toStdString(), false), ids);
    }

    void specialsAndVocabulary() {
        JamoTokenizer tok;
        QCOMPARE(tok.vocab_size(), 384);
        QCOMPARE(tok.bos(), 2);
        QCOMPARE(tok.eos(), 3);
        QVERIFY(tok.is_end_of_generation(3));
        const auto texts = tok.token_texts();
        QCOMPARE(texts[0], std::string("<PAD>"));
        QCOMPARE(texts[1], std::string("<UNK>"));
        QCOMPARE(texts[2], std::string("<BOS>"));
        QCOMPARE(texts[3], std::string("<EOS>"));
        // 19 initials, 21 vowels, 27 finals in the original order
        QCOMPARE(texts[10], utf8(0x1100)); // ㄱ initial
        QCOMPARE(texts[28], utf8(0x1112)); // ㅎ initial
        QCOMPARE(texts[29], utf8(0x1161)); // ㅏ
        QCOMPARE(texts[49], utf8(0x1175)); // ㅣ
        QCOMPARE(texts[50], utf8(0x11A8)); // ㄱ final
        QCOMPARE(texts[76], utf8(0x11C2)); // ㅎ final
        QCOMPARE(texts[128], std::string("<0x00>"));
        // every piece is distinct, so initials and finals never share an id
        QCOMPARE(std::set<std::string>(texts.begin(), texts.end()).size(), texts.size());
        QCOMPARE(tok.encode("", true), Ids{2});
        QCOMPARE(tok.encode_line("가"), (Ids{2, 10, 29, 3}));
    }

    void roundTrip_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << "";
        QTest::newRow("laugh") << "ㅋㅋㅋ";
        QTest::newRow("cry") << "ㅠㅠ ㅜㅜ";
        QTest::newRow("jamo next to syllables") << "ㄱㅏ 가 ㅋ키ㅋ 갃 ㄳ";
        QTest::newRow("sentence") << "안녕하세요. 오늘 날씨가 정말 좋네요!";
        QTest::newRow("mixed") << "Korean Mini LM은 C++20으로 작성된 offline 모델입니다 (v0.1) 😀👍🏽";
        QTest::newRow("digits and symbols") << "3.14159 + 2,718 = ? @#$%^&*()[]{}<>\\/|~`'\"";
        QTest::newRow("other scripts") << "日本語 中文 Ελληνικά Русский עברית العربية हिन्दी";
        QTest::newRow("controls") << "tab\there\r\nline\nend\x01";
        QTest::newRow("special-looking text") << "<BOS> <EOS> <PAD> <UNK>";
        QTest::newRow("long") << QString("가나다라마바사 abc ").repeated(500);
        QString jamo;
        for (char32_t c = 0x3131; c <= 0x318E; ++c) jamo += QString::fromStdString(utf8(c));
        QTest::newRow("all compatibility jamo") << jamo;
        QTest::newRow("non-characters and astral") << QString::fromStdString(utf8(0xFFFF) + utf8(0x10FFFF) + utf8(0x1F600));
    }
    void roundTrip() {
        QFETCH(QString, text);
        JamoTokenizer tok;
        const std::string s = to_nfc(text.toStdString());
        const Ids ids = tok.encode(s, true);
        QCOMPARE(tok.decode(ids), s);
        QCOMPARE(stream_decode(tok, ids, s), s);
        for (int32_t id : ids) QVERIFY(id >= 0 && id < tok.vocab_size() && id != JamoTokenizer::kUnk);
    }

    void everySyllableRoundTrips() {
        JamoTokenizer tok;
        std::string all;
        for (char32_t c = 0xAC00; c <= 0xD7A3; ++c) {
            const std::string s = utf8(c);
            const Ids ids = tok.encode(s, false);
            QVERIFY(ids.size() == 2 || ids.size() == 3);
            QCOMPARE(tok.decode(ids), s);
            all += s;
        }
        const Ids ids = tok.encode(all, true);
        QCOMPARE(tok.decode(ids), all);
        QCOMPARE(stream_decode(tok, ids, all), all);
    }

    void inputIsNfcNormalised() {
        JamoTokenizer tok;
        // 가 as conjoining jamo (NFD) and é as e + combining accent
        const std::string nfd = utf8(0x1100) + utf8(0x1161) + "e" + utf8(0x0301);
        QCOMPARE(tok.encode(nfd, false), tok.encode("가é", false));
        QCOMPARE(tok.decode(tok.encode(nfd)), std::string("가é"));
    }

    void invalidUtf8IsRejected_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("lone continuation") << QByteArray("a\x80z");
        QTest::newRow("truncated") << QByteArray("\xEA\xB0");
        QTest::newRow("overlong") << QByteArray("\xC0\xAF");
        QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80");
    }
    void invalidUtf8IsRejected() {
        QFETCH(QByteArray, bytes);
        JamoTokenizer tok;
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (tok.encode(bytes.toStdString())));
    }

    void badIdsAreRejected() {
        JamoTokenizer tok;
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (tok.decode(Ids{2, 384})));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (tok.decode(Ids{-1})));
        JamoTokenizer original(JamoTokenizer::kOriginalVocabSize);
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (original.decode(Ids{77})));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, (JamoTokenizer(100)));
    }

    void streamingHoldsSyllablesUntilComplete() {
        JamoTokenizer tok;
        auto d = tok.stream_decoder();
        QCOMPARE(d->push(10), std::string());     // ㄱ: could start 가, 각...
        QCOMPARE(d->push(29), std::string());     // 가: a final may follow
        QCOMPARE(d->push(50), std::string("각")); // final: the syllable is complete
        QCOMPARE(d->push(10), std::string());
        QCOMPARE(d->push(29), std::string());
        QCOMPARE(d->push(10), std::string("가")); // next initial: 가 had no final
        QCOMPARE(d->push(4), std::string("ㄱ ")); // lone initial shows as its jamo
        QCOMPARE(d->push(128 + 0xF0), std::string());
        QCOMPARE(d->push(128 + 0x9F), std::string());
        QCOMPARE(d->push(128 + 0x98), std::string());
        QCOMPARE(d->push(128 + 0x80), utf8(0x1F600));
        QCOMPARE(d->push(10), std::string());
        QCOMPARE(d->flush(), std::string("ㄱ"));
    }

    void streamingRandomIdsIsAlwaysValidUtf8() {
        JamoTokenizer tok;
        std::mt19937 rng(42);
        for (int round = 0; round < 200; ++round) {
            Ids ids(50);
            for (int32_t& id : ids) id = int32_t(rng() % 384);
            const std::string whole = tok.decode(ids);
            QVERIFY(is_valid_utf8(whole));
            QCOMPARE(stream_decode(tok, ids, whole), whole);
        }
    }

    void originalVocabulary() {
        JamoTokenizer tok(JamoTokenizer::kOriginalVocabSize);
        QCOMPARE(tok.vocab_size(), 77);
        QCOMPARE(tok.encode("각 a", false), (Ids{10, 29, 50, 4, 1}));
        QCOMPARE(tok.encode("ㅋ", false), Ids{25}); // the look-alike initial, as the original did
        QCOMPARE(tok.encode("ㄳ", false), Ids{52}); // only a final looks like it
        QCOMPARE(tok.decode(Ids{2, 10, 29, 50, 3}), std::string("각"));
    }

    void parseSpecial() {
        JamoTokenizer tok;
        QCOMPARE(tok.encode("가<EOS>", false, true), (Ids{10, 29, 3}));
        QCOMPARE(tok.encode("<EOS>", false, false).size(), size_t(5));
    }
};

QTEST_GUILESS_MAIN(TestJamoTokenizer)
#include "tst_jamo_tokenizer.moc"
