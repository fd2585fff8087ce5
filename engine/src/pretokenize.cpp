// Pre-tokenizers of byte-level BPE vocabularies: the text is cut into words before merging.
// The models' tokenizer.json files define them as regex lists applied one after the other
// (each regex splits every piece the previous ones produced into matches and the gaps
// between them). std::regex is slow and has no \p{L}, so each regex here is a hand-written
// matcher over code points with Unicode categories from utf8proc; the results equal the
// reference GGUF runtime's on its conformance vectors.
#include "kmlm/vocab.h"

#include "kmlm/utf8.h"

#include <utf8proc.h>

#include <functional>

namespace kmlm {
namespace {

enum : uint8_t {
    kLetter = 1,
    kNumber = 2,
    kPunct = 4,
    kSpace = 8,
    kOther = 16, // an assigned code point that is none of the above (symbols, marks, controls)
};

// The whitespace set the reference uses (Unicode White_Space).
bool is_unicode_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

uint8_t flags_of(char32_t c) {
    uint8_t f = 0;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: f = kLetter; break;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: f = kNumber; break;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: f = kPunct; break;
    case UTF8PROC_CATEGORY_CN: f = 0; break; // unassigned: matches no class, as in the reference
    default: f = kOther; break;
    }
    if (is_unicode_space(c)) f |= kSpace;
    return f;
}

// The text being split: code points and their category flags. Reading past a piece's end
// gives flags 0 and kNone, like reading past the end of the regex subject.
struct Text {
    std::u32string cps;
    std::vector<uint8_t> flags;
};
constexpr char32_t kNone = 0xFFFFFFFF;

// One piece [begin, end) of the text, with bounds-checked access.
struct Piece {
    const Text& t;
    size_t begin, end;
    char32_t cp(size_t i) const { return i >= begin && i < end ? t.cps[i] : kNone; }
    uint8_t flags(size_t i) const { return i >= begin && i < end ? t.flags[i] : 0; }
    bool is(size_t i, uint8_t f) const { return (flags(i) & f) != 0; }
    bool space(size_t i) const { return is(i, kSpace); }
    // [^\s\p{L}\p{N}] (an unassigned code point matches nothing)
    bool other(size_t i) const { return flags(i) != 0 && !is(i, kSpace | kLetter | kNumber); }
};

using Lengths = std::vector<size_t>;
// A stage cuts one piece into consecutive lengths.
using Stage = std::function<void(const Piece&, Lengths&)>;

// Appends the length from *prev to end when it is not empty.
void cut(Lengths& out, size_t& prev, size_t end) {
    if (end > prev) out.push_back(end - prev);
    prev = end;
}

// A regex stage: matches found left to right and the gaps between them become pieces.
// match(piece, pos) returns the length of the match starting at pos, 0 for none.
Stage regex_stage(std::function<size_t(const Piece&, size_t)> match) {
    return [match = std::move(match)](const Piece& p, Lengths& out) {
        size_t prev = p.begin;
        for (size_t pos = p.begin; pos < p.end;) {
            const size_t n = match(p, pos);
            if (n == 0) {
                ++pos;
                continue;
            }
            cut(out, prev, pos);
            cut(out, prev, pos + n);
            pos += n;
        }
        cut(out, prev, p.end);
    };
}

// Length of the run of code points from pos for which pred holds.
template <class Pred>
size_t run(const Piece& p, size_t pos, Pred pred) {
    size_t i = pos;
    while (i < p.end && pred(i)) ++i;
    return i - pos;
}

// 's|'t|'re|'ve|'m|'ll|'d (case-insensitive when fold): the length, or 0.
size_t contraction(const Piece& p, size_t pos, bool fold) {
    if (p.cp(pos) != '\'') return 0;
    auto lower = [&](size_t i) {
        const char32_t c = p.cp(i);
        return fold && c >= 'A' && c <= 'Z' ? c + 32 : c;
    };
    const char32_t a = lower(pos + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    const char32_t b = lower(pos + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
void split_gpt2(const Piece& p, Lengths& out) {
    size_t prev = p.begin;
    for (size_t pos = p.begin; pos < p.end;) {
        if (const size_t n = contraction(p, pos, false)) {
            pos += n;
            cut(out, prev, pos);
            continue;
        }
        const size_t at = pos + (p.cp(pos) == ' ' ? 1 : 0); // after the optional space
        if (p.is(at, kLetter)) {
            pos = at + run(p, at, [&](size_t i) { return p.is(i, kLetter); });
            cut(out, prev, pos);
            continue;
        }
        if (p.is(at, kNumber)) {
            pos = at + run(p, at, [&](size_t i) { return p.is(i, kNumber); });
            cut(out, prev, pos);
            continue;
        }
        if (p.other(at)) {
            pos = at + run(p, at, [&](size_t i) { return p.other(i); });
            cut(out, prev, pos);
            continue;
        }
        const size_t spaces = run(p, pos, [&](size_t i) { return p.space(i); });
        if (spaces > 1 && pos + spaces < p.end) {
            pos += spaces - 1; // \s+(?!\S): leave the last space to the next word
        } else if (spaces > 0) {
            pos += spaces;
        } else {
            ++pos; // nothing matches (an unassigned code point): a piece of its own
        }
        cut(out, prev, pos);
    }
}

// Llama 3 (max_digits 3) and Qwen2 (max_digits 1):
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
void split_llama3(const Piece& p, Lengths& out, size_t max_digits) {
    auto newline = [&](size_t i) { return p.cp(i) == '\r' || p.cp(i) == '\n'; };
    size_t prev = p.begin;
    for (size_t pos = p.begin; pos < p.end;) {
        if (const size_t n = contraction(p, pos, true)) {
            pos += n;
            cut(out, prev, pos);
            continue;
        }
        if (!newline(pos) && !p.is(pos, kNumber) && (p.is(pos, kLetter) || p.is(pos + 1, kLetter))) {
            ++pos; // a letter, or the one non-letter that may lead
            pos += run(p, pos, [&](size_t i) { return p.is(i, kLetter); });
            cut(out, prev, pos);
            continue;
        }
        if (p.is(pos, kNumber)) {
            const size_t digits = run(p, pos, [&](size_t i) { return p.is(i, kNumber); });
            for (size_t d = 0; d < digits; d += max_digits) cut(out, prev, pos + std::min(digits, d + max_digits));
            pos += digits;
            continue;
        }
        const size_t at = pos + (p.cp(pos) == ' ' ? 1 : 0);
        if (p.other(at)) {
            pos = at + run(p, at, [&](size_t i) { return p.other(i); });
            pos += run(p, pos, newline);
            cut(out, prev, pos);
            continue;
        }
        const size_t spaces = run(p, pos, [&](size_t i) { return p.space(i); });
        size_t last_newline_end = 0;
        for (size_t i = pos; i < pos + spaces; ++i)
            if (newline(i)) last_newline_end = i + 1;
        if (last_newline_end > 0) {
            pos = last_newline_end; // \s*[\r\n]+
        } else if (spaces > 1 && pos + spaces < p.end) {
            pos += spaces - 1; // \s+(?!\S)
        } else if (spaces > 0) {
            pos += spaces; // \s+
        } else {
            ++pos;
        }
        cut(out, prev, pos);
    }
}

// A character class of code point ranges written as in a regex: "A-Za-zµ".
class CharClass {
public:
    explicit CharClass(std::string_view spec) {
        const std::u32string cps = decode_utf8(spec);
        for (size_t i = 0; i < cps.size(); ++i) {
            if (i + 2 < cps.size() && cps[i + 1] == '-') {
                ranges_.push_back({cps[i], cps[i + 2]});
                i += 2;
            } else {
                ranges_.push_back({cps[i], cps[i]});
            }
        }
    }
    // The reference matches these classes against text in which non-ASCII whitespace has
    // been replaced by U+000B, so such whitespace never matches a literal range.
    bool contains(const Piece& p, size_t i) const {
        const char32_t c = p.cp(i);
        if (c == kNone || (c > 0x7F && p.space(i))) return false;
        for (const auto& r : ranges_)
            if (c >= r.first && c <= r.second) return true;
        return false;
    }

private:
    std::vector<std::pair<char32_t, char32_t>> ranges_;
};

// \s?X+ where X is given by in(i).
template <class In>
size_t optional_space_then_run(const Piece& p, size_t pos, In in) {
    if (p.space(pos) && in(pos + 1)) return 1 + run(p, pos + 1, in);
    return run(p, pos, in);
}

// X+ / X (single) for a predicate on the position.
template <class In>
Stage class_stage(In in, bool repeat) {
    return regex_stage([in, repeat](const Piece& p, size_t pos) -> size_t {
        if (!in(p, pos)) return 0;
        return repeat ? run(p, pos, [&](size_t i) { return in(p, i); }) : 1;
    });
}

Stage newline_stage() { // [\r\n]
    return class_stage([](const Piece& p, size_t i) { return p.cp(i) == '\r' || p.cp(i) == '\n'; }, false);
}

Stage numbers_stage(bool repeat) { // \p{N}+ or \p{N}
    return class_stage([](const Piece& p, size_t i) { return p.is(i, kNumber); }, repeat);
}

Stage three_digits_stage() { // [0-9][0-9][0-9]
    return regex_stage([](const Piece& p, size_t pos) -> size_t {
        auto digit = [&](size_t i) { return p.cp(i) >= '0' && p.cp(i) <= '9'; };
        return digit(pos) && digit(pos + 1) && digit(pos + 2) ? 3 : 0;
    });
}

Stage cjk_stage() { // [一-龥ࠀ-一가-퟿]+
    static const CharClass cjk("一-龥ࠀ-一가-퟿");
    return class_stage([](const Piece& p, size_t i) { return cjk.contains(p, i); }, true);
}

Stage gpt2_stage() { return split_gpt2; }

std::vector<Stage> stages_for(std::string_view pre) {
    auto is_any = [&](std::initializer_list<std::string_view> names) {
        for (auto n : names)
            if (pre == n) return true;
        return false;
    };
    if (is_llama3_pre(pre) || is_any({"dbrx", "smaug-bpe"})) return {[](const Piece& p, Lengths& out) { split_llama3(p, out, 3); }};
    if (is_any({"qwen2", "stablelm2", "megrez", "deepseek-r1-qwen", "hunyuan"}))
        return {[](const Piece& p, Lengths& out) { split_llama3(p, out, 1); }};
    if (is_any({"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"}))
        return {numbers_stage(false), gpt2_stage()};
    if (pre == "falcon") {
        // [\p{P}\$\+<=>\^~\|`]+
        auto falcon_punct = [](const Piece& p, size_t i) {
            const char32_t c = p.cp(i);
            return p.is(i, kPunct) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' || c == '~' || c == '|' ||
                   c == '`';
        };
        return {class_stage(falcon_punct, true), gpt2_stage(), three_digits_stage()};
    }
    if (pre == "deepseek-llm") {
        static const CharClass letters(
            "A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚ"
            "Ḁ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄ"
            "Ⰰ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃");
        static const CharClass symbols("!-/:-~！-／：-～‘-‟　-。");
        auto space_then = [](const CharClass& cls) {
            return regex_stage([&cls](const Piece& p, size_t pos) {
                return optional_space_then_run(p, pos, [&](size_t i) { return cls.contains(p, i); });
            });
        };
        Stage trailing_spaces = regex_stage([](const Piece& p, size_t pos) -> size_t { // \s+$
            const size_t n = run(p, pos, [&](size_t i) { return p.space(i); });
            return n > 0 && pos + n == p.end ? n : 0;
        });
        return {newline_stage(), space_then(letters), space_then(symbols), trailing_spaces, cjk_stage(), numbers_stage(true)};
    }
    if (pre == "deepseek-coder") {
        auto space_then = [](uint8_t cls) {
            return regex_stage(
                [cls](const Piece& p, size_t pos) { return optional_space_then_run(p, pos, [&](size_t i) { return p.is(i, cls); }); });
        };
        return {newline_stage(), space_then(kLetter), space_then(kPunct), cjk_stage(), numbers_stage(false)};
    }
    // "gpt-2", "mpt", "olmo", "jais", "default", none, and names this build does not know.
    return {gpt2_stage()};
}

Text analyse(std::string_view utf8) {
    Text t;
    t.cps = decode_utf8(utf8);
    t.flags.reserve(t.cps.size());
    for (char32_t c : t.cps) t.flags.push_back(flags_of(c));
    return t;
}

} // namespace

bool is_llama3_pre(std::string_view pre) { return pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3"; }

std::vector<std::string> pretokenize(std::string_view text, std::string_view pre) {
    require_valid_utf8(text, "text to tokenize");
    const Text t = analyse(text);
    Lengths lengths{t.cps.size()};
    for (const Stage& stage : stages_for(pre)) {
        Lengths next;
        next.reserve(lengths.size() * 2);
        size_t begin = 0;
        for (size_t n : lengths) {
            stage(Piece{t, begin, begin + n}, next);
            begin += n;
        }
        lengths = std::move(next);
    }
    std::vector<std::string> words;
    words.reserve(lengths.size());
    size_t begin = 0;
    for (size_t n : lengths) {
        if (n == 0) continue;
        words.push_back(encode_utf8(std::u32string_view(t.cps).substr(begin, n)));
        begin += n;
    }
    return words;
}

} // namespace kmlm
