#include "shm/RobustMutex.h"

#include <errno.h>
#include <time.h>

#include <stdexcept>

namespace Aqueduct::Internal {

void RobustMutex::initialise() {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    const int error = pthread_mutex_init(&mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    if (error != 0)
        throw std::runtime_error("cannot initialise a shared robust mutex");
}

RobustMutex::Acquired RobustMutex::lock(std::int64_t timeoutNs) {
    int result = pthread_mutex_trylock(&mutex);
    if (result == EBUSY) {
        timespec deadline{};
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        const std::int64_t totalNs = std::int64_t(deadline.tv_nsec) + timeoutNs;
        deadline.tv_sec += time_t(totalNs / 1'000'000'000);
        deadline.tv_nsec = long(totalNs % 1'000'000'000);
        result = pthread_mutex_clocklock(&mutex, CLOCK_MONOTONIC, &deadline);
    }
    switch (result) {
    case 0:
        return Acquired::Locked;
    case EOWNERDEAD:
        pthread_mutex_consistent(&mutex);
        return Acquired::Recovered;
    case ETIMEDOUT:
        return Acquired::TimedOut;
    default:
        // ENOTRECOVERABLE cannot happen: every recoverer marks it consistent at once.
        return Acquired::TimedOut;
    }
}

void RobustMutex::unlock() {
    pthread_mutex_unlock(&mutex);
}

} // namespace Aqueduct::Internal
