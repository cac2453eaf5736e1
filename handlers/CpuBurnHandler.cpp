#include "CpuBurnHandler.h"

#include <chrono>

namespace Aqueduct {

HandlerInfo CpuBurnHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("cpu_burn");
    info.category = QStringLiteral("CPU");
    info.description =
        QStringLiteral("Busy-spins a fixed time per task, simulating CPU-bound work.");
    info.params = {
        ParamSpec{.name = QStringLiteral("us"),
                  .type = ParamType::Int,
                  .defaultValue = 100,
                  .minimum = 0,
                  .maximum = 10000000,
                  .description = QStringLiteral(
                      "Microseconds of CPU time to burn for each task (0 to 10000000, i.e. "
                      "up to 10 s). The worker is busy, not sleeping, for that long.")},
    };
    return info;
}

void CpuBurnHandler::onStart(const HandlerParams& params) {
    m_durationUs = params.intValue(QStringLiteral("us"));
}

void CpuBurnHandler::handle(std::span<Task> batch) {
    if (m_durationUs <= 0)
        return;
    std::uint64_t state = m_sink;
    for (const Task& task : batch)
        state ^= burn(m_durationUs, task.id() ^ state);
    m_sink = state;
}

std::uint64_t CpuBurnHandler::burn(std::int64_t durationUs, std::uint64_t seed) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point end = Clock::now() + std::chrono::microseconds(durationUs);
    std::uint64_t x = seed | 1;
    do {
        // A few hundred nanoseconds of dependent multiply/xorshift between clock reads,
        // so the clock read is a small share and the overshoot stays well below 1 us.
        for (int i = 0; i < 256; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            x ^= x >> 29;
        }
    } while (Clock::now() < end);
    return x;
}

} // namespace Aqueduct
