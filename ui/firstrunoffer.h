// The chat page's offer for a new user whose only model is the bundled jamo GRU: it says
// plainly that the GRU is a tiny demonstration model and offers the catalog's best model that
// fits the memory ceiling and the disk, with one click to download it and one to use it.
// "Don't show again" dismisses it for good (a setting).
#pragma once
#include "appservices.h"
#include "catalog.h"
#include "retranslator.h"

#include <QFrame>

#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;

namespace kmlm::core {
class ModelDownload;
}

namespace kmlm::ui {

class FirstRunOffer : public QFrame {
    Q_OBJECT
public:
    explicit FirstRunOffer(const AppServices& services, QWidget* parent = nullptr);

    // Free bytes of the models folder (tests inject one).
    void setFreeSpaceFunction(std::function<qint64(const QString&)> f);
    // Whether the offer applies now (only the bundled model, not dismissed, a model fits).
    bool isOffered() const { return m_pick.entry != nullptr; }
    core::CatalogPick pick() const { return m_pick; }
    QPushButton* downloadButton() const { return m_download; }
    QPushButton* useButton() const { return m_use; }
    QPushButton* neverButton() const { return m_never; }

public Q_SLOTS:
    void refresh();

protected:
    void changeEvent(QEvent* event) override;

private:
    void startDownload();
    void showProgress();
    core::ModelDownload* download() const;

    AppServices m_services;
    std::function<qint64(const QString&)> m_freeSpace;
    core::CatalogPick m_pick;
    bool m_hiddenForNow = false;
    Retranslator m_texts;
    QLabel* m_title;
    QLabel* m_text;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_download;
    QPushButton* m_use;
    QPushButton* m_later;
    QPushButton* m_never;
};

} // namespace kmlm::ui
