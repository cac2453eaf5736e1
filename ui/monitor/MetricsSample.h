#pragma once

#include <aqueduct/TaskResult.h>

#include <QString>
#include <QStringList>

#include <array>
#include <vector>

namespace Aqueduct::Ui {

/// One step at one moment, in chart units. Rates and quantiles are over the last second
/// (from counter and histogram deltas), not since the start: a chart of "p99 since start"
/// would hide every change after the first minute.
struct StepSample {
    std::vector<float> laneDepth; ///< tasks queued per priority lane
    int queueCapacity = 0;        ///< per lane
    float throughputPerS = 0;     ///< tasks out per second
    float batchFillPct = 0;       ///< mean batch size / batch_size, percent
    float batchTasksMean = 0;     ///< tasks per batch handed to the handler (0: no batch ran)
    int batchSize = 1;            ///< the step's batch_size
    float handleP50Ms = 0;        ///< per batch
    float handleP99Ms = 0;
    float queueWaitP50Ms = 0; ///< per task
    float queueWaitP99Ms = 0;
    float busyShare = 0; ///< share of the step's worker time spent handling, 0..1
    float errorsPerS = 0;
    int workersAlive = 0;
    int workersWanted = 0;
    std::uint64_t tasksOut = 0; ///< cumulative
    std::uint64_t errors = 0;   ///< cumulative, all kinds

    float queueDepth() const; ///< all lanes
    /// Fullest lane's fill, 0..1 (backpressure starts when one lane is full).
    float queueFill() const;
};

/// The flow and all its steps at one moment (or, in downsampled tiers, over one bucket:
/// means for rates and p50s, maxima for queue depth and p99s, last values for counters).
struct MetricsSample {
    double timeS = 0;            ///< seconds since the run started
    qint64 timestampMs = 0;      ///< wall clock, ms since the epoch
    std::uint64_t completed = 0; ///< cumulative
    std::uint64_t failed = 0;    ///< cumulative, all kinds except expired/rejected
    std::uint64_t expired = 0;   ///< cumulative
    std::array<std::uint64_t, kErrorKindCount> errorsByKind{}; ///< cumulative
    float completedPerS = 0;
    std::array<float, kErrorKindCount> errorsPerS{}; ///< index = ErrorKind (Timeout = expired)
    float inFlight = 0;
    std::vector<StepSample> steps; ///< in the pipeline's step order
};

} // namespace Aqueduct::Ui
