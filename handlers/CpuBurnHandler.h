#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>

namespace Aqueduct {

/// `cpu_burn`: keeps one core busy for a fixed time per task (a stand-in for CPU-bound
/// work such as model inference).
class CpuBurnHandler final : public Handler {
public:
    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

    /// Spins on real arithmetic for `durationUs` microseconds of wall time.
    static std::uint64_t burn(std::int64_t durationUs, std::uint64_t seed);

private:
    std::int64_t m_durationUs = 100;
    // The result of the arithmetic lands here so the compiler cannot drop the loop.
    volatile std::uint64_t m_sink = 0;
};

} // namespace Aqueduct
