// The tokenizer of GGUF transformer models. Two algorithms, as the reference GGUF runtime
// has them:
//  - SPM ("llama"): SentencePiece BPE. Spaces become "▁", then adjacent pieces are merged
//    greedily, the pair whose merged token has the highest score first; what never forms a
//    token comes out as byte tokens <0xXX>.
//  - BPE ("gpt2"): byte-level BPE. The pre-tokenizer cuts the text into words, each byte
//    becomes a printable character (the GPT-2 byte map), and adjacent pieces are merged by
//    the rank of their pair in tokenizer.ggml.merges, lowest rank first.
// Control and user-defined tokens are cut out of the text before either runs.
#include "kmlm/vocab.h"

#include "kmlm/error.h"
#include "kmlm/utf8.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <queue>
#include <unordered_map>

namespace kmlm {
namespace {

// GPT-2's map from bytes to printable code points: printable Latin-1 bytes stand for
// themselves, the others take the code points from U+0100 on, in byte order.
struct ByteMap {
    std::array<std::string, 256> to_text;
    std::unordered_map<char32_t, uint8_t> to_byte;
    ByteMap() {
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            const char32_t cp = printable ? char32_t(b) : next++;
            append_utf8(to_text[b], cp);
            to_byte[cp] = uint8_t(b);
        }
    }
};

const ByteMap& byte_map() {
    static const ByteMap map;
    return map;
}

size_t utf8_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead >> 5) == 0x6) return 2;
    if ((lead >> 4) == 0xE) return 3;
    return 4;
}

// The tokens that end an answer, by name, for files that do not say which they are.
constexpr std::string_view kEndOfTurnNames[] = {
    "<|eot_id|>",    "<|eom_id|>",    "<|im_end|>", "<|end|>", "<end_of_turn>",         "<|endofturn|>",
    "[|endofturn|]", "<|endoftext|>", "<EOT>",      "<|EOT|>", "<｜end▁of▁sentence｜>",
};

// One run of text between special tokens, or one special token (token >= 0).
struct Fragment {
    std::string_view text;
    int32_t token = -1;
};

// A linked list of pieces of the text being merged.
struct Symbol {
    uint32_t offset; // in the text
    uint32_t n;      // bytes; 0 once merged into the left neighbour
    int32_t prev, next;
    int32_t id; // BPE: the token this piece is, -1 when none
};

std::vector<Symbol> split_chars(std::string_view text) {
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (size_t off = 0; off < text.size();) {
        const size_t n = std::min(utf8_length(static_cast<unsigned char>(text[off])), text.size() - off);
        const int32_t index = int32_t(symbols.size());
        symbols.push_back({uint32_t(off), uint32_t(n), index - 1, off + n == text.size() ? -1 : index + 1, -1});
        off += n;
    }
    return symbols;
}

void unlink_right(std::vector<Symbol>& s, int32_t left, int32_t right) {
    s[left].n += s[right].n;
    s[right].n = 0;
    s[left].next = s[right].next;
    if (s[right].next >= 0) s[s[right].next].prev = left;
}

class GgufTokenizer;

class GgufStreamDecoder final : public StreamDecoder {
public:
    explicit GgufStreamDecoder(const GgufTokenizer& tokenizer) : tokenizer_(tokenizer) {}
    std::string push(int32_t token) override;
    std::string flush() override { return buffer_.flush(); }
    bool incomplete() const override { return buffer_.holding(); }

private:
    const GgufTokenizer& tokenizer_;
    Utf8StreamBuffer buffer_;
};

class GgufTokenizer final : public Tokenizer {
public:
    explicit GgufTokenizer(VocabData data);
    GgufTokenizer(const GgufTokenizer&) = delete; // the lookup tables point into data_
    GgufTokenizer& operator=(const GgufTokenizer&) = delete;

    int32_t vocab_size() const override { return int32_t(data_.tokens.size()); }
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const override;
    std::string decode(std::span<const int32_t> ids) const override;
    std::string token_text(int32_t id) const override { return data_.tokens.at(checked(id)); }
    std::unique_ptr<StreamDecoder> stream_decoder() const override { return std::make_unique<GgufStreamDecoder>(*this); }
    int32_t bos() const override { return data_.bos; }
    int32_t eos() const override { return data_.eos; }
    bool is_end_of_generation(int32_t id) const override { return id >= 0 && id < vocab_size() && end_of_generation_[id]; }

    // The bytes token id stands for in decoded text ("" for control tokens).
    const std::string& piece(int32_t id) const { return pieces_[checked(id)]; }

private:
    struct Merge {
        int32_t rank;
        int32_t result;
    };

