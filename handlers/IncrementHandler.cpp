#include "IncrementHandler.h"

namespace Aqueduct {

HandlerInfo IncrementHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("increment");
    info.category = QStringLiteral("Basic");
    info.description = QStringLiteral("Adds a constant to an integer (or double) field.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("value"),
                  .description = QStringLiteral(
                      "Task field to increment. It must hold an integer or a double; a task "
                      "without it fails.")},
        ParamSpec{.name = QStringLiteral("by"),
                  .type = ParamType::Int,
                  .defaultValue = 1,
                  .description = QStringLiteral("Amount added to the field (may be negative).")},
    };
    info.check = [](const QJsonObject& params) {
        QList<ParamIssue> issues;
        if (params.value(QStringLiteral("field")).toString().trimmed().isEmpty())
            issues.append({QStringLiteral("field"),
                           QStringLiteral("must not be empty: name the task field to increment")});
        return issues;
    };
    return info;
}

void IncrementHandler::onStart(const HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_by = params.intValue(QStringLiteral("by"));
    m_missingMessage = "field '" + m_field + "' is missing or not an integer";
}

void IncrementHandler::handle(std::span<Task> batch) {
    for (Task& task : batch) {
        Value* value = task.find(m_field);
        if (value != nullptr && value->type() == ValueType::Int) {
            // Wraps on overflow (two's complement) instead of undefined behaviour.
            value->setInt(static_cast<std::int64_t>(static_cast<std::uint64_t>(value->toInt()) +
                                                    static_cast<std::uint64_t>(m_by)));
        } else if (value != nullptr && value->type() == ValueType::Double) {
            value->setDouble(value->toDouble() + static_cast<double>(m_by));
        } else {
            task.fail(m_missingMessage);
        }
    }
}

} // namespace Aqueduct
