#include "ClassifyScenario.h"

#include "ClassifyCheck.h"
#include "CpuMeter.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineDocument.h>
#include <aqueduct/PipelineValidator.h>
#include <aqueduct/PluginLoader.h>
#include <aqueduct/driver/FlowDriver.h>
#include <aqueduct/driver/SyntheticTaskSource.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QMap>
#include <QProcess>

#include <qcoro/qcorotimer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace AqueductBench {

using namespace Aqueduct;

namespace {

const QString kSourceDir = QStringLiteral(AQUEDUCT_SOURCE_DIR);
constexpr int kPeerThreads = 1; // classify.json's onnx_infer `threads`

struct Image {
    QString name;
    QByteArray bytes;
    const ClassifyAnswer* answer = nullptr;
};

/// One configuration of ours: every step at `nprocs` processes and `batch` tasks a batch.
struct Config {
    int nprocs = 1;
    int batch = 1;
    QString key() const { return QStringLiteral("nprocs%1_batch%2").arg(nprocs).arg(batch); }
};

struct Measurement {
    double tasksPerS = 0; ///< verified images per second
    double p50Us = 0;
    double p99Us = 0;
    std::uint64_t tasks = 0;
    std::uint64_t failed = 0;
    QString firstError;
    double cpuUsPerTask = 0;
    double cpuCores = 0;               ///< CPU seconds per wall second, parent + workers
    QMap<QString, double> stepCpuUs;   ///< per image, by step id
    double modelBatchFill = 0;         ///< mean tasks per forward pass / batch_size
    double modelForwardUsPerImage = 0; ///< the model step's handle time per image
    int inFlight = 0;                  ///< images kept in flight
    int workerThreadsMax = 0;          ///< threads in the busiest worker process
    /// By step id: share of the window its processes spent inside handle() (wall time,
    /// so a step starved of CPU by other jobs looks busy; one starved of tasks does not).
    QMap<QString, double> stepBusy;
    QString startError;
};

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double warmupSeconds(double seconds) {
    return std::min(1.0, seconds * 0.25);
}

/// The vision plugin built beside aqueduct-bench; flows started afterwards hand it to
/// their workers (FlowRuntime passes PluginLoader::loadedFiles()).
bool loadVisionPlugin(QString* error) {
    HandlerRegistry& registry = HandlerRegistry::global();
    if (registry.find(QStringLiteral("onnx_infer")))
        return true;
    const QString folder = QStringLiteral(AQUEDUCT_VISION_PLUGIN_DIR);
    PluginLoader::loadFiles({folder}, registry);
    if (registry.find(QStringLiteral("onnx_infer")))
        return true;
    QStringList problems;
    for (const Problem& problem : registry.loadProblems())
        problems << problem.message;
    *error = QStringLiteral("the vision plugin (vision_handlers.so) is not in %1%2; build the "
                            "vision_handlers target (needs OpenCV's dev packages)")
                 .arg(folder, problems.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" (") + problems.join(QStringLiteral("; ")) +
                                        QStringLiteral(")"));
    return false;
}

PipelineDocument classifyDocument(const Config& config, QString* error) {
    const QString path = kSourceDir + QStringLiteral("/resources/pipelines/classify.json");
    PipelineDocument::LoadResult loaded = PipelineDocument::fromFile(path);
    PipelineDocument document = std::move(loaded.document);
    if (document.steps.isEmpty())
        *error = QStringLiteral("cannot load %1").arg(path);
    // The one resolver run, serve and the GUI use (the vision plugin is loaded by now).
    resolveFilePathParams(document, HandlerRegistry::global(),
                          kSourceDir + QStringLiteral("/resources/pipelines"));
    for (StepSpec& step : document.steps) {
        // The whole pipeline scales: with only the model at nprocs 2 the other steps
        // would cap the speedup.
        step.nprocs = config.nprocs;
        step.batchSize = config.batch;
    }
    return document;
}

