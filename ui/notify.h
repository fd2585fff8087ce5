// Warnings that do not block: the engine keeps streaming and the event loop keeps running
// while the message is shown (a modal exec() would stall both).
#pragma once
#include <QString>

class QWidget;

namespace kmlm::ui {

void showWarning(QWidget* parent, const QString& title, const QString& text);

} // namespace kmlm::ui
