#include "aqueduct/exporters/PrometheusFormatter.h"

#include <aqueduct/Flow.h>

#include <charconv>
#include <cmath>
#include <initializer_list>

namespace Aqueduct {

namespace {

struct Label {
    const char* name;
    QString value;
};

constexpr FlowState kFlowStates[] = {FlowState::Stopped, FlowState::Starting, FlowState::Running,
                                     FlowState::Stopping, FlowState::Failed};
constexpr WorkerState kWorkerStates[] = {
    WorkerState::Starting,   WorkerState::Ready, WorkerState::Busy,   WorkerState::Idle,
    WorkerState::Restarting, WorkerState::Dead,  WorkerState::Stopped};

QByteArray formatCount(std::uint64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

/// Builds the exposition text; families must be written whole, one after another.
class Writer {
public:
    void family(const char* name, const char* type, const char* help) {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += help; // our help texts hold no backslash or newline
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }

    void sample(const char* name, const QList<Label>& labels, const QByteArray& value,
                const char* suffix = nullptr) {
        m_out += name;
        if (suffix)
            m_out += suffix;
        if (!labels.isEmpty()) {
            m_out += '{';
            bool first = true;
            for (const Label& label : labels) {
                if (!first)
                    m_out += ',';
                first = false;
                m_out += label.name;
                m_out += "=\"";
                m_out += PrometheusFormatter::escapeLabelValue(label.value);
                m_out += '"';
            }
            m_out += '}';
        }
        m_out += ' ';
        m_out += value;
        m_out += '\n';
    }

    void gauge(const char* name, const QList<Label>& labels, double value) {
        sample(name, labels, PrometheusFormatter::formatValue(value));
    }

    void count(const char* name, const QList<Label>& labels, std::uint64_t value) {
        sample(name, labels, formatCount(value));
    }

    void histogram(const char* name, QList<Label> labels, const HistogramData& histogram) {
        labels.append(Label{"le", QString()});
        Label& le = labels.last();
        const qsizetype finite = histogram.upperBoundsSeconds.size();
        for (qsizetype i = 0; i < finite; ++i) {
            le.value = QString::fromLatin1(
                PrometheusFormatter::formatValue(histogram.upperBoundsSeconds[i]));
            const std::uint64_t cumulative = i < histogram.cumulativeCounts.size()
                                                 ? histogram.cumulativeCounts[i]
                                                 : histogram.count;
            sample(name, labels, formatCount(cumulative), "_bucket");
        }
        // The +Inf bucket always equals _count, as the format requires.
        le.value = QStringLiteral("+Inf");
        sample(name, labels, formatCount(histogram.count), "_bucket");
        labels.removeLast();
        sample(name, labels, PrometheusFormatter::formatValue(histogram.sumSeconds), "_sum");
        sample(name, labels, formatCount(histogram.count), "_count");
    }

    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

bool isParent(const ProcessMetrics& process) {
    return process.worker.workerIndex < 0;
}

/// role, and for workers step and worker index; with the pid when `withPid`.
QList<Label> processLabels(const ProcessMetrics& process, bool withPid) {
    QList<Label> labels;
    if (isParent(process)) {
        labels.append(Label{"role", QStringLiteral("parent")});
    } else {
        labels.append(Label{"role", QStringLiteral("worker")});
        labels.append(Label{"step", process.worker.stepId});
        labels.append(Label{"worker", QString::number(process.worker.workerIndex)});
    }
    if (withPid)
        labels.append(Label{"pid", QString::number(process.worker.pid)});
    return labels;
}

void writeFlow(Writer& out, const MetricsSnapshot& snapshot) {
    const FlowTotals& totals = snapshot.totals;
    out.family("aqueduct_flow_up", "gauge", "1 while the flow is running, else 0.");
    out.gauge("aqueduct_flow_up", {},
              snapshot.flowState == flowStateName(FlowState::Running) ? 1 : 0);

    out.family("aqueduct_flow_state", "gauge", "1 for the flow's current state, 0 for the others.");
    for (FlowState state : kFlowStates) {
        const QString name = flowStateName(state);
        out.gauge("aqueduct_flow_state", {{"state", name}}, snapshot.flowState == name ? 1 : 0);
    }

    out.family("aqueduct_flow_uptime_seconds", "gauge", "Seconds since the flow last started.");
    out.gauge("aqueduct_flow_uptime_seconds", {}, snapshot.uptimeS);

    out.family("aqueduct_tasks_submitted_total", "counter", "Tasks submitted to the flow.");
    out.count("aqueduct_tasks_submitted_total", {}, totals.submitted);

    out.family("aqueduct_tasks_completed_total", "counter", "Tasks that came back handled.");
    out.count("aqueduct_tasks_completed_total", {}, totals.completed);

    out.family("aqueduct_tasks_failed_total", "counter",
               "Tasks that ended with an error, by kind (kind=\"timeout\" are the expired).");
    for (int kind = 1; kind < kErrorKindCount; ++kind)
        out.count("aqueduct_tasks_failed_total", {{"kind", errorKindName(ErrorKind(kind))}},
                  totals.errorsByKind[std::size_t(kind)]);

    out.family("aqueduct_tasks_in_flight", "gauge", "Tasks submitted and not finished yet.");
    out.count("aqueduct_tasks_in_flight", {}, totals.inFlight);

    out.family("aqueduct_arena_used_bytes", "gauge",
               "Bytes of the shared-memory blob arena in use.");
    out.gauge("aqueduct_arena_used_bytes", {}, double(totals.arenaBytesUsed));

    out.family("aqueduct_arena_size_bytes", "gauge", "Size of the shared-memory blob arena.");
    out.gauge("aqueduct_arena_size_bytes", {}, double(totals.arenaBytesTotal));

    out.family("aqueduct_arena_blobs", "gauge", "Blobs alive in the shared-memory arena.");
    out.count("aqueduct_arena_blobs", {}, totals.arenaBlobs);
}

void writeSteps(Writer& out, const MetricsSnapshot& snapshot) {
    const QList<StepMetrics>& steps = snapshot.steps;
    auto perStep = [&](const char* name, const char* type, const char* help, auto value) {
        out.family(name, type, help);
        for (const StepMetrics& step : steps)
            out.gauge(name, {{"step", step.stepId}}, double(value(step)));
    };

    out.family("aqueduct_step_info", "gauge", "Always 1; labels name each step's handler.");
    for (const StepMetrics& step : steps)
        out.gauge("aqueduct_step_info", {{"step", step.stepId}, {"handler", step.handler}}, 1);

    perStep("aqueduct_step_workers_wanted", "gauge",
            "Worker processes the step is configured for (nprocs).",
            [](const StepMetrics& s) { return s.nprocs; });
    perStep("aqueduct_step_workers_alive", "gauge", "Worker processes of the step that are up.",
            [](const StepMetrics& s) { return s.workersAlive; });
    perStep("aqueduct_step_workers_busy", "gauge",
            "Worker processes of the step handling a batch now.",
            [](const StepMetrics& s) { return s.workersBusy; });
    perStep("aqueduct_step_failed", "gauge", "1 when the step could not be kept alive.",
            [](const StepMetrics& s) { return s.failed ? 1 : 0; });
    perStep("aqueduct_step_batch_size", "gauge", "Configured batch_size (most tasks per batch).",
            [](const StepMetrics& s) { return s.batchSize; });
    perStep("aqueduct_step_queue_capacity", "gauge",
            "Capacity of each priority lane of the step's queue.",
            [](const StepMetrics& s) { return s.queueCapacity; });

    out.family("aqueduct_step_queue_depth", "gauge",
               "Tasks waiting in the step's queue, per priority lane.");
    for (const StepMetrics& step : steps) {
        for (qsizetype lane = 0; lane < step.queueDepthPerLane.size(); ++lane)
            out.gauge("aqueduct_step_queue_depth",
                      {{"step", step.stepId}, {"lane", QString::number(lane)}},
                      step.queueDepthPerLane[lane]);
    }

    auto perStepCount = [&](const char* name, const char* help, auto value) {
        out.family(name, "counter", help);
        for (const StepMetrics& step : steps)
            out.count(name, {{"step", step.stepId}}, value(step));
    };
    perStepCount("aqueduct_step_tasks_in_total", "Tasks the step's workers took from its queue.",
                 [](const StepMetrics& s) { return s.tasksIn; });
    perStepCount("aqueduct_step_tasks_out_total", "Tasks that left the step handled.",
                 [](const StepMetrics& s) { return s.tasksOut; });
    perStepCount("aqueduct_step_skipped_total",
                 "Tasks routed past the step because its condition was false.",
                 [](const StepMetrics& s) { return s.skipped; });
    perStepCount("aqueduct_step_batches_total", "Batches the step's handler was called with.",
                 [](const StepMetrics& s) { return s.batches; });
    perStepCount("aqueduct_step_batched_tasks_total",
                 "Tasks handed to the step's handler in batches (over batches: mean batch size).",
                 [](const StepMetrics& s) { return s.batchedTasks; });

    out.family("aqueduct_step_errors_total", "counter",
               "Tasks that ended with an error in the step, by kind.");
    for (const StepMetrics& step : steps) {
        for (int kind = 1; kind < kErrorKindCount; ++kind)
            out.count("aqueduct_step_errors_total",
                      {{"step", step.stepId}, {"kind", errorKindName(ErrorKind(kind))}},
                      step.errorsByKind[std::size_t(kind)]);
    }

    out.family(
        "aqueduct_step_batch_fill", "histogram",
        "Batch size / batch_size per batch (0..1, tenths; _sum uses each bucket's upper bound).");
    for (const StepMetrics& step : steps)
        out.histogram("aqueduct_step_batch_fill", {{"step", step.stepId}}, step.batchFill);

    out.family("aqueduct_step_handle_seconds", "histogram", "Time the handler took per batch.");
    for (const StepMetrics& step : steps)
        out.histogram("aqueduct_step_handle_seconds", {{"step", step.stepId}},
                      step.handleTimeHistogram);

    out.family("aqueduct_step_queue_wait_seconds", "histogram",
               "Time a task waited in the step's queue before a worker took it.");
    for (const StepMetrics& step : steps)
        out.histogram("aqueduct_step_queue_wait_seconds", {{"step", step.stepId}},
                      step.queueWaitHistogram);

    out.family(
        "aqueduct_step_throughput_tasks_per_second", "gauge",
        "Tasks out of the step per second over the last sampling interval (window=\"interval\") "
        "and over the last 10 s (window=\"10s\").");
    for (const StepMetrics& step : steps) {
        out.gauge("aqueduct_step_throughput_tasks_per_second",
                  {{"step", step.stepId}, {"window", QStringLiteral("interval")}},
                  step.throughputPerS);
        out.gauge("aqueduct_step_throughput_tasks_per_second",
                  {{"step", step.stepId}, {"window", QStringLiteral("10s")}},
                  step.throughput10sPerS);
    }
}

void writeProcesses(Writer& out, const MetricsSnapshot& snapshot) {
    const QList<ProcessMetrics>& processes = snapshot.processes;

    out.family("aqueduct_process_info", "gauge",
               "Always 1; labels give each process's pid and, for workers, the last exit cause.");
    for (const ProcessMetrics& process : processes) {
        QList<Label> labels = processLabels(process, true);
        if (!isParent(process))
            labels.append(Label{"last_exit_cause", process.worker.lastExitCause});
        out.gauge("aqueduct_process_info", labels, 1);
    }

    out.family("aqueduct_process_state", "gauge",
               "1 for the worker's current state, 0 for the others.");
    for (const ProcessMetrics& process : processes) {
        if (isParent(process))
            continue;
        QList<Label> labels = processLabels(process, false);
        labels.append(Label{"state", QString()});
        for (WorkerState state : kWorkerStates) {
            labels.last().value = workerStateName(state);
            out.gauge("aqueduct_process_state", labels, process.worker.state == state ? 1 : 0);
        }
    }

    out.family("aqueduct_process_restarts_total", "counter",
               "Times the worker was restarted after it died.");
    for (const ProcessMetrics& process : processes) {
        if (!isParent(process))
            out.count("aqueduct_process_restarts_total", processLabels(process, false),
                      std::uint64_t(std::max(0, process.worker.restarts)));
    }

    out.family("aqueduct_process_cpu_ratio", "gauge",
               "CPU time used over the last interval, in cores (1 = one core busy; CPU % / 100).");
    for (const ProcessMetrics& process : processes)
        out.gauge("aqueduct_process_cpu_ratio", processLabels(process, true),
                  process.cpuPercent / 100.0);

    out.family("aqueduct_process_resident_memory_bytes", "gauge",
               "Resident set size of the process.");
    for (const ProcessMetrics& process : processes)
        out.gauge("aqueduct_process_resident_memory_bytes", processLabels(process, true),
                  double(process.rssBytes));
}

} // namespace

QByteArray PrometheusFormatter::escapeLabelValue(QStringView value) {
    const QByteArray utf8 = value.toUtf8();
    QByteArray escaped;
    escaped.reserve(utf8.size());
    for (const char c : utf8) {
        switch (c) {
        case '\\':
            escaped += "\\\\";
            break;
        case '"':
            escaped += "\\\"";
            break;
        case '\n':
            escaped += "\\n";
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

QByteArray PrometheusFormatter::formatValue(double value) {
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

QByteArray PrometheusFormatter::format(const MetricsSnapshot* snapshot) {
    Writer out;
    if (!snapshot) {
        out.family("aqueduct_flow_up", "gauge", "1 while the flow is running, else 0.");
        out.gauge("aqueduct_flow_up", {}, 0);
        return out.take();
    }
    writeFlow(out, *snapshot);
    writeSteps(out, *snapshot);
    writeProcesses(out, *snapshot);
    return out.take();
}

} // namespace Aqueduct
