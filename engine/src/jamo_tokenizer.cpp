// Jamo tokenizer: Hangul syllables as initial + vowel [+ final], byte fallback for the rest.
#include "kmlm/jamo_tokenizer.h"

#include "kmlm/error.h"
#include "kmlm/utf8.h"

#include <array>

namespace kmlm {
namespace {

constexpr char32_t kSyllableBase = 0xAC00, kSyllableLast = 0xD7A3;
constexpr int kVowels = 21, kFinals = 28; // finals include "none"
constexpr char32_t kCompatBase = 0x3131, kCompatLast = 0x3163;

// Compatibility jamo of each initial and final consonant (for jamo outside a syllable).
constexpr std::array<char32_t, 19> kInitialCompat = {0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145,
                                                     0x3146, 0x3147, 0x3148, 0x3149, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E};
constexpr std::array<char32_t, 27> kFinalCompat = {0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3136, 0x3137, 0x3139, 0x313A,
                                                   0x313B, 0x313C, 0x313D, 0x313E, 0x313F, 0x3140, 0x3141, 0x3142, 0x3144,
                                                   0x3145, 0x3146, 0x3147, 0x3148, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E};
constexpr char32_t kVowelCompat = 0x314F;

constexpr std::array<const char*, 4> kControlNames = {"<PAD>", "<UNK>", "<BOS>", "<EOS>"};
constexpr std::array<char, 6> kPunct = {' ', '\n', '.', ',', '!', '?'}; // ids 4-9

using T = JamoTokenizer;
bool is_initial(int32_t id) { return id >= T::kFirstInitial && id < T::kFirstVowel; }
bool is_vowel(int32_t id) { return id >= T::kFirstVowel && id < T::kFirstFinal; }
bool is_final(int32_t id) { return id >= T::kFirstFinal && id < T::kFirstCompatJamo; }
bool is_byte(int32_t id) { return id >= T::kFirstByte && id < T::kFullVocabSize; }

// Text of an id that is neither a byte nor part of a syllable.
std::string plain_text(int32_t id) {
    std::string s;
    if (id == T::kUnk)
        append_utf8(s, 0xFFFD);
    else if (id >= 4 && id < T::kFirstInitial)
        s += kPunct[size_t(id - 4)];
    else if (is_initial(id))
        append_utf8(s, kInitialCompat[size_t(id - T::kFirstInitial)]);
    else if (is_vowel(id))
        append_utf8(s, kVowelCompat + char32_t(id - T::kFirstVowel));
    else if (is_final(id))
        append_utf8(s, kFinalCompat[size_t(id - T::kFirstFinal)]);
    else if (id >= T::kFirstCompatJamo && id < T::kFirstByte)
        append_utf8(s, kCompatBase + char32_t(id - T::kFirstCompatJamo));
    return s; // control tokens: nothing
}

// Assembles syllables from jamo ids and characters from byte ids. Holds an initial (and
// vowel) until the next id shows whether the syllable goes on, and bytes until a whole
// UTF-8 character is there.
class JamoStreamDecoder : public StreamDecoder {
public:
    explicit JamoStreamDecoder(int32_t vocab_size) : vocab_size_(vocab_size) {}

    std::string push(int32_t id) override {
        if (id < 0 || id >= vocab_size_)
            throw InvalidArgument("token id " + std::to_string(id) + " is out of range (vocabulary of " + std::to_string(vocab_size_) +
                                  ")");
        if (is_byte(id)) {
            std::string out = flush_syllable();
            const char byte = char(uint8_t(id - T::kFirstByte));
            return out + bytes_.push(std::string_view(&byte, 1));
        }
        std::string out = bytes_.flush();
        if (is_vowel(id) && initial_ >= 0 && vowel_ < 0) {
            vowel_ = id - T::kFirstVowel;
            return out;
        }
        if (is_final(id) && vowel_ >= 0) {
            append_utf8(out, syllable(id - T::kFirstFinal + 1));
            initial_ = vowel_ = -1;
            return out;
        }
        out += flush_syllable();
        if (is_initial(id))
            initial_ = id - T::kFirstInitial;
        else
            out += plain_text(id);
        return out;
    }

    std::string flush() override { return flush_syllable() + bytes_.flush(); }
    bool incomplete() const override { return bytes_.holding() || (initial_ >= 0 && vowel_ < 0); }

private:
    char32_t syllable(int final_index) const { return kSyllableBase + char32_t((initial_ * kVowels + vowel_) * kFinals + final_index); }
    std::string flush_syllable() {
        std::string out;
        if (vowel_ >= 0)
            append_utf8(out, syllable(0));
        else if (initial_ >= 0)
            out = plain_text(T::kFirstInitial + initial_);
        initial_ = vowel_ = -1;
        return out;
    }

