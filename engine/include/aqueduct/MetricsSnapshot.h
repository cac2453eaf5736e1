#pragma once

#include "aqueduct/TaskResult.h"
#include "aqueduct/WorkerInfo.h"

#include <QList>
#include <QString>

#include <array>
#include <cstdint>
#include <memory>

namespace Aqueduct {

/// Quantiles of a histogram, in microseconds.
struct LatencySummary {
    double p50Us = 0;
    double p95Us = 0;
    double p99Us = 0;
    double meanUs = 0;
    std::uint64_t count = 0;
};

/// A log-bucket histogram as exported to Prometheus (cumulative counts per upper bound).
struct HistogramData {
    QList<double> upperBoundsSeconds;      ///< finite upper bounds; +Inf is implied
    QList<std::uint64_t> cumulativeCounts; ///< one per bound, then one for +Inf
    double sumSeconds = 0;
    std::uint64_t count = 0;
};

struct StepMetrics {
    QString stepId;
    QString handler;
    int nprocs = 0;
    int batchSize = 1;
    int queueCapacity = 0;        ///< per lane
    QList<int> queueDepthPerLane; ///< index = priority lane
    std::uint64_t tasksIn = 0;    ///< taken from the queue by workers
    std::uint64_t tasksOut = 0;   ///< left the step handled
    std::uint64_t skipped = 0;    ///< condition false: routed past this step
    std::array<std::uint64_t, kErrorKindCount> errorsByKind{}; ///< index = ErrorKind
    std::uint64_t batches = 0;
    /// Tasks the handler was given, over all batches (expired or undecodable tasks taken
    /// from the queue are not). batchedTasks / batches is the exact mean batch size.
    std::uint64_t batchedTasks = 0;
    double batchFillMean = 0;  ///< mean of batch size / batch_size, 0..1
    HistogramData batchFill;   ///< buckets over 0..1
    LatencySummary handleTime; ///< per batch
    LatencySummary queueWait;  ///< per task
    HistogramData handleTimeHistogram;
    HistogramData queueWaitHistogram;
    double throughputPerS = 0;    ///< tasks out per second over the last interval
    double throughput10sPerS = 0; ///< over the last 10 s
    int workersAlive = 0;
    int workersBusy = 0;
    bool failed = false; ///< the step could not be kept alive
    QString failureReason;
};

struct ProcessMetrics {
    WorkerInfo worker;     ///< for the parent: stepId empty, workerIndex -1
    double cpuPercent = 0; ///< of one core, over the last interval
    qint64 rssBytes = 0;
};

struct FlowTotals {
    std::uint64_t submitted = 0;
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;  ///< all errors except expired and rejected
    std::uint64_t expired = 0; ///< Timeout
    std::uint64_t rejected = 0;
    std::array<std::uint64_t, kErrorKindCount> errorsByKind{};
    std::uint64_t inFlight = 0;
    qint64 arenaBytesUsed = 0;
    qint64 arenaBytesTotal = 0;
    std::uint64_t arenaBlobs = 0;
};

/// An immutable picture of a running flow, taken by the parent every metrics interval.
struct MetricsSnapshot {
    qint64 timestampMs = 0; ///< since the epoch
    double uptimeS = 0;     ///< since the flow started
    QString flowState;
    FlowTotals totals;
    QList<StepMetrics> steps;
    QList<ProcessMetrics> processes; ///< parent first, then workers by step
};

using MetricsSnapshotPtr = std::shared_ptr<const MetricsSnapshot>;

} // namespace Aqueduct

Q_DECLARE_METATYPE(Aqueduct::MetricsSnapshotPtr)
