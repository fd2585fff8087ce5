#include "notify.h"

#include <QMessageBox>

namespace kmlm::ui {

void showWarning(QWidget* parent, const QString& title, const QString& text) {
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("warning"));
    box->open();
}

} // namespace kmlm::ui
