#pragma once

// Helpers for the built-in handler tests: start a handler the way a worker does (params
// checked against the schema, defaults filled in) and build batches of tasks.
#include <aqueduct/Handler.h>
#include <aqueduct/HandlerRegistry.h>

#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <stdexcept>
#include <vector>

namespace Aqueduct::Testing {

/// A started handler of type H. Throws std::invalid_argument when `params` do not pass
/// the handler's schema, so a test cannot start a handler with parameters a pipeline
/// file could not hold.
template <typename H> std::unique_ptr<H> startHandler(const QJsonObject& params = {}) {
    const HandlerInfo info = H::info();
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(info, params, QStringLiteral("params"));
    if (!problems.isEmpty()) {
        QStringList lines;
        for (const Problem& problem : problems)
            lines.append(problem.path + QStringLiteral(": ") + problem.message);
        throw std::invalid_argument(lines.join(QStringLiteral("; ")).toStdString());
    }
    auto handler = std::make_unique<H>();
    handler->onStart(
        HandlerParams(HandlerRegistry::withDefaults(info, params), QStringLiteral("step"), 0));
    return handler;
}

/// `count` tasks with ids first, first + 1, ...
inline std::vector<Task> tasksWithIds(std::size_t count, std::uint64_t first = 1) {
    std::vector<Task> tasks(count);
    for (std::size_t i = 0; i < count; ++i)
        tasks[i].setId(first + i);
    return tasks;
}

} // namespace Aqueduct::Testing
