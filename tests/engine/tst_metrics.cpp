// Metrics collection (issue 6): exact counts against known workloads, batch fill, queue
// depth while a step is stalled, errors by kind, metrics switched off, bounded memory.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

// The sampler is internal; its memory bound is checked on the class itself.
#include "runtime/MetricsSampler.h"

#include <QDir>
#include <QSignalSpy>
#include <QThread>

#include <unistd.h>

#include <cmath>
#include <functional>

using namespace Aqueduct;
using namespace Aqueduct::Test;

namespace {

constexpr int kIntervalMs = 20;

PipelineDocument document(QList<StepSpec> steps, bool metricsEnabled = true) {
    PipelineDocument doc;
    doc.name = QStringLiteral("metrics-test");
    doc.steps = std::move(steps);
    doc.flow.metrics.enabled = metricsEnabled;
    doc.flow.metrics.intervalMs = kIntervalMs;
    return doc;
}

QJsonObject params(const char* key, const QJsonValue& value) {
    QJsonObject object;
    object.insert(QLatin1String(key), value);
    return object;
}

std::vector<Task> intTasks(int count) {
    std::vector<Task> tasks;
    for (int i = 0; i < count; ++i)
        tasks.push_back(intTask(i));
    return tasks;
}

/// The first snapshot emitted from now on that satisfies `accept` (null on timeout).
MetricsSnapshotPtr waitForSnapshot(Flow& flow,
                                   const std::function<bool(const MetricsSnapshot&)>& accept,
                                   int timeoutMs = 10000) {
    MetricsSnapshotPtr found;
    const QMetaObject::Connection connection =
        QObject::connect(&flow, &Flow::metricsSnapshot, [&](const MetricsSnapshotPtr& snapshot) {
            if (!found && snapshot && accept(*snapshot))
                found = snapshot;
        });
    QElapsedTimer elapsed;
    elapsed.start();
    while (!found && elapsed.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 10);
    QObject::disconnect(connection);
    return found;
}

/// The next snapshot: taken after everything that happened before the call.
MetricsSnapshotPtr nextSnapshot(Flow& flow) {
    return waitForSnapshot(flow, [](const MetricsSnapshot&) { return true; });
}

int totalDepth(const StepMetrics& step) {
    int depth = 0;
    for (int lane : step.queueDepthPerLane)
        depth += lane;
    return depth;
}

std::uint64_t bucketAt(const HistogramData& histogram, double upperBound) {
    for (qsizetype i = 0; i < histogram.upperBoundsSeconds.size(); ++i) {
        if (qFuzzyCompare(histogram.upperBoundsSeconds[i], upperBound))
            return histogram.cumulativeCounts[i];
    }
    return ~std::uint64_t(0);
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactCountsTwoSteps();
    void batchFillFullBatches();
    void batchFillPartialBatch();
    void queueDepthWhileStalled();
    void errorsByKind();
    void expiredTasksCounted();
    void skippedCounted();
    void metricsOffGivesNoSnapshots();
    void samplerMemoryBounded();
};

void TestMetrics::exactCountsTwoSteps() {
    ProcessLeakGuard guard;
    {
        constexpr int kTasks = 500;
        Flow flow(document({step(QStringLiteral("first"), QStringLiteral("increment")),
                            step(QStringLiteral("second"), QStringLiteral("increment"))}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));

        auto results = runFor(flow.processMany(intTasks(kTasks)));
        QVERIFY(results);
        QCOMPARE(int(results->size()), kTasks);
        for (int i = 0; i < kTasks; ++i) {
            QVERIFY2((*results)[std::size_t(i)].ok(),
                     qPrintable((*results)[std::size_t(i)].message()));
            QCOMPARE((*results)[std::size_t(i)].task().intField("value"), i + 2);
        }

        const MetricsSnapshotPtr snapshot = nextSnapshot(flow);
        QVERIFY(snapshot);
        QCOMPARE(flow.lastSnapshot(), snapshot);
        QCOMPARE(snapshot->flowState, QStringLiteral("running"));
        QCOMPARE(snapshot->totals.submitted, std::uint64_t(kTasks));
        QCOMPARE(snapshot->totals.completed, std::uint64_t(kTasks));
        QCOMPARE(snapshot->totals.failed, std::uint64_t(0));
        QCOMPARE(snapshot->totals.expired, std::uint64_t(0));
        QCOMPARE(snapshot->totals.inFlight, std::uint64_t(0));
        QCOMPARE(snapshot->steps.size(), 2);
        for (const StepMetrics& step : snapshot->steps) {
            QCOMPARE(step.handler, QStringLiteral("increment"));
            QCOMPARE(step.tasksIn, std::uint64_t(kTasks));
            QCOMPARE(step.tasksOut, std::uint64_t(kTasks));
            QCOMPARE(step.skipped, std::uint64_t(0));
            for (std::uint64_t errors : step.errorsByKind)
                QCOMPARE(errors, std::uint64_t(0));
            QCOMPARE(totalDepth(step), 0);
            QCOMPARE(step.queueCapacity, 20);
            // batch_size 1: one batch per task, always full.
            QCOMPARE(step.batches, std::uint64_t(kTasks));
            QCOMPARE(step.batchedTasks, std::uint64_t(kTasks));
            QCOMPARE(step.batchFill.count, std::uint64_t(kTasks));
            QCOMPARE(step.batchFillMean, 1.0);
            QCOMPARE(step.handleTimeHistogram.count, std::uint64_t(kTasks));
            QCOMPARE(step.handleTime.count, std::uint64_t(kTasks));
            QCOMPARE(step.queueWaitHistogram.count, std::uint64_t(kTasks));
            QCOMPARE(step.queueWaitHistogram.cumulativeCounts.last(), std::uint64_t(kTasks));
            QVERIFY(step.queueWait.p50Us <= step.queueWait.p99Us);
            QCOMPARE(step.workersAlive, 1);
            QVERIFY(step.throughput10sPerS > 0); // the work was done within the last 10 s
        }
        // The parent first, then one worker per step, each with a live pid and RSS.
        QCOMPARE(snapshot->processes.size(), 3);
        QCOMPARE(snapshot->processes[0].worker.pid, qint64(getpid()));
        for (const ProcessMetrics& process : snapshot->processes) {
            QVERIFY(process.worker.pid > 0);
            QVERIFY(process.rssBytes > 0);
            QVERIFY(process.cpuPercent >= 0);
        }

        QSignalSpy snapshots(&flow, &Flow::metricsSnapshot);
        QVERIFY(runFor(flow.stop()));
        // One final snapshot after stop, with the same totals.
        QCOMPARE(snapshots.count(), 1);
        const auto last = snapshots.at(0).at(0).value<MetricsSnapshotPtr>();
        QVERIFY(last);
        QCOMPARE(last->totals.completed, std::uint64_t(kTasks));
        QCOMPARE(last->steps[1].tasksOut, std::uint64_t(kTasks));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::batchFillFullBatches() {
    ProcessLeakGuard guard;
    {
        StepSpec batched = step(QStringLiteral("batched"), QStringLiteral("increment"), {}, 1, 4);
        batched.batchTimeoutMs = 200;
        Flow flow(document({batched}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));

        auto results = runFor(flow.processMany(intTasks(8)));
        QVERIFY(results);
        for (const TaskResult& result : *results)
            QVERIFY2(result.ok(), qPrintable(result.message()));

        const MetricsSnapshotPtr snapshot = nextSnapshot(flow);
        QVERIFY(snapshot);
        const StepMetrics& step = snapshot->steps[0];
        QCOMPARE(step.batchSize, 4);
        QCOMPARE(step.tasksIn, std::uint64_t(8));
        QCOMPARE(step.tasksOut, std::uint64_t(8));
        QCOMPARE(step.batches, std::uint64_t(2));
        QCOMPARE(step.batchedTasks, std::uint64_t(8));
        QCOMPARE(step.batchFill.count, std::uint64_t(2));
        QCOMPARE(step.batchFillMean, 1.0);
        // Both batches in the last bucket (0.9, 1.0].
        QCOMPARE(bucketAt(step.batchFill, 0.9), std::uint64_t(0));
        QCOMPARE(bucketAt(step.batchFill, 1.0), std::uint64_t(2));
        QCOMPARE(step.handleTimeHistogram.count, std::uint64_t(2)); // per batch
        QCOMPARE(step.queueWaitHistogram.count, std::uint64_t(8));  // per task
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::batchFillPartialBatch() {
    ProcessLeakGuard guard;
    {
        StepSpec batched = step(QStringLiteral("batched"), QStringLiteral("increment"), {}, 1, 4);
        batched.batchTimeoutMs = 200;
        Flow flow(document({batched}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));

        // 6 tasks: a full batch of 4, then 2 taken when the 200 ms batch timeout passes.
        auto results = runFor(flow.processMany(intTasks(6)));
        QVERIFY(results);
        for (const TaskResult& result : *results)
            QVERIFY2(result.ok(), qPrintable(result.message()));

        const MetricsSnapshotPtr snapshot = nextSnapshot(flow);
        QVERIFY(snapshot);
        const StepMetrics& step = snapshot->steps[0];
        QCOMPARE(step.tasksOut, std::uint64_t(6));
        QCOMPARE(step.batches, std::uint64_t(2));
        QCOMPARE(step.batchedTasks, std::uint64_t(6)); // 3 tasks per batch of 4 on average
        QCOMPARE(step.batchFill.count, std::uint64_t(2));
        QCOMPARE(step.batchFillMean, 0.75);
        // Fill 0.5 lands in (0.4, 0.5]; fill 1.0 in (0.9, 1.0].
        QCOMPARE(bucketAt(step.batchFill, 0.4), std::uint64_t(0));
        QCOMPARE(bucketAt(step.batchFill, 0.5), std::uint64_t(1));
        QCOMPARE(bucketAt(step.batchFill, 0.9), std::uint64_t(1));
        QCOMPARE(bucketAt(step.batchFill, 1.0), std::uint64_t(2));
        QCOMPARE(step.batchFill.cumulativeCounts.last(), std::uint64_t(2)); // +Inf
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::queueDepthWhileStalled() {
    ProcessLeakGuard guard;
    {
        constexpr int kTasks = 10;
        Flow flow(
            document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params("ms", 300))}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));

        // Submitted at once; the single worker holds one task for 300 ms, the rest queue.
        QCoro::Task<std::vector<TaskResult>> pending =
            flow.processMany(intTasks(kTasks), std::chrono::seconds(30));
        const MetricsSnapshotPtr stalled =
            waitForSnapshot(flow, [](const MetricsSnapshot& snapshot) {
                return snapshot.totals.submitted == kTasks && snapshot.steps[0].tasksIn == 1;
            });
        QVERIFY(stalled);
        const StepMetrics& step = stalled->steps[0];
        QCOMPARE(step.queueDepthPerLane.size(), 1);
        // 9 wait; 8 if the worker took the second task just as the snapshot was taken.
        QVERIFY2(totalDepth(step) == 9 || totalDepth(step) == 8,
                 qPrintable(QString::number(totalDepth(step))));
        QCOMPARE(step.queueCapacity, 20);
        QCOMPARE(step.workersBusy, 1);
        QCOMPARE(stalled->totals.inFlight, std::uint64_t(kTasks));

        auto results = runFor(std::move(pending), 60000);
        QVERIFY(results);
        for (const TaskResult& result : *results)
            QVERIFY2(result.ok(), qPrintable(result.message()));
        const MetricsSnapshotPtr drained = nextSnapshot(flow);
        QVERIFY(drained);
        QCOMPARE(totalDepth(drained->steps[0]), 0);
        QCOMPARE(drained->steps[0].tasksOut, std::uint64_t(kTasks));
        QCOMPARE(drained->totals.inFlight, std::uint64_t(0));
        // Handle time: every batch slept about 300 ms, so all sit above the 262 ms bound.
        QCOMPARE(bucketAt(drained->steps[0].handleTimeHistogram, std::ldexp(1.0, 18) / 1e6),
                 std::uint64_t(0));
        QCOMPARE(drained->steps[0].handleTimeHistogram.count, std::uint64_t(kTasks));
        QVERIFY(drained->steps[0].handleTime.p50Us >= 262144.0);
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::errorsByKind() {
    ProcessLeakGuard guard;
    {
        constexpr int kTasks = 200;
        Flow flow(document(
            {step(QStringLiteral("flaky"), QStringLiteral("fail"), params("probability", 0.3)),
             step(QStringLiteral("after"), QStringLiteral("increment"))}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));

        auto results = runFor(flow.processMany(intTasks(kTasks)));
        QVERIFY(results);
        std::uint64_t handlerErrors = 0;
        for (const TaskResult& result : *results) {
            if (!result.ok()) {
                QCOMPARE(result.error(), ErrorKind::HandlerError);
                ++handlerErrors;
            }
        }
        QVERIFY(handlerErrors > 0 && handlerErrors < kTasks);
        const std::uint64_t passed = kTasks - handlerErrors;

        const MetricsSnapshotPtr snapshot = nextSnapshot(flow);
        QVERIFY(snapshot);
        const StepMetrics& flaky = snapshot->steps[0];
        const StepMetrics& after = snapshot->steps[1];
        QCOMPARE(flaky.tasksIn, std::uint64_t(kTasks));
        QCOMPARE(flaky.tasksOut, passed);
        QCOMPARE(flaky.errorsByKind[int(ErrorKind::HandlerError)], handlerErrors);
        for (int kind = 0; kind < kErrorKindCount; ++kind) {
            if (ErrorKind(kind) != ErrorKind::HandlerError)
                QCOMPARE(flaky.errorsByKind[std::size_t(kind)], std::uint64_t(0));
        }
        QCOMPARE(after.tasksIn, passed);
        QCOMPARE(after.tasksOut, passed);
        QCOMPARE(after.errorsByKind[int(ErrorKind::HandlerError)], std::uint64_t(0));
        QCOMPARE(snapshot->totals.submitted, std::uint64_t(kTasks));
        QCOMPARE(snapshot->totals.completed, passed);
        QCOMPARE(snapshot->totals.failed, handlerErrors);
        QCOMPARE(snapshot->totals.errorsByKind[int(ErrorKind::HandlerError)], handlerErrors);
        QCOMPARE(snapshot->totals.expired, std::uint64_t(0));
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::expiredTasksCounted() {
    ProcessLeakGuard guard;
    {
        constexpr int kTasks = 5;
        Flow flow(
            document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params("ms", 300))}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));

        // 50 ms deadlines behind a 300 ms task: every caller times out; the worker drops
        // the queued ones unhandled when it gets to them.
        auto results = runFor(flow.processMany(intTasks(kTasks), std::chrono::milliseconds(50)));
        QVERIFY(results);
        for (const TaskResult& result : *results)
            QCOMPARE(result.error(), ErrorKind::Timeout);

        const MetricsSnapshotPtr snapshot =
            waitForSnapshot(flow, [](const MetricsSnapshot& snapshot) {
                return snapshot.steps[0].tasksIn == kTasks;
            });
        QVERIFY(snapshot);
        const StepMetrics& slow = snapshot->steps[0];
        QCOMPARE(slow.errorsByKind[int(ErrorKind::Timeout)] + slow.tasksOut, std::uint64_t(kTasks));
        QVERIFY(slow.errorsByKind[int(ErrorKind::Timeout)] >= kTasks - 1);
        QCOMPARE(snapshot->totals.expired, std::uint64_t(kTasks));
        QCOMPARE(snapshot->totals.errorsByKind[int(ErrorKind::Timeout)], std::uint64_t(kTasks));
        QCOMPARE(snapshot->totals.failed, std::uint64_t(0)); // expired are counted apart
        QCOMPARE(snapshot->totals.completed, std::uint64_t(0));
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::skippedCounted() {
    ProcessLeakGuard guard;
    {
        // Values 0..9. 0, 1, 2 skip both steps (routed by the parent). 3..9 pass the first
        // and become 4..10; of those 4 and 5 skip the second (routed by the first step's
        // worker), 6..10 pass it.
        StepSpec first = step(QStringLiteral("first"), QStringLiteral("increment"));
        first.condition = QStringLiteral("value >= 3");
        StepSpec second = step(QStringLiteral("second"), QStringLiteral("increment"));
        second.condition = QStringLiteral("value >= 6");
        Flow flow(document({first, second}));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));
        auto results = runFor(flow.processMany(intTasks(10)));
        QVERIFY(results);
        for (int i = 0; i < 10; ++i) {
            const TaskResult& result = (*results)[std::size_t(i)];
            QVERIFY(result.ok());
            QCOMPARE(result.task().intField("value"), i < 3 ? i : i < 5 ? i + 1 : i + 2);
        }

        const MetricsSnapshotPtr snapshot = nextSnapshot(flow);
        QVERIFY(snapshot);
        QCOMPARE(snapshot->steps[0].skipped, std::uint64_t(3));
        QCOMPARE(snapshot->steps[0].tasksOut, std::uint64_t(7));
        QCOMPARE(snapshot->steps[1].tasksIn, std::uint64_t(5));
        QCOMPARE(snapshot->steps[1].skipped, std::uint64_t(5));
        QCOMPARE(snapshot->totals.completed, std::uint64_t(10));
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::metricsOffGivesNoSnapshots() {
    ProcessLeakGuard guard;
    {
        Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}, false));
        QSignalSpy snapshots(&flow, &Flow::metricsSnapshot);
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));
        auto results = runFor(flow.processMany(intTasks(50)));
        QVERIFY(results);
        for (const TaskResult& result : *results)
            QVERIFY(result.ok());
        // Ten intervals' worth of time: nothing may arrive.
        QTest::qWait(10 * kIntervalMs);
        QCOMPARE(snapshots.count(), 0);
        QVERIFY(!flow.lastSnapshot());
        QVERIFY(runFor(flow.stop()));
        QCOMPARE(snapshots.count(), 0);
        QVERIFY(!flow.lastSnapshot());
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestMetrics::samplerMemoryBounded() {
    // The sampler keeps a throughput history per step and a CPU reading per process.
    // Sampled far more often than its window holds, with workers "restarting" under new
    // pids every time, what it keeps must stay bounded by the window.
    PipelineDocument doc = document({step(QStringLiteral("a"), QStringLiteral("increment")),
                                     step(QStringLiteral("b"), QStringLiteral("increment"))});
    Internal::FlowLayout layout; // not created: queues and worker counters read as 0
    constexpr int kWindowMs = 100;
    constexpr int kEveryMs = 5;
    Internal::MetricsSampler sampler(doc, layout, std::chrono::milliseconds(kWindowMs));

    QList<qint64> pids; // real processes, so /proc can be read for each
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (numeric)
            pids.append(pid);
    }
    QVERIFY(pids.size() >= 4);

    Internal::MetricsSampler::ParentCounters parent;
    parent.flowState = QStringLiteral("running");
    std::size_t mostRetained = 0;
    constexpr int kSamples = 200; // 1 s: ten windows
    for (int i = 0; i < kSamples; ++i) {
        QList<WorkerInfo> workers;
        for (int w = 0; w < 2; ++w) {
            WorkerInfo worker;
            worker.stepId = doc.steps[w].id;
            worker.stepIndex = w;
            worker.pid = pids[(i * 2 + w) % pids.size()];
            worker.state = WorkerState::Idle;
            workers.append(worker);
        }
        parent.completed = std::uint64_t(i);
        const MetricsSnapshotPtr snapshot = sampler.sample(parent, workers);
        QVERIFY(snapshot);
        QCOMPARE(snapshot->processes.size(), 3);
        mostRetained = std::max(mostRetained, sampler.retainedEntries());
        QThread::msleep(kEveryMs);
    }
    // Per step: the entries within one window, plus the one at its start and the newest;
    // plus the parent's and the two current workers' CPU readings.
    const std::size_t bound = 2 * (kWindowMs / kEveryMs + 2) + 3;
    QVERIFY2(
        mostRetained <= bound,
        qPrintable(QStringLiteral("retained %1 entries, bound %2").arg(mostRetained).arg(bound)));
    QVERIFY(mostRetained < std::size_t(kSamples));
}

AQUEDUCT_TEST_MAIN(TestMetrics)
#include "tst_metrics.moc"
