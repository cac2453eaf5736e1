#pragma once

#include <QString>

#include <cstdint>

namespace Aqueduct {

enum class WorkerState { Starting, Ready, Busy, Idle, Restarting, Dead, Stopped };
/// "starting", "ready", "busy", "idle", "restarting", "dead", "stopped" (halted by a
/// signal such as SIGSTOP: alive, but doing nothing until SIGCONT)
QString workerStateName(WorkerState state);

/// One worker process as the parent sees it (supervision and metrics).
struct WorkerInfo {
    QString stepId;
    int stepIndex = 0;
    int workerIndex = 0; ///< 0..nprocs-1 within the step
    qint64 pid = 0;
    WorkerState state = WorkerState::Starting;
    int restarts = 0;
    QString lastExitCause; ///< e.g. "killed by SIGKILL", "exit code 3"
};

} // namespace Aqueduct
