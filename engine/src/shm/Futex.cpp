#include "shm/Futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <ctime>

namespace Aqueduct::Internal {

void futexWait(std::atomic<std::uint32_t>* word, std::uint32_t expected, std::int64_t timeoutNs) {
    timespec timeout{};
    timeout.tv_sec = timeoutNs / 1'000'000'000;
    timeout.tv_nsec = timeoutNs % 1'000'000'000;
    // Not FUTEX_PRIVATE_FLAG: the word lives in memory shared between processes.
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT, expected,
            timeoutNs > 0 ? &timeout : nullptr, nullptr, 0);
}

void futexWake(std::atomic<std::uint32_t>* word, int count) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE,
            count == 0 ? INT_MAX : count, nullptr, nullptr, 0);
}

} // namespace Aqueduct::Internal
