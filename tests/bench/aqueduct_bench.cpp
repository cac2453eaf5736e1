// aqueduct-bench: engine scenarios, each measured against a Python peer (the strongest
// idiomatic use of a standard-library process pool) in the same invocation. One JSON
// object per line per scenario; every result is verified, and a scenario with a wrong or
// failed result says so ("status": "failed") and makes the exit status 1.
//   aqueduct-bench --json [--scenario NAME]... [--seconds S] [--tasks N] [--no-peer]
//                  [--aqueduct PATH] [--list]
#include "BuiltinHandlers.h"
#include "ChecksumHandler.h"
#include "ClassifyScenario.h"
#include "CpuMeter.h"
#include "PythonPeers.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/driver/FlowDriver.h>
#include <aqueduct/driver/LatencyHistogram.h>
#include <aqueduct/driver/SyntheticTaskSource.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <qcoro/qcorotask.h>
#include <qcoro/qcorotimer.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <unistd.h>

using namespace Aqueduct;
using namespace AqueductBench;
using namespace std::chrono_literals;

namespace {

struct Options {
    QStringList scenarios;
    double seconds = 3.0;
    qint64 bulkTasks = 0; ///< 0 = from --seconds
    bool json = false;
    bool peer = true;
    QString aqueductBinary = QStringLiteral(AQUEDUCT_APP_BINARY);

    qint64 tasksForBulk() const {
        return bulkTasks > 0 ? bulkTasks : std::max<qint64>(200000, qint64(seconds * 500000));
    }
};

/// Set when any scenario fails; main() turns it into exit status 1.
bool g_anyScenarioFailed = false;

using TaskFactory = std::function<Task(std::uint64_t)>;
/// True when the handled task is right for input `index`; else `why` says what is wrong.
using Verifier = std::function<bool(std::uint64_t index, const Task& task, QString* why)>;

struct Workload {
    TaskFactory make;
    Verifier verify;
    /// Errors the scenario causes on purpose (soak's flaky step): counted apart, not failed.
    std::function<bool(const TaskResult&)> injected = {};
};

struct Measurement {
    double tasksPerS = 0; ///< verified tasks per second
    double p50Us = 0;
    double p99Us = 0;
    std::uint64_t tasks = 0;    ///< counted (finished inside the measured window)
    std::uint64_t failed = 0;   ///< counted and wrong or failed
    std::uint64_t injected = 0; ///< counted and failed on purpose (Workload::injected)
    QString firstError;
    double seconds = 0;
    CpuSample cpu;
    // Where the time went, summed over counted tasks (from the engine's per-task timings).
    double latencyUsSum = 0;
    double shmQueueWaitUsSum = 0; ///< in the shared-memory step queues
    double handleUsSum = 0;
    // The engine's own per-step queue-wait histogram (last metrics snapshot, first step).
    double snapshotQueueWaitP50Us = 0;
    double snapshotQueueWaitP99Us = 0;

    std::uint64_t verified() const { return tasks - failed - injected; }
    double perTask(double sum) const { return tasks ? sum / double(tasks) : 0; }
    void fail(const QString& error) {
        ++failed;
        if (firstError.isEmpty())
            firstError = error;
    }
};

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double quantile(std::vector<std::uint32_t>& samples, double q) {
    if (samples.empty())
        return 0;
    const std::size_t index = std::min(samples.size() - 1, std::size_t(q * double(samples.size())));
    std::nth_element(samples.begin(), samples.begin() + std::ptrdiff_t(index), samples.end());
    return double(samples[index]) / 1000.0;
}

QString resultError(const TaskResult& result) {
    return errorKindName(result.error()) + QStringLiteral(": ") + result.message();
}

/// What drive() measures: the outcomes of the tasks that started and finished inside the
/// window [measureFromNs, endNs] (the driver's duration limit ends intake at endNs).
class WindowSink final : public Driver::DriveSink {
public:
    WindowSink(Flow& flow, const Workload& work, std::int64_t measureFromNs, std::int64_t endNs)
        : m_flow(flow)
        , m_work(work)
        , m_measureFromNs(measureFromNs)
        , m_endNs(endNs) {}

    void taskFinished(const Driver::DriveItem& item, TaskResult& result, std::int64_t start,
                      std::int64_t end) override {
        if (start >= m_measureFromNs && !cpuWindow.started())
            cpuWindow.start(workerPids(m_flow));
        if (start < m_measureFromNs || end > m_endNs)
            return;
        ++m.tasks;
        QString why;
        if (!result.ok()) {
            if (m_work.injected && m_work.injected(result))
                ++m.injected;
            else
                m.fail(resultError(result));
        } else if (!m_work.verify(item.index, result.task(), &why))
            m.fail(why);
        for (const StepTiming& timing : result.task().timings()) {
            m.shmQueueWaitUsSum += timing.queueWaitUs;
            m.handleUsSum += timing.handleUs;
        }
        m.latencyUsSum += double(end - start) / 1000.0;
        latency.record(end - start);
    }

