#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>

namespace Aqueduct {

/// `sleep`: waits a fixed time per batch, simulating I/O-bound work without using CPU.
class SleepHandler final : public Handler {
public:
    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

private:
    std::int64_t m_sleepMs = 10;
};

} // namespace Aqueduct
