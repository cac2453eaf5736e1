#pragma once

#include <aqueduct/driver/RunSummary.h>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cstdint>

namespace Aqueduct::Ui {

/// What a monitor run did: the driver's run summary (the same counts, latency and
/// tasks_per_s as `aqueduct run`'s) plus the pipeline, the load and the engine's per-step
/// view at the end.
struct MonitorRunSummary : Driver::RunSummary {
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
    QString endReason;  ///< "stopped", "load finished", "flow failed: ...", "start failed"
    QString finalState; ///< the flow's state name at the end
    QList<Step> steps;

    /// The driver summary's keys plus pipeline, load, started_at, bad_input_lines,
    /// end_reason, final_state and steps.
    QJsonObject toJson() const;
    /// A few lines for the run log and the text export.
    QString toText() const;
};

} // namespace Aqueduct::Ui

Q_DECLARE_METATYPE(Aqueduct::Ui::MonitorRunSummary)
