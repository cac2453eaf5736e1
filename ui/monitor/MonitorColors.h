#pragma once

#include <aqueduct/TaskResult.h>
#include <aqueduct/WorkerInfo.h>

#include <QColor>

namespace Aqueduct::Ui::MonitorColors {

/// A distinct colour per step (by position in the pipeline), readable on light and dark.
QColor stepColor(int stepIndex);
/// Colours of priority lanes in a step's queue chart.
QColor laneColor(int lane);
/// Worker states: green ready/idle, blue busy, amber starting/restarting, red dead.
QColor workerStateColor(WorkerState state);
QColor errorKindColor(ErrorKind kind);

} // namespace Aqueduct::Ui::MonitorColors
