// Markdown (CommonMark + GitHub tables) to HTML for the message view. Prose goes through
// QTextDocument's Markdown reader; fenced code blocks are highlighted (codehighlighter.h) and
// get a header with the language and a "Copy" link ("kmlm-copy:<index>").
#pragma once
#include <QString>
#include <QStringList>

struct MarkdownSegment {
    bool code = false;
    QString text;      // Markdown prose, or the code without its fences
    QString language;  // the fence's info string (code only)
};

// Splits text into prose and fenced code blocks (``` or ~~~). An unclosed fence runs to the
// end, which is what a streaming answer looks like halfway through a block.
QList<MarkdownSegment> splitMarkdown(const QString& markdown);

// HTML body fragment for markdown. Each code block's text is appended to codeBlocks and its
// copy link names its index there. prose, when given, rewrites the prose parts (not the code)
// before they are rendered.
QString markdownToHtml(const QString& markdown, bool dark, QStringList* codeBlocks,
                       QString (*prose)(const QString&) = nullptr);