    Measurement m;
    CpuWindow cpuWindow;
    Driver::LatencyHistogram latency;

private:
    Flow& m_flow;
    const Workload& m_work;
    std::int64_t m_measureFromNs;
    std::int64_t m_endNs;
};

/// Keeps `inFlight` callers busy for `seconds` (after a warm-up) and measures.
QCoro::Task<Measurement> drive(Flow& flow, int inFlight, double seconds, Workload work) {
    const std::int64_t warmupNs = std::int64_t(std::min(0.5, seconds * 0.2) * 1e9);
    const std::int64_t measureFromNs = nowNs() + warmupNs;
    const std::int64_t endNs = measureFromNs + std::int64_t(seconds * 1e9);
    WindowSink sink(flow, work, measureFromNs, endNs);
    Driver::SyntheticTaskSource source(
        [&work](std::uint64_t index, Task& task) { task = work.make(index); });
    Driver::DriveSettings settings;
    settings.concurrency = inFlight;
    settings.durationS = double(endNs - nowNs()) / 1e9;
    Driver::FlowDriver driver(flow, source, settings);
    driver.setSink(&sink);
    bool cpuDone = false;
    const auto stopCpu = [&] {
        if (!cpuDone && sink.cpuWindow.started())
            sink.m.cpu = sink.cpuWindow.stop(workerPids(flow));
        cpuDone = true;
    };
    QObject::connect(&driver, &Driver::FlowDriver::intakeClosedWith, stopCpu);
    co_await driver.run();
    stopCpu();
    Measurement m = sink.m;
    m.seconds = seconds;
    m.tasksPerS = double(m.verified()) / seconds;
    m.p50Us = sink.latency.quantileNs(0.50) / 1000.0;
    m.p99Us = sink.latency.quantileNs(0.99) / 1000.0;
    if (const MetricsSnapshotPtr snapshot = flow.lastSnapshot();
        snapshot && !snapshot->steps.isEmpty()) {
        m.snapshotQueueWaitP50Us = snapshot->steps.front().queueWait.p50Us;
        m.snapshotQueueWaitP99Us = snapshot->steps.front().queueWait.p99Us;
    }
    co_return m;
}

StepSpec makeStep(const QString& id, const QString& handler, QJsonObject params = {},
                  int nprocs = 1, int batch = 1) {
    StepSpec step;
    step.id = id;
    step.handler = handler;
    step.params = std::move(params);
    step.nprocs = nprocs;
    step.batchSize = batch;
    return step;
}

PipelineDocument chain(QList<StepSpec> steps) {
    PipelineDocument document;
    document.name = QStringLiteral("bench");
    document.steps = std::move(steps);
    document.flow.metrics.enabled = true;
    return document;
}

QJsonObject outputParams(const QString& field) {
    QJsonObject params;
    params.insert(QStringLiteral("output_field"), field);
    return params;
}

// Documents are built outside coroutines: GCC 12 miscompiles initializer lists in them.
PipelineDocument oneStep(const QString& handler, QJsonObject params = {}, int nprocs = 1,
                         int batch = 1) {
    return chain({makeStep(QStringLiteral("s1"), handler, std::move(params), nprocs, batch)});
}

PipelineDocument threeSteps(int nprocs) {
    return chain({makeStep(QStringLiteral("a"), QStringLiteral("increment"), {}, nprocs),
                  makeStep(QStringLiteral("b"), QStringLiteral("increment"), {}, nprocs),
                  makeStep(QStringLiteral("c"), QStringLiteral("increment"), {}, nprocs)});
}

// metrics-overhead: trivial-1step with metrics sampled every 100 ms, or switched off.
PipelineDocument metricsDocument(bool enabled) {
    PipelineDocument document = oneStep(QStringLiteral("increment"));
    document.flow.metrics.enabled = enabled;
    document.flow.metrics.intervalMs = 100;
    return document;
}

// overload with the slots raised to the in-flight bound: every caller's task can sit in
// the shared-memory queue, none waits in the parent.
PipelineDocument matchedSlotsDocument(int inFlight) {
    PipelineDocument document = oneStep(QStringLiteral("increment"));
    document.steps.front().queueSize = inFlight;
    return document;
}

// selfcheck-wrong: increments by 2 where the bench expects 1.
PipelineDocument wrongIncrementDocument() {
    QJsonObject params;
    params.insert(QStringLiteral("by"), 2);
    return oneStep(QStringLiteral("increment"), params);
}

QJsonObject burnParams(int micros) {
    QJsonObject params;
    params.insert(QStringLiteral("us"), micros);
    return params;
}

Task incrementTask(std::uint64_t i) {
    Task task;
    task.set("value", Value(std::int64_t(i)));
    return task;
}

bool checkValue(const Task& task, std::int64_t expected, QString* why) {
    const Value* value = task.find("value");
    if (value != nullptr && value->type() == ValueType::Int && value->toInt() == expected)
        return true;
    *why = QStringLiteral("wrong result: value %1, expected %2")
               .arg(value == nullptr ? QStringLiteral("missing")
                                     : QString::number(task.intField("value")))
               .arg(expected);
    return false;
}

/// value + `steps` (each step an increment); 0 for handlers that must leave it alone.
Workload incrementWork(int steps) {
    return {incrementTask, [steps](std::uint64_t i, const Task& task, QString* why) {
                return checkValue(task, std::int64_t(i) + steps, why);
            }};
}

QCoro::Task<Measurement> measureFlow(PipelineDocument document, int inFlight, double seconds,
                                     Workload work) {
    Flow flow(std::move(document));
    const StartResult started = co_await flow.start();
    if (!started.ok) {
        Measurement failed;
        failed.fail(QStringLiteral("start failed: ") + started.error);
        co_return failed;
    }
    Measurement measurement = co_await drive(flow, inFlight, seconds, std::move(work));
    co_await flow.stop();
    co_return measurement;
}

// ---------------------------------------------------------------------------------------
// Payloads: a 2-step flow whose handlers read every byte (checksum). A task's payload is
// filled with byte (index % 16), so its checksum is known in advance without the parent
// reading every payload it sends.

enum class PayloadMode { Blob, Inline };
enum class PayloadFreshness { Fresh, Reuse };
constexpr int kPayloadPatterns = 16;

PipelineDocument payloadFlow(qint64 payloadBytes, PayloadMode mode, int inFlight) {
    PipelineDocument document =
        chain({makeStep(QStringLiteral("read1"), QStringLiteral("checksum")),
               makeStep(QStringLiteral("read2"), QStringLiteral("checksum"),
                        outputParams(QStringLiteral("checksum2")))});
    for (StepSpec& step : document.steps)
        step.queueSize = 2;
    if (mode == PayloadMode::Blob) {
        document.flow.arenaBytes =
            std::max<qint64>(64ll << 20, (payloadBytes + (1 << 20)) * (inFlight + 2));
    } else {
        document.flow.arenaBytes = 0;
        document.flow.maxTaskBytes = int(payloadBytes + 4096);
    }
    return document;
}

struct PayloadSums {
    std::array<std::uint64_t, kPayloadPatterns> byPattern{};
    std::uint64_t reused = 0; ///< the reused payload: every byte 'p'
};

PayloadSums payloadSums(qint64 bytes) {
    PayloadSums sums;
    std::string buffer(std::size_t(bytes), '\0');
    for (int pattern = 0; pattern < kPayloadPatterns; ++pattern) {
        std::memset(buffer.data(), pattern, buffer.size());
        sums.byPattern[std::size_t(pattern)] = ChecksumHandler::checksum(buffer);
    }
    std::memset(buffer.data(), 'p', buffer.size());
    sums.reused = ChecksumHandler::checksum(buffer);
    return sums;
}

Verifier payloadVerifier(std::shared_ptr<const PayloadSums> sums, PayloadFreshness freshness) {
    return [sums, freshness](std::uint64_t i, const Task& task, QString* why) {
        const std::uint64_t expected = freshness == PayloadFreshness::Fresh
                                           ? sums->byPattern[i % kPayloadPatterns]
                                           : sums->reused;
        if (!checkValue(task, std::int64_t(i), why))
            return false;
        const auto first = std::uint64_t(task.intField("checksum"));
        const auto second = std::uint64_t(task.intField("checksum2"));
        if (first == expected && second == expected)
            return true;
        *why = QStringLiteral("wrong checksum: %1 / %2, expected %3")
                   .arg(first)
                   .arg(second)
                   .arg(expected);
        return false;
    };
}

/// Fresh: a new payload per task, filled in place (a blob from the flow's arena, or inline
/// bytes); Reuse: one prepared payload (a blob shared once, or one QByteArray).
TaskFactory payloadFactory(qint64 bytes, PayloadMode mode, PayloadFreshness freshness,
                           const Value& reused) {
    if (freshness == PayloadFreshness::Reuse) {
        return [reused](std::uint64_t i) {
            Task task;
            task.set("value", Value(std::int64_t(i)));
            task.set("payload", reused);
            return task;
        };
    }
    if (mode == PayloadMode::Inline) {
        return [bytes](std::uint64_t i) {
            Task task;
            task.set("value", Value(std::int64_t(i)));
            task.set("payload",
                     Value::fromBytes(QByteArray(qsizetype(bytes), char(i % kPayloadPatterns))));
            return task;
        };
    }
    auto reported = std::make_shared<bool>(false);
    return [bytes, reported](std::uint64_t i) {
        Task task;
        task.set("value", Value(std::int64_t(i)));
        QString error;
        const std::span<char> blob = task.allocateBlob("payload", std::size_t(bytes), &error);
        if (blob.empty()) {
            // The task goes without its payload and fails in the first step: counted.
            if (!std::exchange(*reported, true))
                std::fprintf(stderr, "aqueduct-bench: allocateBlob failed: %s\n",
                             qPrintable(error));
            return task;
        }
        std::memset(blob.data(), int(i % kPayloadPatterns), blob.size());
        return task;
    };
}

// Built outside coroutines (GCC 12 destroys brace-built temporaries in them twice).
Workload payloadWorkload(qint64 bytes, PayloadMode mode, PayloadFreshness freshness,
                         const Value& reused, std::shared_ptr<const PayloadSums> sums) {
    return Workload{payloadFactory(bytes, mode, freshness, reused),
                    payloadVerifier(std::move(sums), freshness)};
}

// soak: long run at full load with 1% failing tasks; RSS and arena at start and end.
PipelineDocument soakFlow() {
    QJsonObject failParams;
    failParams.insert(QStringLiteral("probability"), 0.01);
    failParams.insert(QStringLiteral("seed_field"), QStringLiteral("value"));
    PipelineDocument document =
        chain({makeStep(QStringLiteral("parse"), QStringLiteral("increment")),
               makeStep(QStringLiteral("flaky"), QStringLiteral("fail"), failParams),
               makeStep(QStringLiteral("read"), QStringLiteral("checksum"))});
    return document;
}

/// soak: value + 1 and the payload's checksum; the flaky step's ~1% failures come back as
/// handler errors with its message and are counted apart (anything else wrong fails).
Workload soakWorkload(const Value& payload, std::uint64_t expectedSum) {
    Workload work;
    work.make = [payload](std::uint64_t i) {
        Task task;
        task.set("value", Value(std::int64_t(i)));
        task.set("payload", payload);
        return task;
    };
    work.verify = [expectedSum](std::uint64_t i, const Task& task, QString* why) {
        if (!checkValue(task, std::int64_t(i) + 1, why))
            return false;
        if (std::uint64_t(task.intField("checksum")) == expectedSum)
            return true;
        *why = QStringLiteral("wrong checksum");
        return false;
    };
    work.injected = [](const TaskResult& failed) {
        return failed.error() == ErrorKind::HandlerError &&
               failed.message().contains(QLatin1String("injected failure"));
    };
    return work;
}

QJsonObject processMemory(const Flow& flow) {
    QJsonObject rss;
    auto rssOf = [](qint64 pid) -> qint64 {
        QFile statm(QStringLiteral("/proc/%1/statm").arg(pid));
        if (!statm.open(QIODevice::ReadOnly))
            return 0;
        return statm.readAll().split(' ').value(1).toLongLong() * sysconf(_SC_PAGESIZE);
    };
    rss.insert(QStringLiteral("parent"), rssOf(QCoreApplication::applicationPid()));
    for (const WorkerInfo& worker : flow.workers())
        rss.insert(QStringLiteral("%1/%2").arg(worker.stepId).arg(worker.workerIndex),
                   rssOf(worker.pid));
    return rss;
}

// ---------------------------------------------------------------------------------------
// JSON

void addCpu(QJsonObject& object, const CpuSample& cpu, std::uint64_t tasks, double seconds) {
    const double perTask = tasks ? 1.0 / double(tasks) : 0.0;
    object.insert(QStringLiteral("cpu_us_per_task"), cpu.totalUs() * perTask);
    object.insert(QStringLiteral("cpu_parent_us_per_task"), cpu.parentUs * perTask);
    object.insert(QStringLiteral("cpu_workers_us_per_task"), cpu.workersUs * perTask);
    if (seconds > 0)
        object.insert(QStringLiteral("cpu_cores"), cpu.totalUs() / (seconds * 1e6));
}

void addMeasurement(QJsonObject& object, const Measurement& m) {
    object.insert(QStringLiteral("tasks_per_s"), qRound64(m.tasksPerS));
    object.insert(QStringLiteral("p50_us"), m.p50Us);
    object.insert(QStringLiteral("p99_us"), m.p99Us);
    object.insert(QStringLiteral("tasks"), qint64(m.tasks));
    object.insert(QStringLiteral("failed"), qint64(m.failed));
    if (!m.firstError.isEmpty())
        object.insert(QStringLiteral("first_error"), m.firstError);
    addCpu(object, m.cpu, m.tasks, m.seconds);
}

/// Folds a second measurement's failures into the line (a scenario fails as a whole).
void addFailures(QJsonObject& object, const QString& prefix, const Measurement& m) {
    if (!m.failed)
        return;
    object.insert(QStringLiteral("failed"),
                  object.value(QStringLiteral("failed")).toInteger() + qint64(m.failed));
    object.insert(prefix + QStringLiteral("_first_error"), m.firstError);
    if (!object.contains(QStringLiteral("first_error")))
        object.insert(QStringLiteral("first_error"), m.firstError);
}

/// Whole tasks per second, but slow peers (a few 16 MiB tasks a second) keep two decimals.
QJsonValue rate(double tasksPerS) {
    if (tasksPerS >= 100)
        return qRound64(tasksPerS);
    return std::round(tasksPerS * 100.0) / 100.0;
}

/// `peer` and `ratio` = ours / the peer's, of `ratioOf` (tasks_per_s unless said).
void addPeer(QJsonObject& object, const PeerResult& peer, double ours,
             const QString& ratioOf = QStringLiteral("tasks_per_s")) {
    object.insert(QStringLiteral("peer"), peer.peer);
    if (!peer.ok()) {
        object.insert(QStringLiteral("peer_error"), peer.error);
        return;
    }
    if (peer.value("tasks") <= 0 && ratioOf == QLatin1String("tasks_per_s")) {
        object.insert(
            QStringLiteral("peer_error"),
            QStringLiteral("%1 finished no task inside its measured window (raise --seconds)")
                .arg(peer.peer));
        return;
    }
    const double peerValue = peer.data.value(ratioOf).toDouble();
    object.insert(QStringLiteral("peer_tasks_per_s"), rate(peer.value("tasks_per_s")));
    object.insert(QStringLiteral("peer_p50_us"), peer.value("p50_us"));
    object.insert(QStringLiteral("peer_p99_us"), peer.value("p99_us"));
    object.insert(QStringLiteral("peer_tasks"), qint64(peer.value("tasks")));
    object.insert(QStringLiteral("peer_cpu_us_per_task"), peer.value("cpu_us_per_task"));
    object.insert(QStringLiteral("ratio_of"), ratioOf);
    if (ratioOf != QLatin1String("tasks_per_s"))
        object.insert(QStringLiteral("peer_") + ratioOf, peerValue);
    if (peerValue > 0)
        object.insert(QStringLiteral("ratio"), ours / peerValue);
}

/// A second peer shown beside the main one, e.g. "mp_pool_imap_tasks_per_s".
void addExtraPeer(QJsonObject& object, const PeerResult& peer, double ours) {
    QString key = peer.peer;
    key.replace(QLatin1Char('-'), QLatin1Char('_'));
    if (!peer.ok()) {
        object.insert(key + QStringLiteral("_error"), peer.error);
        return;
    }
    const double peerRate = peer.value("tasks_per_s");
    object.insert(key + QStringLiteral("_tasks_per_s"), rate(peerRate));
    object.insert(key + QStringLiteral("_cpu_us_per_task"), peer.value("cpu_us_per_task"));
    if (peerRate > 0)
        object.insert(QStringLiteral("ratio_vs_") + key, ours / peerRate);
}

void emitResult(QJsonObject object, bool peersEnabled) {
    const bool failed = object.value(QStringLiteral("failed")).toInteger() > 0 ||
                        object.contains(QStringLiteral("first_error")) ||
                        (peersEnabled && object.contains(QStringLiteral("peer_error")));
    object.insert(QStringLiteral("status"),
                  failed ? QStringLiteral("failed") : QStringLiteral("ok"));
    if (failed)
        g_anyScenarioFailed = true;
    // Other jobs on the machine change every figure: say how busy it was.
    QFile loadavg(QStringLiteral("/proc/loadavg"));
    if (loadavg.open(QIODevice::ReadOnly))
        object.insert(QStringLiteral("loadavg_1m"),
                      loadavg.readAll().split(' ').value(0).toDouble());
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------
// bulk-1step: N tasks in one processMany call, created, sent and checked inside the
// measured time (as ppe-map's range(N) and result loop are).

struct BulkMeasurement {
    Measurement m;
    double createS = 0;  ///< building the N tasks
    double processS = 0; ///< the processMany call
    double verifyS = 0;  ///< checking the N results
    Measurement lanes;   ///< the same N tasks through 256 process() callers
};

/// Checks each result of the bulk scenario's 256-caller contrast run.
class IncrementCheckSink final : public Driver::DriveSink {
public:
    void taskFinished(const Driver::DriveItem& item, TaskResult& result, std::int64_t,
                      std::int64_t) override {
        ++m.tasks;
        if (!result.ok())
            m.fail(resultError(result));
        else if (!checkValue(result.task(), std::int64_t(item.index) + 1, &m_why))
            m.fail(m_why);
    }
    Measurement m;

private:
    QString m_why;
};

QCoro::Task<BulkMeasurement> measureBulk(qint64 count) {
    BulkMeasurement bulk;
    Measurement& m = bulk.m;
    Flow flow(oneStep(QStringLiteral("increment")));
    const StartResult started = co_await flow.start();
    if (!started.ok) {
        m.fail(QStringLiteral("start failed: ") + started.error);
        co_return bulk;
    }
    { // warm-up, as the peers warm their pools
        std::vector<Task> warm;
        for (int i = 0; i < 4096; ++i)
            warm.push_back(incrementTask(std::uint64_t(i)));
        co_await flow.processMany(std::move(warm), 600s);
    }
    CpuWindow cpu;
    cpu.start(workerPids(flow));
    const std::int64_t t0 = nowNs();
    std::vector<Task> tasks;
    tasks.reserve(std::size_t(count));
    for (qint64 i = 0; i < count; ++i)
        tasks.push_back(incrementTask(std::uint64_t(i)));
    const std::int64_t t1 = nowNs();
    // A deadline long enough for the last of N queued tasks: this measures throughput.
    const std::vector<TaskResult> results = co_await flow.processMany(std::move(tasks), 600s);
    const std::int64_t t2 = nowNs();
    m.tasks = std::uint64_t(count);
    QString why;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i].ok())
            m.fail(resultError(results[i]));
        else if (!checkValue(results[i].task(), std::int64_t(i) + 1, &why))
            m.fail(why);
    }
    if (results.size() != std::size_t(count)) {
        m.fail(QStringLiteral("processMany gave %1 results for %2 tasks")
                   .arg(results.size())
                   .arg(count));
        // Every task without a result is a failed one (fail() counted the first).
        const qint64 missing = count - qint64(results.size());
        if (missing > 1)
            m.failed += std::uint64_t(missing - 1);
    }
    const std::int64_t t3 = nowNs();
    m.seconds = double(t3 - t0) / 1e9;
    m.cpu = cpu.stop(workerPids(flow));
    m.tasksPerS = m.seconds > 0 ? double(m.verified()) / m.seconds : 0;
    bulk.createS = double(t1 - t0) / 1e9;
    bulk.processS = double(t2 - t1) / 1e9;
    bulk.verifyS = double(t3 - t2) / 1e9;

    // The same N through 256 callers of process() (what `aqueduct run` does), for contrast.
    IncrementCheckSink lanes;
    Driver::SyntheticTaskSource source(
        [](std::uint64_t index, Task& task) { task = incrementTask(index); });
    Driver::DriveSettings settings;
    settings.concurrency = 256;
    settings.maxItems = std::uint64_t(count);
    settings.timeoutMs = 600'000;
    Driver::FlowDriver driver(flow, source, settings);
    driver.setSink(&lanes);
    CpuWindow lanesCpu;
    lanesCpu.start(workerPids(flow));
    const std::int64_t l0 = nowNs();
    co_await driver.run();
    bulk.lanes = lanes.m;
    bulk.lanes.seconds = double(nowNs() - l0) / 1e9;
    bulk.lanes.cpu = lanesCpu.stop(workerPids(flow));
    bulk.lanes.tasksPerS = double(bulk.lanes.verified()) / bulk.lanes.seconds;
    co_await flow.stop();
    co_return bulk;
}

