#pragma once

#include <atomic>
#include <cstdint>

namespace Aqueduct::Internal {

/// Process-shared futex on a word in shared memory. Returns when woken, on timeout,
/// or at once if `*word != expected`.
void futexWait(std::atomic<std::uint32_t>* word, std::uint32_t expected, std::int64_t timeoutNs);
void futexWake(std::atomic<std::uint32_t>* word, int count);

} // namespace Aqueduct::Internal
