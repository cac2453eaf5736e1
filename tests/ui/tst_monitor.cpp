// The monitor driven through its real objects: a MainWindow with the MonitorController,
// real worker processes from the fork server, offscreen.
#include "BuiltinHandlers.h"
#include "ProcessLeakGuard.h"
#include "UiTestMain.h"

#include <MainWindow.h>
#include <application/UserPrompts.h>
#include <canvas/CanvasScene.h>
#include <canvas/EdgeItem.h>
#include <canvas/StepItem.h>
#include <document/PipelineModel.h>
#include <inspector/InspectorWidget.h>
#include <monitor/ChartsWidget.h>
#include <monitor/EditLock.h>
#include <monitor/EngineController.h>
#include <monitor/FlowTotalsBar.h>
#include <monitor/LoadSourceDialog.h>
#include <monitor/MetricsHistory.h>
#include <monitor/MonitorChart.h>
#include <monitor/MonitorController.h>
#include <monitor/ProcessTableModel.h>
#include <monitor/ProcessTableWidget.h>
#include <monitor/RunBanner.h>
#include <monitor/RunLogWidget.h>

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QAction>
#include <QFile>
#include <QGraphicsTextItem>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

#include <memory>
#include <stdexcept>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

namespace {

/// onStart throws: the start error must land on the step, not kill the app.
class BrokenStartHandler final : public Handler {
public:
    void onStart(const HandlerParams&) override { throw std::runtime_error("model file missing"); }
    void handle(std::span<Task>) override {}
};

void registerTestHandlers() {
    HandlerInfo info;
    info.name = QStringLiteral("test_broken_start");
    info.category = QStringLiteral("Testing");
    info.description = QStringLiteral("onStart always throws");
    HandlerRegistry::global().add(info, [] { return std::make_unique<BrokenStartHandler>(); });
}

constexpr int kWaitMs = 30000;

/// Checks at the end that no worker or segment is left, and cleans up when one is (so a
/// failing test does not poison the next).
class LeakCheck {
public:
    ~LeakCheck() {
        if (!m_guard.waitClean(100))
            m_guard.cleanUp();
    }
    bool clean() const { return m_guard.waitClean(5000); }
    QString describe() const { return m_guard.describe(); }

private:
    Test::ProcessLeakGuard m_guard;
};

struct Fixture {
    Fixture() {
        window = std::make_unique<MainWindow>(std::make_shared<NonInteractivePrompts>(),
                                              MainWindow::Mode::Unattended);
        monitor = new MonitorController(window.get());
        window->resize(1400, 900);
        window->show();
    }
    ~Fixture() {
        window->pipelineModel()->undoStack()->setClean();
        window.reset(); // the monitor (a child) stops any run
    }
    void open(const char* example) { QVERIFY(window->openFile(UiTest::examplePath(example))); }
    void useDocument(const PipelineDocument& document) {
        window->pipelineModel()->resetDocument(document);
    }

    std::unique_ptr<MainWindow> window;
    MonitorController* monitor = nullptr;
};

LoadSettings synthetic(qint64 count = 0) {
    LoadSettings load;
    load.source = LoadSource::Synthetic;
    load.count = count;
    load.concurrency = 64;
    load.onEnd = LoadEndAction::StopFlow;
    return load;
}

/// A snapshot as the engine would send it: one step, counters and a handle histogram.
MetricsSnapshotPtr fakeSnapshot(double uptimeS, std::uint64_t tasksOut, std::uint64_t fastCount,
                                std::uint64_t slowCount, int depth) {
    auto snapshot = std::make_shared<MetricsSnapshot>();
    snapshot->uptimeS = uptimeS;
    snapshot->timestampMs = qint64(uptimeS * 1000);
    snapshot->totals.completed = tasksOut;
    StepMetrics step;
    step.stepId = QStringLiteral("s");
    step.nprocs = 2;
    step.queueCapacity = 20;
    step.queueDepthPerLane = {depth, 0};
    step.tasksOut = tasksOut;
    // Buckets: <= 1 ms, <= 10 ms, +Inf.
    step.handleTimeHistogram.upperBoundsSeconds = {0.001, 0.010};
    step.handleTimeHistogram.cumulativeCounts = {fastCount, fastCount + slowCount,
                                                 fastCount + slowCount};
    step.handleTimeHistogram.count = fastCount + slowCount;
    step.handleTimeHistogram.sumSeconds = double(fastCount) * 0.0005 + double(slowCount) * 0.005;
    step.queueWaitHistogram = step.handleTimeHistogram;
    step.workersAlive = 2;
    snapshot->steps = {step};
    return snapshot;
}

/// Chart texts QtCharts had to elide ("8..."), by chart.
QStringList elidedLabels(ChartsWidget* charts) {
    QStringList elided;
    for (MonitorChart* chart : charts->charts()) {
        for (QGraphicsItem* item : chart->scene()->items()) {
            if (auto* text = dynamic_cast<QGraphicsTextItem*>(item);
                text && text->isVisible() && text->toPlainText().endsWith(QLatin1String("...")))
                elided << QStringLiteral("%1: '%2' (chart %3x%4)")
                              .arg(chart->title(), text->toPlainText())
                              .arg(chart->width())
                              .arg(chart->height());
        }
    }
    return elided;
}

} // namespace

