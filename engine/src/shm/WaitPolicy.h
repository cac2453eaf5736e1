#pragma once

#include <cstdint>

namespace Aqueduct::Internal {

/// How long a process polls (with sched_yield) before it sleeps on a futex or eventfd.
/// Measured on this class of machine: a wake-up costs ~15 us of CPU and 40-80 us of
/// delay, so a short poll wins whenever the other side answers within it.
inline constexpr std::int64_t kSpinNs = 50'000;
/// Idle sleepers wake this often to check the parent is alive and stop was not missed.
inline constexpr std::int64_t kIdleCheckNs = 200'000'000;

} // namespace Aqueduct::Internal
