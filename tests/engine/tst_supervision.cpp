// Supervision and fault tolerance (issue 5): no task lost, no flow down, no leak.
// Real worker processes; each test leaves no process or segment behind.
#include "BuiltinHandlers.h"
#include "FailHandler.h"
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>

#include <signal.h>
#include <unistd.h>

using namespace Aqueduct;
using namespace Aqueduct::Test;
using namespace std::chrono_literals;

namespace {

/// Sleeps for the task's `sleep_ms` field (a handler that hangs on demand).
class SleepFieldHandler final : public Handler {
public:
    void handle(std::span<Task> batch) override {
        for (Task& task : batch)
            QThread::msleep(std::uint64_t(task.intField("sleep_ms", 0)));
    }
};

void registerTestHandlers() {
    HandlerInfo info;
    info.name = QStringLiteral("test_sleep_field");
    info.category = QStringLiteral("Testing");
    HandlerRegistry::global().add(info, [] { return std::make_unique<SleepFieldHandler>(); });
}

PipelineDocument document(QList<StepSpec> steps) {
    PipelineDocument doc;
    doc.name = QStringLiteral("supervision");
    doc.steps = std::move(steps);
    doc.flow.metrics.intervalMs = 50;
    return doc;
}

bool allWorkersAlive(const Flow& flow) {
    for (const WorkerInfo& worker : flow.workers()) {
        if (worker.state == WorkerState::Dead || worker.state == WorkerState::Restarting ||
            worker.state == WorkerState::Starting)
            return false;
    }
    return true;
}

/// Child mode for parentDeathTakesWorkersDown: run a flow under load forever, printing
/// the worker pids, until killed.
int runLoadChild(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    static Flow flow(
        document({step(QStringLiteral("a"), QStringLiteral("increment"), {}, 2),
                  step(QStringLiteral("b"), QStringLiteral("cpu_burn"), params({{"us", 50}}), 1)}));
    auto body = []() -> QCoro::Task<void> {
        const StartResult started = co_await flow.start();
        if (!started.ok) {
            std::fprintf(stderr, "child: %s\n", qPrintable(started.error));
            QCoreApplication::exit(3);
            co_return;
        }
        for (const WorkerInfo& worker : flow.workers())
            std::printf("worker %lld\n", worker.pid);
        std::printf("ready\n");
        std::fflush(stdout);
        std::vector<QCoro::Task<void>> loops;
        for (int i = 0; i < 32; ++i) {
            loops.push_back([]() -> QCoro::Task<void> {
                for (std::int64_t n = 0;; ++n)
                    co_await flow.process(intTask(n));
            }());
        }
        for (auto& loop : loops)
            co_await loop;
    };
    auto running = body();
    return app.exec();
}

} // namespace

class TestSupervision : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void killRandomWorkerEverySecondUnderLoad();
    void failingShareGetsExactlyThoseErrors();
    void poisonTaskFailsItsBatchAndWorkerRestarts();
    void hangingHandlerHitsHandleTimeout();
    void restartLimitFailsFlowAndCallers();
    void restartPolicyNever();
    void parentDeathTakesWorkersDown();
    void stoppedWorkerShowsAsStopped();

private:
    std::unique_ptr<ProcessLeakGuard> m_guard;
};

void TestSupervision::init() {
    m_guard = std::make_unique<ProcessLeakGuard>();
}

void TestSupervision::cleanup() {
    const bool clean = m_guard->waitClean(3000);
    const QString leaks = m_guard->describe();
    m_guard->cleanUp();
    QVERIFY2(clean, qPrintable(leaks));
}

