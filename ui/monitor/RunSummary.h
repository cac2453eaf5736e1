#pragma once

#include <aqueduct/TaskResult.h>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <array>
#include <cstdint>

namespace Aqueduct::Ui {

/// What a monitor run did, from the load generator's side (every task it sent ends as
/// completed or in failedByKind) plus the engine's per-step view at the end. Same keys as
/// `aqueduct run`'s summary where they overlap.
struct RunSummary {
    struct Step {
        QString stepId;
        std::uint64_t tasksOut = 0;
        std::uint64_t errors = 0;
        int restarts = 0;
        double handleP99Ms = 0;
        double queueWaitP99Ms = 0;
    };

    QString pipelineName;
    QString load; ///< LoadSettings::describe()
    QDateTime startedAt;
    double wallS = 0;
    std::uint64_t submitted = 0;
    std::uint64_t completed = 0;
    std::array<std::uint64_t, kErrorKindCount> failedByKind{};
    std::uint64_t badInputLines = 0; ///< file source: lines that were not a task
    double latencyP50Ms = 0;
    double latencyP95Ms = 0;
    double latencyP99Ms = 0;
    QString endReason;  ///< "stopped", "load finished", "flow failed: ...", "start failed"
    QString finalState; ///< the flow's state name at the end
    QList<Step> steps;

    std::uint64_t failed() const;
    double tasksPerS() const { return wallS > 0 ? double(completed) / wallS : 0; }
    QJsonObject toJson() const;
    /// A few lines for the run log and the text export.
    QString toText() const;
};

} // namespace Aqueduct::Ui

Q_DECLARE_METATYPE(Aqueduct::Ui::RunSummary)
