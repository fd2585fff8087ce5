// Look and language of the application: palette (system, light, dark), a font that has
// Hangul, and the UI translation.
#pragma once
#include "appsettings.h"

#include <QPalette>
#include <QString>

class QApplication;

namespace kmlm::ui {

namespace Appearance {
// Light or dark palette (Fusion style) or the system's, captured on the first call.
void applyTheme(core::AppSettings::Theme theme);
bool isDark(); // the current palette's window is dark
// The system font (or its size changed to points > 0) with Korean fonts as fallbacks.
void applyFont(int points);
// Secondary text (figures, hints): the text colour 40 % of the way to the background, which
// keeps WCAG AA contrast (4.5:1) on the light and dark palettes.
QColor mutedTextColor(const QPalette& palette, QPalette::ColorRole background = QPalette::Base);
// WCAG 2 contrast ratio of two colours, 1 to 21.
double contrastRatio(const QColor& a, const QColor& b);
// color, darkened or lightened (away from background) as little as it takes to reach 4.5:1.
QColor readableOn(const QColor& color, const QColor& background);
// "ko", "en" or "" (the system's language: Korean under a Korean locale, English otherwise).
QString resolveLanguage(const QString& language);
// Installs the program's and Qt's translations for language; false when the program's
// translation could not be loaded (English then, which needs none).
bool installTranslations(const QString& language);
} // namespace Appearance

} // namespace kmlm::ui