    int32_t vocab_size_;
    int initial_ = -1, vowel_ = -1;
    Utf8StreamBuffer bytes_;
};

int initial_of_compat(char32_t cp) {
    for (size_t i = 0; i < kInitialCompat.size(); ++i)
        if (kInitialCompat[i] == cp) return int(i);
    return -1;
}
int final_of_compat(char32_t cp) {
    for (size_t i = 0; i < kFinalCompat.size(); ++i)
        if (kFinalCompat[i] == cp) return int(i);
    return -1;
}

} // namespace

JamoTokenizer::JamoTokenizer(int32_t vocab_size) : vocab_size_(vocab_size) {
    if (vocab_size != kFullVocabSize && vocab_size != kOriginalVocabSize)
        throw InvalidArgument("jamo tokenizer: vocabulary size must be " + std::to_string(kOriginalVocabSize) + " or " +
                              std::to_string(kFullVocabSize) + ", not " + std::to_string(vocab_size));
}

void JamoTokenizer::encode_code_point(char32_t cp, std::vector<int32_t>& out) const {
    if (cp < 0x80) {
        for (size_t i = 0; i < kPunct.size(); ++i)
            if (cp == char32_t(kPunct[i])) {
                out.push_back(int32_t(4 + i));
                return;
            }
    }
    if (cp >= kSyllableBase && cp <= kSyllableLast) {
        const int s = int(cp - kSyllableBase);
        out.push_back(kFirstInitial + s / (kVowels * kFinals));
        out.push_back(kFirstVowel + s / kFinals % kVowels);
        if (s % kFinals) out.push_back(kFirstFinal + s % kFinals - 1);
        return;
    }
    if (cp >= kCompatBase && cp <= kCompatLast) {
        if (vocab_size_ == kFullVocabSize) {
            out.push_back(kFirstCompatJamo + int32_t(cp - kCompatBase));
            return;
        }
        // The original vocabulary: the look-alike initial, final or vowel.
        if (cp >= kVowelCompat)
            out.push_back(kFirstVowel + int32_t(cp - kVowelCompat));
        else if (int i = initial_of_compat(cp); i >= 0)
            out.push_back(kFirstInitial + i);
        else
            out.push_back(kFirstFinal + final_of_compat(cp));
        return;
    }
    if (vocab_size_ != kFullVocabSize) {
        out.push_back(kUnk);
        return;
    }
    std::string bytes;
    append_utf8(bytes, cp);
    for (unsigned char b : bytes) out.push_back(kFirstByte + b);
}

std::vector<int32_t> JamoTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    const std::u32string cps = decode_utf8(to_nfc(text)); // to_nfc rejects invalid UTF-8
    std::vector<int32_t> out;
    out.reserve(cps.size() * 3 + 2);
    if (add_bos) out.push_back(kBos);
    for (size_t i = 0; i < cps.size(); ++i) {
        if (parse_special && cps[i] == U'<') {
            bool matched = false;
            for (size_t c = 0; c < kControlNames.size() && !matched; ++c) {
                const std::string_view name = kControlNames[c];
                if (i + name.size() > cps.size()) continue;
                matched = std::equal(name.begin(), name.end(), cps.begin() + std::ptrdiff_t(i),
                                     [](char a, char32_t b) { return char32_t(a) == b; });
                if (matched) {
                    out.push_back(int32_t(c));
                    i += name.size() - 1;
                }
            }
            if (matched) continue;
        }
        encode_code_point(cps[i], out);
    }
    return out;
}

std::vector<int32_t> JamoTokenizer::encode_line(std::string_view text) const {
    auto ids = encode(text, true);
    ids.push_back(kEos);
    return ids;
}

std::string JamoTokenizer::decode(std::span<const int32_t> ids) const {
    JamoStreamDecoder d(vocab_size_);
    std::string out;
    for (int32_t id : ids) out += d.push(id);
    return out + d.flush();
}

std::string JamoTokenizer::token_text(int32_t id) const {
    if (id < 0 || id >= vocab_size_) throw InvalidArgument("token id " + std::to_string(id) + " is out of range");
    if (id < 4) return kControlNames[size_t(id)];
    std::string s;
    // Conjoining jamo (U+1100...) so that initials and finals read differently.
    if (is_initial(id))
        append_utf8(s, 0x1100 + char32_t(id - kFirstInitial));
    else if (is_vowel(id))
        append_utf8(s, 0x1161 + char32_t(id - kFirstVowel));
    else if (is_final(id))
        append_utf8(s, 0x11A8 + char32_t(id - kFirstFinal));
    else if (is_byte(id)) {
        static const char* hex = "0123456789ABCDEF";
        const int b = id - kFirstByte;
        s = std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">";
    } else
        s = plain_text(id);
    return s;
}

std::vector<std::string> JamoTokenizer::token_texts() const {
    std::vector<std::string> out;
    for (int32_t id = 0; id < vocab_size_; ++id) out.push_back(token_text(id));
    return out;
}

std::unique_ptr<StreamDecoder> JamoTokenizer::stream_decoder() const { return std::make_unique<JamoStreamDecoder>(vocab_size_); }

} // namespace kmlm
