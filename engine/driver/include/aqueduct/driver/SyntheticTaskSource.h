#pragma once

#include <aqueduct/driver/TaskSource.h>

#include <functional>
#include <string>

namespace Aqueduct::Driver {

/// Generated tasks without end (the driver's count or duration limit ends them): by
/// default {"value": index} plus a `payload` bytes field of payloadBytes, at the priority
/// priorityFor(index); or whatever a custom `fill` writes (the bench's workloads).
class SyntheticTaskSource final : public TaskSource {
public:
    /// Writes task number `index` into `task` (cleared, its storage kept).
    using Fill = std::function<void(std::uint64_t index, Task& task)>;
    using PriorityFor = std::function<int(std::uint64_t index)>;

    explicit SyntheticTaskSource(std::int64_t payloadBytes = 0, PriorityFor priorityFor = {});
    explicit SyntheticTaskSource(Fill fill);

    bool ready() override { return true; }
    bool exhausted() const override { return false; }
    void take(DriveItem& item) override;
    std::uint64_t generated() const { return m_generated; }

private:
    Fill m_fill;
    PriorityFor m_priorityFor;
    std::string m_payload;
    std::uint64_t m_generated = 0;
};

} // namespace Aqueduct::Driver