void TestSupervision::killRandomWorkerEverySecondUnderLoad() {
    Flow flow(document(
        {step(QStringLiteral("parse"), QStringLiteral("increment"), {}, 2),
         step(QStringLiteral("work"), QStringLiteral("cpu_burn"), params({{"us", 30}}), 2, 4)}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::uint64_t ok = 0;
    std::uint64_t crashed = 0;
    std::uint64_t other = 0;
    qint64 latestFinishPastDeadlineMs = 0;
    QString otherError;
    bool loading = true;
    auto loop = [&]() -> QCoro::Task<void> {
        for (std::int64_t n = 0; loading; ++n) {
            QElapsedTimer waited;
            waited.start();
            const TaskResult result = co_await flow.process(intTask(n), 2000ms);
            latestFinishPastDeadlineMs =
                std::max(latestFinishPastDeadlineMs, waited.elapsed() - 2000);
            if (result.ok())
                ++ok;
            else if (result.error() == ErrorKind::WorkerCrashed)
                ++crashed;
            else {
                ++other;
                otherError =
                    errorKindName(result.error()) + QStringLiteral(": ") + result.message();
            }
        }
    };
    std::vector<QCoro::Task<void>> loops;
    for (int i = 0; i < 64; ++i)
        loops.push_back(loop());

    int kills = 0;
    QRandomGenerator random(20261124);
    for (int second = 0; second < 10; ++second) {
        QTest::qWait(1000);
        QList<WorkerInfo> alive;
        for (const WorkerInfo& worker : flow.workers()) {
            if (worker.state != WorkerState::Dead && worker.state != WorkerState::Restarting &&
                worker.state != WorkerState::Starting)
                alive.append(worker);
        }
        if (alive.isEmpty())
            continue;
        const WorkerInfo victim = alive.at(int(random.bounded(quint32(alive.size()))));
        QVERIFY(flow.killWorker(victim.stepId, victim.workerIndex));
        ++kills;
    }
    loading = false;
    for (auto& running : loops)
        QVERIFY(runFor(std::move(running), 10000));
    // The last kill may not have been noticed yet (SIGKILL is asynchronous): wait for it.
    auto totalRestarts = [&flow] {
        int restarts = 0;
        for (const WorkerInfo& worker : flow.workers())
            restarts += worker.restarts;
        return restarts;
    };
    QTRY_COMPARE_WITH_TIMEOUT(totalRestarts(), kills, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(allWorkersAlive(flow), 5000);
    QCOMPARE(flow.state(), FlowState::Running);
    QVERIFY2(other == 0, qPrintable(otherError));
    QVERIFY(ok > 1000);
    // `crashed` may be 0: a worker killed between batches held nothing.
    QVERIFY2(latestFinishPastDeadlineMs < 500,
             qPrintable(QString::number(latestFinishPastDeadlineMs)));
    qInfo("kills=%d ok=%llu crashed=%llu", kills, (unsigned long long)ok,
          (unsigned long long)crashed);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestSupervision::failingShareGetsExactlyThoseErrors() {
    const QJsonObject failParams = params({{"probability", 0.1},
                                           {"message", QStringLiteral("ten percent")},
                                           {"mode", QStringLiteral("task")},
                                           {"seed_field", QStringLiteral("value")}});
    // Which tasks must fail: ask the handler itself, in this process.
    FailHandler reference;
    reference.onStart(HandlerParams(HandlerRegistry::withDefaults(FailHandler::info(), failParams),
                                    QStringLiteral("f"), 0));
    std::vector<Task> probe;
    for (int i = 0; i < 2000; ++i)
        probe.push_back(intTask(i));
    reference.handle(std::span<Task>(probe.data(), probe.size()));

    Flow flow(document({step(QStringLiteral("f"), QStringLiteral("fail"), failParams, 2)}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<Task> tasks;
    for (int i = 0; i < 2000; ++i)
        tasks.push_back(intTask(i));
    auto results = runFor(flow.processMany(std::move(tasks), 20s), 60000);
    QVERIFY(results);
    int failed = 0;
    for (int i = 0; i < 2000; ++i) {
        const TaskResult& result = (*results)[std::size_t(i)];
        QCOMPARE(!result.ok(), probe[std::size_t(i)].isFailed());
        if (!result.ok()) {
            ++failed;
            QCOMPARE(result.error(), ErrorKind::HandlerError);
            QVERIFY(result.message().contains(QLatin1String("ten percent")));
        }
    }
    QVERIFY2(failed > 120 && failed < 280, qPrintable(QString::number(failed)));
    for (const WorkerInfo& worker : flow.workers())
        QCOMPARE(worker.restarts, 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestSupervision::poisonTaskFailsItsBatchAndWorkerRestarts() {
    auto fragile = step(QStringLiteral("fragile"), QStringLiteral("crash"),
                        params({{"probability", 0.0},
                                {"field", QStringLiteral("poison")},
                                {"mode", QStringLiteral("segfault")}}),
                        1, 4);
    fragile.batchTimeoutMs = 300;
    Flow flow(document({fragile}));
    AQUEDUCT_START_OR_FAIL(flow);
    std::vector<Task> batch;
    for (int i = 0; i < 4; ++i)
        batch.push_back(intTask(i));
    batch[2].set("poison", Value(true));
    auto results = runFor(flow.processMany(std::move(batch), 10s));
    QVERIFY(results);
    for (const TaskResult& result : *results) {
        QCOMPARE(result.error(), ErrorKind::WorkerCrashed);
        QVERIFY2(result.message().contains(QLatin1String("SIGSEGV")), qPrintable(result.message()));
    }
    std::vector<Task> next;
    for (int i = 0; i < 8; ++i)
        next.push_back(intTask(i));
    auto after = runFor(flow.processMany(std::move(next), 10s));
    QVERIFY(after);
    for (const TaskResult& result : *after)
        QVERIFY2(result.ok(), qPrintable(result.message()));
    QCOMPARE(flow.workers().value(0).restarts, 1);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestSupervision::hangingHandlerHitsHandleTimeout() {
    auto hang = step(QStringLiteral("hang"), QStringLiteral("test_sleep_field"));
    hang.handleTimeoutMs = 200;
    Flow flow(document({hang}));
    AQUEDUCT_START_OR_FAIL(flow);
    Task stuck = intTask(1);
    stuck.set("sleep_ms", Value(std::int64_t(60000)));
    QElapsedTimer elapsed;
    elapsed.start();
    auto result = runFor(flow.process(std::move(stuck), 30s));
    QVERIFY(result);
    QCOMPARE(result->error(), ErrorKind::HandleTimeout);
    QVERIFY2(result->message().contains(QLatin1String("handle_timeout")),
             qPrintable(result->message()));
    QVERIFY(elapsed.elapsed() < 5000);
    Task quick = intTask(2);
    quick.set("sleep_ms", Value(std::int64_t(1)));
    auto next = runFor(flow.process(std::move(quick), 10s));
    QVERIFY(next);
    QVERIFY2(next->ok(), qPrintable(next->message()));
    QCOMPARE(flow.workers().value(0).restarts, 1);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestSupervision::restartLimitFailsFlowAndCallers() {
    auto doc = document(
        {step(QStringLiteral("doomed"), QStringLiteral("crash"), params({{"probability", 1.0}}))});
    doc.flow.restart.maxRestarts = 2;
    doc.flow.restart.backoffInitialMs = 10;
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    QList<TaskResult> results;
    for (int i = 0; i < 6 && flow.state() == FlowState::Running; ++i) {
        auto result = runFor(flow.process(intTask(i), 5s));
        QVERIFY(result);
        results.append(*result);
        QTest::qWait(50);
    }
    QTRY_COMPARE_WITH_TIMEOUT(flow.state(), FlowState::Failed, 5000);
    QVERIFY2(flow.failureReason().contains(QLatin1String("doomed")),
             qPrintable(flow.failureReason()));
    for (const TaskResult& result : results)
        QVERIFY(!result.ok());
    auto late = runFor(flow.process(intTask(99)));
    QVERIFY(late);
    QCOMPARE(late->error(), ErrorKind::NotRunning);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
    QCOMPARE(flow.state(), FlowState::Stopped);
}

void TestSupervision::restartPolicyNever() {
    auto doc = document(
        {step(QStringLiteral("once"), QStringLiteral("crash"), params({{"probability", 1.0}}))});
    doc.flow.restart.policy = RestartPolicy::Never;
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    auto result = runFor(flow.process(intTask(1)));
    QVERIFY(result);
    QCOMPARE(result->error(), ErrorKind::WorkerCrashed);
    QTRY_COMPARE_WITH_TIMEOUT(flow.state(), FlowState::Failed, 3000);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestSupervision::parentDeathTakesWorkersDown() {
    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("AQUEDUCT_TEST_LOAD_CHILD"), QStringLiteral("1"));
    child.setProcessEnvironment(environment);
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForStarted());
    QList<pid_t> workers;
    QElapsedTimer elapsed;
    elapsed.start();
    QByteArray output;
    while (!output.contains("ready\n") && elapsed.elapsed() < 20000) {
        child.waitForReadyRead(200);
        output += child.readAllStandardOutput();
    }
    QVERIFY2(output.contains("ready\n"), output.constData());
    for (const QByteArray& line : output.split('\n')) {
        if (line.startsWith("worker "))
            workers.append(pid_t(line.mid(7).toInt()));
    }
    QCOMPARE(workers.size(), 3);
    const qint64 childPid = child.processId();
    QVERIFY(!ProcessLeakGuard::descendants(pid_t(childPid)).isEmpty());
    QVERIFY(
        !QDir(QStringLiteral("/dev/shm"))
             .entryList({QStringLiteral("aqueduct-%1-*").arg(childPid)}, QDir::Files | QDir::System)
             .isEmpty());
    QTest::qWait(300); // under load
    ::kill(pid_t(childPid), SIGKILL);
    QVERIFY(child.waitForFinished(5000));
    // All of its workers are gone within 2 s.
    QElapsedTimer gone;
    gone.start();
    auto anyAlive = [&] {
        for (pid_t pid : workers) {
            if (::kill(pid, 0) == 0) {
                QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
                if (stat.open(QIODevice::ReadOnly) && !stat.readAll().contains(") Z "))
                    return true;
            }
        }
        return false;
    };
    while (anyAlive() && gone.elapsed() < 2000)
        QTest::qWait(20);
    QVERIFY2(!anyAlive(), "workers outlived their parent by more than 2 s");
    // Its segments go too, without waiting for another run: its fork server removes them.
    auto leftovers = [childPid] {
        return QDir(QStringLiteral("/dev/shm"))
            .entryList({QStringLiteral("aqueduct-%1-*").arg(childPid)}, QDir::Files | QDir::System);
    };
    QTRY_VERIFY2_WITH_TIMEOUT(leftovers().isEmpty(), qPrintable(leftovers().join(QLatin1Char(' '))),
                              3000);
}

void TestSupervision::stoppedWorkerShowsAsStopped() {
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    const qint64 pid = flow.workers().value(0).pid;
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
    QTRY_COMPARE_WITH_TIMEOUT(flow.workers().value(0).state, WorkerState::Stopped, 3000);
    QCOMPARE(::kill(pid_t(pid), SIGCONT), 0);
    QTRY_VERIFY_WITH_TIMEOUT(flow.workers().value(0).state != WorkerState::Stopped, 3000);
    const auto result = runFor(flow.process(intTask(1)));
    QVERIFY(result && result->ok());
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

int main(int argc, char** argv) {
    registerBuiltinHandlers(HandlerRegistry::global());
    registerTestHandlers();
    if (const int workerExit = bootstrapProcess(argc, argv); workerExit >= 0)
        return workerExit;
    if (qEnvironmentVariableIsSet("AQUEDUCT_TEST_LOAD_CHILD"))
        return runLoadChild(argc, argv);
    QCoreApplication app(argc, argv);
    TestSupervision test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_supervision.moc"
