#include "SetFieldHandler.h"

#include <stdexcept>

namespace Aqueduct {

HandlerInfo SetFieldHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("set_field");
    info.category = QStringLiteral("Basic");
    info.description = QStringLiteral("Sets a field of every task to a constant value.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QJsonValue(QJsonValue::Undefined),
                  .description = QStringLiteral(
                      "Name of the task field to set (created when missing, overwritten "
                      "otherwise)."),
                  .required = true},
        ParamSpec{.name = QStringLiteral("value"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral(""),
                  .description = QStringLiteral(
                      "The value, written as text and converted to the chosen type once at "
                      "start, e.g. 42, 2.5, true. Ignored for type null.")},
        ParamSpec{.name = QStringLiteral("type"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("string"),
                  .choices = {QStringLiteral("string"), QStringLiteral("int"),
                              QStringLiteral("double"), QStringLiteral("bool"),
                              QStringLiteral("null")},
                  .description = QStringLiteral(
                      "Type of the stored value. The step fails to start if the value does "
                      "not parse as this type.")},
    };
    info.check = [](const QJsonObject& params) {
        QList<ParamIssue> issues;
        if (params.value(QStringLiteral("field")).toString().trimmed().isEmpty())
            issues.append({QStringLiteral("field"),
                           QStringLiteral("must not be empty: name the task field to set")});
        try {
            convert(params.value(QStringLiteral("value")).toString(),
                    params.value(QStringLiteral("type")).toString(QStringLiteral("string")));
        } catch (const std::invalid_argument& error) {
            // "set_field: value 'abc' is not an integer" -> "value 'abc' is not an integer"
            // (the path names the step and parameter).
            QString message = QString::fromStdString(error.what());
            message.remove(QStringLiteral("set_field: "));
            issues.append({QStringLiteral("value"), message});
        }
        return issues;
    };
    return info;
}

Value SetFieldHandler::convert(const QString& text, const QString& typeName) {
    const QString trimmed = text.trimmed();
    const auto refuse = [&](const char* what) {
        throw std::invalid_argument(QStringLiteral("set_field: value '%1' is not %2")
                                        .arg(text, QLatin1String(what))
                                        .toStdString());
    };
    if (typeName == QLatin1String("null"))
        return Value();
    if (typeName == QLatin1String("int")) {
        bool ok = false;
        const qlonglong number = trimmed.toLongLong(&ok);
        if (!ok)
            refuse("an integer");
        return Value(static_cast<std::int64_t>(number));
    }
    if (typeName == QLatin1String("double")) {
        bool ok = false;
        const double number = trimmed.toDouble(&ok);
        if (!ok)
            refuse("a number");
        return Value(number);
    }
    if (typeName == QLatin1String("bool")) {
        const QString lower = trimmed.toLower();
        if (lower == QLatin1String("true") || lower == QLatin1String("1") ||
            lower == QLatin1String("yes") || lower == QLatin1String("on"))
            return Value(true);
        if (lower == QLatin1String("false") || lower == QLatin1String("0") ||
            lower == QLatin1String("no") || lower == QLatin1String("off"))
            return Value(false);
        refuse("a boolean (true or false)");
    }
    if (typeName == QLatin1String("string"))
        return Value(text);
    throw std::invalid_argument(
        QStringLiteral("set_field: unknown type '%1'").arg(typeName).toStdString());
}

void SetFieldHandler::onStart(const HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    if (m_field.empty())
        throw std::invalid_argument("set_field: parameter 'field' must not be empty");
    const QString type = params.values().contains(QStringLiteral("type"))
                             ? params.stringValue(QStringLiteral("type"))
                             : QStringLiteral("string");
    m_value = convert(params.stringValue(QStringLiteral("value")), type);
}

void SetFieldHandler::handle(std::span<Task> batch) {
    for (Task& task : batch)
        task[m_field] = m_value; // copy-assignment reuses the field's string capacity
}

} // namespace Aqueduct
