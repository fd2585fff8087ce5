#include "memorymeterwidget.h"

#include "appearance.h"
#include "memorymonitor.h"

#include <QEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace kmlm::ui {

namespace {
// In lines of the font: the meter scales with it (and with the screen's scale factor).
constexpr double kBarLines = 5.0;
constexpr double kSparkLines = 3.0;
} // namespace

MemoryMeterWidget::MemoryMeterWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    updateToolTip();
}

void MemoryMeterWidget::setMonitor(core::MemoryMonitor* monitor) {
    clear();
    if (!monitor) return;
    for (const auto& s : monitor->history()) addSample(s.used, s.ceiling, s.model, s.kv, s.app);
    connect(monitor, &core::MemoryMonitor::sampled, this, &MemoryMeterWidget::addSample, Qt::UniqueConnection);
}

void MemoryMeterWidget::setHistoryLength(int samples) {
    m_historyLength = std::max(1, samples);
    if (m_history.size() > m_historyLength) m_history.remove(0, m_history.size() - m_historyLength);
    update();
}

void MemoryMeterWidget::addSample(quint64 used, quint64 ceiling, quint64 model, quint64 kv, quint64 app) {
    m_history.append(Sample{used, ceiling, model, kv, app});
    if (m_history.size() > m_historyLength) m_history.remove(0, m_history.size() - m_historyLength);
    const QSize before = sizeHint();
    updateToolTip();
    if (sizeHint() != before) updateGeometry(); // the text got wider
    update();
}

void MemoryMeterWidget::clear() {
    m_history.clear();
    updateToolTip();
    update();
}

double MemoryMeterWidget::fraction() const {
    const Sample s = latest();
    return s.ceiling ? double(s.used) / double(s.ceiling) : 0.0;
}

MemoryMeterWidget::Level MemoryMeterWidget::level() const {
    const Sample s = latest();
    if (s.ceiling == 0) return Level::Normal;
    const quint64 margin = core::MemoryMonitor::guardMargin(s.ceiling);
    if (s.used + margin >= s.ceiling) return Level::Critical;
    return s.used + 4 * margin >= s.ceiling || fraction() >= 0.8 ? Level::Warning : Level::Normal;
}

QString MemoryMeterWidget::formatBytes(quint64 bytes) const {
    return locale().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeIecFormat);
}

QString MemoryMeterWidget::text() const {
    const Sample s = latest();
    if (s.ceiling == 0) return formatBytes(s.used);
    //: memory used / memory ceiling, e.g. "1.2 GiB / 3.0 GiB"
    return tr("%1 / %2").arg(formatBytes(s.used), formatBytes(s.ceiling));
}

void MemoryMeterWidget::updateToolTip() {
    if (m_history.isEmpty()) {
        setToolTip(tr("Memory: no reading yet"));
        setAccessibleName(tr("Memory meter"));
        return;
    }
    const Sample s = latest();
    quint64 peak = 0;
    for (const auto& h : m_history) peak = std::max(peak, h.used);
    QString tip =
        s.ceiling ? tr("Memory: %1 of the %2 ceiling (%3%)").arg(formatBytes(s.used), formatBytes(s.ceiling)).arg(qRound(fraction() * 100))
                  : tr("Memory: %1 (no ceiling)").arg(formatBytes(s.used));
    tip += QLatin1Char('\n') + tr("Model: %1").arg(formatBytes(s.model));
    tip += QLatin1Char('\n') + tr("KV cache: %1").arg(formatBytes(s.kv));
    tip += QLatin1Char('\n') + tr("Application: %1").arg(formatBytes(s.app));
    tip += QLatin1Char('\n') + tr("Peak of the last %n sample(s): %1", nullptr, int(m_history.size())).arg(formatBytes(peak));
    setToolTip(tip);
    setAccessibleName(tr("Memory meter"));
    setAccessibleDescription(tip);
}

QColor MemoryMeterWidget::levelColor() const {
    switch (level()) {
    case Level::Critical: return QColor(0xd3, 0x2f, 0x2f);
    case Level::Warning: return QColor(0xf0, 0x9a, 0x00);
    case Level::Normal: break;
    }
    return palette().color(QPalette::Highlight);
}

// The model in the level's colour, the KV cache a lighter shade of it, the application grey.
QColor MemoryMeterWidget::partColor(int part) const {
    const QColor base = levelColor();
    switch (part) {
    case 0: return base;
    case 1: return Appearance::isDark() ? base.darker(150) : base.lighter(150);
    default: return palette().color(QPalette::Mid);
    }
}

