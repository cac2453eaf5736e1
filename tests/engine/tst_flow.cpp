// Engine semantics (DESIGN.md "Engine semantics"), each rule pinned with real worker
// processes. Every test checks that no process or shared-memory segment is left.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <stdexcept>

using namespace Aqueduct;
using namespace Aqueduct::Test;
using namespace std::chrono_literals;

namespace {

/// onStart sleeps `ms` (model loading stand-in).
class SlowStartHandler final : public Handler {
public:
    void onStart(const HandlerParams& params) override {
        QThread::msleep(std::uint64_t(params.intValue(QStringLiteral("ms"))));
    }
    void handle(std::span<Task>) override {}
};

/// onStart throws.
class ThrowingStartHandler final : public Handler {
public:
    void onStart(const HandlerParams&) override { throw std::runtime_error("model file missing"); }
    void handle(std::span<Task>) override {}
};

void registerTestHandlers() {
    HandlerInfo slow;
    slow.name = QStringLiteral("test_slow_start");
    slow.category = QStringLiteral("Testing");
    ParamSpec ms;
    ms.name = QStringLiteral("ms");
    ms.type = ParamType::Int;
    ms.defaultValue = 2000;
    slow.params = {ms};
    HandlerRegistry::global().add(slow, [] { return std::make_unique<SlowStartHandler>(); });

    HandlerInfo throwing;
    throwing.name = QStringLiteral("test_throwing_start");
    throwing.category = QStringLiteral("Testing");
    HandlerRegistry::global().add(throwing,
                                  [] { return std::make_unique<ThrowingStartHandler>(); });
}

PipelineDocument document(QList<StepSpec> steps, QList<EdgeSpec> edges = {}) {
    PipelineDocument doc;
    doc.name = QStringLiteral("test");
    doc.steps = std::move(steps);
    doc.edges = std::move(edges);
    doc.flow.metrics.intervalMs = 20;
    return doc;
}

EdgeSpec edge(const QString& from, const QString& to, const QString& when = {}) {
    return EdgeSpec{from, to, when};
}

/// Submits all tasks concurrently, returns results in submission order.
std::vector<TaskResult> processAll(Flow& flow, std::vector<Task> tasks,
                                   std::chrono::milliseconds timeout = 10s) {
    auto results = runFor(flow.processMany(std::move(tasks), timeout), 60000);
    return results ? std::move(*results) : std::vector<TaskResult>{};
}

} // namespace

class TestFlow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void chainOfThreeSteps();
    void startMethods_data();
    void startMethods();
    void forkStartMethodInSingleThreadedProgram();
    void restartAfterStop();
    void processWhenStoppedIsNotRunning();
    void misuseIsRefused();
    void priorityClampedAndNegativeRejected();
    void handlerExceptionFailsOnlyThatTask();
    void handlerExceptionFailsWholeBatch();
    void conditionSkipsStep();
    void branchingByWhen();
    void noMatchingEdgeFinishesTask();
    void backpressureLosesNothing();
    void expiredTasksTimeOutAndAreDropped();
    void startTimeoutWithSlowOnStart();
    void startFailsWhenOnStartThrows();
    void gracefulStopDrains();
    void immediateStopFailsInFlight();
    void higherPriorityServedFirst();
    void dynamicBatchingTakesWhatIsQueued();
    void batchTimeoutFillsBatch();
    void batchFilledByOneWorkerWithTwoProcs();
    void gracefulStopDrainIsBounded();
    void workerCrashFailsItsTaskAndRestarts();
    void priorityAgingLetsLowPriorityThrough();
    void metricsStreamYieldsSnapshots();
    void metricsStreamLeftWithSnapshotsQueued();
    void metricsStreamEndsWhenIdle();

private:
    std::unique_ptr<ProcessLeakGuard> m_guard;
};

void TestFlow::init() {
    m_guard = std::make_unique<ProcessLeakGuard>();
}

void TestFlow::cleanup() {
    const bool clean = m_guard->waitClean(3000);
    const QString leaks = m_guard->describe();
    m_guard->cleanUp();
    QVERIFY2(clean, qPrintable(leaks));
}

