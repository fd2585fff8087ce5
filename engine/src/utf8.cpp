#include "kmlm/utf8.h"

#include "kmlm/error.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace kmlm {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], 0 if invalid, -1 if it is a valid
// but incomplete prefix cut off by the end of the text.
int sequence_length(std::string_view s, size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    int len;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF)
        len = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0; // no overlongs
        if (b0 == 0xED) hi = 0x9F; // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F; // <= U+10FFFF
    } else
        return 0;
    for (int k = 1; k < len; ++k) {
        if (i + k >= s.size()) return -1;
        const auto b = static_cast<unsigned char>(s[i + k]);
        const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) return 0;
    }
    return len;
}

} // namespace

std::optional<size_t> first_invalid_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const int len = sequence_length(text, i);
        if (len <= 0) return i;
        i += static_cast<size_t>(len);
    }
    return std::nullopt;
}

void require_valid_utf8(std::string_view text, std::string_view what) {
    if (auto at = first_invalid_utf8(text))
        throw InvalidArgument("invalid UTF-8 in " + std::string(what) + " at byte " + std::to_string(*at));
}

std::string to_nfc(std::string_view text) {
    require_valid_utf8(text, "text");
    if (text.empty()) return {};
    utf8proc_uint8_t* out = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()), &out,
                                static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> guard(out, &std::free);
    if (n < 0) throw InvalidArgument(std::string("cannot normalise text: ") + utf8proc_errmsg(n));
    return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        utf8proc_int32_t cp = 0;
        const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                        static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
        if (n <= 0) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(static_cast<char32_t>(cp));
        i += static_cast<size_t>(n);
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80)
        out += static_cast<char>(cp);
    else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string encode_utf8(std::u32string_view cps) {
    std::string out;
    out.reserve(cps.size() * 3);
    for (char32_t cp : cps) append_utf8(out, cp);
    return out;
}

size_t count_code_points(std::string_view text) {
    size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

size_t complete_utf8_prefix(std::string_view text) {
    // Walk back over at most 3 continuation bytes to the last lead byte.
    size_t i = text.size();
    for (int back = 0; back < 4 && i > 0; ++back) {
        --i;
        const auto b = static_cast<unsigned char>(text[i]);
        if ((b & 0xC0) == 0x80) continue;
        return sequence_length(text, i) == -1 ? i : text.size();
    }
    return text.size();
}

std::string Utf8StreamBuffer::push(std::string_view bytes) {
    pending_.append(bytes);
    std::string out;
    size_t i = 0;
    while (i < pending_.size()) {
        const int len = sequence_length(pending_, i);
        if (len == -1) break; // wait for the rest of this character
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(pending_, i, static_cast<size_t>(len));
        i += static_cast<size_t>(len);
    }
    pending_.erase(0, i);
    return out;
}

std::string Utf8StreamBuffer::flush() {
    std::string out;
    if (!pending_.empty()) out = "\xEF\xBF\xBD";
    pending_.clear();
    return out;
}

} // namespace kmlm
