// MemoryMonitor: samples the process's resident memory with the model's share split off,
// emits sampled(), keeps a bounded history, and takes the model's figures from the engine.
#include "kmlm_test.h"

#include "enginecontroller.h"
#include "memorymonitor.h"

#include "kmlm/model_random.h"

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace kmlm::core;

class TestMemoryMonitor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void samples() {
        MemoryMonitor monitor;
        monitor.setCeiling(quint64(3) << 30);
        QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
        monitor.sampleNow();
        QCOMPARE(sampled.count(), 1);
        const quint64 used = sampled.first().at(0).toULongLong();
        QVERIFY(used > 1024 * 1024); // a Qt process is bigger than 1 MiB
        QCOMPARE(sampled.first().at(1).toULongLong(), quint64(3) << 30);
        QCOMPARE(sampled.first().at(2).toULongLong(), quint64(0)); // no model
        QCOMPARE(monitor.latest().used, used);
        QCOMPARE(monitor.latest().app, used);
    }

    void historyIsBounded() {
        MemoryMonitor monitor;
        monitor.setHistoryLength(5);
        for (int i = 0; i < 8; ++i) monitor.sampleNow();
        QCOMPARE(monitor.history().size(), 5);
        QVERIFY(monitor.history().first().msecsSinceEpoch <= monitor.history().last().msecsSinceEpoch);
        monitor.setHistoryLength(2);
        QCOMPARE(monitor.history().size(), 2);
    }

    void timerSamples() {
        MemoryMonitor monitor;
        monitor.setInterval(20);
        QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
        monitor.start();
        QCOMPARE(sampled.count(), 1); // at once
        QVERIFY(sampled.wait(10000));
        monitor.stop();
        QVERIFY(monitor.history().size() >= 2);
    }

    void modelShareComesFromTheEngine() {
        QTemporaryDir dir;
        kmlm::RandomModelSpec spec;
        spec.n_vocab = 8000;
        const QString path = dir.filePath(QStringLiteral("m.gguf"));
        kmlm::write_random_model(spec, path.toStdString());
        EngineController engine;
        MemoryMonitor monitor;
        monitor.setEngine(&engine);
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        EngineSettings settings;
        settings.threads = 1;
        engine.loadModel(path, settings);
        QVERIFY(loaded.wait(30000));
        monitor.sampleNow();
        const MemoryMonitor::Sample s = monitor.latest();
        QVERIFY(s.model > 0);
        QVERIFY(s.kv > 0);
        QCOMPARE(s.app + s.model + s.kv, s.used);
        QSignalSpy unloaded(&engine, &EngineController::modelUnloaded);
        engine.unloadModel();
        QVERIFY(unloaded.wait(30000));
        monitor.sampleNow();
        QCOMPARE(monitor.latest().model, quint64(0));
        QCOMPARE(monitor.latest().kv, quint64(0));
    }
};

QTEST_GUILESS_MAIN(TestMemoryMonitor)
#include "tst_memorymonitor.moc"
