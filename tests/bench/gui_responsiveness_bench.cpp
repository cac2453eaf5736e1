// GUI responsiveness while the engine runs flat out (issue 9): the real MainWindow with the
// monitor, the 3-step example fed by the synthetic generator at full rate, for --seconds S
// (default 30). Measures, over the run:
//   - CPU of this process (getrusage RUSAGE_SELF: GUI thread + engine thread; workers are
//     other processes and not counted), of the GUI thread alone (RUSAGE_THREAD) and of the
//     engine thread (/proc/self/task/TID/stat), in % of one core;
//   - event-loop latency: how late a 10 ms precise QTimer fires (p50, p99, max);
//   - chart redraws and snapshots delivered per second, tasks completed per second.
//   aqueduct-gui-bench [--seconds S] [--pipeline FILE] [--rate R] [--redraw-hz N] [--json]
// Goals: GUI process <= 15% of one core, timer lateness p99 <= 50 ms.
#include "BuiltinHandlers.h"

#include <MainWindow.h>
#include <application/UserPrompts.h>
#include <monitor/ChartsWidget.h>
#include <monitor/EngineController.h>
#include <monitor/MonitorController.h>

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using namespace Aqueduct;

namespace {

struct Options {
    double seconds = 30;
    QString pipeline = QStringLiteral(AQUEDUCT_BENCH_PIPELINE);
    double ratePerS = 0;
    int redrawHz = 0; ///< 0 = the monitor's default
    bool json = false;
};

double cpuSeconds(int who) {
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// CPU seconds of this process's thread called `name` (from /proc), -1 if none.
double threadCpuSeconds(const QByteArray& name) {
    const long ticks = sysconf(_SC_CLK_TCK);
    for (const QString& tid :
         QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != name)
            continue;
        QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        // fields[11] = utime, fields[12] = stime (stat fields 14 and 15)
        if (fields.size() < 13)
            return -1;
        return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(ticks);
    }
    return -1;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty())
        return 0;
    const std::size_t index = std::min(values.size() - 1, std::size_t(q * double(values.size())));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(index), values.end());
    return values[index];
}

template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs) {
    // A real event loop (no busy polling), checked every 20 ms.
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer check;
    check.setInterval(20);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done() || elapsed.elapsed() >= timeoutMs)
            loop.quit();
    });
    if (!done()) {
        check.start();
        loop.exec();
    }
    return done();
}

Options parse(const QStringList& arguments) {
    Options options;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString& argument = arguments[i];
        const QString next = i + 1 < arguments.size() ? arguments[i + 1] : QString();
        if (argument == QLatin1String("--seconds")) {
            options.seconds = next.toDouble();
            ++i;
        } else if (argument == QLatin1String("--pipeline")) {
            options.pipeline = next;
            ++i;
        } else if (argument == QLatin1String("--rate")) {
            options.ratePerS = next.toDouble();
            ++i;
        } else if (argument == QLatin1String("--redraw-hz")) {
            options.redrawHz = next.toInt();
            ++i;
        } else if (argument == QLatin1String("--json")) {
            options.json = true;
        } else {
            std::fprintf(stderr,
                         "usage: aqueduct-gui-bench [--seconds S] [--pipeline FILE] [--rate R] "
                         "[--redraw-hz N] [--json]\n");
            std::exit(2);
        }
    }
    options.seconds = std::max(1.0, options.seconds);
    return options;
}

} // namespace

