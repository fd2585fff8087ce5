// The GGUF tokenizers on small vocabularies built in memory: SentencePiece merging by score,
// byte fallback, byte-level BPE merging by rank, special tokens, pre-tokenizers, decoding
// and streaming of Hangul split over byte tokens, bad input, and reading GGUF metadata.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/utf8.h"
#include "kmlm/vocab.h"

#include <cstdio>

Q_DECLARE_METATYPE(std::string)

using kmlm::TokenType;
using kmlm::VocabData;
using Ids = std::vector<int32_t>;

namespace {

struct Builder {
    VocabData d;
    int32_t add(const std::string& text, TokenType type = TokenType::Normal, float score = 0) {
        d.tokens.push_back(text);
        d.types.push_back(type);
        d.scores.push_back(score);
        return int32_t(d.tokens.size() - 1);
    }
    int32_t id(const std::string& text) const {
        for (size_t i = 0; i < d.tokens.size(); ++i)
            if (d.tokens[i] == text) return int32_t(i);
        return -1;
    }
};

// <unk> <s> </s>, the 256 byte tokens (id 3 + byte), then a few Korean pieces.
Builder spm_builder() {
    Builder b;
    b.d.model = VocabData::Model::Spm;
    b.d.unk = b.add("<unk>", TokenType::Unknown);
    b.d.bos = b.add("<s>", TokenType::Control);
    b.d.eos = b.add("</s>", TokenType::Control);
    for (int i = 0; i < 256; ++i) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", i);
        b.add(name, TokenType::Byte);
    }
    for (const char* t : {"▁", "안", "녕", "하", "세", "요", "a", "b", "c"}) b.add(t, TokenType::Normal, -2);
    b.add("▁안", TokenType::Normal, -1.5f);
    b.add("안녕", TokenType::Normal, -1);
    b.add("▁안녕", TokenType::Normal, -0.5f);
    b.add("하세", TokenType::Normal, -1.2f);
    b.add("하세요", TokenType::Normal, -0.8f);
    b.add("<|im_start|>", TokenType::Control);
    b.add("<|im_end|>", TokenType::Control);
    b.add("<t>", TokenType::Control);
    b.add("<t><t>", TokenType::Control);
    b.add("<user>", TokenType::UserDefined);
    return b;
}

// GPT-2's printable stand-in for a byte.
std::string byte_char(uint8_t byte) {
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        const char32_t cp = printable ? char32_t(b) : char32_t(next++);
        if (b == byte) {
            std::string s;
            if (cp < 0x80)
                s += char(cp);
            else {
                s += char(0xC0 | (cp >> 6));
                s += char(0x80 | (cp & 0x3F));
            }
            return s;
        }
    }
    return {};
}

std::string byte_chars(std::string_view text) {
    std::string s;
    for (unsigned char c : text) s += byte_char(c);
    return s;
}

// All 256 byte characters (id = byte), then merged tokens as the rows need them.
Builder bpe_builder() {
    Builder b;
    b.d.model = VocabData::Model::Bpe;
    b.d.add_bos = false;
    for (int i = 0; i < 256; ++i) b.add(byte_char(uint8_t(i)));
    b.d.eos = b.add("<|endoftext|>", TokenType::Control);
    return b;
}

std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (size_t i = 0; i < words.size(); ++i) s += (i ? "|" : "") + words[i];
    return s;
}

} // namespace

