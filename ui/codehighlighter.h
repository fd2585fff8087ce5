// Fenced code blocks as HTML: coloured by KSyntaxHighlighting (theme following the light or
// dark palette) when the build has it, plain monospace otherwise.
#pragma once
#include <QString>

class QTextCharFormat;

namespace kmlm::ui {

struct CodeBlockHtml {
    QString html;       // <pre> with coloured <span>s, no surrounding block
    QString background; // "#rrggbb" of the theme's editor background
    QString foreground; // "#rrggbb" of the theme's normal text
};

// The code font: NanumGothicCoding (fonts-nanum-coding) has Hangul of its own, so a mixed
// Korean/ASCII line stays in one font and keeps its columns (a CJK fallback font would also
// turn "<<" after Hangul into its "《" ligature); without it, monospace with shaping off.
QTextCharFormat codeCharFormat();

// language: the fence's info string ("cpp", "python", "C++", "rs"...); empty or unknown:
// plain text.
CodeBlockHtml highlightCode(const QString& code, const QString& language, bool dark);
// The name of the syntax definition used for language, empty when plain.
QString codeLanguageName(const QString& language);

} // namespace kmlm::ui