int main(int argc, char** argv) {
    registerBuiltinHandlers(HandlerRegistry::global());
    if (const int workerExit = bootstrapProcess(argc, argv); workerExit >= 0)
        return workerExit;
    qputenv("AQUEDUCT_TEST", "1"); // default layout, no saved settings
    QApplication app(argc, argv);
    const Options options = parse(app.arguments());

    auto window = std::make_unique<Ui::MainWindow>(std::make_shared<Ui::NonInteractivePrompts>(),
                                                   Ui::MainWindow::Mode::Unattended);
    auto* monitor = new Ui::MonitorController(window.get());
    if (options.redrawHz > 0)
        monitor->charts()->setMaxRedrawHz(options.redrawHz);
    window->resize(1400, 900);
    window->show();
    if (!window->openFile(options.pipeline)) {
        std::fprintf(stderr, "aqueduct-gui-bench: cannot open %s\n", qPrintable(options.pipeline));
        return 2;
    }
    window->fitCanvas();
    Ui::LoadSettings load;
    load.source = Ui::LoadSource::Synthetic;
    load.ratePerS = options.ratePerS;
    load.onEnd = Ui::LoadEndAction::KeepRunning;
    monitor->setLoadSettings(load);
    if (!monitor->run() ||
        !waitUntil(
            [&] { return monitor->state() == FlowState::Running || !monitor->isRunActive(); },
            60000) ||
        !monitor->isRunActive()) {
        std::fprintf(stderr, "aqueduct-gui-bench: the pipeline did not start\n");
        return 3;
    }
    // Warm-up: first snapshots, charts built, caches filled.
    waitUntil([] { return false; }, 1000);

    // Event-loop latency: a 10 ms precise timer; lateness = gap - 10 ms.
    std::vector<double> latenessMs;
    latenessMs.reserve(std::size_t(options.seconds * 120));
    QElapsedTimer tick;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double gapMs = double(tick.nsecsElapsed()) / 1e6;
        tick.start();
        latenessMs.push_back(std::max(0.0, gapMs - 10.0));
    });

    const double processStart = cpuSeconds(RUSAGE_SELF);
    const double guiStart = cpuSeconds(RUSAGE_THREAD);
    const double engineStart = threadCpuSeconds("aqueduct-engine");
    const quint64 redrawsStart = monitor->charts()->redrawCount();
    const quint64 snapshotsStart = monitor->engine()->snapshotsDelivered();
    const MetricsSnapshotPtr first = monitor->engine()->lastSnapshot();
    const std::uint64_t completedStart = first ? first->totals.completed : 0;
    QElapsedTimer wall;
    wall.start();
    tick.start();
    probe.start();
    waitUntil([&] { return wall.elapsed() >= qint64(options.seconds * 1000); },
              int(options.seconds * 1000) + 1000);
    probe.stop();
    const double wallS = double(wall.nsecsElapsed()) / 1e9;
    const double processCpu = cpuSeconds(RUSAGE_SELF) - processStart;
    const double guiCpu = cpuSeconds(RUSAGE_THREAD) - guiStart;
    const double engineCpu = threadCpuSeconds("aqueduct-engine") - engineStart;
    const quint64 redraws = monitor->charts()->redrawCount() - redrawsStart;
    const quint64 snapshots = monitor->engine()->snapshotsDelivered() - snapshotsStart;
    const MetricsSnapshotPtr last = monitor->engine()->lastSnapshot();
    const std::uint64_t completed = last ? last->totals.completed - completedStart : 0;

    monitor->stop();
    waitUntil([&] { return !monitor->isRunActive(); }, 30000);
    window.reset();

    QJsonObject result;
    result.insert(QStringLiteral("scenario"), QStringLiteral("gui-responsiveness"));
    result.insert(QStringLiteral("pipeline"), QFileInfo(options.pipeline).fileName());
    result.insert(QStringLiteral("seconds"), wallS);
    result.insert(QStringLiteral("platform"), QGuiApplication::platformName());
    result.insert(QStringLiteral("process_cpu_pct"), 100.0 * processCpu / wallS);
    result.insert(QStringLiteral("gui_thread_cpu_pct"), 100.0 * guiCpu / wallS);
    result.insert(QStringLiteral("engine_thread_cpu_pct"),
                  engineCpu >= 0 ? 100.0 * engineCpu / wallS : -1);
    result.insert(QStringLiteral("timer_lateness_p50_ms"), quantile(latenessMs, 0.50));
    result.insert(QStringLiteral("timer_lateness_p99_ms"), quantile(latenessMs, 0.99));
    result.insert(QStringLiteral("timer_lateness_max_ms"),
                  latenessMs.empty() ? 0 : *std::max_element(latenessMs.begin(), latenessMs.end()));
    result.insert(QStringLiteral("timer_samples"), qint64(latenessMs.size()));
    result.insert(QStringLiteral("chart_redraws_per_s"), double(redraws) / wallS);
    result.insert(QStringLiteral("snapshots_per_s"), double(snapshots) / wallS);
    result.insert(QStringLiteral("tasks_per_s"), double(completed) / wallS);
    // The goal is for the whole GUI process (GUI and engine threads; workers excluded).
    const bool guiGoal = 100.0 * processCpu / wallS <= 15.0;
    const bool latencyGoal = quantile(latenessMs, 0.99) <= 50.0;
    result.insert(QStringLiteral("goal_process_cpu_met"), guiGoal);
    result.insert(QStringLiteral("goal_latency_met"), latencyGoal);

    if (options.json) {
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    } else {
        std::printf("GUI responsiveness, %s at full rate for %.1f s (%s platform)\n",
                    qPrintable(result.value(QStringLiteral("pipeline")).toString()), wallS,
                    qPrintable(QGuiApplication::platformName()));
        std::printf("  tasks completed        %10.0f /s\n", double(completed) / wallS);
        std::printf("  GUI thread CPU         %10.1f %% of a core\n", 100.0 * guiCpu / wallS);
        std::printf("  engine thread CPU      %10.1f %% of a core\n",
                    engineCpu >= 0 ? 100.0 * engineCpu / wallS : -1.0);
        std::printf(
            "  whole process CPU      %10.1f %% of a core   (GUI + engine; workers excluded; goal "
            "<= 15)\n",
            100.0 * processCpu / wallS);
        std::printf(
            "  10 ms timer lateness   p50 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 <= 50)\n",
            quantile(latenessMs, 0.50), quantile(latenessMs, 0.99),
            result.value(QStringLiteral("timer_lateness_max_ms")).toDouble());
        std::printf("  chart redraws          %10.1f /s\n", double(redraws) / wallS);
        std::printf("  snapshots to the GUI   %10.1f /s\n", double(snapshots) / wallS);
    }
    return guiGoal && latencyGoal ? 0 : 1;
}