struct DriveState {
    std::int64_t measureFromNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t tasks = 0;
    std::uint64_t failed = 0;
    QString firstError;
    Driver::LatencyHistogram latency;
    CpuWindow cpu;
};

/// Counts and checks what the driver's lanes bring back. Throughput = images finished
/// inside the window, whenever they started: with batches in flight an image takes up to
/// ~0.5 s here, and counting only those started inside a 3 s window would under-count
/// high-latency configurations (batch 8) by latency / window.
class ClassifySink final : public Driver::DriveSink {
public:
    ClassifySink(DriveState& state, const std::vector<Image>& images)
        : m_state(state)
        , m_images(images) {}

    void taskFinished(const Driver::DriveItem& item, TaskResult& result, std::int64_t start,
                      std::int64_t end) override {
        if (end < m_state.measureFromNs || end > m_state.endNs)
            return;
        ++m_state.tasks;
        const Image& image = m_images[item.index % m_images.size()];
        QString why;
        if (!result.ok())
            why = errorKindName(result.error()) + QStringLiteral(": ") + result.message();
        else if (!checkClassification(result.task(), *image.answer, &why))
            why = image.name + QStringLiteral(": ") + why;
        if (!why.isEmpty()) {
            ++m_state.failed;
            if (m_state.firstError.isEmpty())
                m_state.firstError = why;
        }
        m_state.latency.record(end - start);
    }

private:
    DriveState& m_state;
    const std::vector<Image>& m_images;
};

int threadCount(qint64 pid) {
    return int(QDir(QStringLiteral("/proc/%1/task").arg(pid))
                   .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                   .size());
}