    int32_t checked(int32_t id) const;
    int32_t find(std::string_view text) const {
        auto it = ids_.find(text);
        return it == ids_.end() ? -1 : it->second;
    }
    TokenType type(int32_t id) const { return data_.types.empty() ? TokenType::Normal : data_.types[id]; }
    void build_merges();
    void build_pieces();
    void build_end_of_generation();

    std::vector<Fragment> partition(std::string_view text, bool parse_special) const;
    void encode_spm(std::string_view text, bool space_prefix, std::vector<int32_t>& out) const;
    void encode_bpe(std::string_view text, std::vector<int32_t>& out) const;
    void encode_bpe_word(std::string_view word, std::vector<int32_t>& out) const;
    void push_byte_tokens(std::string_view bytes, std::vector<int32_t>& out) const;

    VocabData data_;
    std::unordered_map<std::string_view, int32_t> ids_; // keys point into data_.tokens
    std::unordered_map<uint64_t, Merge> merges_;        // (left id << 32 | right id)
    std::vector<int32_t> specials_;                     // longest text first
    std::vector<std::string> pieces_;
    std::vector<bool> end_of_generation_;
    bool ignore_merges_ = false; // Llama 3: a word that is a token is taken whole

    // Words seen before and their tokens: text repeats words a lot.
    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<int32_t>> word_cache_;
};

GgufTokenizer::GgufTokenizer(VocabData data) : data_(std::move(data)) {
    const size_t n = data_.tokens.size();
    if (n == 0) throw FormatError("tokenizer has no tokens");
    if (n > size_t(INT32_MAX)) throw FormatError("tokenizer has too many tokens");
    if (!data_.scores.empty() && data_.scores.size() != n) throw FormatError("tokenizer scores and tokens differ in length");
    if (!data_.types.empty() && data_.types.size() != n) throw FormatError("tokenizer token types and tokens differ in length");
    for (int32_t* id : {&data_.bos, &data_.eos, &data_.eot, &data_.eom, &data_.unk, &data_.pad})
        if (*id < -1 || *id >= int32_t(n)) throw FormatError("tokenizer special token id out of range");

    ids_.reserve(n);
    for (size_t i = 0; i < n; ++i) ids_[data_.tokens[i]] = int32_t(i); // the last duplicate wins
    for (size_t i = 0; i < n; ++i) {
        const TokenType t = type(int32_t(i));
        if ((t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown) && !data_.tokens[i].empty())
            specials_.push_back(int32_t(i));
    }
    std::stable_sort(specials_.begin(), specials_.end(),
                     [&](int32_t a, int32_t b) { return data_.tokens[a].size() > data_.tokens[b].size(); });
    if (data_.model == VocabData::Model::Bpe) build_merges();
    build_pieces();
    build_end_of_generation();
    ignore_merges_ = data_.model == VocabData::Model::Bpe && is_llama3_pre(data_.pre);
}

int32_t GgufTokenizer::checked(int32_t id) const {
    if (id < 0 || id >= vocab_size())
        throw InvalidArgument("token id " + std::to_string(id) + " out of range (vocabulary of " + std::to_string(vocab_size()) + ")");
    return id;
}

void GgufTokenizer::build_merges() {
    merges_.reserve(data_.merges.size());
    std::string joined;
    for (size_t rank = 0; rank < data_.merges.size(); ++rank) {
        const std::string& m = data_.merges[rank];
        const size_t space = m.find(' ', 1);
        if (space == std::string::npos) throw FormatError("tokenizer merge without a space: " + m);
        const std::string_view left = std::string_view(m).substr(0, space);
        const std::string_view right = std::string_view(m).substr(space + 1);
        joined.assign(left).append(right);
        const int32_t l = find(left), r = find(right), result = find(joined);
        if (l < 0 || r < 0 || result < 0) continue; // a merge that cannot produce a token
        merges_.try_emplace(uint64_t(uint32_t(l)) << 32 | uint32_t(r), Merge{int32_t(rank), result});
    }
}

