// The status bar's memory meter: figures, levels, tooltip breakdown, history, painting, and
// following a MemoryMonitor.
#include "kmlm_test.h"

#include "memorymeterwidget.h"
#include "memorymonitor.h"

#include <QImage>
#include <QLocale>

using namespace kmlm::core;
using namespace kmlm::ui;

namespace {
constexpr quint64 MiB = 1ull << 20;
constexpr quint64 GiB = 1ull << 30;

QString size(quint64 bytes) { return QLocale().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeIecFormat); }
} // namespace

class TestMemoryMeterWidget : public QObject {
    Q_OBJECT
private slots:
    void empty() {
        MemoryMeterWidget w;
        QCOMPARE(w.fraction(), 0.0);
        QCOMPARE(w.level(), MemoryMeterWidget::Level::Normal);
        QVERIFY(w.history().isEmpty());
        QVERIFY(!w.toolTip().isEmpty());
        QVERIFY(w.sizeHint().width() > 0);
    }

    void levels_data() {
        QTest::addColumn<quint64>("used");
        QTest::addColumn<quint64>("ceiling");
        QTest::addColumn<int>("level");
        QTest::newRow("half") << 1536 * MiB << 3 * GiB << int(MemoryMeterWidget::Level::Normal);
        QTest::newRow("85%") << quint64(0.85 * 3 * GiB) << 3 * GiB << int(MemoryMeterWidget::Level::Warning);
        // The guard keeps 64 MiB under a 3 GiB ceiling: amber above it, red where it stops answers.
        QTest::newRow("above the margin") << 3 * GiB - 65 * MiB << 3 * GiB << int(MemoryMeterWidget::Level::Warning);
        QTest::newRow("at the guard") << 3 * GiB - 64 * MiB << 3 * GiB << int(MemoryMeterWidget::Level::Critical);
        // A small ceiling: four margins (1/32 each) under it is amber already.
        QTest::newRow("small ceiling") << quint64(0.79 * 512 * MiB) << 512 * MiB << int(MemoryMeterWidget::Level::Normal);
        QTest::newRow("small ceiling, near") << 512 * MiB - 4 * 16 * MiB << 512 * MiB << int(MemoryMeterWidget::Level::Warning);
        QTest::newRow("over") << 4 * GiB << 3 * GiB << int(MemoryMeterWidget::Level::Critical);
        QTest::newRow("no ceiling") << 4 * GiB << 0ull << int(MemoryMeterWidget::Level::Normal);
    }
    void levels() {
        QFETCH(quint64, used);
        QFETCH(quint64, ceiling);
        QFETCH(int, level);
        MemoryMeterWidget w;
        w.addSample(used, ceiling, used / 2, used / 4, used - used / 2 - used / 4);
        QCOMPARE(int(w.level()), level);
        QCOMPARE(w.fraction(), ceiling ? double(used) / double(ceiling) : 0.0);
        QVERIFY(w.text().contains(size(used)));
        if (ceiling) QVERIFY(w.text().contains(size(ceiling)));
    }

    void tooltipBreakdown() {
        MemoryMeterWidget w;
        w.addSample(1200 * MiB, 3 * GiB, 800 * MiB, 200 * MiB, 200 * MiB);
        w.addSample(1000 * MiB, 3 * GiB, 700 * MiB, 200 * MiB, 100 * MiB);
        const QString tip = w.toolTip();
        QVERIFY2(tip.contains(size(1000 * MiB)), qPrintable(tip));
        QVERIFY2(tip.contains(size(700 * MiB)), qPrintable(tip));  // model
        QVERIFY2(tip.contains(size(200 * MiB)), qPrintable(tip));  // KV cache
        QVERIFY2(tip.contains(size(100 * MiB)), qPrintable(tip));  // application
        QVERIFY2(tip.contains(size(1200 * MiB)), qPrintable(tip)); // the peak of the history
        QCOMPARE(w.accessibleDescription(), tip);
    }

