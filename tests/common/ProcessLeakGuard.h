#pragma once

#include <QSet>
#include <QStringList>

#include <sys/types.h>

namespace Aqueduct::Test {

/// Records this process's shared-memory segments and descendant processes, and checks
/// later that nothing new is left (the zygote, started before the guard, is allowed).
class ProcessLeakGuard {
public:
    ProcessLeakGuard();
    /// Segments named aqueduct-<our pid>-* that were not there at construction.
    QStringList leakedSegments() const;
    /// Descendant pids (excluding the fork server) that were not there at construction.
    QList<pid_t> leakedProcesses() const;
    /// Waits up to `timeoutMs` for leaks to clear (exits are asynchronous); true if clean.
    bool waitClean(int timeoutMs = 3000) const;
    QString describe() const;
    /// Kills leaked processes and removes leaked segments, so a failing test does not
    /// poison the next one.
    void cleanUp() const;

    static QList<pid_t> descendants(pid_t root);

private:
    QSet<QString> m_segments;
    QSet<pid_t> m_processes;
};

} // namespace Aqueduct::Test
