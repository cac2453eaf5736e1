#include "process/WorkerProcess.h"
#include "process/WorkerLoop.h"

#include "process/ForkServer.h"

#include <QCoreApplication>
#include <QFile>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace Aqueduct::Internal {

namespace {

/// Threads of this process (a fork of a multi-threaded process may inherit a lock some
/// other thread held, and the child then parses JSON and dlopens plugins under it).
int threadCount() {
    DIR* tasks = opendir("/proc/self/task");
    if (!tasks)
        return 1;
    int count = 0;
    while (const dirent* entry = readdir(tasks)) {
        if (entry->d_name[0] != '.')
            ++count;
    }
    closedir(tasks);
    return count;
}

int openPidFd(pid_t pid) {
    return int(syscall(SYS_pidfd_open, pid, 0));
}

/// File descriptor numbers a spawned worker finds its config and wake fd at.
constexpr int kSpawnConfigFd = 3;
constexpr int kSpawnWakeFd = 4;

} // namespace

WorkerProcess::~WorkerProcess() {
    terminate();
}

bool WorkerProcess::launch(StartMethod method, const WorkerConfig& config, QString* error) {
    bool noForkServer = false;
    if (method == StartMethod::ForkServer && !ForkServer::ensureRunning(error)) {
        // No zygote by choice (AQUEDUCT_NO_FORKSERVER): exec workers instead. Never
        // bootstrapped (an embedder): plain fork, if this process is single-threaded.
        method = ForkServer::spawnFallbackAllowed() ? StartMethod::Spawn : StartMethod::Fork;
        noForkServer = method == StartMethod::Fork;
    }

    if (method == StartMethod::ForkServer) {
        m_pid = ForkServer::spawnWorker(config.toBytes(), config.wakeFd, error);
        // It may have died since the check above: restart it once and try again.
        if (m_pid <= 0 && ForkServer::ensureRunning(error))
            m_pid = ForkServer::spawnWorker(config.toBytes(), config.wakeFd, error);
        if (m_pid <= 0)
            return false;
        m_viaForkServer = true;
    } else if (method == StartMethod::Fork) {
        if (const int threads = threadCount(); threads > 1) {
            if (error)
                *error =
                    noForkServer
                        ? QStringLiteral("the fork server is not running (call "
                                         "Aqueduct::bootstrapProcess() first in main()), "
                                         "and a plain fork needs a single-threaded process, but "
                                         "this one runs %1 threads")
                              .arg(threads)
                        : QStringLiteral(
                              "start method 'fork' needs a single-threaded process, but this one "
                              "runs %1 "
                              "threads; use start_method 'forkserver' (the default) or 'spawn'")
                              .arg(threads);
            return false;
        }
        const pid_t child = fork();
        if (child < 0) {
            if (error)
                *error =
                    QStringLiteral("fork failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        if (child == 0) {
            const int code = runWorker(config);
            _exit(code);
        }
        m_pid = child;
    } else {
        // spawn: exec this program again in worker mode; config arrives on fd 3.
        int sockets[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
            if (error)
                *error = QStringLiteral("socketpair failed: %1")
                             .arg(QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, sockets[1], kSpawnConfigFd);
        posix_spawn_file_actions_adddup2(&actions, config.wakeFd, kSpawnWakeFd);
        const QByteArray program =
            QFile::encodeName(QFile::symLinkTarget(QStringLiteral("/proc/self/exe")));
        QByteArray configFdText = QByteArray::number(kSpawnConfigFd);
        char workerFlag[] = "--aqueduct-worker";
        char* argv[] = {const_cast<char*>(program.constData()), workerFlag, configFdText.data(),
                        nullptr};
        pid_t child = 0;
        const int result =
            posix_spawn(&child, program.constData(), &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(sockets[1]);
        if (result != 0) {
            close(sockets[0]);
            if (error)
                *error = QStringLiteral("posix_spawn of %1 failed: %2")
                             .arg(QString::fromLocal8Bit(program),
                                  QString::fromLocal8Bit(strerror(result)));
            return false;
        }
        WorkerConfig spawned = config;
        spawned.wakeFd = kSpawnWakeFd;
        const QByteArray bytes = spawned.toBytes();
        const std::uint32_t length = std::uint32_t(bytes.size());
        bool sent = ::write(sockets[0], &length, sizeof length) == sizeof length;
        qsizetype offset = 0;
        while (sent && offset < bytes.size()) {
            const ssize_t written =
                ::write(sockets[0], bytes.constData() + offset, std::size_t(bytes.size() - offset));
            if (written <= 0)
                sent = false;
            else
                offset += written;
        }
        close(sockets[0]);
        m_pid = child;
        if (!sent) {
            if (error)
                *error = QStringLiteral("could not send the worker its configuration");
            terminate();
            return false;
        }
    }
    m_pidFd = openPidFd(m_pid);
    if (m_pidFd < 0) {
        if (error)
            *error = QStringLiteral("pidfd_open failed: %1")
                         .arg(QString::fromLocal8Bit(strerror(errno)));
        terminate();
        return false;
    }
    m_exited = false;
    return true;
}

void WorkerProcess::kill(int signalNumber) {
    if (m_pidFd >= 0 && !m_exited)
        syscall(SYS_pidfd_send_signal, m_pidFd, signalNumber, nullptr, 0);
}

QString WorkerProcess::collectExit() {
    if (m_pid <= 0)
        return QString();
    QString cause;
    if (m_viaForkServer) {
        cause = ForkServer::exitCause(m_pid);
    } else {
        int status = 0;
        pid_t result;
        do {
            result = waitpid(m_pid, &status, 0);
        } while (result < 0 && errno == EINTR);
        cause = result == m_pid ? describeWaitStatus(status) : QStringLiteral("unknown");
    }
    m_exited = true;
    if (m_pidFd >= 0) {
        close(m_pidFd);
        m_pidFd = -1;
    }
    m_pid = 0;
    return cause;
}

void WorkerProcess::terminate() {
    if (m_pid <= 0)
        return;
    if (!m_exited) {
        kill(SIGKILL);
        if (m_pidFd >= 0) {
            pollfd waitFor{m_pidFd, POLLIN, 0};
            poll(&waitFor, 1, 2000);
        }
    }
    collectExit();
}

int runSpawnedWorker(int configFd) {
    std::uint32_t length = 0;
    if (::read(configFd, &length, sizeof length) != sizeof length || length > (64u << 20))
        return 70;
    QByteArray bytes(qsizetype(length), Qt::Uninitialized);
    qsizetype offset = 0;
    while (offset < bytes.size()) {
        const ssize_t got =
            ::read(configFd, bytes.data() + offset, std::size_t(bytes.size() - offset));
        if (got <= 0)
            return 70;
        offset += got;
    }
    close(configFd);
    WorkerConfig config;
    if (!WorkerConfig::fromBytes(bytes, config))
        return 70;
    return runWorker(config);
}

} // namespace Aqueduct::Internal
