#include "appearance.h"

#include <QApplication>
#include <QFont>
#include <QLibraryInfo>
#include <QLocale>
#include <QPalette>
#include <QStyle>
#include <QTranslator>

#include <algorithm>
#include <cmath>

namespace kmlm::ui {

namespace Appearance {

namespace {
QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1f, 0x21, 0x24), text(0xe8, 0xe8, 0xe8);
    const QColor highlight(0x3d, 0x7e, 0xea);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x7a, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb4, 0x9c, 0xff));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8d, 0x91));
    // The bevel shades (tab bar line, frames, the memory meter's application part): the
    // defaults are a light palette's and draw white lines on the dark window.
    p.setColor(QPalette::Light, QColor(0x44, 0x47, 0x4d));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::Mid, QColor(0x5c, 0x60, 0x67));
    p.setColor(QPalette::Dark, QColor(0x1c, 0x1d, 0x20));
    p.setColor(QPalette::Shadow, QColor(0x10, 0x11, 0x13));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x80, 0x80, 0x80));
    return p;
}

QPalette lightPalette() { // call with the Fusion style set
    QPalette p = QApplication::style()->standardPalette();
    p.setColor(QPalette::Link, QColor(0x15, 0x55, 0xc0)); // 4.5:1 on the shaded code headers too
    return p;
}

struct SystemLook {
    QPalette palette;
    QString style;
    QFont font;
};
const SystemLook& systemLook() {
    static const SystemLook look{QApplication::palette(), QApplication::style()->objectName(), QApplication::font()};
    return look;
}

QTranslator* appTranslator = nullptr;
QTranslator* qtTranslator = nullptr;
} // namespace

void applyTheme(core::AppSettings::Theme theme) {
    const SystemLook& system = systemLook();
    if (theme == core::AppSettings::Theme::System) {
        QApplication::setStyle(system.style);
        QApplication::setPalette(system.palette);
        return;
    }
    QApplication::setStyle(QStringLiteral("Fusion"));
    QApplication::setPalette(theme == core::AppSettings::Theme::Dark ? darkPalette() : lightPalette());
}

bool isDark() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }

void applyFont(int points) {
    QFont font = systemLook().font;
    if (points > 0) font.setPointSize(points);
    // Fonts without Hangul fall back to these (Debian: fonts-noto-cjk, fonts-nanum).
    const QStringList korean{QStringLiteral("Noto Sans CJK KR"), QStringLiteral("NanumGothic"), QStringLiteral("Noto Sans KR"),
                             QStringLiteral("Malgun Gothic")};
    QFont::insertSubstitutions(font.family(), korean);
    font.setFamilies(QStringList{font.family()} + korean);
    QApplication::setFont(font);
}

QColor mutedTextColor(const QPalette& palette, QPalette::ColorRole background) {
    const QPalette::ColorRole text = background == QPalette::Window ? QPalette::WindowText : QPalette::Text;
    const QColor fg = palette.color(text), bg = palette.color(background);
    constexpr double kToBackground = 0.4;
    auto mix = [](int a, int b) { return int(a + (b - a) * kToBackground + 0.5); };
    return QColor(mix(fg.red(), bg.red()), mix(fg.green(), bg.green()), mix(fg.blue(), bg.blue()));
}

double contrastRatio(const QColor& a, const QColor& b) {
    auto luminance = [](const QColor& c) {
        auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor readableOn(const QColor& color, const QColor& background) {
    constexpr double kAA = 4.5;
    const bool darken = background.lightness() >= 128;
    QColor c = color;
    for (int step = 0; step < 40 && contrastRatio(c, background) < kAA; ++step) c = darken ? c.darker(108) : c.lighter(108);
    if (contrastRatio(c, background) < kAA) // lighter() cannot lift a black: plain text colours
        c = darken ? QColor(Qt::black) : QColor(Qt::white);
    return c;
}

QString resolveLanguage(const QString& language) {
    if (!language.isEmpty()) return language;
    return QLocale().language() == QLocale::Korean ? QStringLiteral("ko") : QStringLiteral("en");
}

bool installTranslations(const QString& language) {
    const QString lang = resolveLanguage(language);
    for (QTranslator** t : {&appTranslator, &qtTranslator}) {
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete *t;
            *t = nullptr;
        }
    }
    appTranslator = new QTranslator(qApp);
    const bool ok = appTranslator->load(QStringLiteral(":/i18n/kmlm_%1.qm").arg(lang));
    QCoreApplication::installTranslator(appTranslator);
    qtTranslator = new QTranslator(qApp);
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
    const QString qtDir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
#else
    const QString qtDir = QLibraryInfo::location(QLibraryInfo::TranslationsPath);
#endif
    if (qtTranslator->load(QStringLiteral("qtbase_") + lang, qtDir)) QCoreApplication::installTranslator(qtTranslator);
    QLocale::setDefault(QLocale(lang));
    return ok;
}

} // namespace Appearance

} // namespace kmlm::ui
