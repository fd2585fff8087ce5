#include "codehighlighter.h"

#ifdef KMLM_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>
#endif

#include <QColor>
#include <QFont>
#include <QFontInfo>
#include <QStringList>
#include <QTextCharFormat>

namespace kmlm::ui {

QTextCharFormat codeCharFormat() {
    static const bool nanum = QFontInfo(QFont(QStringLiteral("NanumGothicCoding"))).family() == QLatin1String("NanumGothicCoding");
    QTextCharFormat f;
    if (nanum) {
        f.setFontFamilies(QStringList{QStringLiteral("NanumGothicCoding")}); // it has every glyph code needs
    } else {
        f.setFontFamilies(QStringList{QStringLiteral("monospace")});
        f.setFontStyleStrategy(QFont::PreferNoShaping);
    }
#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
    f.setFontFamily(f.fontFamilies().toStringList().first()); // Qt 5 takes the family from here
#endif
    f.setFontFixedPitch(true);
    return f;
}

// Monospace by name: the platform's "fixed" font is not always monospace (offscreen).
static QString preHtml(const QString& body) {
    // pre-wrap: long lines wrap inside the column instead of running past its edge
    return QStringLiteral("<pre style=\"font-family:monospace;white-space:pre-wrap;\">%1</pre>").arg(body);
}

#ifdef KMLM_HAVE_KSYNTAXHIGHLIGHTING
namespace KSH = KSyntaxHighlighting;

namespace {

// Loading the definitions takes a while: one repository for the program's lifetime.
KSH::Repository& repository() {
    static KSH::Repository repo;
    return repo;
}

KSH::Definition definitionFor(const QString& language) {
    if (language.isEmpty()) return {};
    KSH::Repository& repo = repository();
    KSH::Definition def = repo.definitionForName(language);
    if (!def.isValid()) // "cpp", "py", "rs", "sh": a file extension
        def = repo.definitionForFileName(QStringLiteral("code.") + language);
    if (!def.isValid()) {
        for (const KSH::Definition& d : repo.definitions()) {
            if (d.name().compare(language, Qt::CaseInsensitive) == 0) return d;
        }
    }
    return def;
}

// Turns highlightLine()'s format callbacks into <span style=...> runs.
class HtmlHighlighter : public KSH::AbstractHighlighter {
public:
    QString html;

    void highlight(const QString& code) {
        KSH::State state;
        const QStringList lines = code.split(QLatin1Char('\n'));
        for (int i = 0; i < lines.size(); ++i) {
            m_line = lines.at(i);
            m_done = 0;
            state = highlightLine(m_line, state);
            if (m_done < m_line.size()) // text highlightLine() reported no format for
                html += m_line.mid(m_done).toHtmlEscaped();
            if (i + 1 < lines.size()) html += QLatin1Char('\n');
        }
    }

protected:
    void applyFormat(int offset, int length, const KSH::Format& format) override {
        if (offset > m_done) html += m_line.mid(m_done, offset - m_done).toHtmlEscaped();
        const QString text = m_line.mid(offset, length).toHtmlEscaped();
        m_done = offset + length;
        QString style;
        if (format.hasTextColor(theme())) style += QStringLiteral("color:%1;").arg(format.textColor(theme()).name());
        if (format.isBold(theme())) style += QStringLiteral("font-weight:bold;");
        if (format.isItalic(theme())) style += QStringLiteral("font-style:italic;");
        html += style.isEmpty() ? text : QStringLiteral("<span style=\"%1\">%2</span>").arg(style, text);
    }

private:
    QString m_line;
    int m_done = 0;
};

} // namespace

QString codeLanguageName(const QString& language) {
    const KSH::Definition def = definitionFor(language);
    return def.isValid() ? def.name() : QString();
}

CodeBlockHtml highlightCode(const QString& code, const QString& language, bool dark) {
    KSH::Repository& repo = repository();
    const KSH::Theme theme = repo.defaultTheme(dark ? KSH::Repository::DarkTheme : KSH::Repository::LightTheme);
    CodeBlockHtml out;
    out.background = QColor(theme.editorColor(KSH::Theme::BackgroundColor)).name();
    out.foreground = QColor(theme.textColor(KSH::Theme::Normal)).name();
    const KSH::Definition def = definitionFor(language);
    if (!def.isValid()) {
        out.html = preHtml(code.toHtmlEscaped());
        return out;
    }
    HtmlHighlighter highlighter;
    highlighter.setTheme(theme); // before setDefinition(): KF5 5.103 needs this order
    highlighter.setDefinition(def);
    highlighter.highlight(code);
    out.html = preHtml(highlighter.html);
    return out;
}

#else // no KSyntaxHighlighting: plain monospace in the palette's colours

QString codeLanguageName(const QString&) { return {}; }

CodeBlockHtml highlightCode(const QString& code, const QString&, bool dark) {
    CodeBlockHtml out;
    out.background = dark ? QStringLiteral("#232629") : QStringLiteral("#f4f5f6");
    out.foreground = dark ? QStringLiteral("#e6e6e6") : QStringLiteral("#1f1f1f");
    out.html = preHtml(code.toHtmlEscaped());
    return out;
}

#endif

} // namespace kmlm::ui
