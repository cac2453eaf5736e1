#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

namespace Aqueduct {

/// `passthrough`: hands every task on unchanged (a step that measures pure engine cost).
class PassthroughHandler final : public Handler {
public:
    static HandlerInfo info();
    void handle(std::span<Task> batch) override;
};

} // namespace Aqueduct