void TestFlow::chainOfThreeSteps() {
    Flow flow(
        document({step(QStringLiteral("a"), QStringLiteral("increment")),
                  step(QStringLiteral("b"), QStringLiteral("increment"), params({{"by", 10}})),
                  step(QStringLiteral("c"), QStringLiteral("increment"), params({{"by", 100}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<Task> tasks;
    for (int i = 0; i < 500; ++i)
        tasks.push_back(intTask(i));
    const auto results = processAll(flow, std::move(tasks));
    QCOMPARE(int(results.size()), 500);
    for (int i = 0; i < 500; ++i) {
        QVERIFY2(results[std::size_t(i)].ok(), qPrintable(results[std::size_t(i)].message()));
        QCOMPARE(results[std::size_t(i)].task().intField("value"), i + 111);
        // Per-step timings: one entry per step, in order.
        const auto& timings = results[std::size_t(i)].task().timings();
        QCOMPARE(int(timings.size()), 3);
        QCOMPARE(int(timings[0].stepIndex), 0);
        QCOMPARE(int(timings[2].stepIndex), 2);
        QVERIFY(timings[1].batchSize >= 1);
    }
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::startMethods_data() {
    QTest::addColumn<int>("method");
    QTest::newRow("forkserver") << int(StartMethod::ForkServer);
    QTest::newRow("spawn") << int(StartMethod::Spawn);
    // "fork" needs a single-threaded parent, which a Qt Test process is not (its
    // watchdog thread): see forkStartMethodInSingleThreadedProgram.
}

void TestFlow::forkStartMethodInSingleThreadedProgram() {
    auto doc = document({step(QStringLiteral("inc"), QStringLiteral("increment"), {}, 2)});
    doc.flow.startMethod = StartMethod::Fork;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("fork.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(doc.toJson());
    file.close();
    QProcess run;
    run.setProcessChannelMode(QProcess::MergedChannels); // results and the summary
    run.start(QStringLiteral(AQUEDUCT_APP_PATH),
              {QStringLiteral("run"), path, QStringLiteral("--generate"), QStringLiteral("500")});
    QVERIFY(run.waitForFinished(30000));
    const QByteArray output = run.readAllStandardOutput();
    QVERIFY2(run.exitCode() == 0, output.right(400).constData());
    QVERIFY2(output.contains("\"completed\":500"), output.right(400).constData());
}

void TestFlow::startMethods() {
    QFETCH(int, method);
    auto doc = document({step(QStringLiteral("inc"), QStringLiteral("increment"), {}, 2)});
    doc.flow.startMethod = StartMethod(method);
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    const QList<WorkerInfo> workers = flow.workers();
    QCOMPARE(workers.size(), 2);
    for (const WorkerInfo& worker : workers) {
        QVERIFY(worker.pid > 0);
        QVERIFY(worker.pid != QCoreApplication::applicationPid());
    }
    const auto result = runFor(flow.process(intTask(41)));
    QVERIFY(result && result->ok());
    QCOMPARE(result->task().intField("value"), 42);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::restartAfterStop() {
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    for (int cycle = 0; cycle < 3; ++cycle) {
        AQUEDUCT_START_OR_FAIL(flow);
        QCOMPARE(flow.state(), FlowState::Running);
        const auto result = runFor(flow.process(intTask(cycle)));
        QVERIFY(result && result->ok());
        QCOMPARE(result->task().intField("value"), cycle + 1);
        AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        QCOMPARE(flow.state(), FlowState::Stopped);
        QVERIFY2(m_guard->waitClean(3000), qPrintable(m_guard->describe()));
    }
}

void TestFlow::processWhenStoppedIsNotRunning() {
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    auto before = runFor(flow.process(intTask(1)));
    QVERIFY(before);
    QCOMPARE(before->error(), ErrorKind::NotRunning);
    AQUEDUCT_START_OR_FAIL(flow);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
    auto after = runFor(flow.process(intTask(1)));
    QVERIFY(after);
    QCOMPARE(after->error(), ErrorKind::NotRunning);
    QCOMPARE(after->task().intField("value"), 1); // the caller gets its task back
}

void TestFlow::misuseIsRefused() {
    {
        Flow empty;
        auto started = runFor(empty.start());
        QVERIFY(started);
        QVERIFY(!started->ok);
        QVERIFY2(started->error.contains(QLatin1String("no steps")), qPrintable(started->error));
    }
    {
        Flow unknown(document({step(QStringLiteral("x"), QStringLiteral("no_such_handler"))}));
        auto started = runFor(unknown.start());
        QVERIFY(started);
        QVERIFY(!started->ok);
        QCOMPARE(started->stepId, QStringLiteral("x"));
        QVERIFY2(started->error.contains(QLatin1String("no_such_handler")),
                 qPrintable(started->error));
        QCOMPARE(unknown.state(), FlowState::Stopped);
    }
    {
        Flow twice(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
        AQUEDUCT_START_OR_FAIL(twice);
        auto again = runFor(twice.start());
        QVERIFY(again);
        QVERIFY(!again->ok);
        QVERIFY2(again->error.contains(QLatin1String("already")), qPrintable(again->error));
        AQUEDUCT_STOP_OR_FAIL(twice, StopMode::Graceful);
    }
}

void TestFlow::priorityClampedAndNegativeRejected() {
    auto doc = document({step(QStringLiteral("inc"), QStringLiteral("increment"))});
    doc.flow.queuePriorities = 2;
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    auto negative = runFor(flow.process(intTask(1, -1)));
    QVERIFY(negative);
    QCOMPARE(negative->error(), ErrorKind::Rejected);
    QVERIFY2(negative->message().contains(QLatin1String("negative")),
             qPrintable(negative->message()));
    auto high = runFor(flow.process(intTask(1, 99)));
    QVERIFY(high);
    QVERIFY2(high->ok(), qPrintable(high->message()));
    QCOMPARE(high->task().intField("value"), 2);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::handlerExceptionFailsOnlyThatTask() {
    Flow flow(document({step(QStringLiteral("maybe"), QStringLiteral("fail"),
                             params({{"probability", 0.3},
                                     {"message", QStringLiteral("injected")},
                                     {"mode", QStringLiteral("task")},
                                     {"seed_field", QStringLiteral("value")}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    const qint64 pidBefore = flow.workers().value(0).pid;
    std::vector<Task> tasks;
    for (int i = 0; i < 400; ++i)
        tasks.push_back(intTask(i));
    const auto results = processAll(flow, std::move(tasks));
    int failed = 0;
    for (const TaskResult& result : results) {
        if (!result.ok()) {
            ++failed;
            QCOMPARE(result.error(), ErrorKind::HandlerError);
            QVERIFY2(result.message().contains(QLatin1String("injected")),
                     qPrintable(result.message()));
            QVERIFY2(result.message().contains(QLatin1String("maybe")),
                     qPrintable(result.message()));
        }
    }
    QVERIFY2(failed > 40 && failed < 200, qPrintable(QString::number(failed)));
    // Deterministic: the same tasks fail again.
    std::vector<Task> again;
    for (int i = 0; i < 400; ++i)
        again.push_back(intTask(i));
    const auto second = processAll(flow, std::move(again));
    for (std::size_t i = 0; i < results.size(); ++i)
        QCOMPARE(second[i].ok(), results[i].ok());
    QCOMPARE(flow.workers().value(0).pid, pidBefore); // the worker lived on
    QCOMPARE(flow.workers().value(0).restarts, 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::handlerExceptionFailsWholeBatch() {
    auto failing = step(QStringLiteral("boom"), QStringLiteral("fail"),
                        params({{"probability", 1.0},
                                {"message", QStringLiteral("whole batch")},
                                {"mode", QStringLiteral("batch")}}),
                        1, 4);
    Flow flow(document({failing}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<Task> tasks;
    for (int i = 0; i < 20; ++i)
        tasks.push_back(intTask(i));
    const auto results = processAll(flow, std::move(tasks));
    for (const TaskResult& result : results) {
        QCOMPARE(result.error(), ErrorKind::HandlerError);
        QVERIFY(result.message().contains(QLatin1String("whole batch")));
    }
    // Still serving afterwards.
    QCOMPARE(flow.state(), FlowState::Running);
    QCOMPARE(flow.workers().value(0).restarts, 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::conditionSkipsStep() {
    auto big =
        step(QStringLiteral("double_big"), QStringLiteral("increment"), params({{"by", 1000}}));
    big.condition = QStringLiteral("value >= 10");
    auto mark = step(QStringLiteral("mark"), QStringLiteral("set_field"),
                     params({{"field", QStringLiteral("seen")}, {"value", QStringLiteral("yes")}}));
    Flow flow(document({big, mark}));
    AQUEDUCT_START_OR_FAIL(flow);
    auto small = runFor(flow.process(intTask(5)));
    auto large = runFor(flow.process(intTask(50)));
    QVERIFY(small && small->ok() && large && large->ok());
    QCOMPARE(small->task().intField("value"), 5); // skipped
    QCOMPARE(small->task().viewField("seen"), std::string_view("yes"));
    QCOMPARE(int(small->task().timings().size()), 1); // only `mark` saw it
    QCOMPARE(large->task().intField("value"), 1050);
    QCOMPARE(int(large->task().timings().size()), 2);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::branchingByWhen() {
    auto negative =
        step(QStringLiteral("neg"), QStringLiteral("set_field"),
             params({{"field", QStringLiteral("branch")}, {"value", QStringLiteral("negative")}}));
    auto positive =
        step(QStringLiteral("pos"), QStringLiteral("set_field"),
             params({{"field", QStringLiteral("branch")}, {"value", QStringLiteral("positive")}}));
    auto after = step(QStringLiteral("after"), QStringLiteral("increment"));
    Flow flow(
        document({negative, positive, after},
                 {edge(QStringLiteral("input"), QStringLiteral("neg"), QStringLiteral("value < 0")),
                  edge(QStringLiteral("input"), QStringLiteral("pos")),
                  edge(QStringLiteral("neg"), QStringLiteral("after")),
                  edge(QStringLiteral("pos"), QStringLiteral("output")),
                  edge(QStringLiteral("after"), QStringLiteral("output"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    auto minus = runFor(flow.process(intTask(-5)));
    auto plus = runFor(flow.process(intTask(5)));
    QVERIFY(minus && minus->ok() && plus && plus->ok());
    QCOMPARE(minus->task().viewField("branch"), std::string_view("negative"));
    QCOMPARE(minus->task().intField("value"), -4);
    QCOMPARE(plus->task().viewField("branch"), std::string_view("positive"));
    QCOMPARE(plus->task().intField("value"), 5);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::noMatchingEdgeFinishesTask() {
    auto only = step(QStringLiteral("big_only"), QStringLiteral("increment"));
    auto tail = step(QStringLiteral("tail"), QStringLiteral("increment"));
    Flow flow(document(
        {only, tail},
        {edge(QStringLiteral("input"), QStringLiteral("big_only"), QStringLiteral("value > 100")),
         edge(QStringLiteral("big_only"), QStringLiteral("tail"), QStringLiteral("value > 1000")),
         edge(QStringLiteral("tail"), QStringLiteral("output"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    auto untouched = runFor(flow.process(intTask(1)));
    QVERIFY(untouched && untouched->ok());
    QCOMPARE(untouched->task().intField("value"), 1);
    auto partial = runFor(flow.process(intTask(500)));
    QVERIFY(partial && partial->ok());
    QCOMPARE(partial->task().intField("value"), 501); // big_only ran, then no edge matched
    auto full = runFor(flow.process(intTask(5000)));
    QVERIFY(full && full->ok());
    QCOMPARE(full->task().intField("value"), 5002);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::backpressureLosesNothing() {
    auto fast = step(QStringLiteral("fast"), QStringLiteral("increment"));
    fast.queueSize = 2;
    auto slow = step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 2}}));
    slow.queueSize = 2;
    Flow flow(document({fast, slow}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<Task> tasks;
    for (int i = 0; i < 300; ++i)
        tasks.push_back(intTask(i));
    const auto results = processAll(flow, std::move(tasks), 30s);
    QCOMPARE(int(results.size()), 300);
    for (int i = 0; i < 300; ++i) {
        QVERIFY2(results[std::size_t(i)].ok(), qPrintable(results[std::size_t(i)].message()));
        QCOMPARE(results[std::size_t(i)].task().intField("value"), i + 1);
    }
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::expiredTasksTimeOutAndAreDropped() {
    Flow flow(
        document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 100}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    QElapsedTimer elapsed;
    elapsed.start();
    std::vector<Task> tasks;
    for (int i = 0; i < 6; ++i)
        tasks.push_back(intTask(i));
    // 6 x 100 ms of work, 250 ms deadline: the first two finish, the rest time out.
    const auto results = processAll(flow, std::move(tasks), 250ms);
    const qint64 waitedMs = elapsed.elapsed();
    int ok = 0;
    int timedOut = 0;
    for (const TaskResult& result : results) {
        if (result.ok())
            ++ok;
        else if (result.error() == ErrorKind::Timeout)
            ++timedOut;
    }
    QVERIFY2(ok >= 1 && ok <= 3, qPrintable(QString::number(ok)));
    QCOMPARE(ok + timedOut, 6);
    // Callers got their Timeout at the deadline, not after the queue was worked off (600 ms).
    QVERIFY2(waitedMs < 550, qPrintable(QString::number(waitedMs)));
    // Workers dropped the expired tasks unhandled: wait until the queue is drained and
    // check the handled count through the metrics.
    QTest::qWait(700);
    const MetricsSnapshotPtr snapshot = flow.lastSnapshot();
    QVERIFY(snapshot);
    const StepMetrics& metrics = snapshot->steps.value(0);
    QVERIFY2(metrics.tasksOut <= 3, qPrintable(QString::number(metrics.tasksOut)));
    QVERIFY(metrics.errorsByKind[int(ErrorKind::Timeout)] >= 3);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::startTimeoutWithSlowOnStart() {
    Flow flow(document({step(QStringLiteral("fast"), QStringLiteral("increment")),
                        step(QStringLiteral("model"), QStringLiteral("test_slow_start"),
                             params({{"ms", 5000}}))}));
    QElapsedTimer elapsed;
    elapsed.start();
    auto started = runFor(flow.start(300ms));
    QVERIFY(started);
    QVERIFY(!started->ok);
    QCOMPARE(started->stepId, QStringLiteral("model"));
    QVERIFY2(started->error.contains(QLatin1String("onStart")), qPrintable(started->error));
    QVERIFY(elapsed.elapsed() < 4000);
    QCOMPARE(flow.state(), FlowState::Stopped);
    QVERIFY2(m_guard->waitClean(3000), qPrintable(m_guard->describe()));
    // And with enough time it starts.
    Flow patient(document(
        {step(QStringLiteral("model"), QStringLiteral("test_slow_start"), params({{"ms", 100}}))}));
    AQUEDUCT_START_OR_FAIL(patient);
    AQUEDUCT_STOP_OR_FAIL(patient, StopMode::Graceful);
}

void TestFlow::startFailsWhenOnStartThrows() {
    Flow flow(document({step(QStringLiteral("ok"), QStringLiteral("increment"), {}, 2),
                        step(QStringLiteral("broken"), QStringLiteral("test_throwing_start"))}));
    auto started = runFor(flow.start());
    QVERIFY(started);
    QVERIFY(!started->ok);
    QCOMPARE(started->stepId, QStringLiteral("broken"));
    QVERIFY2(started->error.contains(QLatin1String("model file missing")),
             qPrintable(started->error));
    QCOMPARE(flow.state(), FlowState::Stopped);
}

void TestFlow::gracefulStopDrains() {
    Flow flow(
        document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 30}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<QCoro::Task<TaskResult>> pending;
    for (int i = 0; i < 8; ++i)
        pending.push_back(flow.process(intTask(i), 10s));
    QVERIFY(runFor(flow.stop(StopMode::Graceful)));
    for (auto& task : pending) {
        auto result = runFor(std::move(task));
        QVERIFY(result);
        QVERIFY2(result->ok(), qPrintable(result->message()));
    }
}

void TestFlow::immediateStopFailsInFlight() {
    Flow flow(
        document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 2000}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<QCoro::Task<TaskResult>> pending;
    for (int i = 0; i < 4; ++i)
        pending.push_back(flow.process(intTask(i), 30s));
    QTest::qWait(50);
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(runFor(flow.stop(StopMode::Immediate)));
    QVERIFY2(elapsed.elapsed() < 1500, qPrintable(QString::number(elapsed.elapsed())));
    for (auto& task : pending) {
        auto result = runFor(std::move(task));
        QVERIFY(result);
        QCOMPARE(result->error(), ErrorKind::NotRunning);
    }
}

void TestFlow::higherPriorityServedFirst() {
    auto doc =
        document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 60}}))});
    doc.flow.queuePriorities = 2;
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<int> order;
    auto track = [&](Task task) -> QCoro::Task<void> {
        const int value = int(task.intField("value"));
        const TaskResult result = co_await flow.process(std::move(task), 10s);
        if (result.ok())
            order.push_back(value);
    };
    std::vector<QCoro::Task<void>> running;
    running.push_back(track(intTask(-1, 0))); // occupies the worker
    // Only once the worker holds it do the others arrive (a loaded machine may take a
    // while to schedule the worker).
    QTRY_VERIFY_WITH_TIMEOUT(flow.workers().value(0).state == WorkerState::Busy, 5000);
    for (int i = 0; i < 5; ++i)
        running.push_back(track(intTask(i, 0))); // low: 0..4
    for (int i = 0; i < 5; ++i)
        running.push_back(track(intTask(100 + i, 1))); // high: 100..104
    QTRY_COMPARE_WITH_TIMEOUT(int(order.size()), 11, 10000);
    // After the one in hand, every high-priority task precedes every low one.
    for (int i = 1; i <= 5; ++i)
        QVERIFY2(order[std::size_t(i)] >= 100, qPrintable(QString::number(order[std::size_t(i)])));
    for (int i = 6; i <= 10; ++i)
        QVERIFY(order[std::size_t(i)] < 100);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::dynamicBatchingTakesWhatIsQueued() {
    Flow flow(document(
        {step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 20}}), 1, 8)}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<Task> tasks;
    for (int i = 0; i < 30; ++i)
        tasks.push_back(intTask(i));
    const auto results = processAll(flow, std::move(tasks));
    int maxBatch = 0;
    for (const TaskResult& result : results) {
        QVERIFY(result.ok());
        const int batch = result.task().timings().at(0).batchSize;
        QVERIFY(batch >= 1 && batch <= 8);
        maxBatch = std::max(maxBatch, batch);
    }
    QCOMPARE(maxBatch, 8); // while one batch sleeps, the next fills up
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::batchTimeoutFillsBatch() {
    auto batched = step(QStringLiteral("batched"), QStringLiteral("increment"), {}, 1, 5);
    batched.batchTimeoutMs = 2000;
    Flow flow(document({batched}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<QCoro::Task<TaskResult>> pending;
    // Trickle tasks in: with a batch timeout the worker waits to fill the batch.
    for (int i = 0; i < 5; ++i) {
        pending.push_back(flow.process(intTask(i), 10s));
        QTest::qWait(20);
    }
    for (auto& task : pending) {
        auto result = runFor(std::move(task));
        QVERIFY(result && result->ok());
        QCOMPARE(int(result->task().timings().at(0).batchSize), 5);
    }
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::gracefulStopDrainIsBounded() {
    // A task with a long timeout in a slow step must not hold a graceful stop forever.
    Flow flow(
        document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 5000}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    auto pending = flow.process(intTask(1), 60s);
    QTest::qWait(50);
    QElapsedTimer stopping;
    stopping.start();
    QVERIFY(runFor(flow.stop(StopMode::Graceful, 300ms), 10000));
    QVERIFY2(stopping.elapsed() < 4000, qPrintable(QString::number(stopping.elapsed())));
    auto result = runFor(std::move(pending), 1000);
    QVERIFY(result);
    QCOMPARE(result->error(), ErrorKind::NotRunning);
}

void TestFlow::batchFilledByOneWorkerWithTwoProcs() {
    // nprocs 2, batch_size 16 with a batch timeout: 16 tasks arriving within the timeout
    // form ONE batch in one worker (the batch lock), not 8 + 8 or 13 + 3: while one
    // worker collects, the other may not take from the queue.
    auto batched = step(QStringLiteral("batched"), QStringLiteral("increment"), {}, 2, 16);
    batched.batchTimeoutMs = 500;
    Flow flow(document({batched}));
    AQUEDUCT_START_OR_FAIL(flow);
    for (int round = 0; round < 3; ++round) {
        std::vector<QCoro::Task<TaskResult>> pending;
        for (int i = 0; i < 16; ++i) {
            pending.push_back(flow.process(intTask(round * 100 + i), 10s));
            QTest::qWait(5); // trickle in, so an idle second worker would get its share
        }
        for (auto& task : pending) {
            auto result = runFor(std::move(task));
            QVERIFY(result && result->ok());
            QCOMPARE(int(result->task().timings().at(0).batchSize), 16);
        }
    }
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::workerCrashFailsItsTaskAndRestarts() {
    Flow flow(document({step(QStringLiteral("fragile"), QStringLiteral("crash"),
                             params({{"probability", 0.0},
                                     {"field", QStringLiteral("poison")},
                                     {"mode", QStringLiteral("abort")}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    const qint64 firstPid = flow.workers().value(0).pid;
    Task poison = intTask(1);
    poison.set("poison", Value(true));
    auto crashed = runFor(flow.process(std::move(poison)));
    QVERIFY(crashed);
    QCOMPARE(crashed->error(), ErrorKind::WorkerCrashed);
    QVERIFY2(crashed->message().contains(QLatin1String("SIGABRT")), qPrintable(crashed->message()));
    QVERIFY2(crashed->message().contains(QLatin1String("fragile")), qPrintable(crashed->message()));
    // The next task is served by the restarted worker.
    auto next = runFor(flow.process(intTask(2)));
    QVERIFY(next);
    QVERIFY2(next->ok(), qPrintable(next->message()));
    QCOMPARE(flow.state(), FlowState::Running);
    const WorkerInfo worker = flow.workers().value(0);
    QCOMPARE(worker.restarts, 1);
    QVERIFY(worker.pid != firstPid);
    QVERIFY2(worker.lastExitCause.contains(QLatin1String("SIGABRT")),
             qPrintable(worker.lastExitCause));
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::priorityAgingLetsLowPriorityThrough() {
    auto doc =
        document({step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 10}}))});
    doc.flow.queuePriorities = 2;
    doc.flow.priorityAgingMs = 30;
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<int> order;
    bool feeding = true;
    auto track = [&](Task task) -> QCoro::Task<void> {
        const int value = int(task.intField("value"));
        const TaskResult result = co_await flow.process(std::move(task), 20s);
        if (result.ok())
            order.push_back(value);
    };
    // Keep the high lane non-empty for ~1 s; with strict lanes the low task would wait
    // until the end, with aging it gets through after ~30 ms.
    // Every finished task is recorded, so without aging the low task would be recorded
    // after all ~200 high ones (the assertion below can fail).
    auto feeder = [&](int base) -> QCoro::Task<void> {
        for (int i = 0; i < 100 && feeding; ++i) {
            const TaskResult result = co_await flow.process(intTask(base + i, 1), 20s);
            if (result.ok())
                order.push_back(base + i);
        }
    };
    auto highA = feeder(1000);
    auto highB = feeder(2000);
    QTest::qWait(20);
    auto low = track(intTask(7, 0));
    QTRY_VERIFY_WITH_TIMEOUT(std::find(order.begin(), order.end(), 7) != order.end(), 10000);
    feeding = false;
    QTRY_VERIFY_WITH_TIMEOUT(highA.isReady() && highB.isReady(), 10000);
    const auto position = std::find(order.begin(), order.end(), 7) - order.begin();
    // ~30 ms of aging at 10 ms a task: a handful of high tasks first, far from all 200.
    QVERIFY2(position < 40, qPrintable(QString::number(position)));
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::metricsStreamYieldsSnapshots() {
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    auto collect = [&]() -> QCoro::Task<int> {
        int seen = 0;
        std::uint64_t lastCompleted = 0;
        auto stream = flow.metricsSnapshots(2000ms);
        QCORO_FOREACH(const MetricsSnapshotPtr& snapshot, stream) {
            if (!snapshot || snapshot->totals.completed < lastCompleted)
                co_return -1;
            lastCompleted = snapshot->totals.completed;
            if (++seen == 3)
                break;
        }
        co_return seen;
    };
    auto load = [&]() -> QCoro::Task<void> {
        for (int i = 0; i < 200; ++i)
            co_await flow.process(intTask(i));
    };
    auto loading = load();
    auto seen = runFor(collect(), 10000);
    QVERIFY(seen);
    QCOMPARE(*seen, 3);
    QVERIFY(runFor(std::move(loading)));
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestFlow::metricsStreamLeftWithSnapshotsQueued() {
    // The consumer leaves its loop after one snapshot while more are queued for the stream:
    // none of them may reach the finished stream. (QCoro 0.8's qCoroSignalListener queues
    // calls into the listener itself, which is freed by then: qcoro/qcoro#167.)
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    const auto snapshot = std::make_shared<const MetricsSnapshot>();
    std::vector<std::unique_ptr<char[]>> churn;
    for (int round = 0; round < 300; ++round) {
        int seen = 0;
        auto consume = [&]() -> QCoro::Task<void> {
            auto stream = flow.metricsSnapshots(5000ms);
            QCORO_FOREACH(const MetricsSnapshotPtr& received, stream) {
                if (received == snapshot)
                    ++seen;
                break;
            }
        };
        auto consuming = consume(); // waits for its first snapshot
        for (int i = 0; i < 3; ++i)
            Q_EMIT flow.metricsSnapshot(snapshot);
        for (int turn = 0; turn < 3; ++turn) {
            QCoreApplication::processEvents();
            churn.push_back(std::make_unique<char[]>(64 + 64 * (round % 8)));
        }
        QVERIFY(consuming.isReady());
        QCOMPARE(seen, 1);
        if (churn.size() > 100)
            churn.erase(churn.begin(), churn.begin() + 50);
    }
}

void TestFlow::metricsStreamEndsWhenIdle() {
    // idleTimeout counts from the last snapshot: one that keeps coming keeps it open.
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    const auto snapshot = std::make_shared<const MetricsSnapshot>();
    QTimer ticker;
    ticker.setInterval(20);
    connect(&ticker, &QTimer::timeout, &flow, [&] { Q_EMIT flow.metricsSnapshot(snapshot); });
    int seen = 0;
    int wrong = 0;
    auto consume = [&]() -> QCoro::Task<void> {
        auto stream = flow.metricsSnapshots(1000ms);
        QCORO_FOREACH(const MetricsSnapshotPtr& received, stream) {
            wrong += received != snapshot;
            if (++seen == 10)
                ticker.stop(); // then nothing comes for 1 s: the stream ends
        }
    };
    ticker.start();
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(runFor(consume(), 10000));
    QCOMPARE(seen, 10);
    QCOMPARE(wrong, 0);
    QVERIFY2(elapsed.elapsed() >= 1000 + 9 * 20, qPrintable(QString::number(elapsed.elapsed())));
}

AQUEDUCT_TEST_MAIN_WITH_SETUP(TestFlow, registerTestHandlers)
#include "tst_flow.moc"
