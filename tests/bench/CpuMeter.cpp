#include "CpuMeter.h"

#include <aqueduct/Flow.h>

#include <QDir>
#include <QFile>

#include <algorithm>

#include <sys/resource.h>
#include <unistd.h>

namespace AqueductBench {

namespace {

double timevalUs(const timeval& value) {
    return double(value.tv_sec) * 1e6 + double(value.tv_usec);
}

double rusageUs(int who) {
    rusage usage{};
    if (getrusage(who, &usage) != 0)
        return 0;
    return timevalUs(usage.ru_utime) + timevalUs(usage.ru_stime);
}

// The first field of /proc/PID/task/TID/schedstat: time spent on a CPU, in nanoseconds.
bool schedstatUs(qint64 pid, double* us) {
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    const QStringList threads = tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    if (threads.isEmpty())
        return false;
    double total = 0;
    for (const QString& thread : threads) {
        QFile file(tasks.filePath(thread) + QStringLiteral("/schedstat"));
        if (!file.open(QIODevice::ReadOnly))
            return false;
        bool ok = false;
        const qulonglong ns = file.readLine().split(' ').value(0).trimmed().toULongLong(&ok);
        if (!ok)
            return false;
        total += double(ns) / 1000.0;
    }
    *us = total;
    return true;
}

/// The fields of /proc/PID/stat after the command name (state is [0], ppid [1]).
QList<QByteArray> statFields(qint64 pid) {
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = file.readAll();
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    return text.mid(text.lastIndexOf(')') + 2).split(' ');
}

double statUs(qint64 pid) {
    const QList<QByteArray> fields = statFields(pid);
    if (fields.size() < 13)
        return 0;
    const double tickUs = 1e6 / double(sysconf(_SC_CLK_TCK));
    return double(fields[11].toULongLong() + fields[12].toULongLong()) * tickUs; // utime, stime
}

} // namespace

double processCpuUs(qint64 pid) {
    double us = 0;
    if (schedstatUs(pid, &us))
        return us;
    return statUs(pid);
}

QList<qint64> workerPids(const Aqueduct::Flow& flow) {
    QList<qint64> pids;
    for (const Aqueduct::WorkerInfo& worker : flow.workers()) {
        if (worker.pid > 0)
            pids << worker.pid;
    }
    return pids;
}

void CpuWindow::start(const QList<qint64>& pids) {
    m_started = true;
    m_workerStartUs.clear();
    for (const qint64 pid : pids)
        m_workerStartUs.insert(pid, processCpuUs(pid));
    m_parentStartUs = rusageUs(RUSAGE_SELF);
}

CpuSample CpuWindow::stop(const QList<qint64>& pids) const {
    CpuSample sample;
    sample.parentUs = rusageUs(RUSAGE_SELF) - m_parentStartUs;
    for (const qint64 pid : pids)
        sample.workersUs += std::max(0.0, processCpuUs(pid) - m_workerStartUs.value(pid, 0.0));
    return sample;
}

QList<qint64> descendantsOf(qint64 pid) {
    QMultiHash<qint64, qint64> children;
    const QStringList entries =
        QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& entry : entries) {
        bool numeric = false;
        const qint64 child = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        const QList<QByteArray> fields = statFields(child);
        if (fields.size() > 1)
            children.insert(fields[1].toLongLong(), child);
    }
    QList<qint64> found;
    QList<qint64> frontier{pid};
    while (!frontier.isEmpty()) {
        const qint64 parent = frontier.takeLast();
        for (auto it = children.constFind(parent); it != children.constEnd() && it.key() == parent;
             ++it) {
            found << it.value();
            frontier << it.value();
        }
    }
    return found;
}

double childrenCpuUs() {
    return rusageUs(RUSAGE_CHILDREN);
}

} // namespace AqueductBench