QCoro::Task<Measurement> measure(const Config& config, double seconds,
                                 const std::vector<Image>& images) {
    Measurement m;
    QString error;
    Flow flow(classifyDocument(config, &error));
    if (!error.isEmpty()) {
        m.startError = error;
        co_return m;
    }
    const StartResult started = co_await flow.start();
    if (!started.ok) {
        m.startError =
            QStringLiteral("%1: the flow did not start: %2").arg(config.key(), started.error);
        co_return m;
    }
    DriveState state;
    // Two batches per worker process in flight, as the peer keeps two per process: one
    // being handled, one waiting. The pipeline has a process per step and nprocs, so it
    // needs that many to keep the model step busy (with 4 * nprocs * batch, batch 1 left
    // the model idle 15-25 % of the time).
    int processes = 0;
    for (const WorkerInfo& worker : flow.workers())
        processes += worker.stepId.isEmpty() ? 0 : 1;
    const int inFlight = 2 * config.batch * std::max(1, processes);
    state.measureFromNs = nowNs() + std::int64_t(warmupSeconds(seconds) * 1e9);
    state.endNs = state.measureFromNs + std::int64_t(seconds * 1e9);
    m.inFlight = inFlight;
    ClassifySink sink(state, images);
    Driver::SyntheticTaskSource source([&images](std::uint64_t index, Task& task) {
        task.set("image", Value::fromBytes(images[index % images.size()].bytes));
    });
    Driver::DriveSettings settings;
    settings.concurrency = inFlight;
    settings.durationS = double(state.endNs - nowNs()) / 1e9;
    Driver::FlowDriver driver(flow, source, settings);
    driver.setSink(&sink);
    QCoro::Task<void> driving = driver.run();
    // CPU over the measured window only (model loading and warm-up excluded).
    while (nowNs() < state.measureFromNs)
        co_await QCoro::sleepFor(std::chrono::milliseconds(5));
    QMap<qint64, double> stepStartUs;
    for (const WorkerInfo& worker : flow.workers())
        stepStartUs.insert(worker.pid, processCpuUs(worker.pid));
    state.cpu.start(workerPids(flow));
    const MetricsSnapshotPtr snapshotBefore = flow.lastSnapshot();
    const std::uint64_t tasksBefore = state.tasks;
    while (nowNs() < state.endNs - std::int64_t(0.1e9))
        co_await QCoro::sleepFor(std::chrono::milliseconds(50));
    // Sampled while busy: what each worker's OpenCV (TBB) really runs with.
    for (const WorkerInfo& worker : flow.workers())
        m.workerThreadsMax = std::max(m.workerThreadsMax, threadCount(worker.pid));
    while (nowNs() < state.endNs)
        co_await QCoro::sleepFor(std::chrono::milliseconds(5));
    const CpuSample cpu = state.cpu.stop(workerPids(flow));
    const MetricsSnapshotPtr snapshotAfter = flow.lastSnapshot();
    if (snapshotBefore && snapshotAfter && snapshotAfter->uptimeS > snapshotBefore->uptimeS &&
        snapshotBefore->steps.size() == snapshotAfter->steps.size()) {
        const double wallS = snapshotAfter->uptimeS - snapshotBefore->uptimeS;
        for (qsizetype i = 0; i < snapshotAfter->steps.size(); ++i) {
            const StepMetrics& after = snapshotAfter->steps[i];
            const double handledS = after.handleTimeHistogram.sumSeconds -
                                    snapshotBefore->steps[i].handleTimeHistogram.sumSeconds;
            m.stepBusy.insert(after.stepId, handledS / (wallS * std::max(1, after.nprocs)));
        }
    }
    const std::uint64_t measuredTasks = std::max<std::uint64_t>(1, state.tasks - tasksBefore);
    for (const WorkerInfo& worker : flow.workers()) {
        if (stepStartUs.contains(worker.pid))
            m.stepCpuUs[worker.stepId] +=
                (processCpuUs(worker.pid) - stepStartUs.value(worker.pid)) / double(measuredTasks);
    }
    co_await driving;
    if (const MetricsSnapshotPtr snapshot = flow.lastSnapshot()) {
        for (const StepMetrics& step : snapshot->steps) {
            if (step.handler != QLatin1String("onnx_infer"))
                continue;
            m.modelBatchFill = step.batchFillMean;
            const double imagesPerBatch = std::max(1.0, step.batchFillMean * step.batchSize);
            m.modelForwardUsPerImage = step.handleTime.meanUs / imagesPerBatch;
        }
    }
    co_await flow.stop();
    m.tasks = state.tasks;
    m.failed = state.failed;
    m.firstError = state.firstError;
    m.tasksPerS = double(state.tasks - state.failed) / seconds;
    m.p50Us = state.latency.quantileNs(0.50) / 1000.0;
    m.p99Us = state.latency.quantileNs(0.99) / 1000.0;
    // The CPU window and the counting window are the same span.
    m.cpuUsPerTask = cpu.totalUs() / double(measuredTasks);
    m.cpuCores = cpu.totalUs() / (seconds * 1e6);
    co_return m;
}

/// What a configuration could do on an idle machine, from the CPU it spent per image
/// (which contention changes far less than throughput): all processes share `cores`,
/// and a step's nprocs processes handle at most nprocs / (its CPU per image).
double idleBound(const Measurement& m, int nprocs, int cores) {
    if (m.cpuUsPerTask <= 0)
        return 0;
    double bound = double(cores) * 1e6 / m.cpuUsPerTask;
    for (auto it = m.stepCpuUs.constBegin(); it != m.stepCpuUs.constEnd(); ++it) {
        if (it.value() > 0)
            bound = std::min(bound, double(nprocs) * 1e6 / it.value());
    }
    return bound;
}

struct PeerMeasurement {
    QJsonObject data;
    QString error;
    double tasksPerS() const { return data.value(QStringLiteral("tasks_per_s")).toDouble(); }
};

