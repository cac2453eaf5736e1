// No task lost, ever (issue 15): short tasks through 2 steps x 2 workers with small
// queues while a worker is SIGKILLed every 20-50 ms (hundreds of kills, so they land in
// every window of the slot protocol) and another is SIGSTOPped/SIGCONTed now and then.
// Every submitted task must end exactly once, with its result or WorkerCrashed; nothing
// times out; the flow keeps running; no slot, blob, process or segment is left behind.
// AQUEDUCT_FAULT_SECONDS sets the length (default 20).
#include "BuiltinHandlers.h"
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include <aqueduct/Flow.h>

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTimer>

#include <cstring>

#include <signal.h>

using namespace Aqueduct;
using namespace Aqueduct::Test;
using namespace std::chrono_literals;

namespace {

constexpr int kPayloadBytes = 4096;

PipelineDocument faultDocument() {
    PipelineDocument doc;
    doc.name = QStringLiteral("faults");
    StepSpec first = step(QStringLiteral("a"), QStringLiteral("increment"), {}, 2, 1);
    first.queueSize = 8;
    StepSpec second = step(QStringLiteral("b"), QStringLiteral("increment"), {}, 2, 4);
    second.queueSize = 8;
    second.batchTimeoutMs = 1;
    doc.steps = {first, second};
    doc.flow.queuePriorities = 2;
    doc.flow.autoShareBytes = kPayloadBytes; // every task carries one shared blob
    doc.flow.arenaBytes = 16ll << 20;
    doc.flow.restart.maxRestarts = 1'000'000;
    doc.flow.restart.backoffInitialMs = 0;
    doc.flow.restart.backoffMaxMs = 0;
    doc.flow.metrics.intervalMs = 200;
    return doc;
}

QByteArray payloadFor(qint64 n) {
    QByteArray bytes(kPayloadBytes, char(n & 0x7f));
    std::memcpy(bytes.data(), &n, sizeof n);
    return bytes;
}

} // namespace

class TestFaults : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { m_guard = std::make_unique<ProcessLeakGuard>(); }
    void cleanup() {
        const bool clean = m_guard->waitClean(3000);
        const QString leaks = m_guard->describe();
        m_guard->cleanUp();
        QVERIFY2(clean, qPrintable(leaks));
    }
    void killsEvery20To50MsLoseNothing();

private:
    std::unique_ptr<ProcessLeakGuard> m_guard;
};

