// The status bar's memory meter: a small bar of used / ceiling split into model (its own
// colour), KV cache and application, the figures as text, and a sparkline of the recent
// history. Amber near the memory guard's margin, red once the guard stops answers. The tooltip
// gives the breakdown and the peak. Sizes follow the font. Fed by MemoryMonitor::sampled.
#pragma once
#include <QVector>
#include <QWidget>

namespace kmlm::core {
class MemoryMonitor;
}

namespace kmlm::ui {

class MemoryMeterWidget : public QWidget {
    Q_OBJECT
public:
    struct Sample {
        quint64 used = 0;
        quint64 ceiling = 0;
        quint64 model = 0;
        quint64 kv = 0;
        quint64 app = 0;
    };

    explicit MemoryMeterWidget(QWidget* parent = nullptr);

    // Follows a monitor: takes its history now and every sample from then on.
    void setMonitor(core::MemoryMonitor* monitor);
    void setHistoryLength(int samples); // default 60
    int historyLength() const { return m_historyLength; }

    QVector<Sample> history() const { return m_history; } // oldest first
    Sample latest() const { return m_history.isEmpty() ? Sample{} : m_history.last(); }
    // used / ceiling, 0 without a ceiling
    double fraction() const;
    // Critical once used + the guard's margin reaches the ceiling (answers stop there),
    // Warning from 80 % of the ceiling or four margins under it, Normal below.
    enum class Level { Normal, Warning, Critical };
    Level level() const;
    // "1.2 GiB / 3.0 GiB" (localized units), as painted next to the bar.
    QString text() const;

    QRect barRect() const; // where the bar is painted
    // Colours of the model, KV cache and application parts at the current level.
    QColor partColor(int part) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    // Matches MemoryMonitor::sampled.
    void addSample(quint64 used, quint64 ceiling, quint64 model, quint64 kv, quint64 app);
    void clear();

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void updateToolTip();
    QString formatBytes(quint64 bytes) const;
    QColor levelColor() const;
    void paintBar(QPainter& p, const QRect& r) const;
    void paintSparkline(QPainter& p, const QRect& r) const;

    int m_historyLength = 60;
    QVector<Sample> m_history;
};

} // namespace kmlm::ui