QRect MemoryMeterWidget::barRect() const {
    const int h = height();
    const int barHeight = std::max(4, std::min(fontMetrics().height() * 2 / 3, h - 4));
    return QRect(0, (h - barHeight) / 2, qRound(kBarLines * fontMetrics().height()), barHeight);
}

QSize MemoryMeterWidget::sizeHint() const {
    const QFontMetrics fm = fontMetrics();
    // Wide enough for the widest figures ("1023.9 MiB / 1023.9 MiB") so it does not jitter.
    const QString widest = formatBytes(quint64(1023.9 * 1024 * 1024));
    const int textWidth = std::max(fm.horizontalAdvance(text()), fm.horizontalAdvance(tr("%1 / %2").arg(widest, widest)));
    const int gap = fm.averageCharWidth();
    return QSize(qRound((kBarLines + kSparkLines) * fm.height()) + 2 * gap + textWidth, fm.height() + fm.height() / 4);
}

QSize MemoryMeterWidget::minimumSizeHint() const { return sizeHint(); }

// The bar: the ceiling is the full width; model, KV cache and application are stacked from
// the left in shades of the level colour.
void MemoryMeterWidget::paintBar(QPainter& p, const QRect& r) const {
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(palette().color(QPalette::Base));
    p.drawRect(r.adjusted(0, 0, -1, -1));
    const Sample s = latest();
    const double scale = s.ceiling ? double(r.width() - 2) / double(s.ceiling) : 0.0;
    if (scale == 0.0) return;
    const quint64 parts[] = {s.model, s.kv, s.app};
    double x = r.left() + 1;
    const double right = r.right();
    p.setPen(Qt::NoPen);
    for (int i = 0; i < 3; ++i) {
        const double w = std::min(double(parts[i]) * scale, right - x);
        if (w <= 0) break;
        p.setBrush(partColor(i));
        p.drawRect(QRectF(x, r.top() + 1, w, r.height() - 2));
        x += w;
    }
    // Where the guard stops answers: a tick at ceiling - margin.
    const double guard = r.left() + 1 + double(s.ceiling - core::MemoryMonitor::guardMargin(s.ceiling)) * scale;
    p.setPen(QPen(palette().color(QPalette::WindowText), 1));
    p.drawLine(QPointF(guard, r.top()), QPointF(guard, r.bottom()));
}

// The sparkline: used / ceiling of each sample in the history, oldest on the left.
void MemoryMeterWidget::paintSparkline(QPainter& p, const QRect& r) const {
    if (m_history.size() < 2) return;
    quint64 top = 1;
    for (const auto& s : m_history) top = std::max({top, s.used, s.ceiling});
    QPainterPath path;
    const double step = double(r.width() - 1) / double(m_historyLength - 1);
    const double x0 = r.right() - step * double(m_history.size() - 1);
    for (int i = 0; i < m_history.size(); ++i) {
        const double y = r.bottom() - double(m_history[i].used) / double(top) * (r.height() - 1);
        const QPointF pt(x0 + step * i, y);
        if (i == 0)
            path.moveTo(pt);
        else
            path.lineTo(pt);
    }
    QPainterPath area = path; // the line over a translucent area, readable at this size
    area.lineTo(r.right(), r.bottom());
    area.lineTo(x0, r.bottom());
    area.closeSubpath();
    QColor fill = levelColor();
    fill.setAlpha(60);
    p.setPen(Qt::NoPen);
    p.setBrush(fill);
    p.drawPath(area);
    p.setPen(QPen(levelColor(), 1.2));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
}

void MemoryMeterWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const int h = height();
    const QRect bar = barRect();
    paintBar(p, bar);
    const int gap = fontMetrics().averageCharWidth();
    const int spark = qRound(kSparkLines * fontMetrics().height());
    const int textLeft = bar.right() + 1 + gap;
    const int textWidth = width() - textLeft - gap - spark;
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(textLeft, 0, textWidth, h), Qt::AlignVCenter | Qt::AlignLeft, text());
    paintSparkline(p, QRect(width() - spark, 2, spark, h - 4));
}

void MemoryMeterWidget::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange || event->type() == QEvent::LocaleChange) updateToolTip();
    QWidget::changeEvent(event);
}

} // namespace kmlm::ui
