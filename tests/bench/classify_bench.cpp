// aqueduct-classify-bench: the `classify` scenario (issue 19). resources/pipelines/classify.json
// (decode -> resize -> normalize -> ONNX model -> top-k, vision plugin) end to end at
// nprocs 1 and 2, batch 1 and 8, against the same steps in Python (cv2.dnn + numpy through
// ProcessPoolExecutor, classify_peer.py) at the same nprocs and batch. One JSON line:
//   aqueduct-classify-bench [--seconds S] [--no-peer]
// Its own program (not an aqueduct-bench scenario) so the engine benchmark does not need
// the plugin; the fields follow aqueduct-bench's.
#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineDocument.h>
#include <aqueduct/PluginLoader.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QTimer>

#include <qcoro/qcorotask.h>
#include <qcoro/qcorotimer.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace Aqueduct;

namespace {

struct Options {
    double seconds = 3.0;
    bool peer = true;
};

struct Measurement {
    double tasksPerS = 0;
    double p50Us = 0;
    double p99Us = 0;
    double cpuUsPerTask = 0;
    std::uint64_t tasks = 0;
    std::uint64_t failed = 0;
    QString firstError;
};

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double quantileUs(std::vector<std::int64_t>& samples, double q) {
    if (samples.empty())
        return 0;
    const std::size_t index = std::min(samples.size() - 1, std::size_t(q * double(samples.size())));
    std::nth_element(samples.begin(), samples.begin() + std::ptrdiff_t(index), samples.end());
    return double(samples[index]) / 1000.0;
}

// CPU seconds (user + system) of a process, from /proc; 0 if it is gone.
double processCpuSeconds(qint64 pid) {
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const qsizetype close = stat.lastIndexOf(')');
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    // After "pid (comm) ": state is field 0; utime and stime are fields 11 and 12.
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

double flowCpuSeconds(const Flow& flow, QMap<QString, double>* perStep = nullptr) {
    double total = 0;
    for (const WorkerInfo& worker : flow.workers()) {
        const double seconds = processCpuSeconds(worker.pid);
        total += seconds;
        if (perStep)
            (*perStep)[worker.stepId] += seconds;
    }
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    return total + double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
           double(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
}

struct DriveState {
    std::int64_t measureFromNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t counter = 0;
    std::uint64_t done = 0;
    std::uint64_t failed = 0;
    QString firstError;
    std::vector<std::int64_t> latenciesNs;
};

QCoro::Task<void> driver(Flow& flow, DriveState& state, const std::vector<QByteArray>& images) {
    for (;;) {
        const std::int64_t start = nowNs();
        if (start >= state.endNs)
            break;
        Task task;
        task.set("image", Value::fromBytes(images[state.counter++ % images.size()]));
        const TaskResult result = co_await flow.process(std::move(task));
        const std::int64_t end = nowNs();
        if (start < state.measureFromNs || end > state.endNs)
            continue;
        ++state.done;
        const Value* label = result.task().find("label");
        if (!result.ok() || label == nullptr || label->type() != ValueType::String) {
            ++state.failed;
            if (state.firstError.isEmpty())
                state.firstError =
                    errorKindName(result.error()) + QStringLiteral(": ") + result.message();
        }
        state.latenciesNs.push_back(end - start);
    }
}

PipelineDocument classifyDocument(int nprocs, int batch) {
    const QString path = QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines/classify.json");
    PipelineDocument::LoadResult loaded = PipelineDocument::fromFile(path);
    PipelineDocument document = std::move(loaded.document);
    for (StepSpec& step : document.steps) {
        step.nprocs = nprocs;
        step.batchSize = batch;
        for (const QString& key : {QStringLiteral("model"), QStringLiteral("labels")}) {
            if (step.params.contains(key))
                step.params.insert(key,
                                   QDir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines"))
                                       .absoluteFilePath(step.params.value(key).toString()));
        }
    }
    return document;
}

QCoro::Task<Measurement> measure(int nprocs, int batch, double seconds,
                                 const std::vector<QByteArray>& images) {
    Flow flow(classifyDocument(nprocs, batch));
    const StartResult started = co_await flow.start();
    if (!started.ok) {
        std::fprintf(stderr, "aqueduct-classify-bench: start failed: %s\n",
                     qPrintable(started.error));
        co_return Measurement{};
    }
    DriveState state;
    const int inFlight = 4 * nprocs * batch;
    state.measureFromNs = nowNs() + std::int64_t(std::min(1.0, seconds * 0.25) * 1e9);
    state.endNs = state.measureFromNs + std::int64_t(seconds * 1e9);
    std::vector<QCoro::Task<void>> drivers;
    for (int i = 0; i < inFlight; ++i)
        drivers.push_back(driver(flow, state, images));
    // CPU over the measured window only (warm-up and model loading excluded).
    while (nowNs() < state.measureFromNs)
        co_await QCoro::sleepFor(std::chrono::milliseconds(5));
    QMap<QString, double> stepsBefore;
    QMap<QString, double> stepsAfter;
    const double cpuBefore = flowCpuSeconds(flow, &stepsBefore);
    const std::uint64_t doneBefore = state.done;
    for (auto& running : drivers)
        co_await running;
    const double cpuAfter = flowCpuSeconds(flow, &stepsAfter);
    // Where the CPU goes, per step (stderr, for the notes).
    const double measured = double(std::max<std::uint64_t>(1, state.done - doneBefore));
    std::fprintf(stderr, "nprocs %d batch %d: %.1f tasks/s; CPU us per task:", nprocs, batch,
                 double(state.done) / seconds);
    for (auto it = stepsAfter.constBegin(); it != stepsAfter.constEnd(); ++it)
        std::fprintf(stderr, " %s %.0f", qPrintable(it.key()),
                     (it.value() - stepsBefore.value(it.key())) * 1e6 / measured);
    std::fprintf(stderr, "\n");
    co_await flow.stop();
    Measurement m;
    m.tasks = state.done;
    m.failed = state.failed;
    m.firstError = state.firstError;
    m.tasksPerS = double(state.done) / seconds;
    m.p50Us = quantileUs(state.latenciesNs, 0.50);
    m.p99Us = quantileUs(state.latenciesNs, 0.99);
    m.cpuUsPerTask = state.done > doneBefore
                         ? (cpuAfter - cpuBefore) * 1e6 / double(state.done - doneBefore)
                         : 0;
    co_return m;
}

QJsonObject runPeer(int nprocs, int batch, double seconds) {
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral(AQUEDUCT_SOURCE_DIR "/tests/bench/classify_peer.py"),
                  QStringLiteral("--model"),
                  QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/models/classifier.onnx"),
                  QStringLiteral("--labels"),
                  QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/models/classifier-labels.txt"),
                  QStringLiteral("--images"),
                  QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/images"),
                  QStringLiteral("--nprocs"), QString::number(nprocs), QStringLiteral("--batch"),
                  QString::number(batch), QStringLiteral("--seconds"), QString::number(seconds)});
    if (!python.waitForFinished(int(seconds * 1000) + 120000) || python.exitCode() != 0) {
        std::fprintf(stderr, "aqueduct-classify-bench: peer failed: %s\n",
                     python.readAllStandardError().constData());
        python.kill();
        python.waitForFinished();
        return {};
    }
    return QJsonDocument::fromJson(python.readAllStandardOutput()).object();
}

QCoro::Task<void> run(Options options) {
    std::vector<QByteArray> images;
    const QDir folder(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/images"));
    for (const QString& name : folder.entryList(QDir::Files, QDir::Name)) {
        QFile file(folder.filePath(name));
        if (file.open(QIODevice::ReadOnly))
            images.push_back(file.readAll());
    }
    const Measurement b1n1 = co_await measure(1, 1, options.seconds, images);
    const Measurement b8n1 = co_await measure(1, 8, options.seconds, images);
    const Measurement b1n2 = co_await measure(2, 1, options.seconds, images);
    const Measurement b8n2 = co_await measure(2, 8, options.seconds, images);
    QJsonObject line{
        {QStringLiteral("scenario"), QStringLiteral("classify")},
        {QStringLiteral("tasks_per_s"), b8n2.tasksPerS},
        {QStringLiteral("p50_us"), b8n2.p50Us},
        {QStringLiteral("p99_us"), b8n2.p99Us},
        {QStringLiteral("cpu_us_per_task"), b8n2.cpuUsPerTask},
        {QStringLiteral("failed"), qint64(b1n1.failed + b8n1.failed + b1n2.failed + b8n2.failed)},
        {QStringLiteral("speedup_nprocs2"),
         b8n1.tasksPerS > 0 ? b8n2.tasksPerS / b8n1.tasksPerS : 0},
        {QStringLiteral("batch8_vs_batch1"),
         b1n2.tasksPerS > 0 ? b8n2.tasksPerS / b1n2.tasksPerS : 0},
        {QStringLiteral("nprocs1_batch1_tasks_per_s"), b1n1.tasksPerS},
        {QStringLiteral("nprocs1_batch8_tasks_per_s"), b8n1.tasksPerS},
        {QStringLiteral("nprocs2_batch1_tasks_per_s"), b1n2.tasksPerS}};
    if (!b8n2.firstError.isEmpty())
        line.insert(QStringLiteral("first_error"), b8n2.firstError);
    if (options.peer) {
        const QJsonObject peer = runPeer(2, 8, options.seconds);
        const QJsonObject peerB1 = runPeer(2, 1, options.seconds);
        const double peerRate = peer.value(QStringLiteral("tasks_per_s")).toDouble();
        line.insert(QStringLiteral("peer"), QStringLiteral("python cv2.dnn ProcessPoolExecutor"));
        line.insert(QStringLiteral("peer_tasks_per_s"), peerRate);
        line.insert(QStringLiteral("peer_p50_us"), peer.value(QStringLiteral("p50_us")).toDouble());
        line.insert(QStringLiteral("peer_cpu_us_per_task"),
                    peer.value(QStringLiteral("cpu_us_per_task")).toDouble());
        line.insert(QStringLiteral("ratio"), peerRate > 0 ? b8n2.tasksPerS / peerRate : 0);
        const double peerB1Rate = peerB1.value(QStringLiteral("tasks_per_s")).toDouble();
        line.insert(QStringLiteral("peer_batch1_tasks_per_s"), peerB1Rate);
        line.insert(QStringLiteral("ratio_batch1"),
                    peerB1Rate > 0 ? b1n2.tasksPerS / peerB1Rate : 0);
    }
    std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    QCoreApplication::quit();
}

} // namespace

int main(int argc, char** argv) {
    // Before bootstrapProcess: forked workers inherit the registry with the plugin in it.
    qputenv("AQUEDUCT_PLUGIN_PATH", AQUEDUCT_PLUGIN_DIR);
    PluginLoader::loadSearchPath(HandlerRegistry::global());
    if (const int workerExit = bootstrapProcess(argc, argv); workerExit >= 0)
        return workerExit;
    QCoreApplication app(argc, argv);
    Options options;
    const QStringList arguments = app.arguments();
    for (int i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--no-peer")) {
            options.peer = false;
        } else if (arguments[i] == QLatin1String("--seconds") && i + 1 < arguments.size()) {
            options.seconds = std::max(0.5, arguments[++i].toDouble());
        } else {
            std::fprintf(stderr, "usage: aqueduct-classify-bench [--seconds S] [--no-peer]\n");
            return 2;
        }
    }
    if (!HandlerRegistry::global().find(QStringLiteral("onnx_infer"))) {
        std::fprintf(stderr, "aqueduct-classify-bench: the vision plugin is not in %s\n",
                     AQUEDUCT_PLUGIN_DIR);
        return 1;
    }
    QTimer::singleShot(0, &app, [options] { run(options); });
    return app.exec();
}
