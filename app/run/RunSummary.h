#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include <cstdint>

namespace Aqueduct::App {

/// What `aqueduct run` reports at exit (stderr, and --summary FILE).
struct RunSummary {
    std::uint64_t submitted = 0;
    std::uint64_t completed = 0;
    QMap<QString, std::uint64_t> failed; ///< error kind (or bad_input) -> count, non-zero only
    double wallS = 0;                    ///< first task taken until the last result written
    double latencyP50Ms = 0;
    double latencyP95Ms = 0;
    double latencyP99Ms = 0;
    QString stoppedBy; ///< end_of_input, count, duration, signal, ...
    QString flowError; ///< why the flow failed, if it did
    QString outputError;
    int exitCode = 0;

    std::uint64_t failedTotal() const;
    double tasksPerS() const { return wallS > 0 ? double(submitted) / wallS : 0; }
    /// One compact JSON object (no newline): submitted, completed, failed, tasks_per_s,
    /// latency_ms {p50, p95, p99}, wall_s, then stopped_by, exit_code and errors if any.
    QByteArray toJson() const;
};

} // namespace Aqueduct::App
