// UTF-8 helpers: validation, NFC (utf8proc), code points, and a stream buffer that never
// lets a partial UTF-8 sequence out.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kmlm {

// Byte offset of the first invalid byte, or nullopt when the whole text is valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::optional<size_t> first_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) { return !first_invalid_utf8(text); }

// Throws InvalidArgument "invalid UTF-8 in <what> at byte N" when text is not valid.
void require_valid_utf8(std::string_view text, std::string_view what);

// NFC normalisation. Throws InvalidArgument on invalid UTF-8.
std::string to_nfc(std::string_view text);

// Code points of valid UTF-8 text (call require_valid_utf8 first for untrusted text).
std::u32string decode_utf8(std::string_view text);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(std::u32string_view cps);
size_t count_code_points(std::string_view text);

// Length of the longest prefix of text that does not end inside a UTF-8 sequence.
size_t complete_utf8_prefix(std::string_view text);

// Accepts bytes in arbitrary pieces and returns only whole characters. A sequence that
// turns out to be invalid comes out as U+FFFD, so output is always valid UTF-8.
class Utf8StreamBuffer {
public:
    std::string push(std::string_view bytes);
    std::string flush(); // whatever is held, invalid leftovers as U+FFFD
    bool holding() const { return !pending_.empty(); }

private:
    std::string pending_;
};

} // namespace kmlm
