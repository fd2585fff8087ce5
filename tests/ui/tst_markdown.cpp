// Markdown rendering for the message view: prose structure (headings, lists, tables, links,
// inline code), fenced code blocks highlighted by KSyntaxHighlighting (Qt 5 + KF5 build) with
// light/dark themes and copy links, and Korean line breaking between words in the view.
#include "chatview.h"
#include "codehighlighter.h"
#include "kmlm_test.h"
#include "markdown.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QClipboard>
#include <QFontInfo>
#include <QGlyphRun>
#include <QRawFont>
#include <QSet>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QTextList>
#include <QTextTable>

using namespace kmlm::core;
using namespace kmlm::ui;

namespace {
void render(QTextDocument* doc, const QString& md, bool dark, QStringList* blocks) {
    QTextCursor cursor(doc);
    insertMarkdown(cursor, md, dark, blocks);
}

// Foreground colours used on the characters of needle inside doc.
[[maybe_unused]] QSet<QRgb> colorsOf(const QTextDocument& doc, const QString& needle) {
    QSet<QRgb> colors;
    const QTextCursor found = doc.find(needle);
    if (found.isNull()) return colors;
    for (QTextBlock b = doc.findBlock(found.selectionStart()); b.isValid() && b.position() < found.selectionEnd(); b = b.next()) {
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            if (f.isValid() && f.text().trimmed().size() > 0 && f.charFormat().hasProperty(QTextFormat::ForegroundBrush))
                colors.insert(f.charFormat().foreground().color().rgb());
        }
    }
    return colors;
}
} // namespace

class TestMarkdown : public QObject {
    Q_OBJECT
private slots:
    void split_data() {
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<QStringList>("kinds"); // "p" prose, "c:<lang>" code
        QTest::addColumn<QStringList>("texts");
        QTest::newRow("prose only") << QStringLiteral("안녕하세요\n\n반갑습니다") << QStringList{"p"}
                                    << QStringList{QStringLiteral("안녕하세요\n\n반갑습니다\n")};
        QTest::newRow("code between prose") << QStringLiteral("예시:\n```cpp\nint x = 1;\n```\n끝") << QStringList{"p", "c:cpp", "p"}
                                            << QStringList{QStringLiteral("예시:\n"), QStringLiteral("int x = 1;"), QStringLiteral("끝\n")};
        QTest::newRow("tilde fence, no language") << QStringLiteral("~~~\na\n~~~") << QStringList{"c:"} << QStringList{"a"};
        QTest::newRow("longer fence holds a shorter one")
            << QStringLiteral("````md\n```\nx\n```\n````") << QStringList{"c:md"} << QStringList{"```\nx\n```"};
        QTest::newRow("unclosed fence while streaming") << QStringLiteral("코드:\n```python\nprint('안녕')") << QStringList{"p", "c:python"}
                                                        << QStringList{QStringLiteral("코드:\n"), QStringLiteral("print('안녕')")};
    }
    void split() {
        QFETCH(QString, markdown);
        QFETCH(QStringList, kinds);
        QFETCH(QStringList, texts);
        const QList<MarkdownSegment> segments = splitMarkdown(markdown);
        QStringList gotKinds, gotTexts;
        for (const MarkdownSegment& s : segments) {
            gotKinds << (s.code ? QStringLiteral("c:") + s.language : QStringLiteral("p"));
            gotTexts << s.text;
        }
        QCOMPARE(gotKinds, kinds);
        QCOMPARE(gotTexts, texts);
    }

