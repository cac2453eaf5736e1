// aqueduct-bench: engine throughput/latency scenarios with a ProcessPoolExecutor peer
// measured in the same invocation. One JSON object per line per scenario.
//   aqueduct-bench --json [--scenario NAME]... [--seconds S] [--no-peer]
#include "BuiltinHandlers.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTimer>

#include <qcoro/qcorotask.h>
#include <qcoro/qcorotimer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include <unistd.h>

using namespace Aqueduct;
using namespace std::chrono_literals;

namespace {

struct Options {
    QStringList scenarios;
    double seconds = 3.0;
    bool json = false;
    bool peer = true;
};

struct Measurement {
    double tasksPerS = 0;
    double p50Us = 0;
    double p99Us = 0;
    std::uint64_t tasks = 0;
    std::uint64_t failed = 0;
    QString firstError;
};

using TaskFactory = std::function<Task(std::uint64_t)>;

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double quantile(std::vector<std::uint32_t>& samples, double q)
{
    if (samples.empty())
        return 0;
    const std::size_t index = std::min(samples.size() - 1, std::size_t(q * double(samples.size())));
    std::nth_element(samples.begin(), samples.begin() + std::ptrdiff_t(index), samples.end());
    return double(samples[index]) / 1000.0;
}

struct DriveState {
    std::int64_t measureFromNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t counter = 0;
    std::uint64_t done = 0;
    std::uint64_t failed = 0;
    QString firstError;
    std::vector<std::uint32_t> latenciesNs;
    std::uint64_t random = 88172645463325252ULL;
};

constexpr std::size_t kMaxLatencySamples = std::size_t(1) << 22;

QCoro::Task<void> driver(Flow& flow, DriveState& state, const TaskFactory& make)
{
    for (;;) {
        const std::int64_t start = nowNs();
        if (start >= state.endNs)
            break;
        TaskResult result = co_await flow.process(make(state.counter++));
        const std::int64_t end = nowNs();
        if (start >= state.measureFromNs && end <= state.endNs) {
            ++state.done;
            if (!result.ok()) {
                ++state.failed;
                if (state.firstError.isEmpty())
                    state.firstError = errorKindName(result.error()) + QStringLiteral(": ") + result.message();
            }
            // Bounded memory however long the run: a reservoir of kMaxLatencySamples.
            const auto latency = std::uint32_t(std::min<std::int64_t>(end - start, UINT32_MAX));
            if (state.latenciesNs.size() < kMaxLatencySamples) {
                state.latenciesNs.push_back(latency);
            } else {
                state.random = state.random * 6364136223846793005ULL + 1442695040888963407ULL;
                const std::uint64_t slot = (state.random >> 11) % state.done;
                if (slot < kMaxLatencySamples)
                    state.latenciesNs[slot] = latency;
            }
        }
    }
}

/// Keeps `inFlight` callers busy for `seconds` (after a warm-up) and measures.
QCoro::Task<Measurement> drive(Flow& flow, int inFlight, double seconds, TaskFactory make)
{
    DriveState state;
    const std::int64_t warmupNs = std::int64_t(std::min(0.5, seconds * 0.2) * 1e9);
    state.measureFromNs = nowNs() + warmupNs;
    state.endNs = state.measureFromNs + std::int64_t(seconds * 1e9);
    state.latenciesNs.reserve(kMaxLatencySamples);
    std::vector<QCoro::Task<void>> drivers;
    drivers.reserve(std::size_t(inFlight));
    for (int i = 0; i < inFlight; ++i)
        drivers.push_back(driver(flow, state, make));
    for (auto& running : drivers)
        co_await running;
    Measurement measurement;
    measurement.tasks = state.done;
    measurement.failed = state.failed;
    measurement.firstError = state.firstError;
    measurement.tasksPerS = double(state.done) / seconds;
    measurement.p50Us = quantile(state.latenciesNs, 0.50);
    measurement.p99Us = quantile(state.latenciesNs, 0.99);
    co_return measurement;
}

StepSpec makeStep(const QString& id, const QString& handler, QJsonObject params = {}, int nprocs = 1, int batch = 1)
{
    StepSpec step;
    step.id = id;
    step.handler = handler;
    step.params = std::move(params);
    step.nprocs = nprocs;
    step.batchSize = batch;
    return step;
}

PipelineDocument chain(QList<StepSpec> steps)
{
    PipelineDocument document;
    document.name = QStringLiteral("bench");
    document.steps = std::move(steps);
    document.flow.metrics.enabled = true;
    return document;
}

QJsonObject outputParams(const QString& field)
{
    QJsonObject params;
    params.insert(QStringLiteral("output_field"), field);
    return params;
}

// Documents are built outside coroutines: GCC 12 miscompiles initializer lists in them.
PipelineDocument oneStep(const QString& handler, QJsonObject params = {}, int nprocs = 1, int batch = 1)
{
    return chain({makeStep(QStringLiteral("s1"), handler, std::move(params), nprocs, batch)});
}

PipelineDocument threeSteps(int nprocs)
{
    return chain({makeStep(QStringLiteral("a"), QStringLiteral("increment"), {}, nprocs),
                  makeStep(QStringLiteral("b"), QStringLiteral("increment"), {}, nprocs),
                  makeStep(QStringLiteral("c"), QStringLiteral("increment"), {}, nprocs)});
}

// metrics-overhead: trivial-1step with metrics sampled every 100 ms, or switched off.
PipelineDocument metricsDocument(bool enabled)
{
    PipelineDocument document = oneStep(QStringLiteral("increment"));
    document.flow.metrics.enabled = enabled;
    document.flow.metrics.intervalMs = 100;
    return document;
}

QJsonObject burnParams(int micros)
{
    QJsonObject params;
    params.insert(QStringLiteral("us"), micros);
    return params;
}

Task incrementTask(std::uint64_t i)
{
    Task task;
    task.set("value", Value(std::int64_t(i)));
    return task;
}

QCoro::Task<Measurement> measureFlow(PipelineDocument document, int inFlight, double seconds, TaskFactory make)
{
    Flow flow(std::move(document));
    const StartResult started = co_await flow.start();
    if (!started.ok) {
        std::fprintf(stderr, "aqueduct-bench: start failed: %s\n", qPrintable(started.error));
        co_return Measurement{};
    }
    Measurement measurement = co_await drive(flow, inFlight, seconds, std::move(make));
    co_await flow.stop();
    co_return measurement;
}


// payload-*: a 2-step flow whose handlers read every byte (checksum), fed with one
// prepared payload: as a shared blob (a handle crosses the queues) or inline (the bytes
// are copied into each task slot and out again at every hop).
enum class PayloadMode { Blob, Inline };

PipelineDocument payloadFlow(qint64 payloadBytes, PayloadMode mode, int inFlight)
{
    PipelineDocument document = chain({makeStep(QStringLiteral("read1"), QStringLiteral("checksum")),
                                       makeStep(QStringLiteral("read2"), QStringLiteral("checksum"),
                                                outputParams(QStringLiteral("checksum2")))});
    for (StepSpec& step : document.steps)
        step.queueSize = 2;
    if (mode == PayloadMode::Blob) {
        document.flow.arenaBytes = std::max<qint64>(64ll << 20, (payloadBytes + (1 << 20)) * (inFlight + 2));
    } else {
        document.flow.arenaBytes = 0;
        document.flow.maxTaskBytes = int(payloadBytes + 4096);
    }
    return document;
}

TaskFactory payloadFactory(const Value& payload)
{
    return [payload](std::uint64_t i) {
        Task task;
        task.set("value", Value(std::int64_t(i)));
        task.set("payload", payload);
        return task;
    };
}

// soak: long run at full load with 1% failing tasks; RSS and arena at start and end.
PipelineDocument soakFlow()
{
    QJsonObject failParams;
    failParams.insert(QStringLiteral("probability"), 0.01);
    failParams.insert(QStringLiteral("seed_field"), QStringLiteral("value"));
    PipelineDocument document = chain({makeStep(QStringLiteral("parse"), QStringLiteral("increment")),
                                       makeStep(QStringLiteral("flaky"), QStringLiteral("fail"), failParams),
                                       makeStep(QStringLiteral("read"), QStringLiteral("checksum"))});
    return document;
}

QJsonObject processMemory(const Flow& flow)
{
    QJsonObject rss;
    auto rssOf = [](qint64 pid) -> qint64 {
        QFile statm(QStringLiteral("/proc/%1/statm").arg(pid));
        if (!statm.open(QIODevice::ReadOnly))
            return 0;
        return statm.readAll().split(' ').value(1).toLongLong() * sysconf(_SC_PAGESIZE);
    };
    rss.insert(QStringLiteral("parent"), rssOf(QCoreApplication::applicationPid()));
    for (const WorkerInfo& worker : flow.workers())
        rss.insert(QStringLiteral("%1/%2").arg(worker.stepId).arg(worker.workerIndex), rssOf(worker.pid));
    return rss;
}

QJsonObject runPeer(const Options& options, const QString& work, int workers, int inFlight, int arg = 0)
{
    if (!options.peer)
        return {};
    QProcess python;
    QStringList arguments{QStringLiteral(AQUEDUCT_BENCH_PEER_SCRIPT), work, QString::number(workers),
                          QString::number(inFlight), QString::number(options.seconds)};
    if (arg)
        arguments << QString::number(arg);
    python.start(QStringLiteral("python3"), arguments);
    if (!python.waitForFinished(int(options.seconds * 1000) + 120000) || python.exitCode() != 0) {
        std::fprintf(stderr, "aqueduct-bench: peer failed: %s\n", python.readAllStandardError().constData());
        return {};
    }
    return QJsonDocument::fromJson(python.readAllStandardOutput()).object();
}

void addMeasurement(QJsonObject& object, const Measurement& measurement)
{
    object.insert(QStringLiteral("tasks_per_s"), qRound64(measurement.tasksPerS));
    object.insert(QStringLiteral("p50_us"), measurement.p50Us);
    object.insert(QStringLiteral("p99_us"), measurement.p99Us);
    object.insert(QStringLiteral("tasks"), qint64(measurement.tasks));
    object.insert(QStringLiteral("failed"), qint64(measurement.failed));
    if (!measurement.firstError.isEmpty())
        object.insert(QStringLiteral("first_error"), measurement.firstError);
}

void addPeer(QJsonObject& object, const QJsonObject& peer, const QString& peerName, double ours)
{
    if (peer.isEmpty())
        return;
    const double peerRate = peer.value(QStringLiteral("tasks_per_s")).toDouble();
    object.insert(QStringLiteral("peer"), peerName);
    object.insert(QStringLiteral("peer_tasks_per_s"), qRound64(peerRate));
    object.insert(QStringLiteral("peer_p50_us"), peer.value(QStringLiteral("p50_us")).toDouble());
    if (peerRate > 0)
        object.insert(QStringLiteral("ratio"), ours / peerRate);
}

void emitResult(const QJsonObject& object)
{
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

QCoro::Task<void> runScenario(const QString& name, const Options& options)
{
    const double seconds = options.seconds;
    QJsonObject result;
    result.insert(QStringLiteral("scenario"), name);
    if (name == QLatin1String("trivial-1step")) {
        const Measurement m = co_await measureFlow(oneStep(QStringLiteral("increment")), 256, seconds, incrementTask);
        addMeasurement(result, m);
        addPeer(result, runPeer(options, QStringLiteral("increment"), 1, 256),
                QStringLiteral("ProcessPoolExecutor(max_workers=1)"), m.tasksPerS);
    } else if (name == QLatin1String("trivial-3step")) {
        const Measurement m = co_await measureFlow(threeSteps(1), 256, seconds, incrementTask);
        addMeasurement(result, m);
    } else if (name == QLatin1String("batch16-1step")) {
        const Measurement m = co_await measureFlow(oneStep(QStringLiteral("increment"), {}, 1, 16), 256, seconds, incrementTask);
        addMeasurement(result, m);
    } else if (name == QLatin1String("latency-1inflight")) {
        const Measurement m = co_await measureFlow(oneStep(QStringLiteral("increment")), 1, seconds, incrementTask);
        addMeasurement(result, m);
        addPeer(result, runPeer(options, QStringLiteral("increment"), 1, 1), QStringLiteral("ProcessPoolExecutor(max_workers=1)"),
                m.tasksPerS);
    } else if (name == QLatin1String("cpuburn-scaling")) {
        const Measurement one = co_await measureFlow(oneStep(QStringLiteral("cpu_burn"), burnParams(20), 1), 256,
                                                     seconds, incrementTask);
        const Measurement two = co_await measureFlow(oneStep(QStringLiteral("cpu_burn"), burnParams(20), 2), 256,
                                                     seconds, incrementTask);
        addMeasurement(result, two);
        result.insert(QStringLiteral("nprocs1_tasks_per_s"), qRound64(one.tasksPerS));
        result.insert(QStringLiteral("nprocs2_tasks_per_s"), qRound64(two.tasksPerS));
        result.insert(QStringLiteral("speedup"), one.tasksPerS > 0 ? two.tasksPerS / one.tasksPerS : 0);
        addPeer(result, runPeer(options, QStringLiteral("cpu_burn"), 2, 256, 20),
                QStringLiteral("ProcessPoolExecutor(max_workers=2)"), two.tasksPerS);
    } else if (name == QLatin1String("overload")) {
        const PipelineDocument document = oneStep(QStringLiteral("increment"));
        const Measurement few = co_await measureFlow(document, 64, seconds, incrementTask);
        const Measurement many = co_await measureFlow(document, 4096, seconds, incrementTask);
        addMeasurement(result, many);
        result.insert(QStringLiteral("inflight64_tasks_per_s"), qRound64(few.tasksPerS));
        result.insert(QStringLiteral("inflight4096_tasks_per_s"), qRound64(many.tasksPerS));
        result.insert(QStringLiteral("inflight4096_p99_us"), many.p99Us);
        result.insert(QStringLiteral("overload_ratio"), few.tasksPerS > 0 ? many.tasksPerS / few.tasksPerS : 0);
    } else if (name == QLatin1String("metrics-overhead")) {
        // Off and on alternate twice and each keeps its best run, so a burst of other load
        // on the machine does not decide the ratio.
        Measurement off;
        Measurement on;
        for (int round = 0; round < 2; ++round) {
            const Measurement offRun = co_await measureFlow(metricsDocument(false), 256, seconds, incrementTask);
            const Measurement onRun = co_await measureFlow(metricsDocument(true), 256, seconds, incrementTask);
            if (offRun.tasksPerS > off.tasksPerS)
                off = offRun;
            if (onRun.tasksPerS > on.tasksPerS)
                on = onRun;
        }
        addMeasurement(result, on);
        result.insert(QStringLiteral("metrics_on_tasks_per_s"), qRound64(on.tasksPerS));
        result.insert(QStringLiteral("metrics_off_tasks_per_s"), qRound64(off.tasksPerS));
        result.insert(QStringLiteral("metrics_off_p50_us"), off.p50Us);
        result.insert(QStringLiteral("metrics_off_p99_us"), off.p99Us);
        result.insert(QStringLiteral("metrics_ratio"), off.tasksPerS > 0 ? on.tasksPerS / off.tasksPerS : 0);
    } else if (name == QLatin1String("lifecycle")) {
        Flow flow(threeSteps(2));
        std::vector<std::uint32_t> startNs;
        std::vector<std::uint32_t> stopNs;
        std::uint64_t failures = 0;
        QElapsedTimer wall;
        wall.start();
        for (int cycle = 0; cycle < 20; ++cycle) {
            std::int64_t t0 = nowNs();
            const StartResult started = co_await flow.start();
            startNs.push_back(std::uint32_t(nowNs() - t0));
            if (!started.ok) {
                std::fprintf(stderr, "aqueduct-bench: start failed: %s\n", qPrintable(started.error));
                ++failures;
                continue;
            }
            std::vector<Task> tasks;
            for (int i = 0; i < 100; ++i)
                tasks.push_back(incrementTask(std::uint64_t(i)));
            const std::vector<TaskResult> results = co_await flow.processMany(std::move(tasks));
            for (const TaskResult& r : results)
                failures += r.ok() && r.task().intField("value") >= 3 ? 0 : 1;
            t0 = nowNs();
            co_await flow.stop();
            stopNs.push_back(std::uint32_t(nowNs() - t0));
        }
        result.insert(QStringLiteral("cycles"), 20);
        result.insert(QStringLiteral("start_ms_p50"), quantile(startNs, 0.5) / 1000.0);
        result.insert(QStringLiteral("stop_ms_p50"), quantile(stopNs, 0.5) / 1000.0);
        result.insert(QStringLiteral("start_ms_max"), double(*std::max_element(startNs.begin(), startNs.end())) / 1e6);
        result.insert(QStringLiteral("stop_ms_max"), stopNs.empty() ? 0.0 : double(*std::max_element(stopNs.begin(), stopNs.end())) / 1e6);
        result.insert(QStringLiteral("failed"), qint64(failures));
        result.insert(QStringLiteral("tasks_per_s"), 2000.0 / (double(wall.elapsed()) / 1000.0));
        result.insert(QStringLiteral("p50_us"), 0);
        result.insert(QStringLiteral("p99_us"), 0);
    } else if (name == QLatin1String("payload-1mib") || name == QLatin1String("payload-16mib")) {
        const qint64 bytes = name == QLatin1String("payload-1mib") ? (1ll << 20) : (16ll << 20);
        const int inFlight = name == QLatin1String("payload-1mib") ? 16 : 4;
        // Blob: share the prepared bytes once through a running flow's arena.
        Flow blobFlow(payloadFlow(bytes, PayloadMode::Blob, inFlight));
        const StartResult started = co_await blobFlow.start();
        if (!started.ok) {
            std::fprintf(stderr, "aqueduct-bench: start failed: %s\n", qPrintable(started.error));
            co_return;
        }
        Task prepared;
        prepared.set("payload", Value::fromBytes(QByteArray(qsizetype(bytes), 'p')));
        QString shareError;
        if (!prepared.share("payload", &shareError)) {
            std::fprintf(stderr, "aqueduct-bench: share failed: %s\n", qPrintable(shareError));
            co_return;
        }
        const Measurement blob = co_await drive(blobFlow, inFlight, seconds, payloadFactory(*prepared.find("payload")));
        co_await blobFlow.stop();
        const Measurement inlined = co_await measureFlow(payloadFlow(bytes, PayloadMode::Inline, inFlight), inFlight, seconds,
                                                         payloadFactory(Value::fromBytes(QByteArray(qsizetype(bytes), 'p'))));
        addMeasurement(result, blob);
        result.insert(QStringLiteral("payload_bytes"), bytes);
        result.insert(QStringLiteral("inline_tasks_per_s"), qRound64(inlined.tasksPerS));
        result.insert(QStringLiteral("inline_p50_us"), inlined.p50Us);
        result.insert(QStringLiteral("blob_vs_inline"), inlined.tasksPerS > 0 ? blob.tasksPerS / inlined.tasksPerS : 0);
        if (inlined.failed)
            result.insert(QStringLiteral("inline_first_error"), inlined.firstError);
    } else if (name == QLatin1String("soak")) {
        Flow flow(soakFlow());
        const StartResult started = co_await flow.start();
        if (!started.ok) {
            std::fprintf(stderr, "aqueduct-bench: start failed: %s\n", qPrintable(started.error));
            co_return;
        }
        // One run; the "start" picture is taken at 10% (after warm-up), the end one at the end.
        Task prepared;
        prepared.set("payload", Value::fromBytes(QByteArray(64 * 1024, 's')));
        prepared.share("payload");
        const Value payload = *prepared.find("payload");
        QJsonObject rssStart;
        qint64 arenaStart = 0;
        QTimer::singleShot(int(std::max(1.0, seconds * 0.1) * 1000), &flow, [&] {
            rssStart = processMemory(flow);
            arenaStart = flow.lastSnapshot() ? flow.lastSnapshot()->totals.arenaBytesUsed : 0;
        });
        const Measurement m = co_await drive(flow, 256, seconds, payloadFactory(payload));
        const QJsonObject rssEnd = processMemory(flow);
        co_await QCoro::sleepFor(std::chrono::milliseconds(300));
        const qint64 arenaEnd = flow.lastSnapshot() ? flow.lastSnapshot()->totals.arenaBytesUsed : 0;
        qint64 startTotal = 0;
        qint64 endTotal = 0;
        for (auto it = rssStart.begin(); it != rssStart.end(); ++it) {
            startTotal += it.value().toInteger();
            endTotal += rssEnd.value(it.key()).toInteger();
        }
        addMeasurement(result, m);
        result.insert(QStringLiteral("rss_start"), rssStart);
        result.insert(QStringLiteral("rss_end"), rssEnd);
        result.insert(QStringLiteral("rss_growth_pct"), startTotal > 0 ? 100.0 * double(endTotal - startTotal) / double(startTotal) : 0.0);
        result.insert(QStringLiteral("arena_bytes_start"), arenaStart);
        result.insert(QStringLiteral("arena_bytes_end"), arenaEnd);
        result.insert(QStringLiteral("failed_share"), m.tasks ? double(m.failed) / double(m.tasks) : 0.0);
        co_await flow.stop();
    } else {
        std::fprintf(stderr, "aqueduct-bench: unknown scenario '%s'\n", qPrintable(name));
        co_return;
    }
    emitResult(result);
}

const QStringList kAllScenarios = {QStringLiteral("trivial-1step"), QStringLiteral("trivial-3step"),
                                   QStringLiteral("batch16-1step"), QStringLiteral("latency-1inflight"),
                                   QStringLiteral("cpuburn-scaling"), QStringLiteral("overload"),
                                   QStringLiteral("lifecycle"), QStringLiteral("metrics-overhead"),
                                   QStringLiteral("payload-1mib"), QStringLiteral("payload-16mib")};
/// Opt-in scenarios (long): not run by default.
const QStringList kExtraScenarios = {QStringLiteral("soak")};

QCoro::Task<void> runAll(Options options)
{
    for (const QString& scenario : options.scenarios)
        co_await runScenario(scenario, options);
    QCoreApplication::quit();
}

} // namespace

int main(int argc, char** argv)
{
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
            options.scenarios << arguments[++i];
        else if (argument == QLatin1String("--seconds") && i + 1 < arguments.size())
            options.seconds = std::max(0.2, arguments[++i].toDouble());
        else if (argument == QLatin1String("--list")) {
            for (const QString& name : kAllScenarios + kExtraScenarios)
                std::printf("%s\n", qPrintable(name));
            return 0;
        } else {
            std::fprintf(stderr,
                         "usage: aqueduct-bench --json [--scenario NAME]... [--seconds S] [--no-peer] [--list]\n");
            return 2;
        }
    }
    if (options.scenarios.isEmpty())
        options.scenarios = kAllScenarios;
    for (const QString& scenario : options.scenarios) {
        if (!kAllScenarios.contains(scenario) && !kExtraScenarios.contains(scenario)) {
            std::fprintf(stderr, "aqueduct-bench: unknown scenario '%s' (see --list)\n", qPrintable(scenario));
            return 2;
        }
    }
    QTimer::singleShot(0, &app, [options] { runAll(options); });
    return app.exec();
}