void GgufTokenizer::build_pieces() {
    const bool spm = data_.model == VocabData::Model::Spm;
    const auto& bytes = byte_map().to_byte;
    pieces_.resize(data_.tokens.size());
    for (size_t i = 0; i < data_.tokens.size(); ++i) {
        const std::string& text = data_.tokens[i];
        std::string& piece = pieces_[i];
        switch (type(int32_t(i))) {
        case TokenType::Normal:
        case TokenType::Undefined:
            if (spm) {
                for (size_t p = 0; p < text.size();) {
                    if (text.compare(p, 3, "\xE2\x96\x81") == 0) {
                        piece += ' ';
                        p += 3;
                    } else
                        piece += text[p++];
                }
            } else if (is_valid_utf8(text)) {
                for (char32_t c : decode_utf8(text)) {
                    auto it = bytes.find(c);
                    if (it != bytes.end())
                        piece += char(it->second);
                    else
                        append_utf8(piece, c);
                }
            } else {
                piece = text;
            }
            break;
        case TokenType::Byte: { // "<0xAB>"
            auto hex = [](char c) {
                return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            };
            if (text.size() != 6 || text.compare(0, 3, "<0x") != 0 || text[5] != '>' || hex(text[3]) < 0 || hex(text[4]) < 0)
                throw FormatError("byte token " + std::to_string(i) + " is not <0xXX>");
            piece = char(hex(text[3]) * 16 + hex(text[4]));
            break;
        }
        case TokenType::UserDefined: piece = text; break;
        case TokenType::Control:
        case TokenType::Unknown:
        case TokenType::Unused: break;
        }
    }
}

void GgufTokenizer::build_end_of_generation() {
    end_of_generation_.assign(data_.tokens.size(), false);
    for (int32_t id : {data_.eos, data_.eot, data_.eom})
        if (id >= 0) end_of_generation_[id] = true;
    for (std::string_view name : kEndOfTurnNames)
        if (const int32_t id = find(name); id >= 0) end_of_generation_[id] = true;
}

// Cuts the special tokens out of the text, longest token first, as the reference does.
// User-defined tokens are always cut out; control tokens only when parse_special.
std::vector<Fragment> GgufTokenizer::partition(std::string_view text, bool parse_special) const {
    std::vector<Fragment> fragments;
    if (!text.empty()) fragments.push_back({text, -1});
    for (int32_t id : specials_) {
        if (!parse_special && type(id) != TokenType::UserDefined) continue;
        const std::string_view special = data_.tokens[id];
        std::vector<Fragment> next;
        for (const Fragment& f : fragments) {
            if (f.token >= 0 || f.text.find(special) == std::string_view::npos) {
                next.push_back(f);
                continue;
            }
            std::string_view rest = f.text;
            for (size_t at; (at = rest.find(special)) != std::string_view::npos;) {
                if (at > 0) next.push_back({rest.substr(0, at), -1});
                next.push_back({special, id});
                rest.remove_prefix(at + special.size());
            }
            if (!rest.empty()) next.push_back({rest, -1});
        }
        fragments = std::move(next);
    }
    return fragments;
}

std::vector<int32_t> GgufTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    require_valid_utf8(text, "text to tokenize");
    std::vector<int32_t> out;
    out.reserve(text.size() / 2 + 2);
    if (add_bos && data_.add_bos && data_.bos >= 0) out.push_back(data_.bos);
    bool after_special = true; // SentencePiece adds its space at the start and after specials
    for (const Fragment& f : partition(text, parse_special)) {
        if (f.token >= 0) {
            out.push_back(f.token);
            after_special = true;
        } else if (data_.model == VocabData::Model::Spm) {
            encode_spm(f.text, data_.add_space_prefix && after_special, out);
            after_special = false;
        } else {
            encode_bpe(f.text, out);
        }
    }
    if (add_bos && data_.add_eos && data_.eos >= 0) out.push_back(data_.eos);
    return out;
}

void GgufTokenizer::push_byte_tokens(std::string_view bytes, std::vector<int32_t>& out) const {
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char b : bytes) {
        const char name[] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>'};
        int32_t id = find(std::string_view(name, 6));
        if (id < 0) id = find(std::string_view(reinterpret_cast<const char*>(&b), 1));
        if (id < 0) id = data_.unk;
        if (id >= 0) out.push_back(id);
    }
}

// SentencePiece BPE: repeatedly merge the adjacent pair whose joined text is the token with
// the highest score (leftmost on ties).
void GgufTokenizer::encode_spm(std::string_view raw, bool space_prefix, std::vector<int32_t>& out) const {
    std::string text;
    text.reserve(raw.size() + 8);
    if (space_prefix) text += "\xE2\x96\x81";
    for (char c : raw) {
        if (c == ' ')
            text += "\xE2\x96\x81";
        else
            text += c;
    }
    std::vector<Symbol> s = split_chars(text);
    struct Bigram {
        float score;
        int32_t left, right;
        uint32_t size;
    };
    auto lower = [](const Bigram& a, const Bigram& b) { return a.score < b.score || (a.score == b.score && a.left > b.left); };
    std::priority_queue<Bigram, std::vector<Bigram>, decltype(lower)> queue(lower);
    auto try_add = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        const uint32_t size = s[left].n + s[right].n;
        const int32_t id = find(std::string_view(text).substr(s[left].offset, size));
        if (id < 0) return;
        queue.push({data_.scores.empty() ? 0.0f : data_.scores[id], left, right, size});
    };
    for (int32_t i = 1; i < int32_t(s.size()); ++i) try_add(i - 1, i);
    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = s[b.left];
        const Symbol& r = s[b.right];
        if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue; // outdated
        unlink_right(s, b.left, b.right);
        try_add(l.prev, b.left);
        try_add(b.left, l.next);
    }
    // Every merged piece is a token; a single character may not be, then it goes as bytes.
    for (int32_t i = s.empty() ? -1 : 0; i != -1; i = s[i].next) {
        const std::string_view piece = std::string_view(text).substr(s[i].offset, s[i].n);
        const int32_t id = find(piece);
        if (id >= 0)
            out.push_back(id);
        else
            push_byte_tokens(piece, out);
    }
}

