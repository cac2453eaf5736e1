#include "PassthroughHandler.h"

namespace Aqueduct {

HandlerInfo PassthroughHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("passthrough");
    info.category = QStringLiteral("Basic");
    info.description = QStringLiteral("Passes every task on unchanged.");
    return info;
}

void PassthroughHandler::handle(std::span<Task> batch) {
    (void)batch;
}

} // namespace Aqueduct