class TestMonitor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // --- Pieces without processes ---------------------------------------------------------

    void historyDerivesRatesAndQuantilesOverTheLastSecond() {
        MetricsHistory history;
        // 0..2 s: 1000 tasks/s, all fast; 2..3 s: 100 tasks/s, all slow.
        std::uint64_t out = 0;
        std::uint64_t fast = 0;
        std::uint64_t slow = 0;
        for (int tick = 0; tick <= 30; ++tick) {
            if (tick > 0 && tick <= 20) {
                out += 100;
                fast += 100;
            } else if (tick > 20) {
                out += 10;
                slow += 10;
            }
            history.addSnapshot(fakeSnapshot(tick * 0.1, out, fast, slow, tick));
        }
        QCOMPARE(history.stepIds(), QStringList{QStringLiteral("s")});
        QCOMPARE(history.laneCount(), 2);
        const MetricsSample& at2s = history.samples(HistoryWindow::Last30s)[20];
        QVERIFY(qAbs(at2s.steps[0].throughputPerS - 1000) < 1);
        QVERIFY(at2s.steps[0].handleP99Ms <= 1.0);
        const MetricsSample& last = history.latest();
        QVERIFY(qAbs(last.steps[0].throughputPerS - 100) < 1);
        // The last second holds only slow tasks: p50 above 1 ms (not "since the start").
        QVERIFY(last.steps[0].handleP50Ms > 1.0);
        QVERIFY(last.steps[0].handleP50Ms <= 10.0);
        QCOMPARE(last.steps[0].laneDepth.at(0), 30.0f);
        QCOMPARE(last.steps[0].queueFill(), 1.0f);
        QVERIFY(last.steps[0].busyShare > 0);
        QVERIFY(last.steps[0].busyShare <= 1);
    }

    void historyStaysBoundedOverLongRuns() {
        MetricsHistory history;
        // Two hours at 10 samples a second.
        for (int tick = 0; tick < 72000; ++tick)
            history.addSnapshot(fakeSnapshot(tick * 0.1, std::uint64_t(tick) * 10, tick, 0, 1));
        QVERIFY(history.samples(HistoryWindow::Last30s).size() <= 360);
        QVERIFY(history.samples(HistoryWindow::Last5min).size() <=
                MetricsHistory::capacity(HistoryWindow::Last5min));
        QVERIFY(history.samples(HistoryWindow::Last1h).size() <=
                MetricsHistory::capacity(HistoryWindow::Last1h));
        // The hour window really covers an hour, in 10 s buckets.
        const auto& hour = history.samples(HistoryWindow::Last1h);
        QVERIFY(hour.back().timeS - hour.front().timeS >= 3600);
        QCOMPARE(history.exportWindow(), HistoryWindow::Last1h);
        QVERIFY(history.totalSamples() < 1200);
    }

    void priorityMixFollowsTheWeights() {
        LoadSettings load;
        load.priorityWeights = {80, 20};
        int high = 0;
        for (int i = 0; i < 1000; ++i)
            high += load.priorityFor(i);
        QVERIFY2(high >= 190 && high <= 210, qPrintable(QString::number(high)));
        // Spread out, not in blocks: any 10 consecutive tasks hold some of each.
        for (int start = 0; start < 990; start += 10) {
            int inWindow = 0;
            for (int i = start; i < start + 10; ++i)
                inWindow += load.priorityFor(i);
            QVERIFY(inWindow >= 1 && inWindow <= 3);
        }
        QCOMPARE(LoadSettings::fromJson(load.toJson()), load);
    }

    void loadFromAPipelineFileIsHeldToTheDialogsRanges() {
        // app_load comes from a pipeline file: nothing in it may ask for more than the
        // dialog allows (a 2 GiB payload per task, a priority mix whose sum overflows).
        QJsonArray weights;
        for (int i = 0; i < 1000; ++i)
            weights.append(std::numeric_limits<int>::max());
        const QJsonObject hostile{
            {QStringLiteral("source"), QStringLiteral("synthetic")},
            {QStringLiteral("payload_bytes"), std::numeric_limits<int>::max()},
            {QStringLiteral("rate_per_s"), 1e300},
            {QStringLiteral("priority_weights"), weights},
            {QStringLiteral("count"), 1e18},
            {QStringLiteral("duration_s"), -5},
            {QStringLiteral("concurrency"), 1e9},
            {QStringLiteral("timeout_ms"), -1},
            {QStringLiteral("repeat"), QStringLiteral("yes")},
        };
        const LoadSettings load = LoadSettings::fromJson(hostile);
        QCOMPARE(load.source, LoadSource::Synthetic);
        QCOMPARE(load.payloadBytes, LoadSettings::kMaxPayloadBytes);
        QCOMPARE(load.ratePerS, LoadSettings::kMaxRatePerS);
        QCOMPARE(load.priorityWeights.size(), LoadSettings::kMaxPriorityWeights);
        QCOMPARE(load.priorityWeights.first(), LoadSettings::kMaxPriorityWeight);
        QCOMPARE(load.count, qint64(std::numeric_limits<int>::max()));
        QCOMPARE(load.durationS, 0.0);
        QCOMPARE(load.concurrency, LoadSettings::kMaxConcurrency);
        QCOMPARE(load.timeoutMs, 0);
        QVERIFY(!load.repeat);
        const int priority = load.priorityFor(12345);
        QVERIFY(priority >= 0 && priority < LoadSettings::kMaxPriorityWeights);
    }

    void chartsRangeWithHysteresis() {
        MonitorChart chart(QStringLiteral("t"), QStringLiteral("ms"));
        chart.fitY(7);
        const double top = chart.yMax();
        QVERIFY(top >= 7);
        chart.fitY(3); // well below, but not for long: the axis stays
        QCOMPARE(chart.yMax(), top);
        chart.fitY(50); // above: grows at once
        QVERIFY(chart.yMax() >= 50);
        const NiceRange range = niceRange(123);
        QVERIFY(range.top >= 123 && range.top <= 200);
    }

    // --- The engine controller -------------------------------------------------------------

    void engineControllerRunsALoadToTheEnd() {
        LeakCheck leaks;
        {
            EngineController engine;
            QSignalSpy states(&engine, &EngineController::stateChanged);
            QSignalSpy snapshots(&engine, &EngineController::snapshot);
            QSignalSpy finished(&engine, &EngineController::runFinished);
            engine.start(UiTest::loadExample("three-step.json"), synthetic(3000));
            QVERIFY(engine.isActive());
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            const auto summary = finished.first().first().value<MonitorRunSummary>();
            QCOMPARE(summary.submitted, std::uint64_t(3000));
            QCOMPARE(summary.completed, std::uint64_t(3000));
            QCOMPARE(summary.failed(), std::uint64_t(0));
            QVERIFY(summary.endReason.contains(QStringLiteral("count reached")));
            QCOMPARE(summary.steps.size(), 3);
            QVERIFY(!snapshots.isEmpty());
            QVERIFY(engine.snapshotsDelivered() <= engine.snapshotsReceived());
            QCOMPARE(engine.state(), FlowState::Stopped);
            QVERIFY(!engine.isActive());
            QList<FlowState> seen;
            for (const QList<QVariant>& args : states)
                seen << args.first().value<FlowState>();
            QVERIFY(seen.contains(FlowState::Starting));
            QVERIFY(seen.contains(FlowState::Running));
            QCOMPARE(seen.last(), FlowState::Stopped);
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void fileLoadSkipsBadLinesAndRunsTheRest() {
        LeakCheck leaks;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tasks.jsonl"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            for (int i = 0; i < 200; ++i) {
                file.write(QStringLiteral("{\"value\": %1, \"_priority\": %2}\n")
                               .arg(i)
                               .arg(i % 2)
                               .toUtf8());
                if (i == 50)
                    file.write("{not json\n\n");
            }
        }
        {
            EngineController engine;
            QSignalSpy finished(&engine, &EngineController::runFinished);
            QSignalSpy events(&engine, &EngineController::engineEvent);
            LoadSettings load;
            load.source = LoadSource::File;
            load.filePath = path;
            load.concurrency = 16;
            engine.start(UiTest::loadExample("three-step.json"), load);
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            const auto summary = finished.first().first().value<MonitorRunSummary>();
            QCOMPARE(summary.submitted, std::uint64_t(200));
            QCOMPARE(summary.completed, std::uint64_t(200));
            QCOMPARE(summary.badInputLines, std::uint64_t(1));
            QVERIFY(summary.endReason.contains(QStringLiteral("end of file")));
            bool logged = false;
            for (const QList<QVariant>& args : events)
                logged = logged || args.first().toString().contains(QStringLiteral("line 52"));
            QVERIFY(logged);
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void loadSourceDialogKeepsTheSettings() {
        LoadSettings settings;
        settings.source = LoadSource::Synthetic;
        settings.ratePerS = 2500;
        settings.payloadBytes = 4096;
        settings.priorityWeights = {80, 20};
        settings.count = 100000;
        settings.durationS = 30;
        settings.concurrency = 128;
        settings.timeoutMs = 2000;
        settings.onEnd = LoadEndAction::KeepRunning;
        LoadSourceDialog dialog(settings, 2);
        QCOMPARE(dialog.settings(), settings);
        LoadSettings file;
        file.source = LoadSource::File;
        file.filePath = QStringLiteral("/tmp/tasks.jsonl");
        QCOMPARE(LoadSourceDialog(file, 1).settings().filePath, file.filePath);
        QCOMPARE(LoadSourceDialog(file, 1).settings().source, LoadSource::File);
    }

    void engineControllerDestructorStopsARunningFlow() {
        LeakCheck leaks;
        {
            EngineController engine;
            QSignalSpy snapshots(&engine, &EngineController::snapshot);
            engine.start(UiTest::loadExample("three-step.json"), synthetic());
            QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), kWaitMs);
        } // destroyed while running flat out
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    // --- The monitor in the window -----------------------------------------------------------

    void runShowsLiveChartsTableAndOverlaysThenStopsClean() {
        LeakCheck leaks;
        {
            Fixture f;
            f.open("three-step.json");
            f.monitor->setLoadSettings(synthetic());
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QVERIFY(f.monitor->isRunActive());
            QVERIFY(!f.monitor->action(QStringLiteral("run"))->isEnabled());
            QVERIFY(f.monitor->action(QStringLiteral("stop"))->isEnabled());

            // Snapshots arrive, the charts get points.
            ChartsWidget* charts = f.monitor->charts();
            QVERIFY(charts->isVisible());
            QTRY_VERIFY_WITH_TIMEOUT(
                f.monitor->history()->samples(HistoryWindow::Last30s).size() >= 5, kWaitMs);
            QTRY_VERIFY_WITH_TIMEOUT(charts->chart(QStringLiteral("throughput"))->pointCount() > 0,
                                     kWaitMs);
            QCOMPARE(charts->chart(QStringLiteral("throughput"))->seriesKeys().size(), 3);
            QVERIFY(charts->chart(QStringLiteral("queue"))->pointCount() > 0);
            QVERIFY(charts->chart(QStringLiteral("flow"))->pointCount() > 0);
            QTRY_VERIFY_WITH_TIMEOUT(f.monitor->history()->latest().completedPerS > 0, kWaitMs);
            // Axis labels are readable (QtCharts elides them when an axis grows and is not
            // laid out again).
            QTRY_VERIFY2_WITH_TIMEOUT(elidedLabels(charts).isEmpty(),
                                      qPrintable(elidedLabels(charts).join(QLatin1Char('\n'))),
                                      2000);
            QVERIFY(charts->totalsBar()->value(QStringLiteral("completed")) != QStringLiteral("–"));
            QCOMPARE(charts->totalsBar()->value(QStringLiteral("workers")), QStringLiteral("4/4"));

            // The health table: the parent and 1 + 2 + 1 workers, with pids.
            ProcessTableModel* table = f.monitor->processModel();
            QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 5, kWaitMs);
            for (const auto& [step, index] : {std::pair{"count", 0}, std::pair{"work", 0},
                                              std::pair{"work", 1}, std::pair{"tag", 0}}) {
                const int row = table->rowOf(QLatin1String(step), index);
                QVERIFY2(row >= 0, step);
                QVERIFY(table->process(row).worker.pid > 0);
            }
            QVERIFY(table->rowOf(QString(), -1) >= 0);

            // Overlays on the canvas.
            CanvasScene* scene = f.window->canvasScene();
            QVERIFY(scene->stepItem(QStringLiteral("work"))->hasLiveStatus());
            bool anyQueueBar = false;
            for (EdgeItem* edge : scene->edgeItems())
                anyQueueBar = anyQueueBar || edge->queueFill() >= 0;
            QVERIFY(anyQueueBar);

            // Editing is locked, visibly.
            QVERIFY(f.monitor->editLock()->isLocked());
            QVERIFY(f.monitor->banner()->text().contains(QStringLiteral("Running")));
            QVERIFY(!f.window->inspector()->isEnabled());
            QVERIFY(!f.window->action(QStringLiteral("delete"))->isEnabled());
            scene->selectSteps({QStringLiteral("count")}); // the window would enable delete
            QVERIFY(!f.window->action(QStringLiteral("delete"))->isEnabled());
            QVERIFY(!(scene->stepItem(QStringLiteral("count"))->flags() &
                      QGraphicsItem::ItemIsMovable));
            // Selecting a step shows it in detail.
            QCOMPARE(charts->step(), QStringLiteral("count"));
            QVERIFY(charts->chart(QStringLiteral("queue"))
                        ->seriesKeys()
                        .contains(QStringLiteral("capacity")));

            // Kill a worker from the table: supervision restarts it, the table shows it.
            const int row = table->rowOf(QStringLiteral("work"), 0);
            const qint64 oldPid = table->process(row).worker.pid;
            f.monitor->processTable()->selectWorker(QStringLiteral("work"), 0);
            QVERIFY(f.monitor->processTable()->killAction()->isEnabled());
            f.monitor->processTable()->killAction()->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(
                table->process(table->rowOf(QStringLiteral("work"), 0)).worker.restarts >= 1,
                kWaitMs);
            QTRY_VERIFY_WITH_TIMEOUT(
                table->process(table->rowOf(QStringLiteral("work"), 0)).worker.pid != oldPid,
                kWaitMs);
            QVERIFY(!table->process(table->rowOf(QStringLiteral("work"), 0))
                         .worker.lastExitCause.isEmpty());
            QTRY_VERIFY_WITH_TIMEOUT(f.monitor->runLog()->text().contains(QStringLiteral("died")),
                                     kWaitMs);
            QTRY_VERIFY_WITH_TIMEOUT(
                f.monitor->runLog()->text().contains(QStringLiteral("restarted")), kWaitMs);
            QTRY_COMPARE_WITH_TIMEOUT(charts->totalsBar()->value(QStringLiteral("restarts")),
                                      QStringLiteral("1"), kWaitMs);

            // Stop: the run ends, everything unlocks, the overlays go.
            f.monitor->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            QVERIFY(!f.monitor->isRunActive());
            QVERIFY(!f.monitor->editLock()->isLocked());
            QVERIFY(f.window->inspector()->isEnabled());
            QVERIFY(f.window->action(QStringLiteral("delete"))->isEnabled()); // a step is selected
            QVERIFY(scene->stepItem(QStringLiteral("count"))->flags() &
                    QGraphicsItem::ItemIsMovable);
            QVERIFY(!scene->stepItem(QStringLiteral("work"))->hasLiveStatus());
            for (EdgeItem* edge : scene->edgeItems())
                QVERIFY(edge->queueFill() < 0);
            QVERIFY(table->isRunEnded());
            const auto summary = finished.first().first().value<MonitorRunSummary>();
            QVERIFY(summary.completed > 0);
            QCOMPARE(summary.submitted, summary.completed + summary.failed());
            QVERIFY(f.monitor->runLog()->text().contains(QStringLiteral("flow stopped")));
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void runAgainAfterStop() {
        LeakCheck leaks;
        {
            Fixture f;
            f.open("one-step.json");
            f.monitor->setLoadSettings(synthetic(500));
            for (int round = 0; round < 2; ++round) {
                QSignalSpy finished(f.monitor, &MonitorController::runFinished);
                QVERIFY(f.monitor->run());
                QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
                QCOMPARE(f.monitor->lastSummary()->completed, std::uint64_t(500));
            }
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void idleRunStartsWorkersAndSendsNothing() {
        LeakCheck leaks;
        {
            Fixture f;
            f.open("three-step.json");
            LoadSettings idle;
            idle.source = LoadSource::None;
            f.monitor->setLoadSettings(idle);
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QTRY_COMPARE_WITH_TIMEOUT(f.monitor->state(), FlowState::Running, kWaitMs);
            QTRY_COMPARE_WITH_TIMEOUT(f.monitor->processModel()->rowCount(), 5, kWaitMs);
            f.monitor->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            QCOMPARE(f.monitor->lastSummary()->submitted, std::uint64_t(0));
            QCOMPARE(f.monitor->lastSummary()->endReason, QStringLiteral("stopped"));

            // Idle for a while: the duration ends the run by itself.
            idle.durationS = 0.3;
            f.monitor->setLoadSettings(idle);
            QVERIFY(f.monitor->run());
            QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, kWaitMs);
            QVERIFY(f.monitor->lastSummary()->endReason.contains(QStringLiteral("duration")));
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void startErrorShowsOnTheStepAndTheAppLivesOn() {
        LeakCheck leaks;
        {
            Fixture f;
            PipelineDocument document = UiTest::chainDocument(2);
            document.steps[1].handler = QStringLiteral("test_broken_start");
            f.useDocument(document);
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            QVERIFY(!f.monitor->isRunActive());
            QCOMPARE(f.monitor->banner()->tone(), RunBanner::Tone::Error);
            QVERIFY(f.monitor->banner()->text().contains(QStringLiteral("model file missing")));
            QVERIFY(f.monitor->banner()->text().contains(QStringLiteral("'b'")));
            QVERIFY(f.monitor->runLog()->text().contains(QStringLiteral("model file missing")));
            StepItem* item = f.window->canvasScene()->stepItem(QStringLiteral("b"));
            bool marked = false;
            for (const Problem& problem : item->problems())
                marked = marked || problem.message.contains(QStringLiteral("model file missing"));
            QVERIFY(marked);
            // The marker survives revalidation, and editing is possible again.
            f.window->pipelineModel()->validateNow();
            marked = false;
            for (const Problem& problem : item->problems())
                marked = marked || problem.message.contains(QStringLiteral("model file missing"));
            QVERIFY(marked);
            QVERIFY(!f.monitor->editLock()->isLocked());
            QVERIFY(f.monitor->action(QStringLiteral("run"))->isEnabled());
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void invalidPipelineIsRefusedWithAReason() {
        LeakCheck leaks;
        Fixture f;
        PipelineDocument document = UiTest::chainDocument(2);
        document.steps[0].params.insert(QStringLiteral("by"), QStringLiteral("not a number"));
        f.useDocument(document);
        QVERIFY(!f.monitor->run());
        QVERIFY(!f.monitor->isRunActive());
        QCOMPARE(f.monitor->banner()->tone(), RunBanner::Tone::Error);
        QVERIFY(f.monitor->banner()->text().contains(QStringLiteral("step 'a'")));
        QVERIFY(!f.monitor->editLock()->isLocked());
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void editsThatSlipThroughAreKeptForTheNextRun() {
        LeakCheck leaks;
        {
            Fixture f;
            f.open("one-step.json");
            f.monitor->setLoadSettings(synthetic());
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QTRY_COMPARE_WITH_TIMEOUT(f.monitor->state(), FlowState::Running, kWaitMs);
            // An edit that bypasses the UI (a script, a future shortcut) is not lost.
            const QString id = f.window->pipelineModel()->stepIds().first();
            QVERIFY(f.window->pipelineModel()->setStepProperty(id, StepProperty::Label,
                                                               QStringLiteral("Renamed")));
            QVERIFY(f.monitor->editLock()->editedWhileLocked());
            f.monitor->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            QCOMPARE(f.window->pipelineModel()->step(id)->label, QStringLiteral("Renamed"));
            QCOMPARE(f.monitor->banner()->tone(), RunBanner::Tone::Warning);
            QVERIFY(f.monitor->banner()->text().contains(QStringLiteral("next run")));
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void exportsHistorySummaryAndCharts() {
        LeakCheck leaks;
        QTemporaryDir dir;
        {
            Fixture f;
            f.open("three-step.json");
            f.monitor->setLoadSettings(synthetic(20000));
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);

            const QString csvPath = dir.filePath(QStringLiteral("metrics.csv"));
            QString error;
            QVERIFY2(f.monitor->exportHistoryCsv(csvPath, &error), qPrintable(error));
            QFile csv(csvPath);
            QVERIFY(csv.open(QIODevice::ReadOnly));
            const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
            QVERIFY(lines.size() >= 2);
            QVERIFY(lines.first().startsWith("time_s,"));
            QVERIFY(lines.first().contains("work.handle_p99_ms"));
            QCOMPARE(lines.last().count(','), lines.first().count(','));

            const QString jsonPath = dir.filePath(QStringLiteral("summary.json"));
            QVERIFY2(f.monitor->exportSummary(jsonPath, &error), qPrintable(error));
            QFile json(jsonPath);
            QVERIFY(json.open(QIODevice::ReadOnly));
            const QJsonObject summary = QJsonDocument::fromJson(json.readAll()).object();
            QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(), 20000);
            QVERIFY(
                summary.value(QStringLiteral("steps")).toObject().contains(QStringLiteral("work")));

            const QString pngPath = dir.filePath(QStringLiteral("charts.png"));
            QVERIFY2(f.monitor->exportChartsPng(pngPath, &error), qPrintable(error));
            QImage image(pngPath);
            QVERIFY(!image.isNull());
            QVERIFY(image.width() > 200);
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void zoomStopsFollowingUntilResumed() {
        MetricsHistory history;
        ChartsWidget charts(&history);
        charts.resize(900, 500);
        charts.show();
        for (int tick = 0; tick < 50; ++tick)
            history.addSnapshot(fakeSnapshot(tick * 0.1, std::uint64_t(tick) * 10, tick, 0, 1));
        charts.redrawNow();
        QVERIFY(charts.isFollowing());
        MonitorChart* throughput = charts.chart(QStringLiteral("throughput"));
        QVERIFY(throughput->pointCount() > 0);
        // A rubber-band zoom is an x range change the widget did not make.
        QSignalSpy following(&charts, &ChartsWidget::followingChanged);
        throughput->chart()->zoomIn(QRectF(throughput->chart()->plotArea().left() + 10,
                                           throughput->chart()->plotArea().top(), 50,
                                           throughput->chart()->plotArea().height()));
        QVERIFY(!charts.isFollowing());
        QVERIFY(charts.isZoomed());
        QCOMPARE(following.size(), 1);
        // Every chart shows the same time range.
        QCOMPARE(charts.chart(QStringLiteral("queue"))->xMin(), throughput->xMin());
        // New data does not move the view.
        const double zoomedMin = throughput->xMin();
        history.addSnapshot(fakeSnapshot(60, 600, 60, 0, 1));
        QCOMPARE(throughput->xMin(), zoomedMin);
        charts.resume();
        QVERIFY(charts.isFollowing());
        QCOMPARE(throughput->xMax(), 60.0);
        // Pause and window selection.
        charts.pause();
        QVERIFY(!charts.isFollowing());
        charts.setWindow(HistoryWindow::Last5min);
        QVERIFY(charts.isFollowing());
        // One minute of data: the 5 min window shows its first third until it fills.
        QCOMPARE(throughput->xMin(), 0.0);
        QCOMPARE(throughput->xMax(), 100.0);
        for (int tick = 61; tick <= 400; ++tick)
            history.addSnapshot(fakeSnapshot(tick, std::uint64_t(tick) * 10, tick, 0, 1));
        charts.redrawNow();
        QCOMPARE(throughput->xMax() - throughput->xMin(), 300.0);
        QVERIFY(throughput->xMax() >= 399.0);
    }
};

int main(int argc, char** argv) {
    Aqueduct::registerBuiltinHandlers(Aqueduct::HandlerRegistry::global());
    registerTestHandlers();
    // Workers come from the fork server, started before any thread or QApplication.
    if (const int workerExit = Aqueduct::bootstrapProcess(argc, argv); workerExit >= 0)
        return workerExit;
    QApplication::setOrganizationName(QStringLiteral("AqueductTests"));
    QApplication::setApplicationName(QStringLiteral("TestMonitor"));
    QStandardPaths::setTestModeEnabled(true);
    qputenv("AQUEDUCT_TEST", "1");
    QApplication app(argc, argv);
    TestMonitor test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_monitor.moc"