void GgufTokenizer::encode_bpe(std::string_view text, std::vector<int32_t>& out) const {
    const auto& to_text = byte_map().to_text;
    std::string word;
    for (const std::string& w : pretokenize(text, data_.pre)) {
        word.clear();
        for (unsigned char b : w) word += to_text[b];
        {
            std::lock_guard lock(cache_mutex_);
            auto it = word_cache_.find(word);
            if (it != word_cache_.end()) {
                out.insert(out.end(), it->second.begin(), it->second.end());
                continue;
            }
        }
        std::vector<int32_t> ids;
        encode_bpe_word(word, ids);
        out.insert(out.end(), ids.begin(), ids.end());
        std::lock_guard lock(cache_mutex_);
        if (word_cache_.size() >= 100000) word_cache_.clear(); // bounded: long texts of new words
        word_cache_.emplace(word, std::move(ids));
    }
}

// Byte-level BPE within one word: merge the adjacent pair of lowest rank (leftmost on ties).
void GgufTokenizer::encode_bpe_word(std::string_view word, std::vector<int32_t>& out) const {
    if (ignore_merges_) {
        if (const int32_t id = find(word); id >= 0) {
            out.push_back(id);
            return;
        }
    }
    std::vector<Symbol> s = split_chars(word);
    for (Symbol& sym : s) sym.id = find(word.substr(sym.offset, sym.n));
    struct Bigram {
        int32_t rank;
        int32_t left, right;
        int32_t left_id, right_id, result;
    };
    auto lower = [](const Bigram& a, const Bigram& b) { return a.rank > b.rank || (a.rank == b.rank && a.left > b.left); };
    std::priority_queue<Bigram, std::vector<Bigram>, decltype(lower)> queue(lower);
    auto try_add = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0 || s[left].id < 0 || s[right].id < 0) return;
        auto it = merges_.find(uint64_t(uint32_t(s[left].id)) << 32 | uint32_t(s[right].id));
        if (it == merges_.end()) return;
        queue.push({it->second.rank, left, right, s[left].id, s[right].id, it->second.result});
    };
    for (int32_t i = 1; i < int32_t(s.size()); ++i) try_add(i - 1, i);
    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = s[b.left];
        const Symbol& r = s[b.right];
        if (l.n == 0 || r.n == 0 || l.next != b.right || l.id != b.left_id || r.id != b.right_id)
            continue; // outdated: one side was merged since
        unlink_right(s, b.left, b.right);
        l.id = b.result;
        try_add(l.prev, b.left);
        try_add(b.left, l.next);
    }
    for (int32_t i = s.empty() ? -1 : 0; i != -1; i = s[i].next) {
        if (s[i].id >= 0) {
            out.push_back(s[i].id);
            continue;
        }
        // Not a token (a vocabulary without all 256 byte characters): single bytes that are.
        for (char c : word.substr(s[i].offset, s[i].n))
            if (const int32_t id = find(std::string_view(&c, 1)); id >= 0) out.push_back(id);
    }
}

std::string GgufTokenizer::decode(std::span<const int32_t> ids) const {
    // SentencePiece's own space before the text is not part of it.
    bool strip_space = data_.model == VocabData::Model::Spm && data_.add_space_prefix;
    Utf8StreamBuffer buffer;
    std::string out;
    for (int32_t id : ids) {
        std::string_view p = piece(id);
        if (p.empty()) continue;
        if (strip_space && p.front() == ' ') p.remove_prefix(1);
        strip_space = false;
        out += buffer.push(p);
    }
    out += buffer.flush();
    return out;
}

std::string GgufStreamDecoder::push(int32_t token) { return buffer_.push(tokenizer_.piece(token)); }

} // namespace

std::unique_ptr<Tokenizer> make_tokenizer(VocabData data) { return std::make_unique<GgufTokenizer>(std::move(data)); }

} // namespace kmlm