PeerMeasurement runPeer(const Config& config, double seconds) {
    PeerMeasurement peer;
    QProcess python;
    // Debian's interpreter: python3-opencv lives there, not in a virtualenv on the PATH.
    python.start(
        QStringLiteral("/usr/bin/python3"),
        {kSourceDir + QStringLiteral("/tests/bench/classify_peer.py"), QStringLiteral("--model"),
         kSourceDir + QStringLiteral("/resources/models/classifier.onnx"),
         QStringLiteral("--labels"),
         kSourceDir + QStringLiteral("/resources/models/classifier-labels.txt"),
         QStringLiteral("--images"), kSourceDir + QStringLiteral("/resources/images"),
         QStringLiteral("--expected"),
         kSourceDir + QStringLiteral("/tests/bench/classify_expected.json"),
         QStringLiteral("--nprocs"), QString::number(config.nprocs), QStringLiteral("--batch"),
         QString::number(config.batch), QStringLiteral("--seconds"), QString::number(seconds),
         QStringLiteral("--warmup"), QString::number(warmupSeconds(seconds)),
         QStringLiteral("--threads"), QString::number(kPeerThreads)});
    if (!python.waitForStarted(30000)) {
        peer.error = QStringLiteral("%1: /usr/bin/python3 did not start (%2); the peer needs "
                                    "Debian's python3-opencv and python3-numpy")
                         .arg(config.key(), python.errorString());
        return peer;
    }
    if (!python.waitForFinished(int(seconds * 1000) + 120000)) {
        python.kill();
        python.waitForFinished(5000);
        peer.error = QStringLiteral("%1: the python peer did not finish").arg(config.key());
        return peer;
    }
    if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        peer.error =
            QStringLiteral("%1: the python peer failed (exit %2): %3")
                .arg(config.key())
                .arg(python.exitCode())
                .arg(QString::fromUtf8(python.readAllStandardError().right(400)).trimmed());
        return peer;
    }
    peer.data = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    if (peer.data.isEmpty())
        peer.error = QStringLiteral("%1: the python peer printed no JSON").arg(config.key());
    else if (peer.data.value(QStringLiteral("failed")).toInteger() > 0)
        peer.error = QStringLiteral("%1: the python peer got %2 wrong: %3")
                         .arg(config.key())
                         .arg(peer.data.value(QStringLiteral("failed")).toInteger())
                         .arg(peer.data.value(QStringLiteral("first_error")).toString());
    else if (peer.tasksPerS() <= 0)
        peer.error = QStringLiteral("%1: the python peer finished no image in its window "
                                    "(raise --seconds)")
                         .arg(config.key());
    return peer;
}

double ratioOf(double ours, double theirs) {
    return theirs > 0 ? ours / theirs : 0;
}

} // namespace

