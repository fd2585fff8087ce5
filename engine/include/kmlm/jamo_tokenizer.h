// The jamo tokenizer of the GRU model: Hangul syllables split into initial, vowel and final
// jamo, with byte fallback so that every text round-trips.
//
// Id layout (ids 0-76 are those of the original JavaScript library):
//   0-9      <PAD> <UNK> <BOS> <EOS> ' ' '\n' '.' ',' '!' '?'
//   10-28    19 initial consonants  ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
//   29-49    21 vowels              ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
//   50-76    27 final consonants    ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
//   77-127   51 standalone compatibility jamo U+3131..U+3163 (ㄱ..ㅎ, ㅏ..ㅣ: "ㅋㅋ", "ㅠㅠ")
//   128-383  256 bytes: the UTF-8 bytes of every other character (Latin, digits, emoji...)
// A syllable is initial, vowel[, final]. A model with the original 77-token vocabulary
// encodes what it cannot represent as <UNK>, as the original did.
#pragma once
#include "kmlm/language_model.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

class JamoTokenizer : public Tokenizer {
public:
    static constexpr int32_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;
    static constexpr int32_t kFirstInitial = 10, kFirstVowel = 29, kFirstFinal = 50;
    static constexpr int32_t kFirstCompatJamo = 77, kFirstByte = 128;
    static constexpr int32_t kOriginalVocabSize = 77, kFullVocabSize = 384;

    // vocab_size: kFullVocabSize, or kOriginalVocabSize for models of the original library.
    explicit JamoTokenizer(int32_t vocab_size = kFullVocabSize);

    int32_t vocab_size() const override { return vocab_size_; }
    // NFC-normalises first. parse_special turns "<BOS>", "<EOS>"... into their ids.
    std::vector<int32_t> encode(std::string_view text, bool add_bos = true, bool parse_special = false) const override;
    // encode() with the original library's defaults: BOS + text + EOS.
    std::vector<int32_t> encode_line(std::string_view text) const;
    std::string decode(std::span<const int32_t> ids) const override;
    std::string token_text(int32_t id) const override;
    std::unique_ptr<StreamDecoder> stream_decoder() const override;
    int32_t bos() const override { return kBos; }
    int32_t eos() const override { return kEos; }
    bool is_end_of_generation(int32_t id) const override { return id == kEos; }

    // The pieces of every id, in order (GGUF tokenizer.ggml.tokens).
    std::vector<std::string> token_texts() const;

private:
    void encode_code_point(char32_t cp, std::vector<int32_t>& out) const;
    int32_t vocab_size_;
};

} // namespace kmlm
