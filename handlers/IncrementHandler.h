#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>
#include <string>

namespace Aqueduct {

/// `increment`: adds `by` to a number field (ints stay ints, doubles stay doubles).
class IncrementHandler final : public Handler {
public:
    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

private:
    std::string m_field = "value";
    std::int64_t m_by = 1;
    std::string m_missingMessage;
};

} // namespace Aqueduct