// ---------------------------------------------------------------------------------------
// run-generate: the real `aqueduct run --generate N` binary, end to end (its results are
// written to a file and every line is checked afterwards).

/// Checks `{"value":V,...,"_status":"ok",...}` lines: every V - 1 in 0..N-1 exactly once.
Measurement verifyRunOutput(const QString& path, qint64 count) {
    Measurement m;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m.fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        return m;
    }
    std::vector<bool> seen(std::size_t(count), false);
    static const QByteArray valueKey = "\"value\":";
    static const QByteArray okStatus = "\"_status\":\"ok\"";
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        if (line.trimmed().isEmpty())
            continue;
        ++m.tasks;
        const qsizetype at = line.indexOf(valueKey);
        if (at < 0 || !line.contains(okStatus)) {
            m.fail(QStringLiteral("result line not ok: %1")
                       .arg(QString::fromUtf8(line.left(200)).trimmed()));
            continue;
        }
        qsizetype end = at + valueKey.size();
        while (end < line.size() &&
               (std::isdigit(static_cast<unsigned char>(line[end])) || line[end] == '-'))
            ++end;
        bool ok = false;
        const qint64 value =
            line.mid(at + valueKey.size(), end - at - valueKey.size()).toLongLong(&ok);
        if (!ok || value < 1 || value > count || seen[std::size_t(value - 1)]) {
            m.fail(QStringLiteral("wrong or repeated result: %1")
                       .arg(QString::fromUtf8(line.left(200)).trimmed()));
            continue;
        }
        seen[std::size_t(value - 1)] = true;
    }
    if (m.tasks != std::uint64_t(count)) {
        const std::uint64_t missing =
            std::uint64_t(count) > m.tasks ? std::uint64_t(count) - m.tasks : 0;
        m.fail(QStringLiteral("%1 result lines for %2 tasks").arg(m.tasks).arg(count));
        m.failed += missing > 0 ? missing - 1 : 0;
        m.tasks = std::max<std::uint64_t>(m.tasks, std::uint64_t(count));
    }
    return m;
}