    void historyIsCapped() {
        MemoryMeterWidget w;
        w.setHistoryLength(5);
        for (quint64 i = 1; i <= 8; ++i) w.addSample(i * MiB, GiB, 0, 0, i * MiB);
        QCOMPARE(w.history().size(), 5);
        QCOMPARE(w.history().first().used, 4 * MiB);
        QCOMPARE(w.latest().used, 8 * MiB);
        w.setHistoryLength(2);
        QCOMPARE(w.history().size(), 2);
        QCOMPARE(w.history().first().used, 7 * MiB);
        w.clear();
        QVERIFY(w.history().isEmpty());
    }

    // The bar fills from the left in proportion to used / ceiling.
    void paintsTheBar() {
        MemoryMeterWidget w;
        w.resize(w.sizeHint());
        for (int i = 0; i < 20; ++i) w.addSample(GiB / 4 + quint64(i) * GiB / 80, GiB, GiB / 4, GiB / 8, GiB / 8);
        w.addSample(GiB / 2, GiB, GiB / 4, GiB / 8, GiB / 8);
        const QImage img = w.grab().toImage();
        QVERIFY(!img.isNull());
        if (const QString out = qEnvironmentVariable("KMLM_TEST_OUTPUT"); !out.isEmpty() && QDir().mkpath(out))
            img.save(out + QStringLiteral("/memorymeter.png")); // for a look by eye
        const QRect bar = w.barRect();
        const double scale = double(img.width()) / w.width();
        const int y = int(bar.center().y() * scale);
        // Half full: the model's quarter in its colour, the right end empty.
        const QColor model = img.pixelColor(int((bar.left() + bar.width() / 8) * scale), y);
        const QColor empty = img.pixelColor(int((bar.left() + bar.width() * 7 / 8) * scale), y);
        QCOMPARE(model.name(), w.partColor(0).name());
        QVERIFY2(model != empty, qPrintable(model.name() + " " + empty.name()));
        QVERIFY(w.partColor(0) != w.partColor(1) && w.partColor(1) != w.partColor(2));
    }

    // Amber near the margin, red at the guard: the model's part shows the level.
    void colorsFollowTheLevel() {
        MemoryMeterWidget w;
        w.addSample(GiB, 3 * GiB, GiB / 2, GiB / 4, GiB / 4);
        const QColor normal = w.partColor(0);
        w.addSample(3 * GiB - 100 * MiB, 3 * GiB, GiB, GiB, GiB - 100 * MiB);
        const QColor warning = w.partColor(0);
        w.addSample(3 * GiB, 3 * GiB, GiB, GiB, GiB);
        const QColor critical = w.partColor(0);
        QVERIFY(normal != warning && warning != critical);
        QVERIFY(critical.red() > critical.green() * 2);                                  // red
        QVERIFY(warning.red() > warning.blue() * 2 && warning.green() > warning.blue()); // amber
    }

    // At a 1.5 times larger font the meter grows with it: no fixed pixel sizes.
    void scalesWithTheFont() {
        MemoryMeterWidget w;
        w.addSample(GiB, 3 * GiB, GiB / 2, GiB / 4, GiB / 4);
        const QSize normal = w.sizeHint();
        const int bar = w.barRect().width();
        QFont big = w.font();
        big.setPointSizeF(big.pointSizeF() * 1.5);
        w.setFont(big);
        QVERIFY2(w.sizeHint().width() > normal.width() * 1.3,
                 qPrintable(QStringLiteral("%1 -> %2").arg(normal.width()).arg(w.sizeHint().width())));
        QVERIFY(w.sizeHint().height() > normal.height());
        QVERIFY(w.barRect().width() > bar * 1.3);
    }

    void followsMonitor() {
        MemoryMonitor monitor;
        monitor.setCeiling(3 * GiB);
        MemoryMeterWidget w;
        w.setMonitor(&monitor);
        monitor.sampleNow();
        QTRY_VERIFY(!w.history().isEmpty());
        QCOMPARE(w.latest().ceiling, 3 * GiB);
        QVERIFY(w.latest().used > 0);
        QCOMPARE(w.latest().model + w.latest().kv + w.latest().app, w.latest().used);
    }
};

QTEST_MAIN(TestMemoryMeterWidget)
#include "tst_memorymeterwidget.moc"
