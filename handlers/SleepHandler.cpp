#include "SleepHandler.h"

#include <chrono>
#include <thread>

namespace Aqueduct {

HandlerInfo SleepHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("sleep");
    info.category = QStringLiteral("Testing");
    info.description =
        QStringLiteral("Sleeps a fixed time per batch, simulating slow I/O without using CPU.");
    info.params = {
        ParamSpec{.name = QStringLiteral("ms"),
                  .type = ParamType::Int,
                  .defaultValue = 10,
                  .minimum = 0,
                  .maximum = 600000,
                  .description = QStringLiteral(
                      "Milliseconds to sleep for each batch (not each task), 0 to 600000.")},
    };
    return info;
}

void SleepHandler::onStart(const HandlerParams& params) {
    m_sleepMs = params.intValue(QStringLiteral("ms"));
}

void SleepHandler::handle(std::span<Task> batch) {
    if (batch.empty() || m_sleepMs <= 0)
        return;
    std::this_thread::sleep_for(std::chrono::milliseconds(m_sleepMs));
}

} // namespace Aqueduct