QJsonObject runGenerate(const Options& options, qint64 count) {
    QJsonObject result;
    const auto failWith = [&](const QString& error) {
        result.insert(QStringLiteral("tasks_per_s"), 0);
        result.insert(QStringLiteral("p50_us"), 0);
        result.insert(QStringLiteral("p99_us"), 0);
        result.insert(QStringLiteral("tasks"), count);
        result.insert(QStringLiteral("failed"), count);
        result.insert(QStringLiteral("first_error"), error);
        return result;
    };
    if (!QFileInfo(options.aqueductBinary).isExecutable())
        return failWith(
            QStringLiteral(
                "no aqueduct binary at %1 (build the aqueduct target or pass --aqueduct PATH)")
                .arg(options.aqueductBinary));
    // Results go to memory-backed files when there are some, so the disk is not measured.
    const QString base = QFileInfo(QStringLiteral("/dev/shm")).isWritable()
                             ? QStringLiteral("/dev/shm/aqueduct-bench-XXXXXX")
                             : QString();
    QTemporaryDir dir(base);
    if (!dir.isValid())
        return failWith(QStringLiteral("no temporary directory: ") + dir.errorString());
    const QString pipeline = dir.filePath(QStringLiteral("one-step.json"));
    const QString output = dir.filePath(QStringLiteral("results.jsonl"));
    if (QString error; !oneStep(QStringLiteral("increment")).saveToFile(pipeline, &error))
        return failWith(QStringLiteral("cannot write %1: %2").arg(pipeline, error));
    QProcess run;
    const double childrenBeforeUs = childrenCpuUs();
    run.start(options.aqueductBinary,
              {QStringLiteral("run"), pipeline, QStringLiteral("--generate"),
               QString::number(count), QStringLiteral("--output"), output,
               QStringLiteral("--quiet")});
    // CPU: aqueduct itself from RUSAGE_CHILDREN once it is waited for; its workers belong to
    // its fork server and are never ours to wait for, so their CPU is read from /proc while
    // they live (the last reading of each, at most 50 ms old). Discovering them scans /proc,
    // so that is done twice a second only.
    QHash<qint64, double> descendantUs;
    QList<qint64> descendants;
    QElapsedTimer clock;
    clock.start();
    qint64 nextScanMs = 100;
    if (!run.waitForStarted(30000))
        return failWith(QStringLiteral("aqueduct run did not start: ") + run.errorString());
    const qint64 runPid = run.processId();
    while (!run.waitForFinished(50)) {
        if (clock.elapsed() > 600000) {
            run.kill();
            run.waitForFinished(5000);
            return failWith(QStringLiteral("aqueduct run did not finish within 600 s"));
        }
        if (clock.elapsed() >= nextScanMs) {
            descendants = descendantsOf(runPid);
            nextScanMs = clock.elapsed() + 500;
        }
        for (const qint64 pid : descendants) {
            const double us = processCpuUs(pid);
            if (us > descendantUs.value(pid, 0.0))
                descendantUs.insert(pid, us);
        }
    }
    const double parentUs = childrenCpuUs() - childrenBeforeUs;
    double workersUs = 0;
    for (const double us : std::as_const(descendantUs))
        workersUs += us;
    const QByteArray stderrText = run.readAllStandardError() + run.readAllStandardOutput();
    // The summary is the last line that is a JSON object (aqueduct run prints it to stderr).
    QJsonObject summary;
    for (const QByteArray& line : stderrText.split('\n')) {
        if (line.startsWith('{'))
            summary = QJsonDocument::fromJson(line).object();
    }
    if (summary.isEmpty())
        return failWith(QStringLiteral("no summary from aqueduct run (exit %1): %2")
                            .arg(run.exitCode())
                            .arg(QString::fromUtf8(stderrText.right(400)).trimmed()));
    const double wallS = summary.value(QStringLiteral("wall_s")).toDouble();
    Measurement m = verifyRunOutput(output, count);
    if (run.exitStatus() != QProcess::NormalExit || run.exitCode() != 0)
        m.fail(QStringLiteral("aqueduct run exited %1: %2")
                   .arg(run.exitCode())
                   .arg(QString::fromUtf8(
                       summary.value(QStringLiteral("failed")).toObject().isEmpty()
                           ? stderrText.right(300)
                           : QJsonDocument(summary.value(QStringLiteral("failed")).toObject())
                                 .toJson(QJsonDocument::Compact))));
    m.seconds = wallS;
    m.tasksPerS = wallS > 0 ? double(m.verified()) / wallS : 0;
    const QJsonObject latency = summary.value(QStringLiteral("latency_ms")).toObject();
    m.p50Us = latency.value(QStringLiteral("p50")).toDouble() * 1000.0;
    m.p99Us = latency.value(QStringLiteral("p99")).toDouble() * 1000.0;
    // The whole run, start and stop included (the only scenario where startup is in the
    // CPU figure); the fork server, if aqueduct reaps it, may count twice (it is idle).
    m.cpu.parentUs = parentUs;
    m.cpu.workersUs = workersUs;
    addMeasurement(result, m);
    result.insert(QStringLiteral("cpu_includes_startup"), true);
    result.insert(QStringLiteral("wall_s"), wallS);
    result.insert(QStringLiteral("summary_tasks_per_s"),
                  summary.value(QStringLiteral("tasks_per_s")).toDouble());
    result.insert(QStringLiteral("command"),
                  QStringLiteral("aqueduct run one-step.json --generate %1 --output FILE --quiet")
                      .arg(count));
    return result;
}

