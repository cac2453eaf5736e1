#pragma once

#include <QByteArray>
#include <QString>

#include <sys/types.h>

namespace Aqueduct::Internal {

/// The zygote: a small process forked at program start, before any thread exists, that
/// forks workers on request. Forking from it is safe (single-threaded, no Qt event loop)
/// and cheap (small address space). Workers are its children; it reaps them and tells
/// the parent how they ended. It dies with the parent (PR_SET_PDEATHSIG), and its
/// workers die with it.
class ForkServer {
public:
    /// Forks the zygote. Call once, early, single-threaded.
    static bool start();
    static bool isRunning();
    /// Before a launch: true when the zygote runs. One that was started and has died
    /// is started again by exec'ing this program in zygote mode (a fresh, single-
    /// threaded image, never a fork of this possibly multi-threaded process). False
    /// with `error` when none can run (bootstrapProcess() was never called).
    static bool ensureRunning(QString* error);
    /// bootstrapProcess() ran but did not start the zygote (AQUEDUCT_NO_FORKSERVER, or
    /// ForkServerMode::Skip): this program can still run workers with `spawn`.
    static void noteBootstrapped();
    static bool spawnFallbackAllowed();
    /// How many times the zygote was restarted (for the runtime's event log).
    static int restarts();
    /// Zygote mode of an exec'd program (`--aqueduct-forkserver FD PARENT`); never returns.
    [[noreturn]] static void runExecuted(int socketFd, pid_t parentPid);
    static pid_t zygotePid();

    /// Forks a worker that runs runWorker() with this config; `wakeFd` is passed with
    /// SCM_RIGHTS and its number in the worker replaces config.wakeFd. Thread-safe.
    static pid_t spawnWorker(const QByteArray& configBytes, int wakeFd, QString* error);
    /// How a (dead) worker ended: "exit code 3", "killed by SIGKILL". Blocks until the
    /// zygote has reaped it (at most ~2 s). Thread-safe.
    static QString exitCause(pid_t pid);
};

/// Text for a wait status: "exit code N", "killed by SIGNAME (core dumped)".
QString describeWaitStatus(int status);

} // namespace Aqueduct::Internal