void TestFaults::killsEvery20To50MsLoseNothing() {
    const int seconds = qEnvironmentVariableIntValue("AQUEDUCT_FAULT_SECONDS") > 0
                            ? qEnvironmentVariableIntValue("AQUEDUCT_FAULT_SECONDS")
                            : 20;
    Flow flow(faultDocument());
    AQUEDUCT_START_OR_FAIL(flow);

    std::uint64_t submitted = 0;
    std::uint64_t ok = 0;
    std::uint64_t wrong = 0;
    std::array<std::uint64_t, kErrorKindCount> errors{};
    QString firstUnexpected;
    bool loading = true;
    auto caller = [&](int id) -> QCoro::Task<void> {
        for (qint64 n = id * 100'000'000ll; loading; ++n) {
            Task task = intTask(n, int(n % 2));
            task.set("payload", Value::fromBytes(payloadFor(n)));
            ++submitted;
            const TaskResult result = co_await flow.process(std::move(task), 5000ms);
            if (result.ok()) {
                const Task& out = result.task();
                const Value* payload = out.find("payload");
                const bool payloadIntact =
                    payload &&
                    payload->view() == std::string_view(payloadFor(n).constData(), kPayloadBytes);
                if (out.intField("value") == n + 2 && payloadIntact)
                    ++ok;
                else
                    ++wrong;
            } else {
                ++errors[int(result.error())];
                if (result.error() != ErrorKind::WorkerCrashed && firstUnexpected.isEmpty())
                    firstUnexpected =
                        errorKindName(result.error()) + QStringLiteral(": ") + result.message();
            }
        }
    };
    std::vector<QCoro::Task<void>> callers;
    for (int i = 0; i < 48; ++i)
        callers.push_back(caller(i));

    QRandomGenerator random(20261202);
    int kills = 0;
    int stops = 0;
    pid_t stopped = 0;
    auto livePids = [&flow] {
        QList<qint64> pids;
        for (const WorkerInfo& worker : flow.workers()) {
            if (worker.pid > 0 && worker.state != WorkerState::Dead &&
                worker.state != WorkerState::Restarting && worker.state != WorkerState::Starting)
                pids.append(worker.pid);
        }
        return pids;
    };
    QTimer killer;
    killer.setSingleShot(true);
    QObject::connect(&killer, &QTimer::timeout, [&] {
        const QList<qint64> pids = livePids();
        if (!pids.isEmpty()) {
            const pid_t victim = pid_t(pids.at(int(random.bounded(quint32(pids.size())))));
            if (victim != stopped && ::kill(victim, SIGKILL) == 0)
                ++kills;
        }
        killer.start(int(random.bounded(20, 51)));
    });
    QTimer stopper;
    stopper.setSingleShot(true);
    QObject::connect(&stopper, &QTimer::timeout, [&] {
        if (stopped != 0) {
            ::kill(stopped, SIGCONT);
            stopped = 0;
            stopper.start(int(random.bounded(200, 400)));
            return;
        }
        const QList<qint64> pids = livePids();
        if (!pids.isEmpty()) {
            stopped = pid_t(pids.at(int(random.bounded(quint32(pids.size())))));
            if (::kill(stopped, SIGSTOP) == 0)
                ++stops;
            else
                stopped = 0;
        }
        stopper.start(int(random.bounded(20, 80))); // how long it stays stopped
    });
    killer.start(20);
    stopper.start(100);
    QTest::qWait(seconds * 1000);
    killer.stop();
    stopper.stop();
    if (stopped != 0)
        ::kill(stopped, SIGCONT);
    loading = false;
    for (auto& running : callers)
        QVERIFY(runFor(std::move(running), 20000));

    std::uint64_t failed = 0;
    for (std::uint64_t count : errors)
        failed += count;
    qInfo("seconds=%d kills=%d stops=%d submitted=%llu ok=%llu crashed=%llu timeout=%llu "
          "other=%llu wrong=%llu",
          seconds, kills, stops, (unsigned long long)submitted, (unsigned long long)ok,
          (unsigned long long)errors[int(ErrorKind::WorkerCrashed)],
          (unsigned long long)errors[int(ErrorKind::Timeout)],
          (unsigned long long)(failed - errors[int(ErrorKind::WorkerCrashed)] -
                               errors[int(ErrorKind::Timeout)]),
          (unsigned long long)wrong);
    // Every task accounted for, exactly once.
    QCOMPARE(ok + wrong + failed, submitted);
    QCOMPARE(wrong, 0ull);
    // Only WorkerCrashed: no Timeout (5 s deadlines, stops last < 80 ms), nothing else.
    QVERIFY2(failed == errors[int(ErrorKind::WorkerCrashed)], qPrintable(firstUnexpected));
    QVERIFY2(kills >= seconds * 10, qPrintable(QString::number(kills)));
    QVERIFY(ok > submitted / 2);
    QCOMPARE(flow.state(), FlowState::Running);
    QCOMPARE(flow.inFlight(), 0ull);
    // Nothing leaked: every slot free, the arena back to empty (the results, and with
    // them their blobs, are gone).
    const Flow::SharedMemoryUsage usage = flow.sharedMemoryUsage();
    QCOMPARE(usage.slotsInUse, 0u);
    QTRY_COMPARE_WITH_TIMEOUT(flow.sharedMemoryUsage().arenaBlobs, 0ull, 2000);
    QCOMPARE(flow.sharedMemoryUsage().arenaBytesUsed, 0ull);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

AQUEDUCT_TEST_MAIN(TestFaults)
#include "tst_faults.moc"
