#include "ProcessLeakGuard.h"

#include <QDir>
#include <QFile>
#include <QThread>

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

namespace Aqueduct::Test {

namespace {

QStringList ownSegments() {
    return QDir(QStringLiteral("/dev/shm"))
        .entryList({QStringLiteral("aqueduct-%1-*").arg(getpid())}, QDir::Files | QDir::System);
}

pid_t parentOf(pid_t pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    // fields[0] = state, fields[1] = ppid. A zombie still counts: nobody reaped it,
    // which is a leak of its own (and hides a missing wait in the engine).
    if (fields.size() < 2)
        return 0;
    return pid_t(fields[1].toInt());
}

} // namespace

ProcessLeakGuard::ProcessLeakGuard() {
    for (const QString& name : ownSegments())
        m_segments.insert(name);
    for (pid_t pid : descendants(getpid()))
        m_processes.insert(pid);
}

QList<pid_t> ProcessLeakGuard::descendants(pid_t root) {
    QHash<pid_t, pid_t> parents;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
        bool ok = false;
        const pid_t pid = pid_t(entry.toInt(&ok));
        if (ok && pid > 0) {
            const pid_t parent = parentOf(pid);
            if (parent > 0)
                parents.insert(pid, parent);
        }
    }
    QList<pid_t> result;
    for (auto it = parents.cbegin(); it != parents.cend(); ++it) {
        pid_t ancestor = it.value();
        for (int depth = 0; depth < 16 && ancestor > 1; ++depth) {
            if (ancestor == root) {
                result.append(it.key());
                break;
            }
            ancestor = parents.value(ancestor, 0);
        }
    }
    return result;
}

QStringList ProcessLeakGuard::leakedSegments() const {
    QStringList leaked;
    for (const QString& name : ownSegments()) {
        if (!m_segments.contains(name))
            leaked.append(name);
    }
    return leaked;
}

QList<pid_t> ProcessLeakGuard::leakedProcesses() const {
    QList<pid_t> leaked;
    for (pid_t pid : descendants(getpid())) {
        if (!m_processes.contains(pid))
            leaked.append(pid);
    }
    return leaked;
}

bool ProcessLeakGuard::waitClean(int timeoutMs) const {
    for (int waited = 0; waited <= timeoutMs; waited += 20) {
        if (leakedSegments().isEmpty() && leakedProcesses().isEmpty())
            return true;
        QThread::msleep(20);
    }
    return false;
}

QString ProcessLeakGuard::describe() const {
    QStringList pids;
    for (pid_t pid : leakedProcesses())
        pids << QString::number(pid);
    return QStringLiteral("leaked segments: [%1]; leaked processes: [%2]")
        .arg(leakedSegments().join(QStringLiteral(", ")), pids.join(QStringLiteral(", ")));
}

void ProcessLeakGuard::cleanUp() const {
    for (pid_t pid : leakedProcesses())
        ::kill(pid, SIGKILL);
    for (const QString& name : leakedSegments())
        shm_unlink(("/" + name).toLocal8Bit().constData());
}

} // namespace Aqueduct::Test
