#pragma once

#include <cstdint>
#include <ctime>

namespace Aqueduct::Internal {

/// CLOCK_MONOTONIC in nanoseconds: one clock for every process of a flow, so deadlines
/// and enqueue stamps written by one process are comparable in another.
inline std::int64_t monotonicNs() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

} // namespace Aqueduct::Internal
