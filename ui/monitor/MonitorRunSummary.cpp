#include "monitor/MonitorRunSummary.h"

#include <QStringList>

namespace Aqueduct::Ui {

QJsonObject MonitorRunSummary::toJson() const {
    QJsonObject object = toJsonObject();
    object.insert(QStringLiteral("pipeline"), pipelineName);
    object.insert(QStringLiteral("load"), load);
    object.insert(QStringLiteral("started_at"), startedAt.toString(Qt::ISODateWithMs));
    object.insert(QStringLiteral("bad_input_lines"), qint64(badInputLines));
    object.insert(QStringLiteral("end_reason"), endReason);
    object.insert(QStringLiteral("final_state"), finalState);
    QJsonObject stepsObject;
    for (const Step& step : steps) {
        QJsonObject stepObject;
        stepObject.insert(QStringLiteral("tasks_out"), qint64(step.tasksOut));
        stepObject.insert(QStringLiteral("errors"), qint64(step.errors));
        stepObject.insert(QStringLiteral("restarts"), step.restarts);
        stepObject.insert(QStringLiteral("handle_p99_ms"), step.handleP99Ms);
        stepObject.insert(QStringLiteral("queue_wait_p99_ms"), step.queueWaitP99Ms);
        stepsObject.insert(step.stepId, stepObject);
    }
    object.insert(QStringLiteral("steps"), stepsObject);
    return object;
}

QString MonitorRunSummary::toText() const {
    QStringList lines;
    lines << QStringLiteral("Run of \"%1\" (%2): %3")
                 .arg(pipelineName, load, endReason.isEmpty() ? finalState : endReason);
    lines << QStringLiteral("  %1 s, %2 submitted, %3 completed (%4 tasks/s), %5 failed")
                 .arg(wallS, 0, 'f', 1)
                 .arg(submitted)
                 .arg(completed)
                 .arg(takenPerS(), 0, 'f', 0)
                 .arg(failed());
    QStringList kinds;
    for (int kind = 1; kind < kErrorKindCount; ++kind) {
        if (failedByKind[std::size_t(kind)] > 0)
            kinds << QStringLiteral("%1 %2")
                         .arg(failedByKind[std::size_t(kind)])
                         .arg(errorKindName(ErrorKind(kind)));
    }
    if (!kinds.isEmpty())
        lines << QStringLiteral("  failures: %1").arg(kinds.join(QStringLiteral(", ")));
    if (badInputLines > 0)
        lines << QStringLiteral("  %1 input lines were not tasks").arg(badInputLines);
    lines << QStringLiteral("  latency p50 %1 ms, p95 %2 ms, p99 %3 ms")
                 .arg(latencyP50Ms, 0, 'f', 2)
                 .arg(latencyP95Ms, 0, 'f', 2)
                 .arg(latencyP99Ms, 0, 'f', 2);
    for (const Step& step : steps) {
        lines << QStringLiteral("  step %1: %2 out, %3 errors, %4 restarts, handle p99 %5 ms")
                     .arg(step.stepId)
                     .arg(step.tasksOut)
                     .arg(step.errors)
                     .arg(step.restarts)
                     .arg(step.handleP99Ms, 0, 'f', 2);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace Aqueduct::Ui
