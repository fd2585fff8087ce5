// The status bar's memory meter: a small bar of used / ceiling split into model, KV cache and
// application, the figures as text, and a sparkline of the recent history. The tooltip gives
// the breakdown and the peak. Fed by MemoryMonitor::sampled (about once a second).
#pragma once
#include <QVector>
#include <QWidget>

class MemoryMonitor;

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
    void setMonitor(MemoryMonitor* monitor);
    void setHistoryLength(int samples); // default 60
    int historyLength() const { return m_historyLength; }

    QVector<Sample> history() const { return m_history; } // oldest first
    Sample latest() const { return m_history.isEmpty() ? Sample{} : m_history.last(); }
    // used / ceiling, 0 without a ceiling
    double fraction() const;
    // Normal below 80 % of the ceiling, Warning up to 95 %, Critical above.
    enum class Level { Normal, Warning, Critical };
    Level level() const;
    // "1.2 GiB / 3.0 GiB" (localized units), as painted next to the bar.
    QString text() const;

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