// ---------------------------------------------------------------------------------------

QString canonicalScenario(const QString& name) {
    // Before issue 17 the payload scenarios reused one blob for every task.
    if (name == QLatin1String("payload-1mib"))
        return QStringLiteral("payload-1mib-reuse");
    if (name == QLatin1String("payload-16mib"))
        return QStringLiteral("payload-16mib-reuse");
    return name;
}

QCoro::Task<void> runScenario(const QString& name, const Options& options, PythonPeers& peers) {
    const double seconds = options.seconds;
    const QString ppeAsync = QStringLiteral("ppe-async");
    const QString increment = QStringLiteral("increment");
    QJsonObject result;
    result.insert(QStringLiteral("scenario"), name);
    if (name == QLatin1String("trivial-1step")) {
        const Measurement m =
            co_await measureFlow(oneStep(increment), 256, seconds, incrementWork(1));
        addMeasurement(result, m);
        result.insert(QStringLiteral("in_flight"), 256);
        addPeer(result, peers.run(ppeAsync, increment, 1, 256, seconds), m.tasksPerS);
    } else if (name == QLatin1String("bulk-1step")) {
        const qint64 count = options.tasksForBulk();
        const BulkMeasurement bulk = co_await measureBulk(count);
        const Measurement& m = bulk.m;
        addMeasurement(result, m);
        addFailures(result, QStringLiteral("lanes256"), bulk.lanes);
        result.insert(QStringLiteral("wall_s"), m.seconds);
        result.insert(QStringLiteral("create_s"), bulk.createS);
        result.insert(QStringLiteral("process_many_s"), bulk.processS);
        result.insert(QStringLiteral("verify_s"), bulk.verifyS);
        result.insert(QStringLiteral("lanes256_tasks_per_s"), qRound64(bulk.lanes.tasksPerS));
        result.insert(QStringLiteral("lanes256_cpu_us_per_task"),
                      bulk.lanes.perTask(bulk.lanes.cpu.totalUs()));
        addPeer(result, peers.run(QStringLiteral("ppe-map"), increment, 1, 0, double(count)),
                m.tasksPerS);
        addExtraPeer(result,
                     peers.run(QStringLiteral("mp-pool-imap"), increment, 1, 0, double(count)),
                     m.tasksPerS);
    } else if (name == QLatin1String("run-generate")) {
        const qint64 count = options.tasksForBulk();
        result = runGenerate(options, count);
        result.insert(QStringLiteral("scenario"), name);
        const double ours = result.value(QStringLiteral("tasks_per_s")).toDouble();
        addPeer(result, peers.run(QStringLiteral("ppe-map"), increment, 1, 0, double(count)), ours);
        addExtraPeer(result,
                     peers.run(QStringLiteral("mp-pool-imap"), increment, 1, 0, double(count)),
                     ours);
    } else if (name == QLatin1String("trivial-3step")) {
        const Measurement m = co_await measureFlow(threeSteps(1), 256, seconds, incrementWork(3));
        addMeasurement(result, m);
        addPeer(result, peers.run(ppeAsync, QStringLiteral("increment3"), 3, 256, seconds),
                m.tasksPerS);
    } else if (name == QLatin1String("batch16-1step")) {
        const Measurement m = co_await measureFlow(oneStep(increment, QJsonObject(), 1, 16), 256,
                                                   seconds, incrementWork(1));
        addMeasurement(result, m);
        addPeer(result, peers.run(ppeAsync, increment, 1, 256, seconds), m.tasksPerS);
    } else if (name == QLatin1String("latency-1inflight")) {
        const Measurement m =
            co_await measureFlow(oneStep(increment), 1, seconds, incrementWork(1));
        addMeasurement(result, m);
        // One task in flight: the CPU burnt per second is what waiting costs (spinning).
        result.insert(QStringLiteral("cpu_cores_while_waiting"), m.cpu.totalUs() / (seconds * 1e6));
        result.insert(QStringLiteral("cpu_parent_cores_while_waiting"),
                      m.cpu.parentUs / (seconds * 1e6));
        addPeer(result, peers.run(ppeAsync, increment, 1, 1, seconds), m.tasksPerS);
    } else if (name == QLatin1String("cpuburn-scaling")) {
        const Workload burn = incrementWork(0); // cpu_burn leaves the value alone
        const Measurement one = co_await measureFlow(
            oneStep(QStringLiteral("cpu_burn"), burnParams(20), 1), 256, seconds, burn);
        const Measurement two = co_await measureFlow(
            oneStep(QStringLiteral("cpu_burn"), burnParams(20), 2), 256, seconds, burn);
        addMeasurement(result, two);
        addFailures(result, QStringLiteral("nprocs1"), one);
        result.insert(QStringLiteral("nprocs1_tasks_per_s"), qRound64(one.tasksPerS));
        result.insert(QStringLiteral("nprocs2_tasks_per_s"), qRound64(two.tasksPerS));
        result.insert(QStringLiteral("speedup"),
                      one.tasksPerS > 0 ? two.tasksPerS / one.tasksPerS : 0);
        addPeer(result, peers.run(ppeAsync, QStringLiteral("cpu_burn"), 2, 256, seconds, 20),
                two.tasksPerS);
    } else if (name == QLatin1String("overload")) {
        const PipelineDocument document = oneStep(increment);
        const Measurement few = co_await measureFlow(document, 64, seconds, incrementWork(1));
        const Measurement many = co_await measureFlow(document, 4096, seconds, incrementWork(1));
        const Measurement matched =
            co_await measureFlow(matchedSlotsDocument(4096), 4096, seconds, incrementWork(1));
        addMeasurement(result, many);
        addFailures(result, QStringLiteral("inflight64"), few);
        addFailures(result, QStringLiteral("matched_slots"), matched);
        result.insert(QStringLiteral("inflight64_tasks_per_s"), qRound64(few.tasksPerS));
        result.insert(QStringLiteral("inflight4096_tasks_per_s"), qRound64(many.tasksPerS));
        result.insert(QStringLiteral("inflight4096_p99_us"), many.p99Us);
        result.insert(QStringLiteral("overload_ratio"),
                      few.tasksPerS > 0 ? many.tasksPerS / few.tasksPerS : 0);
        // Where a task waits: in the shared-memory step queue (engine timings) or before
        // it, in the parent (the rest of its latency, transport included).
        const auto waits = [&result](const QString& prefix, const Measurement& m) {
            const double shm = m.perTask(m.shmQueueWaitUsSum);
            const double handle = m.perTask(m.handleUsSum);
            result.insert(prefix + QStringLiteral("_latency_us_mean"), m.perTask(m.latencyUsSum));
            result.insert(prefix + QStringLiteral("_shm_queue_wait_us_mean"), shm);
            result.insert(prefix + QStringLiteral("_parent_wait_us_mean"),
                          std::max(0.0, m.perTask(m.latencyUsSum) - shm - handle));
            result.insert(prefix + QStringLiteral("_shm_queue_wait_p50_us"),
                          m.snapshotQueueWaitP50Us);
            result.insert(prefix + QStringLiteral("_shm_queue_wait_p99_us"),
                          m.snapshotQueueWaitP99Us);
        };
        waits(QStringLiteral("inflight64"), few);
        waits(QStringLiteral("inflight4096"), many);
        waits(QStringLiteral("matched_slots"), matched);
        result.insert(QStringLiteral("matched_slots_tasks_per_s"), qRound64(matched.tasksPerS));
        result.insert(QStringLiteral("overload_ratio_matched_slots"),
                      few.tasksPerS > 0 ? matched.tasksPerS / few.tasksPerS : 0);
        addPeer(result, peers.run(ppeAsync, increment, 1, 4096, seconds), many.tasksPerS);
    } else if (name == QLatin1String("idle")) {
        constexpr double kIdleSeconds = 5.0;
        Flow flow(oneStep(increment));
        const StartResult started = co_await flow.start();
        if (!started.ok) {
            result.insert(QStringLiteral("first_error"),
                          QStringLiteral("start failed: ") + started.error);
        } else {
            // A few tasks first, so the workers have been busy and gone back to sleep.
            std::vector<Task> warm;
            for (int i = 0; i < 1000; ++i)
                warm.push_back(incrementTask(std::uint64_t(i)));
            const std::vector<TaskResult> warmResults = co_await flow.processMany(std::move(warm));
            std::uint64_t failed = 0;
            QString why;
            for (std::size_t i = 0; i < warmResults.size(); ++i)
                failed += warmResults[i].ok() &&
                                  checkValue(warmResults[i].task(), std::int64_t(i) + 1, &why)
                              ? 0
                              : 1;
            // The peer idles alongside: both only sleep, so neither disturbs the other.
            peers.startDetached(QStringLiteral("pool-idle"), increment, 1, 0, kIdleSeconds);
            co_await QCoro::sleepFor(500ms);
            CpuWindow cpu;
            cpu.start(workerPids(flow));
            const std::int64_t t0 = nowNs();
            co_await QCoro::sleepFor(std::chrono::milliseconds(qint64(kIdleSeconds * 1000)));
            const CpuSample used = cpu.stop(workerPids(flow));
            const double wallS = double(nowNs() - t0) / 1e9;
            const double idlePct = 100.0 * used.totalUs() / (wallS * 1e6);
            result.insert(QStringLiteral("tasks_per_s"), 0);
            result.insert(QStringLiteral("p50_us"), 0);
            result.insert(QStringLiteral("p99_us"), 0);
            result.insert(QStringLiteral("tasks"), 0);
            result.insert(QStringLiteral("failed"), qint64(failed));
            if (failed)
                result.insert(QStringLiteral("first_error"),
                              QStringLiteral("warm-up tasks came back wrong: ") + why);
            result.insert(QStringLiteral("cpu_us_per_task"),
                          QJsonValue()); // no tasks: see idle_cpu_pct
            result.insert(QStringLiteral("idle_seconds"), wallS);
            result.insert(QStringLiteral("idle_cpu_pct"), idlePct);
            result.insert(QStringLiteral("idle_cpu_parent_pct"),
                          100.0 * used.parentUs / (wallS * 1e6));
            result.insert(QStringLiteral("idle_cpu_workers_pct"),
                          100.0 * used.workersUs / (wallS * 1e6));
            result.insert(QStringLiteral("cpu_cores"), used.totalUs() / (wallS * 1e6));
            addPeer(result, peers.finish(kIdleSeconds + 60), idlePct,
                    QStringLiteral("idle_cpu_pct"));
            co_await flow.stop();
        }
    } else if (name == QLatin1String("metrics-overhead")) {
        // Off and on alternate twice and each keeps its best run, so a burst of other load
        // on the machine does not decide the ratio.
        Measurement off;
        Measurement on;
        Measurement failures;
        for (int round = 0; round < 2; ++round) {
            const Measurement offRun =
                co_await measureFlow(metricsDocument(false), 256, seconds, incrementWork(1));
            const Measurement onRun =
                co_await measureFlow(metricsDocument(true), 256, seconds, incrementWork(1));
            failures.failed += offRun.failed + onRun.failed;
            if (failures.firstError.isEmpty())
                failures.firstError = offRun.failed ? offRun.firstError : onRun.firstError;
            if (offRun.tasksPerS > off.tasksPerS)
                off = offRun;
            if (onRun.tasksPerS > on.tasksPerS)
                on = onRun;
        }
        addMeasurement(result, on);
        result.insert(QStringLiteral("failed"), qint64(failures.failed));
        if (failures.failed)
            result.insert(QStringLiteral("first_error"), failures.firstError);
        result.insert(QStringLiteral("metrics_on_tasks_per_s"), qRound64(on.tasksPerS));
        result.insert(QStringLiteral("metrics_off_tasks_per_s"), qRound64(off.tasksPerS));
        result.insert(QStringLiteral("metrics_off_p50_us"), off.p50Us);
        result.insert(QStringLiteral("metrics_off_p99_us"), off.p99Us);
        result.insert(QStringLiteral("metrics_ratio"),
                      off.tasksPerS > 0 ? on.tasksPerS / off.tasksPerS : 0);
        addPeer(result, peers.run(ppeAsync, increment, 1, 256, seconds), on.tasksPerS);
    } else if (name == QLatin1String("lifecycle")) {
        Flow flow(threeSteps(2));
        std::vector<std::uint32_t> startNs;
        std::vector<std::uint32_t> stopNs;
        Measurement m;
        CpuSample cpu;
        QElapsedTimer wall;
        wall.start();
        for (int cycle = 0; cycle < 20; ++cycle) {
            std::int64_t t0 = nowNs();
            CpuWindow cycleCpu;
            const QList<qint64> noWorkersYet;
            cycleCpu.start(noWorkersYet);
            const StartResult started = co_await flow.start();
            startNs.push_back(std::uint32_t(nowNs() - t0));
            if (!started.ok) {
                m.tasks += 100;
                m.failed += 99;
                m.fail(QStringLiteral("start failed: ") + started.error);
                continue;
            }
            const QList<qint64> pids = workerPids(flow);
            std::vector<Task> tasks;
            for (int i = 0; i < 100; ++i)
                tasks.push_back(incrementTask(std::uint64_t(i)));
            const std::vector<TaskResult> results = co_await flow.processMany(std::move(tasks));
            QString why;
            for (std::size_t i = 0; i < results.size(); ++i) {
                ++m.tasks;
                if (!results[i].ok())
                    m.fail(resultError(results[i]));
                else if (!checkValue(results[i].task(), std::int64_t(i) + 3, &why))
                    m.fail(why);
            }
            // Workers are read just before they are stopped (a stopped worker is gone from /proc).
            const CpuSample used = cycleCpu.stop(pids);
            cpu.workersUs += used.workersUs;
            t0 = nowNs();
            co_await flow.stop();
            stopNs.push_back(std::uint32_t(nowNs() - t0));
            cpu.parentUs += used.parentUs;
        }
        const double wallS = double(wall.elapsed()) / 1000.0;
        result.insert(QStringLiteral("cycles"), 20);
        result.insert(QStringLiteral("start_ms_p50"), quantile(startNs, 0.5) / 1000.0);
        result.insert(QStringLiteral("stop_ms_p50"), quantile(stopNs, 0.5) / 1000.0);
        result.insert(QStringLiteral("start_ms_max"),
                      startNs.empty()
                          ? 0.0
                          : double(*std::max_element(startNs.begin(), startNs.end())) / 1e6);
        result.insert(
            QStringLiteral("stop_ms_max"),
            stopNs.empty() ? 0.0 : double(*std::max_element(stopNs.begin(), stopNs.end())) / 1e6);
        m.seconds = wallS;
        m.cpu = cpu;
        m.tasksPerS = double(m.verified()) / wallS;
        addMeasurement(result, m);
        result.insert(QStringLiteral("p50_us"), 0);
        result.insert(QStringLiteral("p99_us"), 0);
        result.insert(QStringLiteral("cpu_excludes_stop"), true);
        addPeer(result, peers.run(QStringLiteral("pool-lifecycle"), increment, 6, 0, 20),
                m.tasksPerS);
    } else if (name.startsWith(QLatin1String("payload-"))) {
        const bool big = name.startsWith(QLatin1String("payload-16mib"));
        const qint64 bytes = big ? (16ll << 20) : (1ll << 20);
        const int inFlight = big ? 4 : 16;
        const PayloadFreshness freshness = name.endsWith(QLatin1String("-fresh"))
                                               ? PayloadFreshness::Fresh
                                               : PayloadFreshness::Reuse;
        const auto sums = std::make_shared<const PayloadSums>(payloadSums(bytes));
        // Blob: the payload lives in the running flow's shared arena; only a handle is queued.
        Measurement blob;
        Flow blobFlow(payloadFlow(bytes, PayloadMode::Blob, inFlight));
        const StartResult started = co_await blobFlow.start();
        if (!started.ok) {
            blob.fail(QStringLiteral("start failed: ") + started.error);
        } else {
            Value reused;
            if (freshness == PayloadFreshness::Reuse) {
                Task prepared;
                prepared.set("payload", Value::fromBytes(QByteArray(qsizetype(bytes), 'p')));
                QString shareError;
                if (!prepared.share("payload", &shareError))
                    std::fprintf(stderr, "aqueduct-bench: share failed: %s\n",
                                 qPrintable(shareError));
                reused = *prepared.find("payload");
            }
            const Workload blobWork =
                payloadWorkload(bytes, PayloadMode::Blob, freshness, reused, sums);
            blob = co_await drive(blobFlow, inFlight, seconds, blobWork);
            co_await blobFlow.stop();
        }
        // Inline: the bytes are copied into each task slot and out again at every hop.
        const Value inlineReused = Value::fromBytes(QByteArray(qsizetype(bytes), 'p'));
        const Workload inlineWork =
            payloadWorkload(bytes, PayloadMode::Inline, freshness, inlineReused, sums);
        const Measurement inlined = co_await measureFlow(
            payloadFlow(bytes, PayloadMode::Inline, inFlight), inFlight, seconds, inlineWork);
        addMeasurement(result, blob);
        addFailures(result, QStringLiteral("inline"), inlined);
        result.insert(QStringLiteral("payload_bytes"), bytes);
        result.insert(QStringLiteral("payload"),
                      freshness == PayloadFreshness::Fresh
                          ? QStringLiteral("fresh blob per task (Task::allocateBlob, filled)")
                          : QStringLiteral("one blob shared once, reused by every task"));
        result.insert(QStringLiteral("inline_tasks_per_s"), qRound64(inlined.tasksPerS));
        result.insert(QStringLiteral("inline_p50_us"), inlined.p50Us);
        result.insert(QStringLiteral("inline_cpu_us_per_task"),
                      inlined.perTask(inlined.cpu.totalUs()));
        result.insert(QStringLiteral("blob_vs_inline"),
                      inlined.tasksPerS > 0 ? blob.tasksPerS / inlined.tasksPerS : 0);
        // The Python peer always sends a fresh payload (pickled into the pool's pipe).
        // A 16 MiB task takes Python a good part of a second: give it a window that holds some.
        const double peerSeconds = big ? std::max(seconds, 3.0) : seconds;
        addPeer(result,
                peers.run(ppeAsync, QStringLiteral("checksum2"), 2, inFlight, peerSeconds, bytes),
                blob.tasksPerS);
    } else if (name == QLatin1String("classify")) {
        result = co_await runClassifyScenario(seconds, options.peer);
    } else if (name == QLatin1String("selfcheck-wrong")) {
        // The harness checking itself: the flow adds 2, the check wants 1, so every task
        // must count as failed and the run must exit 1.
        const Measurement m =
            co_await measureFlow(wrongIncrementDocument(), 16, seconds, incrementWork(1));
        addMeasurement(result, m);
    } else if (name == QLatin1String("soak")) {
        Flow flow(soakFlow());
        const StartResult started = co_await flow.start();
        if (!started.ok) {
            result.insert(QStringLiteral("first_error"),
                          QStringLiteral("start failed: ") + started.error);
            emitResult(result, options.peer);
            co_return;
        }
        // One run; the "start" picture is taken at 10% (after warm-up), the end one at the end.
        Task prepared;
        prepared.set("payload", Value::fromBytes(QByteArray(64 * 1024, 's')));
        prepared.share("payload");
        const Value payload = *prepared.find("payload");
        const std::uint64_t expectedSum = ChecksumHandler::checksum(std::string(64 * 1024, 's'));
        QJsonObject rssStart;
        qint64 arenaStart = 0;
        QTimer::singleShot(int(std::max(1.0, seconds * 0.1) * 1000), &flow, [&] {
            rssStart = processMemory(flow);
            arenaStart = flow.lastSnapshot() ? flow.lastSnapshot()->totals.arenaBytesUsed : 0;
        });
        const Workload soakWork = soakWorkload(payload, expectedSum);
        Measurement m = co_await drive(flow, 256, seconds, soakWork);
        const QJsonObject rssEnd = processMemory(flow);
        co_await QCoro::sleepFor(std::chrono::milliseconds(300));
        const qint64 arenaEnd =
            flow.lastSnapshot() ? flow.lastSnapshot()->totals.arenaBytesUsed : 0;
        qint64 startTotal = 0;
        qint64 endTotal = 0;
        for (auto it = rssStart.begin(); it != rssStart.end(); ++it) {
            startTotal += it.value().toInteger();
            endTotal += rssEnd.value(it.key()).toInteger();
        }
        addMeasurement(result, m);
        result.insert(QStringLiteral("rss_start"), rssStart);
        result.insert(QStringLiteral("rss_end"), rssEnd);
        result.insert(QStringLiteral("rss_growth_pct"),
                      startTotal > 0 ? 100.0 * double(endTotal - startTotal) / double(startTotal)
                                     : 0.0);
        result.insert(QStringLiteral("arena_bytes_start"), arenaStart);
        result.insert(QStringLiteral("arena_bytes_end"), arenaEnd);
        result.insert(QStringLiteral("injected_failures"), qint64(m.injected));
        result.insert(QStringLiteral("failed_share"),
                      m.tasks ? double(m.failed + m.injected) / double(m.tasks) : 0.0);
        co_await flow.stop();
    }
    emitResult(result, options.peer);
}

