#include "aqueduct/exporters/SnapshotJson.h"

#include <QJsonArray>

namespace Aqueduct {

namespace {

// JSON numbers are doubles: counts stay exact up to 2^53, far beyond any run.
QJsonValue count(std::uint64_t value) {
    return QJsonValue(qint64(value));
}

QJsonObject errorsToJson(const std::array<std::uint64_t, kErrorKindCount>& errors) {
    QJsonObject object;
    for (int kind = 1; kind < kErrorKindCount; ++kind)
        object.insert(errorKindName(ErrorKind(kind)), count(errors[std::size_t(kind)]));
    return object;
}

QJsonObject latencyToJson(const LatencySummary& summary) {
    QJsonObject object;
    object.insert(QStringLiteral("p50_us"), summary.p50Us);
    object.insert(QStringLiteral("p95_us"), summary.p95Us);
    object.insert(QStringLiteral("p99_us"), summary.p99Us);
    object.insert(QStringLiteral("mean_us"), summary.meanUs);
    object.insert(QStringLiteral("count"), count(summary.count));
    return object;
}

QJsonObject stepToJson(const StepMetrics& step) {
    QJsonObject object;
    object.insert(QStringLiteral("step"), step.stepId);
    object.insert(QStringLiteral("handler"), step.handler);
    object.insert(QStringLiteral("nprocs"), step.nprocs);
    object.insert(QStringLiteral("batch_size"), step.batchSize);
    object.insert(QStringLiteral("queue_capacity"), step.queueCapacity);
    QJsonArray depth;
    for (int lane : step.queueDepthPerLane)
        depth.append(lane);
    object.insert(QStringLiteral("queue_depth_per_lane"), depth);
    object.insert(QStringLiteral("tasks_in"), count(step.tasksIn));
    object.insert(QStringLiteral("tasks_out"), count(step.tasksOut));
    object.insert(QStringLiteral("skipped"), count(step.skipped));
    object.insert(QStringLiteral("errors_by_kind"), errorsToJson(step.errorsByKind));
    object.insert(QStringLiteral("batches"), count(step.batches));
    object.insert(QStringLiteral("batched_tasks"), count(step.batchedTasks));
    object.insert(QStringLiteral("batch_fill_mean"), step.batchFillMean);
    object.insert(QStringLiteral("batch_fill"), histogramToJson(step.batchFill));
    object.insert(QStringLiteral("handle_time"), latencyToJson(step.handleTime));
    object.insert(QStringLiteral("queue_wait"), latencyToJson(step.queueWait));
    object.insert(QStringLiteral("handle_time_histogram"),
                  histogramToJson(step.handleTimeHistogram));
    object.insert(QStringLiteral("queue_wait_histogram"), histogramToJson(step.queueWaitHistogram));
    object.insert(QStringLiteral("throughput_per_s"), step.throughputPerS);
    object.insert(QStringLiteral("throughput_10s_per_s"), step.throughput10sPerS);
    object.insert(QStringLiteral("workers_alive"), step.workersAlive);
    object.insert(QStringLiteral("workers_busy"), step.workersBusy);
    object.insert(QStringLiteral("failed"), step.failed);
    object.insert(QStringLiteral("failure_reason"), step.failureReason);
    return object;
}

QJsonObject processToJson(const ProcessMetrics& process) {
    const WorkerInfo& worker = process.worker;
    const bool parent = worker.workerIndex < 0;
    QJsonObject object;
    object.insert(QStringLiteral("role"),
                  parent ? QStringLiteral("parent") : QStringLiteral("worker"));
    object.insert(QStringLiteral("step"), worker.stepId);
    object.insert(QStringLiteral("step_index"), parent ? -1 : worker.stepIndex);
    object.insert(QStringLiteral("worker"), worker.workerIndex);
    object.insert(QStringLiteral("pid"), worker.pid);
    object.insert(QStringLiteral("state"), workerStateName(worker.state));
    object.insert(QStringLiteral("restarts"), worker.restarts);
    object.insert(QStringLiteral("last_exit_cause"), worker.lastExitCause);
    object.insert(QStringLiteral("cpu_percent"), process.cpuPercent);
    object.insert(QStringLiteral("rss_bytes"), process.rssBytes);
    return object;
}

} // namespace

QJsonObject histogramToJson(const HistogramData& histogram) {
    QJsonArray bounds;
    for (double bound : histogram.upperBoundsSeconds)
        bounds.append(bound);
    QJsonArray counts;
    for (std::uint64_t cumulative : histogram.cumulativeCounts)
        counts.append(count(cumulative));
    QJsonObject object;
    object.insert(QStringLiteral("upper_bounds"), bounds);
    object.insert(QStringLiteral("cumulative_counts"), counts);
    object.insert(QStringLiteral("sum"), histogram.sumSeconds);
    object.insert(QStringLiteral("count"), count(histogram.count));
    return object;
}

QJsonObject snapshotToJson(const MetricsSnapshot& snapshot) {
    const FlowTotals& totals = snapshot.totals;
    QJsonObject totalsObject;
    totalsObject.insert(QStringLiteral("submitted"), count(totals.submitted));
    totalsObject.insert(QStringLiteral("completed"), count(totals.completed));
    totalsObject.insert(QStringLiteral("failed"), count(totals.failed));
    totalsObject.insert(QStringLiteral("expired"), count(totals.expired));
    totalsObject.insert(QStringLiteral("rejected"), count(totals.rejected));
    totalsObject.insert(QStringLiteral("errors_by_kind"), errorsToJson(totals.errorsByKind));
    totalsObject.insert(QStringLiteral("in_flight"), count(totals.inFlight));
    totalsObject.insert(QStringLiteral("arena_bytes_used"), totals.arenaBytesUsed);
    totalsObject.insert(QStringLiteral("arena_bytes_total"), totals.arenaBytesTotal);
    totalsObject.insert(QStringLiteral("arena_blobs"), count(totals.arenaBlobs));

    QJsonArray steps;
    for (const StepMetrics& step : snapshot.steps)
        steps.append(stepToJson(step));
    QJsonArray processes;
    for (const ProcessMetrics& process : snapshot.processes)
        processes.append(processToJson(process));

    QJsonObject object;
    object.insert(QStringLiteral("timestamp_ms"), snapshot.timestampMs);
    object.insert(QStringLiteral("uptime_s"), snapshot.uptimeS);
    object.insert(QStringLiteral("flow_state"), snapshot.flowState);
    object.insert(QStringLiteral("totals"), totalsObject);
    object.insert(QStringLiteral("steps"), steps);
    object.insert(QStringLiteral("processes"), processes);
    return object;
}

} // namespace Aqueduct
