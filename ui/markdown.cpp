#include "markdown.h"

#include "codehighlighter.h"

#include <QColor>
#include <QCoreApplication>
#include <QFontDatabase>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextList>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextDocumentFragment>

namespace {

struct Fence {
    QChar mark;
    int length = 0;
};

// "```cpp", "  ~~~~ python" -> the fence; nullopt-like (length 0) for any other line.
Fence openingFence(const QString& line, QString* info) {
    static const QRegularExpression re(QStringLiteral("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*)"));
    const QRegularExpressionMatch m = re.match(line);
    if (!m.hasMatch())
        return {};
    *info = m.captured(2);
    return {m.captured(1).at(0), int(m.captured(1).size())};
}

bool closesFence(const QString& line, const Fence& fence) {
    const QString t = line.trimmed();
    return t.size() >= fence.length && t.count(fence.mark) == t.size() && line.indexOf(fence.mark) <= 3;
}

// The Markdown reader gives inline code the system's fixed font, which the HTML export drops
// when it is also the default font (and the offscreen platform's is not even monospace):
// name a monospace family and give it a faint background.
bool isInlineCode(const QTextCharFormat& f) {
    static const QString fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    const bool hasFamily = f.hasProperty(QTextFormat::FontFamily)
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
        || f.hasProperty(QTextFormat::FontFamilies)
#endif
        ;
    return f.fontFixedPitch() || (hasFamily && f.font().family() == fixed);
}

void markInlineCode(QTextDocument& doc) {
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            if (!isInlineCode(f.charFormat()))
                continue;
            QTextCursor c(&doc);
            c.setPosition(f.position());
            c.setPosition(f.position() + f.length(), QTextCursor::KeepAnchor);
            QTextCharFormat mono;
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
            mono.setFontFamilies({QStringLiteral("monospace")});
#else
            mono.setFontFamily(QStringLiteral("monospace"));
#endif
            mono.setBackground(QColor(127, 127, 127, 40));
            c.mergeCharFormat(mono);
        }
    }
}

QString codeToHtml(const MarkdownSegment& block, bool dark, int index) {
    const CodeBlockHtml code = highlightCode(block.text, block.language, dark);
    // A shade off the theme's editor background, so the block stands out from the page.
    const QColor theme(code.background);
    const QString background = (dark ? theme.lighter(115) : theme.darker(104)).name();
    const QString name = codeLanguageName(block.language);
    const QString label = !name.isEmpty() ? name : block.language;
    const QString copy = QCoreApplication::translate("Markdown", "Copy");
    return QStringLiteral(
               "<table width=\"100%\" cellspacing=\"0\" cellpadding=\"6\" style=\"margin-top:4px;margin-bottom:8px;\">"
               "<tr><td style=\"background-color:%1;color:%2;\"><small>%3</small></td>"
               "<td align=\"right\" style=\"background-color:%1;\"><small><a href=\"kmlm-copy:%4\">%5</a></small></td></tr>"
               "<tr><td colspan=\"2\" style=\"background-color:%1;color:%2;\">%6</td></tr></table>")
        .arg(background, code.foreground, label.toHtmlEscaped(), QString::number(index), copy, code.html);
}

} // namespace

QList<MarkdownSegment> splitMarkdown(const QString& markdown) {
    QList<MarkdownSegment> out;
    MarkdownSegment current;
    Fence fence;
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    auto flush = [&] {
        if (current.code || !current.text.trimmed().isEmpty())
            out.append(current);
        current = {};
    };
    for (const QString& line : lines) {
        if (!current.code) {
            QString info;
            const Fence open = openingFence(line, &info);
            if (open.length > 0) {
                flush();
                fence = open;
                current.code = true;
                current.language = info;
                continue;
            }
        } else if (closesFence(line, fence)) {
            if (current.text.endsWith(QLatin1Char('\n')))
                current.text.chop(1);
            flush();
            continue;
        }
        current.text += line + QLatin1Char('\n');
    }
    if (current.code && current.text.endsWith(QLatin1Char('\n')))
        current.text.chop(1);
    flush();
    return out;
}

void startBlock(QTextCursor& cursor) {
    if (!cursor.block().text().isEmpty() || cursor.block().textList())
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
}

void insertMarkdown(QTextCursor& cursor, const QString& markdown, bool dark, QStringList* codeBlocks) {
    for (const MarkdownSegment& segment : splitMarkdown(markdown)) {
        startBlock(cursor);
        if (segment.code) {
            cursor.insertHtml(codeToHtml(segment, dark, codeBlocks->size()));
            codeBlocks->append(segment.text);
            continue;
        }
        QTextDocument doc;
        doc.setMarkdown(segment.text, QTextDocument::MarkdownDialectGitHub);
        markInlineCode(doc);
        cursor.insertFragment(QTextDocumentFragment(&doc));
    }
}