const QStringList kAllScenarios = {QStringLiteral("trivial-1step"),
                                   QStringLiteral("bulk-1step"),
                                   QStringLiteral("run-generate"),
                                   QStringLiteral("trivial-3step"),
                                   QStringLiteral("batch16-1step"),
                                   QStringLiteral("latency-1inflight"),
                                   QStringLiteral("cpuburn-scaling"),
                                   QStringLiteral("overload"),
                                   QStringLiteral("idle"),
                                   QStringLiteral("lifecycle"),
                                   QStringLiteral("metrics-overhead"),
                                   QStringLiteral("payload-1mib-fresh"),
                                   QStringLiteral("payload-1mib-reuse"),
                                   QStringLiteral("payload-16mib-fresh"),
                                   QStringLiteral("payload-16mib-reuse")};
/// Opt-in scenarios: soak (long), selfcheck-wrong (must fail: proves wrong results are
/// caught), classify (about a minute, needs the vision plugin and Debian's python3-opencv).
const QStringList kExtraScenarios = {QStringLiteral("soak"), QStringLiteral("selfcheck-wrong"),
                                     QStringLiteral("classify")};

QCoro::Task<void> runAll(Options options) {
    PythonPeers peers(options.peer, QStringLiteral(AQUEDUCT_BENCH_PEER_SCRIPT));
    for (const QString& scenario : options.scenarios)
        co_await runScenario(scenario, options, peers);
    QCoreApplication::exit(g_anyScenarioFailed ? 1 : 0);
}

} // namespace

