#include "markdown.h"

#include "appearance.h"
#include "codehighlighter.h"

#include <QColor>
#include <QCoreApplication>
#include <QFontDatabase>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTextFrame>
#include <QTextList>
#include <QTextTable>

namespace kmlm::ui {

namespace {

struct Fence {
    QChar mark;
    int length = 0;
};

// "```cpp", "  ~~~~ python" -> the fence; nullopt-like (length 0) for any other line.
Fence openingFence(const QString& line, QString* info) {
    static const QRegularExpression re(QStringLiteral("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*)"));
    const QRegularExpressionMatch m = re.match(line);
    if (!m.hasMatch()) return {};
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
            if (!isInlineCode(f.charFormat())) continue;
            QTextCursor c(&doc);
            c.setPosition(f.position());
            c.setPosition(f.position() + f.length(), QTextCursor::KeepAnchor);
            QTextCharFormat mono = codeCharFormat();
            mono.setBackground(QColor(127, 127, 127, 40));
            c.mergeCharFormat(mono);
        }
    }
}

QColor gridColor(bool dark) { return dark ? QColor(0x4a, 0x4e, 0x55) : QColor(0xd0, 0xd4, 0xda); }

QTextTableFormat gridFormat(const QTextTableFormat& from, bool dark) {
    QTextTableFormat f = from;
    f.setBorder(1);
    f.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
    f.setBorderBrush(gridColor(dark));
    f.setBorderCollapse(true); // one line between cells, not each cell's own box
    f.setCellSpacing(0);
    f.setCellPadding(5);
    f.setTopMargin(4);
    f.setBottomMargin(8);
    return f;
}

// GitHub tables: light single grid lines, the header row shaded.
void styleTables(QTextDocument& doc, bool dark) {
    const QColor header = dark ? QColor(0x33, 0x36, 0x3c) : QColor(0xf0, 0xf2, 0xf5);
    for (QTextFrame* frame : doc.rootFrame()->childFrames()) {
        auto* table = qobject_cast<QTextTable*>(frame);
        if (!table) continue;
        table->setFormat(gridFormat(table->format(), dark));
        for (int column = 0; column < table->columns(); ++column) {
            QTextTableCell cell = table->cellAt(0, column);
            QTextCharFormat shaded = cell.format();
            shaded.setBackground(header);
            cell.setFormat(shaded);
        }
    }
}

// Colours the characters of [from, to): those without a colour of their own get color, and
// every colour (a highlighting theme's too) is made readable on background (WCAG AA).
void colorCode(QTextDocument* doc, int from, int to, const QColor& color, const QColor& background) {
    for (QTextBlock b = doc->findBlock(from); b.isValid() && b.position() < to; b = b.next()) {
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            const QTextCharFormat format = f.charFormat();
            const QColor own = format.hasProperty(QTextFormat::ForegroundBrush) ? format.foreground().color() : color;
            QTextCursor c(doc);
            c.setPosition(f.position());
            c.setPosition(f.position() + f.length(), QTextCursor::KeepAnchor);
            QTextCharFormat colored;
            colored.setForeground(Appearance::readableOn(own, background));
            c.mergeCharFormat(colored);
        }
    }
}

// A code block: a header row with the language and a "Copy" link over the highlighted code.
void insertCode(QTextCursor& cursor, const MarkdownSegment& block, bool dark, int index) {
    const CodeBlockHtml code = highlightCode(block.text, block.language, dark);
    // A shade off the theme's editor background, so the block stands out from the page.
    const QColor theme(code.background);
    const QColor body = dark ? theme.lighter(115) : theme.darker(104);
    const QColor head = dark ? body.lighter(125) : body.darker(106);
    QTextTableFormat frame = gridFormat(QTextTableFormat(), dark);
    frame.setBorder(0); // the shading marks the block; no lines between header and code
    frame.setCellPadding(6);
    frame.setWidth(QTextLength(QTextLength::PercentageLength, 100));
    QTextTable* table = cursor.insertTable(2, 2, frame);
    table->mergeCells(1, 0, 1, 2);
    for (int column = 0; column < 2; ++column) {
        QTextTableCell cell = table->cellAt(0, column);
        QTextCharFormat f = cell.format();
        f.setBackground(head);
        cell.setFormat(f);
    }
    QTextTableCell codeCell = table->cellAt(1, 0);
    QTextCharFormat cellFormat = codeCell.format();
    cellFormat.setBackground(body);
    codeCell.setFormat(cellFormat);

    QTextCharFormat small;
    small.setProperty(QTextFormat::FontSizeAdjustment, -1);
    QTextCharFormat label = small;
    label.setForeground(Appearance::readableOn(QColor(code.foreground), head));
    const QString name = codeLanguageName(block.language);
    table->cellAt(0, 0).firstCursorPosition().insertText(!name.isEmpty() ? name : block.language, label);
    QTextCursor copy = table->cellAt(0, 1).firstCursorPosition();
    QTextBlockFormat right;
    right.setAlignment(Qt::AlignRight);
    copy.setBlockFormat(right);
    QTextCharFormat link = small;
    link.setAnchor(true);
    link.setAnchorHref(QStringLiteral("kmlm-copy:%1").arg(index));
    copy.insertText(QCoreApplication::translate("Markdown", "Copy"), link);

    QTextCursor text = codeCell.firstCursorPosition();
    const int from = text.position();
    text.insertHtml(code.html);
    const int to = text.position();
    colorCode(cursor.document(), from, to, QColor(code.foreground), body);
    text.setPosition(from, QTextCursor::KeepAnchor);
    text.mergeCharFormat(codeCharFormat());
    cursor = table->lastCursorPosition();
    cursor.movePosition(QTextCursor::NextBlock);
}

} // namespace

QList<MarkdownSegment> splitMarkdown(const QString& markdown) {
    QList<MarkdownSegment> out;
    MarkdownSegment current;
    Fence fence;
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    auto flush = [&] {
        if (current.code || !current.text.trimmed().isEmpty()) out.append(current);
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
            if (current.text.endsWith(QLatin1Char('\n'))) current.text.chop(1);
            flush();
            continue;
        }
        current.text += line + QLatin1Char('\n');
    }
    if (current.code && current.text.endsWith(QLatin1Char('\n'))) current.text.chop(1);
    flush();
    return out;
}

void startBlock(QTextCursor& cursor) {
    if (!cursor.block().text().isEmpty() || cursor.block().textList()) cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
}

void insertMarkdown(QTextCursor& cursor, const QString& markdown, bool dark, QStringList* codeBlocks) {
    for (const MarkdownSegment& segment : splitMarkdown(markdown)) {
        startBlock(cursor);
        if (segment.code) {
            insertCode(cursor, segment, dark, codeBlocks->size());
            codeBlocks->append(segment.text);
            continue;
        }
        QTextDocument doc;
        doc.setMarkdown(segment.text, QTextDocument::MarkdownDialectGitHub);
        markInlineCode(doc);
        styleTables(doc, dark);
        cursor.insertFragment(QTextDocumentFragment(&doc));
    }
}

} // namespace kmlm::ui