class TestVocab : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spmMergesByScore() {
        Builder b = spm_builder();
        auto tok = kmlm::make_tokenizer(b.d);
        // ▁안녕 (-0.5) wins over ▁안 (-1.5) once 안녕 (-1) formed; 하세 then 하세요.
        QCOMPARE(tok->encode("안녕하세요", false), (Ids{b.id("▁안녕"), b.id("하세요")}));
        QCOMPARE(tok->encode("안녕하세요", true), (Ids{b.d.bos, b.id("▁안녕"), b.id("하세요")}));
        QCOMPARE(tok->decode(tok->encode("안녕하세요")), std::string("안녕하세요"));
    }

    void spmScoreOrder_data() {
        QTest::addColumn<float>("ab");
        QTest::addColumn<float>("bc");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ab higher") << -1.0f << -2.0f << "ab c";
        QTest::newRow("bc higher") << -2.0f << -1.0f << "a bc";
        QTest::newRow("tie: leftmost") << -1.0f << -1.0f << "ab c";
    }
    void spmScoreOrder() {
        QFETCH(float, ab);
        QFETCH(float, bc);
        QFETCH(QString, expected);
        Builder b = spm_builder();
        b.d.add_space_prefix = false;
        b.add("ab", TokenType::Normal, ab);
        b.add("bc", TokenType::Normal, bc);
        auto tok = kmlm::make_tokenizer(b.d);
        QStringList pieces;
        for (int32_t id : tok->encode("abc", false)) pieces << QString::fromStdString(tok->token_text(id));
        QCOMPARE(pieces.join(QLatin1Char(' ')), expected);
    }

    void spmByteFallback() {
        Builder b = spm_builder();
        auto tok = kmlm::make_tokenizer(b.d);
        // 한 = ED 95 9C is not in the vocabulary: its bytes are.
        const Ids ids = tok->encode("안녕 한", false);
        QCOMPARE(ids, (Ids{b.id("▁안녕"), b.id("▁"), 3 + 0xED, 3 + 0x95, 3 + 0x9C}));
        QCOMPARE(tok->decode(ids), std::string("안녕 한"));
    }

    void spmSpaces_data() {
        QTest::addColumn<std::string>("text");
        QTest::newRow("leading space") << std::string(" 안녕");
        QTest::newRow("two spaces") << std::string("안녕  하세요");
        QTest::newRow("newline") << std::string("안녕\n세요");
        QTest::newRow("only spaces") << std::string("   ");
    }
    void spmSpaces() {
        QFETCH(std::string, text);
        auto tok = kmlm::make_tokenizer(spm_builder().d);
        QCOMPARE(tok->decode(tok->encode(text, true)), text);
    }

    void spmNoSpacePrefix() {
        Builder b = spm_builder();
        b.d.add_space_prefix = false;
        auto tok = kmlm::make_tokenizer(b.d);
        QCOMPARE(tok->encode("안녕", false), (Ids{b.id("안녕")}));
        QCOMPARE(tok->decode(tok->encode(" 안녕", false)), std::string(" 안녕"));
    }

    void specialTokens_data() {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<bool>("parseSpecial");
        QTest::addColumn<QStringList>("expected"); // token texts
        QTest::newRow("control parsed") << std::string("<|im_start|>안녕") << true << QStringList{"<|im_start|>", "▁안녕"};
        QTest::newRow("longest first") << std::string("<t><t><t>") << true << QStringList{"<t><t>", "<t>"};
        QTest::newRow("user-defined always") << std::string("안녕<user>") << false << QStringList{"▁안녕", "<user>"};
        QTest::newRow("two controls") << std::string("<|im_start|><|im_end|>") << true << QStringList{"<|im_start|>", "<|im_end|>"};
    }
    void specialTokens() {
        QFETCH(std::string, text);
        QFETCH(bool, parseSpecial);
        QFETCH(QStringList, expected);
        auto tok = kmlm::make_tokenizer(spm_builder().d);
        QStringList got;
        for (int32_t id : tok->encode(text, false, parseSpecial)) got << QString::fromStdString(tok->token_text(id));
        QCOMPARE(got, expected);
    }

    void controlTextIsPlainWithoutParseSpecial() {
        Builder b = spm_builder();
        auto tok = kmlm::make_tokenizer(b.d);
        const Ids ids = tok->encode("<|im_start|>", false, false);
        QVERIFY(!ids.empty());
        QVERIFY(std::find(ids.begin(), ids.end(), b.id("<|im_start|>")) == ids.end());
        QCOMPARE(tok->decode(ids), std::string("<|im_start|>"));
        // Decoding skips control tokens.
        QCOMPARE(tok->decode(Ids{b.d.bos, b.id("<|im_start|>"), b.id("▁안녕"), b.d.eos}), std::string("안녕"));
    }

    void emptyInput() {
        Builder spm = spm_builder();
        auto tok = kmlm::make_tokenizer(spm.d);
        QCOMPARE(tok->encode("", false), Ids{});
        QCOMPARE(tok->encode("", true), Ids{spm.d.bos});
        QCOMPARE(tok->decode(Ids{}), std::string());
        auto bpe = kmlm::make_tokenizer(bpe_builder().d);
        QCOMPARE(bpe->encode("", true), Ids{});
    }

    void badInput() {
        auto tok = kmlm::make_tokenizer(spm_builder().d);
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, tok->encode("안\xff", false));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, tok->encode("\xEC\x95", false)); // cut syllable
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, tok->decode(Ids{tok->vocab_size()}));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, tok->decode(Ids{-1}));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, tok->token_text(-5));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, tok->stream_decoder()->push(1 << 30));
        auto bpe = kmlm::make_tokenizer(bpe_builder().d);
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, bpe->encode("\xC0\x80", false));             // overlong
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, kmlm::pretokenize("\xed\xa0\x80", "gpt-2")); // surrogate
    }

    void badVocabulary() {
        VocabData empty;
        KMLM_VERIFY_THROWS(kmlm::FormatError, kmlm::make_tokenizer(empty));
        Builder b = spm_builder();
        b.d.scores.pop_back();
        KMLM_VERIFY_THROWS(kmlm::FormatError, kmlm::make_tokenizer(b.d));
        Builder c = spm_builder();
        c.d.eos = 100000;
        KMLM_VERIFY_THROWS(kmlm::FormatError, kmlm::make_tokenizer(c.d));
        Builder bad_byte = spm_builder();
        bad_byte.d.tokens[3] = "<0xZZ>";
        KMLM_VERIFY_THROWS(kmlm::FormatError, kmlm::make_tokenizer(bad_byte.d));
        Builder m = bpe_builder();
        m.d.merges = {"nospace"};
        KMLM_VERIFY_THROWS(kmlm::FormatError, kmlm::make_tokenizer(m.d));
    }

    void bpeMergesByRank_data() {
        QTest::addColumn<QStringList>("merges");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a b first") << QStringList{"a b", "b c"} << "ab c";
        QTest::newRow("b c first") << QStringList{"b c", "a b"} << "a bc";
        QTest::newRow("then whole") << QStringList{"b c", "a bc"} << "abc";
        QTest::newRow("none") << QStringList{} << "a b c";
    }
    void bpeMergesByRank() {
        QFETCH(QStringList, merges);
        QFETCH(QString, expected);
        Builder b = bpe_builder();
        for (const char* t : {"ab", "bc", "abc"}) b.add(t);
        for (const QString& m : merges) b.d.merges.push_back(m.toStdString());
        auto tok = kmlm::make_tokenizer(b.d);
        QStringList pieces;
        for (int32_t id : tok->encode("abc", false)) pieces << QString::fromStdString(tok->token_text(id));
        QCOMPARE(pieces.join(QLatin1Char(' ')), expected);
    }

    // Llama 3 vocabularies take a word that is a token whole, whatever the merges say.
    void llama3TakesWholeWords_data() {
        QTest::addColumn<QString>("pre");
        QTest::addColumn<QString>("expected");
        QTest::newRow("llama-bpe") << "llama-bpe"
                                   << "abc";
        QTest::newRow("gpt-2") << "gpt-2"
                               << "ab c";
    }
    void llama3TakesWholeWords() {
        QFETCH(QString, pre);
        QFETCH(QString, expected);
        Builder b = bpe_builder();
        for (const char* t : {"ab", "abc"}) b.add(t);
        b.d.merges = {"a b"};
        b.d.pre = pre.toStdString();
        auto tok = kmlm::make_tokenizer(b.d);
        QStringList pieces;
        for (int32_t id : tok->encode("abc", false)) pieces << QString::fromStdString(tok->token_text(id));
        QCOMPARE(pieces.join(QLatin1Char(' ')), expected);
    }

    void bpeBosDefault_data() {
        QTest::addColumn<QString>("pre");
        QTest::addColumn<bool>("addBos");
        QTest::newRow("llama-bpe") << "llama-bpe" << true;
        QTest::newRow("qwen2") << "qwen2" << false;
        QTest::newRow("exaone") << "exaone" << false;
    }
    void bpeBosDefault() {
        QFETCH(QString, pre);
        QFETCH(bool, addBos);
        kmlm::gguf::GgufWriter w;
        w.set_string("general.architecture", "llama");
        w.set_string("tokenizer.ggml.model", "gpt2");
        w.set_string("tokenizer.ggml.pre", pre.toStdString());
        w.set_string_array("tokenizer.ggml.tokens", {"a", "b", "ab", "<|begin_of_text|>"});
        w.set_string_array("tokenizer.ggml.merges", {"a b"});
        w.set_u32("tokenizer.ggml.bos_token_id", 3);
        const std::vector<uint8_t> bytes = w.to_bytes();
        auto file = kmlm::gguf::GgufFile::parse(bytes, "bpe.gguf");
        QCOMPARE(kmlm::read_gguf_vocab(*file).add_bos, addBos);
        auto tok = kmlm::load_gguf_tokenizer(*file);
        QCOMPARE(tok->encode("ab", true), addBos ? (Ids{3, 2}) : (Ids{2}));
    }

    void bpeKorean() {
        // 안 = EC 95 88, 녕 = EB 85 95: merged through their bytes' characters.
        Builder b = bpe_builder();
        const std::string an = byte_chars("안"), space = byte_chars(" ");
        const std::string an2 = an.substr(0, an.size() - byte_char(0x88).size());
        b.add(an2);
        b.add(an);
        b.add(space + an);
        b.d.merges = {byte_char(0xEC) + " " + byte_char(0x95), an2 + " " + byte_char(0x88), space + " " + an};
        auto tok = kmlm::make_tokenizer(b.d);
        const Ids ids = tok->encode("안 안녕", false);
        // "안" | " 안" | "녕" as bytes: the pre-tokenizer keeps " 안녕" one word.
        QCOMPARE(ids, (Ids{b.id(an), b.id(space + an), 0xEB, 0x85, 0x95}));
        QCOMPARE(tok->decode(ids), std::string("안 안녕"));
        QCOMPARE(tok->decode(tok->encode("한국어 텍스트, 123!", false)), std::string("한국어 텍스트, 123!"));
    }

    void streamingHangulOverByteTokens() {
        // SPM byte tokens: 한 = ED 95 9C arrives one byte at a time.
        Builder spm = spm_builder();
        auto tok = kmlm::make_tokenizer(spm.d);
        auto stream = tok->stream_decoder();
        QCOMPARE(stream->push(spm.id("▁안녕")), std::string(" 안녕"));
        QCOMPARE(stream->push(3 + 0xED), std::string());
        QCOMPARE(stream->push(3 + 0x95), std::string());
        QCOMPARE(stream->push(3 + 0x9C), std::string("한"));
        QCOMPARE(stream->push(spm.d.eos), std::string());
        QCOMPARE(stream->flush(), std::string());
        // A syllable cut off at the end comes out as U+FFFD, never as broken UTF-8.
        QCOMPARE(stream->push(3 + 0xED), std::string());
        QCOMPARE(stream->flush(), std::string("\xEF\xBF\xBD"));
        // Byte-level BPE: the same through byte characters.
        auto bpe = kmlm::make_tokenizer(bpe_builder().d);
        auto s2 = bpe->stream_decoder();
        std::string out;
        for (unsigned char c : std::string("가나")) {
            const std::string piece = s2->push(c);
            QVERIFY(kmlm::is_valid_utf8(piece));
            out += piece;
        }
        QCOMPARE(out + s2->flush(), std::string("가나"));
    }

    void endOfGeneration() {
        Builder b = spm_builder();
        b.add("<|eot_id|>", TokenType::Control);
        auto tok = kmlm::make_tokenizer(b.d);
        QVERIFY(tok->is_end_of_generation(b.d.eos));
        QVERIFY(tok->is_end_of_generation(b.id("<|im_end|>")));
        QVERIFY(tok->is_end_of_generation(b.id("<|eot_id|>")));
        QVERIFY(!tok->is_end_of_generation(b.id("<|im_start|>")));
        QVERIFY(!tok->is_end_of_generation(b.id("안녕")));
        QVERIFY(!tok->is_end_of_generation(-1));
        QVERIFY(!tok->is_end_of_generation(tok->vocab_size()));
        QCOMPARE(tok->bos(), 1);
        QCOMPARE(tok->eos(), 2);
    }

    // Expected splits are those of the models' original regexes (tokenizer.json).
    void pretokenizers_data() {
        QTest::addColumn<QString>("pre");
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("expected");
        const std::string korean = "안녕하세요, 세계! 2024년 12월 25일.";
        const std::string english = "I'M here, they'RE ok 12345678";
        const std::string spaces = "줄\n\n  들여쓰기\t탭\r\n끝 ";
        const std::string symbols = "x²³ ½ 😀👍 끝...!!";
        QTest::newRow("gpt-2 korean") << "gpt-2" << korean << std::string("안녕하세요|,| 세계|!| 2024|년| 12|월| 25|일|.");
        QTest::newRow("gpt-2 english") << "gpt-2" << english << std::string("I|'|M| here|,| they|'|RE| ok| 12345678");
        QTest::newRow("gpt-2 spaces") << "gpt-2" << spaces << std::string("줄|\n\n | 들여쓰기|\t|탭|\r|\n|끝| ");
        QTest::newRow("gpt-2 symbols") << "gpt-2" << symbols << std::string("x|²³| ½| 😀👍| 끝|...!!");
        QTest::newRow("none = gpt-2") << "" << korean << std::string("안녕하세요|,| 세계|!| 2024|년| 12|월| 25|일|.");
        QTest::newRow("llama3 korean") << "llama-bpe" << korean << std::string("안녕하세요|,| 세계|!| |202|4|년| |12|월| |25|일|.");
        QTest::newRow("llama3 english") << "llama-bpe" << english << std::string("I|'M| here|,| they|'RE| ok| |123|456|78");
        QTest::newRow("llama3 spaces") << "llama-bpe" << spaces << std::string("줄|\n\n| | 들여쓰기|\t탭|\r\n|끝| ");
        QTest::newRow("llama3 symbols") << "llama-bpe" << symbols << std::string("x|²³| |½| 😀👍| 끝|...!!");
        QTest::newRow("qwen2 korean") << "qwen2" << korean << std::string("안녕하세요|,| 세계|!| |2|0|2|4|년| |1|2|월| |2|5|일|.");
        QTest::newRow("qwen2 english") << "qwen2" << english << std::string("I|'M| here|,| they|'RE| ok| |1|2|3|4|5|6|7|8");
        QTest::newRow("qwen2 spaces") << "qwen2" << spaces << std::string("줄|\n\n| | 들여쓰기|\t탭|\r\n|끝| ");
        QTest::newRow("qwen2 symbols") << "qwen2" << symbols << std::string("x|²|³| |½| 😀👍| 끝|...!!");
        QTest::newRow("exaone korean") << "exaone" << korean << std::string("안녕하세요|,| 세계|!| |2|0|2|4|년| |1|2|월| |2|5|일|.");
        QTest::newRow("exaone english") << "exaone" << english << std::string("I|'|M| here|,| they|'|RE| ok| |1|2|3|4|5|6|7|8");
        QTest::newRow("exaone spaces") << "exaone" << spaces << std::string("줄|\n\n | 들여쓰기|\t|탭|\r|\n|끝| ");
        QTest::newRow("exaone symbols") << "exaone" << symbols << std::string("x|²|³| |½| 😀👍| 끝|...!!");
        QTest::newRow("empty") << "llama-bpe" << std::string() << std::string();
    }
    void pretokenizers() {
        QFETCH(QString, pre);
        QFETCH(std::string, text);
        QFETCH(std::string, expected);
        QCOMPARE(join(kmlm::pretokenize(text, pre.toStdString())), expected);
    }

    void loadFromGguf() {
        Builder b = spm_builder();
        kmlm::gguf::GgufWriter w;
        w.set_string("general.architecture", "llama");
        w.set_string("tokenizer.ggml.model", "llama");
        w.set_string_array("tokenizer.ggml.tokens", b.d.tokens);
        w.set_f32_array("tokenizer.ggml.scores", b.d.scores);
        std::vector<int32_t> types;
        for (TokenType t : b.d.types) types.push_back(int32_t(t));
        w.set_i32_array("tokenizer.ggml.token_type", types);
        w.set_u32("tokenizer.ggml.bos_token_id", 1);
        w.set_u32("tokenizer.ggml.eos_token_id", 2);
        w.set_u32("tokenizer.ggml.padding_token_id", 999999); // stale: ignored
        const std::vector<uint8_t> bytes = w.to_bytes();
        auto file = kmlm::gguf::GgufFile::parse(bytes, "mem.gguf");
        auto tok = kmlm::load_gguf_tokenizer(*file);
        QCOMPARE(tok->vocab_size(), int32_t(b.d.tokens.size()));
        QCOMPARE(tok->encode("안녕하세요"), (Ids{1, b.id("▁안녕"), b.id("하세요")}));
        const VocabData d = kmlm::read_gguf_vocab(*file);
        QCOMPARE(d.pad, -1);
        QCOMPARE(d.unk, 0); // SentencePiece default
        QVERIFY(d.add_bos);
        QVERIFY(d.add_space_prefix);
    }

    void badGguf_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("typesLength");
        QTest::newRow("no model key") << QString() << -1;
        QTest::newRow("unsupported model") << "bert" << -1;
        QTest::newRow("types length") << "llama" << 3;
        QTest::newRow("gpt2 without merges") << "gpt2" << -1;
    }
    void badGguf() {
        QFETCH(QString, model);
        QFETCH(int, typesLength);
        kmlm::gguf::GgufWriter w;
        w.set_string("general.architecture", "llama");
        if (!model.isEmpty()) w.set_string("tokenizer.ggml.model", model.toStdString());
        w.set_string_array("tokenizer.ggml.tokens", {"a", "b", "c", "d"});
        if (typesLength >= 0) w.set_i32_array("tokenizer.ggml.token_type", std::vector<int32_t>(size_t(typesLength), 1));
        const std::vector<uint8_t> bytes = w.to_bytes();
        auto file = kmlm::gguf::GgufFile::parse(bytes, "bad.gguf");
        try {
            kmlm::load_gguf_tokenizer(*file);
            QFAIL("no FormatError");
        } catch (const kmlm::FormatError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(QStringLiteral("bad.gguf: ")), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestVocab)
#include "tst_vocab.moc"
