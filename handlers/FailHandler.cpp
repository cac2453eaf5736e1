#include "FailHandler.h"

#include "TaskSampling.h"

#include <stdexcept>

namespace Aqueduct {

HandlerInfo FailHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("fail");
    info.category = QStringLiteral("Testing");
    info.description = QStringLiteral(
        "Fails a chosen share of tasks (or their batch), always the same ones, to test error "
        "handling.");
    info.params = {
        ParamSpec{.name = QStringLiteral("probability"),
                  .type = ParamType::Double,
                  .defaultValue = 0.1,
                  .minimum = 0.0,
                  .maximum = 1.0,
                  .description = QStringLiteral(
                      "Share of tasks that fail, 0 to 1 (0.1 = about one task in ten). The "
                      "choice is deterministic: the same task always fails or always passes.")},
        ParamSpec{.name = QStringLiteral("message"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("injected failure"),
                  .description =
                      QStringLiteral("Error message the failed tasks report to the caller.")},
        ParamSpec{.name = QStringLiteral("mode"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("task"),
                  .choices = {QStringLiteral("task"), QStringLiteral("batch")},
                  .description = QStringLiteral(
                      "task: only the chosen tasks fail; batch: the handler throws, failing "
                      "every task of a batch that contains a chosen task.")},
        ParamSpec{.name = QStringLiteral("seed_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral(""),
                  .description = QStringLiteral(
                      "Task field whose value decides whether a task fails (same value, same "
                      "outcome). Empty: decide by the task's id.")},
    };
    return info;
}

void FailHandler::onStart(const HandlerParams& params) {
    m_probability = params.doubleValue(QStringLiteral("probability"));
    m_message = params.stringValue(QStringLiteral("message")).toStdString();
    m_mode = params.stringValue(QStringLiteral("mode")) == QLatin1String("batch") ? Mode::Batch
                                                                                  : Mode::Task;
    m_seedField = params.stringValue(QStringLiteral("seed_field")).toStdString();
}

void FailHandler::handle(std::span<Task> batch) {
    for (Task& task : batch) {
        if (!TaskSampling::selects(task, m_seedField, kSalt, m_probability))
            continue;
        if (m_mode == Mode::Batch)
            throw std::runtime_error(m_message);
        task.fail(m_message);
    }
}

} // namespace Aqueduct