QCoro::Task<QJsonObject> runClassifyScenario(double seconds, bool peerEnabled) {
    QJsonObject line;
    line.insert(QStringLiteral("scenario"), QStringLiteral("classify"));
    QString error;
    if (!loadVisionPlugin(&error)) {
        line.insert(QStringLiteral("failed"), 0);
        line.insert(QStringLiteral("first_error"), error);
        co_return line;
    }
    const QString answersPath = kSourceDir + QStringLiteral("/tests/bench/classify_expected.json");
    const ClassifyAnswers answers = loadClassifyAnswers(answersPath, &error);
    std::vector<Image> images;
    const QDir folder(kSourceDir + QStringLiteral("/resources/images"));
    for (const QString& name : folder.entryList(QDir::Files, QDir::Name)) {
        QFile file(folder.filePath(name));
        const auto answer = answers.constFind(name);
        if (answer == answers.constEnd()) {
            if (error.isEmpty())
                error = QStringLiteral("%1 has no answer for %2").arg(answersPath, name);
            continue;
        }
        if (!file.open(QIODevice::ReadOnly)) {
            error = QStringLiteral("cannot read %1").arg(file.fileName());
            continue;
        }
        images.push_back(Image{name, file.readAll(), &answer.value()});
    }
    if (!error.isEmpty() || images.empty()) {
        line.insert(QStringLiteral("failed"), 0);
        line.insert(QStringLiteral("first_error"),
                    error.isEmpty() ? QStringLiteral("no sample image") : error);
        co_return line;
    }

    // Ours and the peer one after the other per configuration, so drift in the machine's
    // load hits both sides of each ratio alike.
    const std::vector<Config> configs = {{1, 1}, {1, 8}, {2, 1}, {2, 8}};
    QMap<QString, Measurement> ours;
    QMap<QString, PeerMeasurement> peers;
    for (const Config& config : configs) {
        const Measurement m = co_await measure(config, seconds, images);
        ours.insert(config.key(), m);
        std::fprintf(stderr, "classify %s: %.0f images/s, %.2f cores, CPU us per image:",
                     qPrintable(config.key()), m.tasksPerS, m.cpuCores);
        for (auto it = m.stepCpuUs.constBegin(); it != m.stepCpuUs.constEnd(); ++it)
            std::fprintf(stderr, " %s %.0f", qPrintable(it.key()), it.value());
        std::fprintf(stderr, "\n");
        if (peerEnabled) {
            peers.insert(config.key(), runPeer(config, seconds));
            std::fprintf(stderr, "classify %s peer: %.0f images/s\n", qPrintable(config.key()),
                         peers.value(config.key()).tasksPerS());
        }
    }

    const Measurement& main = ours[QStringLiteral("nprocs2_batch8")];
    line.insert(QStringLiteral("tasks_per_s"), main.tasksPerS);
    line.insert(QStringLiteral("p50_us"), main.p50Us);
    line.insert(QStringLiteral("p99_us"), main.p99Us);
    line.insert(QStringLiteral("tasks"), qint64(main.tasks));
    line.insert(QStringLiteral("cpu_us_per_task"), main.cpuUsPerTask);
    line.insert(QStringLiteral("cpu_cores"), main.cpuCores);
    line.insert(QStringLiteral("in_flight"), main.inFlight);
    QJsonObject steps;
    for (auto it = main.stepCpuUs.constBegin(); it != main.stepCpuUs.constEnd(); ++it)
        steps.insert(it.key(), it.value());
    line.insert(QStringLiteral("cpu_us_per_task_by_step"), steps);
    line.insert(QStringLiteral("speedup_nprocs2"),
                ratioOf(main.tasksPerS, ours[QStringLiteral("nprocs1_batch8")].tasksPerS));
    line.insert(QStringLiteral("batch8_vs_batch1"),
                ratioOf(main.tasksPerS, ours[QStringLiteral("nprocs2_batch1")].tasksPerS));
    // Figures an idle machine would give, from CPU per image (see idleBound).
    const int cores = std::max(1, int(std::thread::hardware_concurrency()));
    QMap<QString, double> bounds;
    for (const Config& config : configs)
        bounds.insert(config.key(), idleBound(ours[config.key()], config.nprocs, cores));
    line.insert(QStringLiteral("idle_bound_cores"), cores);
    line.insert(QStringLiteral("idle_bound_speedup_nprocs2"),
                ratioOf(bounds[QStringLiteral("nprocs2_batch8")],
                        bounds[QStringLiteral("nprocs1_batch8")]));
    line.insert(QStringLiteral("idle_bound_batch8_vs_batch1"),
                ratioOf(bounds[QStringLiteral("nprocs2_batch8")],
                        bounds[QStringLiteral("nprocs2_batch1")]));
    std::uint64_t failed = 0;
    for (const Config& config : configs) {
        const QString key = config.key();
        const Measurement& m = ours[key];
        failed += m.failed;
        if (!m.startError.isEmpty() && !line.contains(QStringLiteral("first_error")))
            line.insert(QStringLiteral("first_error"), m.startError);
        if (!m.firstError.isEmpty() && !line.contains(QStringLiteral("first_error")))
            line.insert(QStringLiteral("first_error"), key + QStringLiteral(": ") + m.firstError);
        if (m.startError.isEmpty() && m.tasks == 0 && !line.contains(QStringLiteral("first_error")))
            line.insert(QStringLiteral("first_error"),
                        key + QStringLiteral(": no image finished inside the measured window "
                                             "(raise --seconds)"));
        line.insert(key + QStringLiteral("_tasks_per_s"), m.tasksPerS);
        line.insert(key + QStringLiteral("_p50_us"), m.p50Us);
        line.insert(key + QStringLiteral("_cpu_us_per_task"), m.cpuUsPerTask);
        line.insert(key + QStringLiteral("_cpu_cores"), m.cpuCores);
        line.insert(key + QStringLiteral("_model_batch_fill"), m.modelBatchFill);
        line.insert(key + QStringLiteral("_model_forward_us_per_image"), m.modelForwardUsPerImage);
        line.insert(key + QStringLiteral("_worker_threads_max"), m.workerThreadsMax);
        line.insert(key + QStringLiteral("_in_flight"), m.inFlight);
        line.insert(key + QStringLiteral("_idle_bound_tasks_per_s"), bounds[key]);
        QJsonObject busy;
        for (auto it = m.stepBusy.constBegin(); it != m.stepBusy.constEnd(); ++it)
            busy.insert(it.key(), it.value());
        line.insert(key + QStringLiteral("_busy_by_step"), busy);
    }
    line.insert(QStringLiteral("failed"), qint64(failed));
    std::uint64_t counted = 0;
    for (const Measurement& m : ours)
        counted += m.tasks;
    // `failed` covers every configuration; `tasks` is nprocs 2 batch 8's alone.
    line.insert(QStringLiteral("tasks_all_configurations"), qint64(counted));

    if (peerEnabled) {
        line.insert(QStringLiteral("peer"), QStringLiteral("python-cv2dnn-ppe"));
        const PeerMeasurement& peer = peers[QStringLiteral("nprocs2_batch8")];
        const auto peerValue = [&peer](const char* key) {
            return peer.data.value(QLatin1String(key)).toDouble();
        };
        line.insert(QStringLiteral("peer_tasks_per_s"), peer.tasksPerS());
        line.insert(QStringLiteral("peer_p50_us"), peerValue("p50_us"));
        line.insert(QStringLiteral("peer_p99_us"), peerValue("p99_us"));
        line.insert(QStringLiteral("peer_tasks"), qint64(peerValue("tasks")));
        line.insert(QStringLiteral("peer_cpu_us_per_task"), peerValue("cpu_us_per_task"));
        line.insert(QStringLiteral("ratio_of"), QStringLiteral("tasks_per_s"));
        line.insert(QStringLiteral("ratio"), ratioOf(main.tasksPerS, peer.tasksPerS()));
        // The peer's processes each run every step: min(nprocs, cores) cores' worth.
        const double peerCpuUs = peerValue("cpu_us_per_task");
        if (peerCpuUs > 0)
            line.insert(QStringLiteral("idle_bound_ratio"),
                        bounds[QStringLiteral("nprocs2_batch8")] /
                            (double(std::min(2, cores)) * 1e6 / peerCpuUs));
        for (const Config& config : configs) {
            const QString key = config.key();
            const PeerMeasurement& p = peers[key];
            if (!p.error.isEmpty() && !line.contains(QStringLiteral("peer_error")))
                line.insert(QStringLiteral("peer_error"), p.error);
            line.insert(key + QStringLiteral("_peer_tasks_per_s"), p.tasksPerS());
            line.insert(key + QStringLiteral("_ratio"),
                        ratioOf(ours[key].tasksPerS, p.tasksPerS()));
        }
        line.insert(QStringLiteral("peer_speedup_nprocs2"),
                    ratioOf(peer.tasksPerS(), peers[QStringLiteral("nprocs1_batch8")].tasksPerS()));
        line.insert(QStringLiteral("peer_batch8_vs_batch1"),
                    ratioOf(peer.tasksPerS(), peers[QStringLiteral("nprocs2_batch1")].tasksPerS()));
    }
    co_return line;
}

} // namespace AqueductBench