int main(int argc, char** argv) {
    registerBuiltinHandlers(HandlerRegistry::global());
    if (const int workerExit = bootstrapProcess(argc, argv); workerExit >= 0)
        return workerExit;
    QCoreApplication app(argc, argv);
    Options options;
    const QStringList arguments = app.arguments();
    for (int i = 1; i < arguments.size(); ++i) {
        const QString& argument = arguments[i];
        if (argument == QLatin1String("--json"))
            options.json = true;
        else if (argument == QLatin1String("--no-peer"))
            options.peer = false;
        else if (argument == QLatin1String("--scenario") && i + 1 < arguments.size())
            options.scenarios << canonicalScenario(arguments[++i]);
        else if (argument == QLatin1String("--seconds") && i + 1 < arguments.size())
            options.seconds = std::max(0.2, arguments[++i].toDouble());
        else if (argument == QLatin1String("--tasks") && i + 1 < arguments.size())
            options.bulkTasks = std::max<qint64>(1000, arguments[++i].toLongLong());
        else if (argument == QLatin1String("--aqueduct") && i + 1 < arguments.size())
            options.aqueductBinary = arguments[++i];
        else if (argument == QLatin1String("--list")) {
            for (const QString& name : kAllScenarios + kExtraScenarios)
                std::printf("%s\n", qPrintable(name));
            return 0;
        } else {
            std::fprintf(
                stderr,
                "usage: aqueduct-bench --json [--scenario NAME]... [--seconds S] [--tasks N] "
                "[--no-peer] [--aqueduct PATH] [--list]\n"
                "Without --scenario: all but the opt-in soak, selfcheck-wrong and classify.\n");
            return 2;
        }
    }
    if (options.scenarios.isEmpty())
        options.scenarios = kAllScenarios;
    for (const QString& scenario : options.scenarios) {
        if (!kAllScenarios.contains(scenario) && !kExtraScenarios.contains(scenario)) {
            std::fprintf(stderr, "aqueduct-bench: unknown scenario '%s' (see --list)\n",
                         qPrintable(scenario));
            return 2;
        }
    }
    QTimer::singleShot(0, &app, [options] { runAll(options); });
    return app.exec();
}
