// Markdown (CommonMark + GitHub tables) for the message view. Prose goes through
// QTextDocument's Markdown reader and is inserted as a document fragment (an HTML round trip
// loses formats: Qt 5 turns a list item starting in bold into an all-bold item); fenced code
// blocks are highlighted (codehighlighter.h) in the code font and get a header row with the
// language and a "Copy" link ("kmlm-copy:<index>"). Tables get light single grid lines and a
// shaded header row.
#pragma once
#include <QString>
#include <QStringList>

class QTextCursor;

namespace kmlm::ui {

struct MarkdownSegment {
    bool code = false;
    QString text;     // Markdown prose, or the code without its fences
    QString language; // the fence's info string (code only)
};

// Splits text into prose and fenced code blocks (``` or ~~~). An unclosed fence runs to the
// end, which is what a streaming answer looks like halfway through a block.
QList<MarkdownSegment> splitMarkdown(const QString& markdown);

// Moves on to a fresh, empty paragraph (no list, no heading) unless the cursor is in one.
void startBlock(QTextCursor& cursor);

// Inserts markdown at cursor, starting a new paragraph. Each code block's text is appended to
// codeBlocks and its copy link names its index there.
void insertMarkdown(QTextCursor& cursor, const QString& markdown, bool dark, QStringList* codeBlocks);

} // namespace kmlm::ui
