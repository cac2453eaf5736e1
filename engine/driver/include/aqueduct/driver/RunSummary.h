#pragma once

#include <aqueduct/TaskResult.h>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <array>
#include <cstdint>

namespace Aqueduct::Driver {

/// What a driven run did (FlowDriver::summary()): every item taken from the source ends as
/// completed, failed (by error kind) or a bad input line. `aqueduct run` prints it at exit;
/// the monitor extends it (MonitorRunSummary) with the pipeline and per-step figures.
struct RunSummary {
    std::uint64_t submitted = 0; ///< tasks handed to the flow (bad input lines excluded)
    std::uint64_t completed = 0; ///< tasks that came back ok
    std::array<std::uint64_t, kErrorKindCount> failedByKind{};
    std::uint64_t badInputLines = 0; ///< items taken that were not a task (never submitted)
    double wallS = 0;                ///< from the first item taken until the last result
    double latencyP50Ms = 0;         ///< caller side: process() called until it returned
    double latencyP95Ms = 0;
    double latencyP99Ms = 0;
    QString stoppedBy;   ///< stopReasonName(): end_of_input, count, duration, signal, ...
    QString flowError;   ///< why the flow failed, if it did
    QString outputError; ///< `aqueduct run`: why writing results failed, if it did
    int exitCode = 0;    ///< `aqueduct run`: the process exit code

    /// Tasks the flow failed (every error kind; bad input lines not included).
    std::uint64_t failed() const;
    /// Every item taken from the source: submitted tasks plus bad input lines.
    std::uint64_t taken() const { return submitted + badInputLines; }
    /// taken() / wallS: the `tasks_per_s` of the JSON (intake rate, every outcome counted).
    double takenPerS() const { return wallS > 0 ? double(taken()) / wallS : 0; }
    /// completed / wallS: good results per second.
    double completedPerS() const { return wallS > 0 ? double(completed) / wallS : 0; }

    /// The shared keys: submitted (= taken()), completed, failed {kind or bad_input: count},
    /// tasks_per_s (= takenPerS()), latency_ms {p50, p95, p99}, wall_s, stopped_by.
    QJsonObject toJsonObject() const;
    /// `aqueduct run`'s summary line (no newline), keys in this order: submitted,
    /// completed, failed, tasks_per_s, latency_ms, wall_s, then exit_code, stopped_by and
    /// flow_error / output_error when set.
    QByteArray toJson() const;
};

} // namespace Aqueduct::Driver
