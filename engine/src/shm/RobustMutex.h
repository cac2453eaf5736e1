#pragma once

#include <pthread.h>

#include <cstdint>

namespace Aqueduct::Internal {

/// A process-shared robust mutex living in shared memory. When its holder dies (even
/// SIGKILLed), the kernel hands the next locker EOWNERDEAD; we then run the caller's
/// repair and mark the mutex consistent, so a dead holder never wedges the others (a
/// SIGSTOPped holder still blocks them until SIGCONT, as any lock would).
struct RobustMutex {
    pthread_mutex_t mutex;

    /// Creator only, before any other process maps it.
    void initialise();

    enum class Acquired : std::uint8_t { Locked, Recovered, TimedOut };
    /// Waits up to `timeoutNs` (CLOCK_MONOTONIC). Recovered: the previous holder died
    /// while holding it; the caller repairs what it protects before going on (the mutex
    /// is already marked consistent and is held).
    Acquired lock(std::int64_t timeoutNs);
    void unlock();
};

} // namespace Aqueduct::Internal