    void proseStructure() {
        const QString md =
            QStringLiteral("# 제목\n\n## 소제목\n\n- 사과\n- 배\n\n1. 하나\n2. 둘\n\n| 이름 | 나이 |\n|---|---|\n| 철수 | 12 |\n\n"
                           "[링크](https://example.org) 와 `inline code`");
        QStringList blocks;
        QTextDocument doc;
        render(&doc, md, false, &blocks);
        QVERIFY(blocks.isEmpty());
        QSet<int> headings;
        int listItems = 0;
        for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
            if (b.blockFormat().headingLevel() > 0) headings.insert(b.blockFormat().headingLevel());
            if (b.textList()) ++listItems;
        }
        QCOMPARE(headings, (QSet<int>{1, 2}));
        QCOMPARE(listItems, 4);
        QTextTable* table = nullptr;
        for (QTextFrame* f : doc.rootFrame()->childFrames())
            if ((table = qobject_cast<QTextTable*>(f))) break;
        QVERIFY(table);
        QCOMPARE(table->rows(), 2);
        QCOMPARE(table->columns(), 2);
        QCOMPARE(table->cellAt(1, 0).firstCursorPosition().block().text(), QStringLiteral("철수"));
        // Light single grid lines, the header row shaded and the body not.
        const QTextTableFormat grid = table->format();
        QCOMPARE(grid.border(), 1.0);
        QCOMPARE(grid.cellSpacing(), 0.0);
        QVERIFY(grid.borderCollapse());
        QCOMPARE(grid.borderStyle(), QTextFrameFormat::BorderStyle_Solid);
        QVERIFY(grid.borderBrush().color().lightness() > 160); // light lines on the light page
        QVERIFY(table->cellAt(0, 0).format().background().style() != Qt::NoBrush);
        QVERIFY(table->cellAt(1, 0).format().background().style() == Qt::NoBrush);
        bool link = false, mono = false;
        for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
            for (auto it = b.begin(); !it.atEnd(); ++it) {
                const QTextCharFormat f = it.fragment().charFormat();
                link |= f.isAnchor() && f.anchorHref() == QLatin1String("https://example.org");
                mono |= it.fragment().text() == QLatin1String("inline code") && f.fontFixedPitch() &&
                        f.font().family() == codeCharFormat().font().family();
            }
        }
        QVERIFY(link);
        QVERIFY(mono);
    }

    // Qt 5's HTML export makes a list item that starts in bold bold all through.
    void listItemKeepsItsFormats() {
        QStringList blocks;
        QTextDocument doc;
        render(&doc, QStringLiteral("1. **경복궁**: 아침에 가세요\n2. 보통 글씨"), false, &blocks);
        int bold = 0, normal = 0;
        for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
            for (auto it = b.begin(); !it.atEnd(); ++it)
                (it.fragment().charFormat().fontWeight() > QFont::Normal ? bold : normal) += it.fragment().length();
        }
        QCOMPARE(bold, 3);
        QVERIFY(normal > 10);
    }

    void codeBlockHasCopyLink() {
        QStringList blocks;
        QTextDocument doc;
        render(&doc, QStringLiteral("```cpp\nint main() { return 0; }\n```\n\n```\n둘째\n```"), false, &blocks);
        QCOMPARE(blocks, (QStringList{QStringLiteral("int main() { return 0; }"), QStringLiteral("둘째")}));
        const QString html = doc.toHtml();
        QVERIFY(html.contains(QLatin1String("href=\"kmlm-copy:0\"")));
        QVERIFY(html.contains(QLatin1String("href=\"kmlm-copy:1\"")));
    }

    // Code keeps one font through a mixed Korean/ASCII line: NanumGothicCoding has Hangul, so
    // no CJK fallback font shapes "<<" after Hangul (into its "《" ligature).
    void codeLineStaysInOneFont() {
        if (QFontInfo(QFont(QStringLiteral("NanumGothicCoding"))).family() != QLatin1String("NanumGothicCoding"))
            QSKIP("NanumGothicCoding is not installed (fonts-nanum-coding)");
        QStringList blocks;
        QTextDocument doc;
        render(&doc, QStringLiteral("```cpp\nstd::cout << \"총 \" << minutes << \"분\";\n```"), false, &blocks);
        const QTextCursor found = doc.find(QStringLiteral("std::cout"));
        QVERIFY(!found.isNull());
        const QTextBlock line = found.block();
        const QFont font = line.begin().fragment().charFormat().font();
        QCOMPARE(font.family(), QStringLiteral("NanumGothicCoding"));
        QTextLayout layout(line.text(), font); // the line as the view shapes it
        layout.beginLayout();
        layout.createLine();
        layout.endLayout();
        QSet<QString> fonts;
        int glyphs = 0;
        for (const QGlyphRun& run : layout.glyphRuns()) {
            fonts.insert(run.rawFont().familyName());
            glyphs += run.glyphIndexes().size();
        }
        QVERIFY2(fonts == QSet<QString>{QStringLiteral("NanumGothicCoding")},
                 qPrintable(QStringList(fonts.values()).join(QLatin1Char(','))));
        QCOMPARE(glyphs, line.text().size()); // one glyph per character: no ligature
    }

    void cppIsHighlighted_data() {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void cppIsHighlighted() {
#ifndef KMLM_HAVE_KSYNTAXHIGHLIGHTING
        QSKIP("built without KSyntaxHighlighting (plain monospace code blocks)");
#else
        QFETCH(bool, dark);
        QStringList blocks;
        const QString code = QStringLiteral("#include <vector>\n// 주석\nint main() {\n    return 42; // \"문자열\"\n}");
        QTextDocument doc;
        render(&doc, QStringLiteral("```cpp\n") + code + QStringLiteral("\n```"), dark, &blocks);
        QCOMPARE(codeLanguageName(QStringLiteral("cpp")), QStringLiteral("C++"));
        // keyword, number, comment, preprocessor: several distinct colours
        QVERIFY2(colorsOf(doc, QStringLiteral("int main")).size() + colorsOf(doc, QStringLiteral("return 42")).size() >= 3,
                 "expected coloured formats in the cpp block");
        QVERIFY(colorsOf(doc, QStringLiteral("#include")).size() >= 1);
#endif
    }

    void themesFollowPalette() {
        const CodeBlockHtml light = highlightCode(QStringLiteral("x = 1"), QStringLiteral("python"), false);
        const CodeBlockHtml dark = highlightCode(QStringLiteral("x = 1"), QStringLiteral("python"), true);
        QVERIFY(QColor(light.background).lightness() > 128);
        QVERIFY(QColor(dark.background).lightness() < 128);
        QVERIFY(light.html.startsWith(QLatin1String("<pre")));
    }

    void unknownLanguageIsPlain() {
        const CodeBlockHtml out = highlightCode(QStringLiteral("a < b"), QStringLiteral("no-such-language"), false);
        QVERIFY(out.html.startsWith(QLatin1String("<pre")));
        QVERIFY(out.html.contains(QLatin1String(">a &lt; b</pre>")));
        QVERIFY(!out.html.contains(QLatin1String("<span")));
    }

    // The message view wraps Korean prose between words (eojeol), never inside one.
    void koreanWrapsBetweenWords_data() {
        QTest::addColumn<int>("width");
        for (int w : {220, 300, 420}) QTest::newRow(qPrintable(QString::number(w))) << w;
    }
    void koreanWrapsBetweenWords() {
        QFETCH(int, width);
        const QString prose = QStringLiteral("대한민국의 수도는 서울특별시이며 가장 큰 도시이기도 하다. "
                                             "한강이 도시를 가로질러 흐르고 많은 사람들이 살고 있다.");
        ChatView view;
        view.resize(width, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        ChatMessage answer;
        answer.id = 1;
        answer.role = QStringLiteral("assistant");
        answer.text = prose;
        view.setMessages({answer});
        view.document()->documentLayout()->documentSize(); // lays the text out
        QTextBlock block = view.document()->begin();
        while (block.isValid() && !block.text().startsWith(QStringLiteral("대한민국"))) block = block.next();
        QVERIFY(block.isValid());
        const QTextLayout* layout = block.layout();
        QVERIFY(layout->lineCount() > 1);
        const QString shown = block.text();
        for (int i = 0; i + 1 < layout->lineCount(); ++i) {
            const QTextLine line = layout->lineAt(i);
            const int end = line.textStart() + line.textLength();
            QVERIFY2(
                shown.at(end - 1).isSpace(),
                qPrintable(QStringLiteral("line %1 breaks inside a word: %2").arg(i).arg(shown.mid(line.textStart(), line.textLength()))));
        }
    }

    void chatViewCopiesCode() {
        ChatView view;
        ChatMessage answer;
        answer.id = 7;
        answer.role = QStringLiteral("assistant");
        answer.text = QStringLiteral("예:\n```python\nprint(\"안녕하세요\")\n```");
        view.setMessages({answer});
        QCOMPARE(view.codeBlocks(), QStringList{QStringLiteral("print(\"안녕하세요\")")});
        QSignalSpy copied(&view, &ChatView::codeCopied);
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-copy:0")));
        QCOMPARE(copied.count(), 1);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("print(\"안녕하세요\")"));
    }

    void chatViewLinks() {
        ChatView view;
        ChatMessage q, a;
        q.id = 1;
        q.role = QStringLiteral("user");
        q.text = QStringLiteral("질문");
        a.id = 2;
        a.role = QStringLiteral("assistant");
        a.text = QStringLiteral("답");
        a.variant = 1;
        a.variantCount = 2;
        view.setMessages({q, a});
        const QString html = view.toHtml();
        QVERIFY(html.contains(QLatin1String("kmlm-edit:1")));
        QVERIFY(html.contains(QLatin1String("kmlm-prev:2")));
        QVERIFY(html.contains(QLatin1String("kmlm-next:2")));
        QVERIFY(html.contains(QLatin1String("kmlm-regenerate:2")));
        QVERIFY(view.toPlainText().contains(QStringLiteral("2/2")));
        QSignalSpy step(&view, &ChatView::alternativeRequested);
        emit view.anchorClicked(QUrl(QStringLiteral("kmlm-prev:2")));
        QCOMPARE(step.count(), 1);
        QCOMPARE(step.at(0).at(0).toLongLong(), 2);
        QCOMPARE(step.at(0).at(1).toInt(), -1);
    }

    void streamingShowsSpeed() {
        ChatView view;
        ChatMessage a;
        a.id = 3;
        a.role = QStringLiteral("assistant");
        a.state = MessageState::Streaming;
        view.setMessages({a});
        view.setStreamingText(3, QStringLiteral("스트리밍 중인 답"), 12.5);
        view.renderNow();
        QVERIFY(view.toPlainText().contains(QStringLiteral("스트리밍 중인 답")));
        QVERIFY(view.toPlainText().contains(QStringLiteral("12.5")));
    }
};

QTEST_MAIN(TestMarkdown)
#include "tst_markdown.moc"
