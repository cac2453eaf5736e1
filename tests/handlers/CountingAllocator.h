#pragma once

// Replaces the global operator new of the test binary to count heap allocations, so a test
// can check that a handler's steady state allocates nothing (workers run handlers on the
// engine's allocation-free hot path). Include from exactly one .cpp of a test binary.
#include <atomic>
#include <cstdlib>
#include <new>

namespace Aqueduct::Testing {
inline std::atomic<long> g_allocationCount{0};

inline long allocationCount() {
    return g_allocationCount.load(std::memory_order_relaxed);
}
} // namespace Aqueduct::Testing

void* operator new(std::size_t size) {
    Aqueduct::Testing::g_allocationCount.fetch_add(1, std::memory_order_relaxed);
    if (void* memory = std::malloc(size == 0 ? 1 : size))
        return memory;
    throw std::bad_alloc();
}

void operator delete(void* memory) noexcept {
    std::free(memory);
}

void operator delete(void* memory, std::size_t) noexcept {
    std::free(memory);
}
