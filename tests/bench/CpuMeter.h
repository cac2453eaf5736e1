#pragma once

#include <QHash>
#include <QList>

#include <cstdint>

namespace Aqueduct {
class Flow;
}

namespace AqueductBench {

/// CPU time used so far, in microseconds: this process (getrusage(RUSAGE_SELF), all
/// threads) and the given worker processes (read from /proc: fork-server children are not
/// ours to wait for, so RUSAGE_CHILDREN never sees them while they live).
struct CpuSample {
    double parentUs = 0;
    double workersUs = 0;
    double totalUs() const { return parentUs + workersUs; }
};

/// CPU time of one live process from /proc: the sum of its threads' schedstat run times
/// (nanosecond resolution) when the kernel has them, else utime + stime from
/// /proc/PID/stat (clock ticks). 0 when the process is gone.
double processCpuUs(qint64 pid);

QList<qint64> workerPids(const Aqueduct::Flow& flow);

/// CPU used between start() and stop(), per process, so a worker restarted in between
/// neither goes negative nor counts twice (a worker gone by stop() loses its share).
class CpuWindow {
public:
    void start(const QList<qint64>& workerPids);
    CpuSample stop(const QList<qint64>& workerPids) const;
    bool started() const { return m_started; }

private:
    bool m_started = false;
    double m_parentStartUs = 0;
    QHash<qint64, double> m_workerStartUs;
};

/// CPU of this process's waited-for children (and theirs), in microseconds.
double childrenCpuUs();

/// Every live process below `pid` (children, grandchildren, ...), found by scanning
/// /proc/*/stat for parent pids (this kernel has no /proc/PID/task/TID/children).
QList<qint64> descendantsOf(qint64 pid);

} // namespace AqueductBench
