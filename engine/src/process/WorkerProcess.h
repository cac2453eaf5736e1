#pragma once

#include "process/WorkerConfig.h"

#include "aqueduct/PipelineDocument.h"

#include <QString>

#include <sys/types.h>

namespace Aqueduct::Internal {

/// One launched worker process, owned by the parent: its pid and a pidfd that becomes
/// readable when it exits. Destroying it kills the process (SIGKILL) if still running,
/// so no code path can leave an orphan.
class WorkerProcess {
public:
    WorkerProcess() = default;
    ~WorkerProcess();
    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;

    /// Launches with `method` (forkserver falls back to fork when no zygote runs).
    bool launch(StartMethod method, const WorkerConfig& config, QString* error);
    pid_t pid() const { return m_pid; }
    int pidFd() const { return m_pidFd; }
    bool isRunning() const { return m_pid > 0 && !m_exited; }
    void kill(int signalNumber);
    /// Call once the pidfd is readable: reaps and returns how it ended.
    QString collectExit();
    /// Kills and reaps now (blocking, bounded). Used by destructors and hard stops.
    void terminate();

private:
    pid_t m_pid = 0;
    int m_pidFd = -1;
    bool m_viaForkServer = false;
    bool m_exited = false;
};

} // namespace Aqueduct::Internal
