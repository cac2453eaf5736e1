#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>
#include <string>

namespace Aqueduct {

/// `fail`: fails a chosen share of tasks (or their whole batch), deterministically, to
/// exercise error handling. See TaskSampling.h for how tasks are chosen.
class FailHandler final : public Handler {
public:
    /// Salt of the deterministic draw (TaskSampling::draw); tests use it to predict.
    static constexpr std::uint64_t kSalt = 0x6661696c; // "fail"

    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    /// Mode task: Task::fail on each chosen task. Mode batch: throws std::runtime_error
    /// when any task of the batch is chosen, which fails the whole batch.
    void handle(std::span<Task> batch) override;

private:
    enum class Mode { Task, Batch };

    double m_probability = 0.1;
    std::string m_message = "injected failure";
    Mode m_mode = Mode::Task;
    std::string m_seedField;
};

} // namespace Aqueduct
