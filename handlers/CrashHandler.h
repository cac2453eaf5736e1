#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>
#include <string>

namespace Aqueduct {

/// `crash`: kills its worker process on a chosen share of tasks (deterministically, see
/// TaskSampling.h) or on "poison" tasks, to exercise supervision and restarts.
class CrashHandler final : public Handler {
public:
    /// Salt of the deterministic draw (TaskSampling::draw over the task id).
    static constexpr std::uint64_t kSalt = 0x63726173; // "cras"
    /// Exit status of mode exit.
    static constexpr int kExitCode = 86;

    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

private:
    enum class Mode { Abort, Segfault, Exit };

    [[noreturn]] void crash() const;

    double m_probability = 0.01;
    Mode m_mode = Mode::Abort;
    std::string m_poisonField;
};

} // namespace Aqueduct
