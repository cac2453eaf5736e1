#include "process/ForkServer.h"

#include "process/WorkerConfig.h"
#include "process/WorkerLoop.h"

#include <QMutex>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

extern char** environ;

namespace Aqueduct::Internal {

namespace {

enum class Op : std::uint8_t { Spawn = 1, ExitCause = 2 };

int g_socket = -1;
pid_t g_zygotePid = 0;
bool g_everStarted = false;
bool g_bootstrapped = false;
int g_restarts = 0;
QMutex g_mutex;

bool writeAll(int fd, const void* data, std::size_t size) {
    const char* cursor = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = ::send(fd, cursor, size, MSG_NOSIGNAL);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        cursor += written;
        size -= std::size_t(written);
    }
    return true;
}

bool readAll(int fd, void* data, std::size_t size) {
    char* cursor = static_cast<char*>(data);
    while (size > 0) {
        const ssize_t got = ::recv(fd, cursor, size, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        cursor += got;
        size -= std::size_t(got);
    }
    return true;
}

/// Message: u32 length of body, then body (u8 op + payload). An fd may ride along.
bool sendMessage(int fd, Op op, const QByteArray& payload, int passFd) {
    std::vector<char> message(4 + 1 + std::size_t(payload.size()));
    const std::uint32_t length = std::uint32_t(1 + payload.size());
    memcpy(message.data(), &length, 4);
    message[4] = char(op);
    memcpy(message.data() + 5, payload.constData(), std::size_t(payload.size()));
    if (passFd < 0)
        return writeAll(fd, message.data(), message.size());

    iovec iov{message.data(), message.size()};
    char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr header{};
    header.msg_iov = &iov;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &passFd, sizeof(int));
    ssize_t sent;
    do {
        sent = ::sendmsg(fd, &header, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent <= 0)
        return false;
    if (std::size_t(sent) < message.size())
        return writeAll(fd, message.data() + sent, message.size() - std::size_t(sent));
    return true;
}

bool receiveMessage(int fd, Op& op, QByteArray& payload, int* receivedFd) {
    std::uint32_t length = 0;
    char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{&length, sizeof length};
    msghdr header{};
    header.msg_iov = &iov;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    ssize_t got;
    do {
        got = ::recvmsg(fd, &header, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    if (got <= 0)
        return false;
    if (receivedFd) {
        *receivedFd = -1;
        for (cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg; cmsg = CMSG_NXTHDR(&header, cmsg)) {
            if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
                memcpy(receivedFd, CMSG_DATA(cmsg), sizeof(int));
        }
    }
    if (std::size_t(got) < sizeof length &&
        !readAll(fd, reinterpret_cast<char*>(&length) + got, sizeof length - std::size_t(got)))
        return false;
    if (length == 0 || length > (64u << 20))
        return false;
    std::uint8_t opByte = 0;
    if (!readAll(fd, &opByte, 1))
        return false;
    op = Op(opByte);
    payload.resize(qsizetype(length - 1));
    return length == 1 || readAll(fd, payload.data(), std::size_t(length - 1));
}

/// The parent died without cleaning up (SIGKILL, crash): its shared-memory segments
/// would stay in /dev/shm until some later run reclaimed them. We outlive it by a
/// moment, so we remove them.
void unlinkSegmentsOf(pid_t parentPid) {
    char prefix[48];
    const int prefixLength = std::snprintf(prefix, sizeof prefix, "aqueduct-%d-", int(parentPid));
    DIR* shm = opendir("/dev/shm");
    if (!shm)
        return;
    while (const dirent* entry = readdir(shm)) {
        if (std::strncmp(entry->d_name, prefix, std::size_t(prefixLength)) == 0) {
            char name[300];
            std::snprintf(name, sizeof name, "/%s", entry->d_name);
            shm_unlink(name);
        }
    }
    closedir(shm);
}

[[noreturn]] void parentGone(pid_t parentPid) {
    unlinkSegmentsOf(parentPid);
    kill(0, SIGKILL); // our workers (our process group) go with us
    _exit(0);
}

[[noreturn]] void zygoteMain(int socketFd, pid_t parentPid) {
    // No PR_SET_PDEATHSIG here: the parent's death is seen as EOF on the socket (or a
    // new ppid), so there is time to remove its segments before we go.
    if (getppid() != parentPid)
        _exit(0);
    prctl(PR_SET_NAME, "aqueduct-zygote");
    setpgid(0, 0); // Ctrl+C in a terminal reaches the parent only
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    std::map<pid_t, int> reaped; // pid -> wait status, for children reaped early

    auto reapAvailable = [&reaped] {
        int status = 0;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
            reaped[pid] = status;
    };

    for (;;) {
        Op op{};
        QByteArray payload;
        int passedFd = -1;
        pollfd waitFor{socketFd, POLLIN, 0};
        if (poll(&waitFor, 1, 1000) == 0) {
            if (getppid() != parentPid)
                parentGone(parentPid); // a copy of the socket lives on elsewhere: ppid tells
            reapAvailable();
            continue;
        }
        if (!receiveMessage(socketFd, op, payload, &passedFd))
            parentGone(parentPid); // EOF: the parent is gone
        reapAvailable();
        if (op == Op::Spawn) {
            const pid_t child = fork();
            if (child == 0) {
                close(socketFd);
                WorkerConfig config;
                int code = 70;
                if (WorkerConfig::fromBytes(payload, config)) {
                    config.wakeFd = passedFd;
                    code = runWorker(config);
                }
                std::fflush(stdout);
                std::fflush(stderr);
                _exit(code);
            }
            if (passedFd >= 0)
                close(passedFd);
            const std::int32_t reply = child > 0 ? child : -errno;
            sendMessage(socketFd, Op::Spawn,
                        QByteArray(reinterpret_cast<const char*>(&reply), sizeof reply), -1);
        } else if (op == Op::ExitCause && payload.size() == sizeof(std::int32_t)) {
            std::int32_t pid = 0;
            memcpy(&pid, payload.constData(), sizeof pid);
            std::int32_t status = -1;
            auto found = reaped.find(pid);
            if (found == reaped.end()) {
                // The parent asks only once the process is dead, so this returns quickly.
                for (int attempt = 0; attempt < 2000; ++attempt) {
                    int waitStatus = 0;
                    const pid_t result = waitpid(pid, &waitStatus, WNOHANG);
                    if (result == pid) {
                        status = waitStatus;
                        break;
                    }
                    if (result < 0)
                        break;
                    usleep(1000);
                }
            } else {
                status = found->second;
                reaped.erase(found);
            }
            sendMessage(socketFd, Op::ExitCause,
                        QByteArray(reinterpret_cast<const char*>(&status), sizeof status), -1);
        }
    }
}

} // namespace

bool ForkServer::start() {
    if (g_socket >= 0)
        return true;
    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
        return false;
    const pid_t parentPid = getpid();
    const pid_t child = fork();
    if (child < 0) {
        close(sockets[0]);
        close(sockets[1]);
        return false;
    }
    if (child == 0) {
        close(sockets[0]);
        zygoteMain(sockets[1], parentPid);
    }
    close(sockets[1]);
    g_socket = sockets[0];
    g_zygotePid = child;
    g_everStarted = true;
    return true;
}

bool ForkServer::isRunning() {
    return g_socket >= 0;
}

namespace {

/// The zygote died (or stopped answering): forget it and reap it.
void markDead() {
    if (g_socket >= 0)
        close(g_socket);
    g_socket = -1;
    if (g_zygotePid > 0) {
        kill(g_zygotePid, SIGKILL);
        waitpid(g_zygotePid, nullptr, 0);
    }
    g_zygotePid = 0;
}

bool zygoteAlive() {
    if (g_socket < 0 || g_zygotePid <= 0)
        return false;
    int status = 0;
    return waitpid(g_zygotePid, &status, WNOHANG) == 0; // 0: still running
}

} // namespace

bool ForkServer::ensureRunning(QString* error) {
    QMutexLocker lock(&g_mutex);
    if (zygoteAlive())
        return true;
    if (!g_everStarted) {
        if (error)
            *error = QStringLiteral(
                "the fork server is not running: call Aqueduct::bootstrapProcess() first in "
                "main(), or set flow.start_method to 'spawn'");
        return false;
    }
    markDead();
    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
        if (error)
            *error = QStringLiteral("cannot restart the fork server: socketpair failed");
        return false;
    }
    constexpr int kZygoteFd = 3;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sockets[1], kZygoteFd);
    char program[4096];
    const ssize_t length = readlink("/proc/self/exe", program, sizeof program - 1);
    program[length > 0 ? length : 0] = '\0';
    char flag[] = "--aqueduct-forkserver";
    char fdText[16];
    char parentText[16];
    std::snprintf(fdText, sizeof fdText, "%d", kZygoteFd);
    std::snprintf(parentText, sizeof parentText, "%d", int(getpid()));
    char* argv[] = {program, flag, fdText, parentText, nullptr};
    pid_t child = 0;
    const int result = posix_spawn(&child, program, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(sockets[1]);
    if (result != 0) {
        close(sockets[0]);
        if (error)
            *error = QStringLiteral("cannot restart the fork server: %1")
                         .arg(QString::fromLocal8Bit(strerror(result)));
        return false;
    }
    g_socket = sockets[0];
    g_zygotePid = child;
    ++g_restarts;
    return true;
}

void ForkServer::noteBootstrapped() {
    g_bootstrapped = true;
}

bool ForkServer::spawnFallbackAllowed() {
    return g_bootstrapped && !g_everStarted;
}

int ForkServer::restarts() {
    QMutexLocker lock(&g_mutex);
    return g_restarts;
}

void ForkServer::runExecuted(int socketFd, pid_t parentPid) {
    zygoteMain(socketFd, parentPid);
}

pid_t ForkServer::zygotePid() {
    return g_zygotePid;
}

pid_t ForkServer::spawnWorker(const QByteArray& configBytes, int wakeFd, QString* error) {
    QMutexLocker lock(&g_mutex);
    if (g_socket < 0) {
        if (error)
            *error = QStringLiteral("the fork server is not running");
        return -1;
    }
    Op op{};
    QByteArray reply;
    if (!sendMessage(g_socket, Op::Spawn, configBytes, wakeFd) ||
        !receiveMessage(g_socket, op, reply, nullptr) || op != Op::Spawn ||
        reply.size() != sizeof(std::int32_t)) {
        if (error)
            *error = QStringLiteral("the fork server did not answer (it died)");
        markDead();
        return -1;
    }
    std::int32_t pid = 0;
    memcpy(&pid, reply.constData(), sizeof pid);
    if (pid <= 0) {
        if (error)
            *error = QStringLiteral("fork failed: %1").arg(QString::fromLocal8Bit(strerror(-pid)));
        return -1;
    }
    return pid;
}

QString ForkServer::exitCause(pid_t pid) {
    QMutexLocker lock(&g_mutex);
    if (g_socket < 0)
        return QStringLiteral("unknown");
    const std::int32_t request = pid;
    Op op{};
    QByteArray reply;
    if (!sendMessage(g_socket, Op::ExitCause,
                     QByteArray(reinterpret_cast<const char*>(&request), sizeof request), -1) ||
        !receiveMessage(g_socket, op, reply, nullptr) || reply.size() != sizeof(std::int32_t))
        return QStringLiteral("unknown");
    std::int32_t status = -1;
    memcpy(&status, reply.constData(), sizeof status);
    return status < 0 ? QStringLiteral("unknown") : describeWaitStatus(status);
}

QString describeWaitStatus(int status) {
    if (WIFEXITED(status))
        return QStringLiteral("exit code %1").arg(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int signalNumber = WTERMSIG(status);
        const char* name = sigabbrev_np(signalNumber);
        QString text = QStringLiteral("killed by %1")
                           .arg(name ? QStringLiteral("SIG") + QString::fromLatin1(name)
                                     : QStringLiteral("signal %1").arg(signalNumber));
        if (WCOREDUMP(status))
            text += QStringLiteral(" (core dumped)");
        return text;
    }
    return QStringLiteral("status %1").arg(status);
}

} // namespace Aqueduct::Internal
