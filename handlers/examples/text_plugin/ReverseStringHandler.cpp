#include "ReverseStringHandler.h"

#include <QString>

#include <algorithm>

namespace TextPlugin {

Aqueduct::HandlerInfo ReverseStringHandler::info() {
    Aqueduct::ParamSpec field;
    field.name = QStringLiteral("field");
    field.type = Aqueduct::ParamType::String;
    field.defaultValue = QStringLiteral("text");
    field.description = QStringLiteral("String field to reverse; a task without it fails.");

    Aqueduct::ParamSpec output;
    output.name = QStringLiteral("output");
    output.type = Aqueduct::ParamType::String;
    output.defaultValue = QString();
    output.description = QStringLiteral("Field that gets the result; empty means `field` itself.");

    Aqueduct::HandlerInfo info;
    info.name = QStringLiteral("reverse_string");
    info.category = QStringLiteral("Text"); // palette group
    info.description = QStringLiteral("Reverses a string field (by Unicode code point).");
    info.params = {field, output};
    return info;
}

// Runs once per worker process: read the params here, not in handle().
void ReverseStringHandler::onStart(const Aqueduct::HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_output = params.stringValue(QStringLiteral("output")).toStdString();
    if (m_output.empty())
        m_output = m_field;
    m_notStringMessage = "field '" + m_field + "' is missing or not a string";
}

void ReverseStringHandler::handle(std::span<Aqueduct::Task> batch) {
    for (Aqueduct::Task& task : batch) {
        const Aqueduct::Value* value = task.find(m_field);
        if (value == nullptr || value->type() != Aqueduct::ValueType::String) {
            task.fail(m_notStringMessage); // fails this task only, not the batch
            continue;
        }
        const std::string_view text = value->view();
        QList<uint> codePoints = QString::fromUtf8(text.data(), qsizetype(text.size())).toUcs4();
        std::reverse(codePoints.begin(), codePoints.end());
        const QByteArray reversed =
            QString::fromUcs4(reinterpret_cast<const char32_t*>(codePoints.constData()),
                              codePoints.size())
                .toUtf8();
        task.set(m_output, Aqueduct::Value::fromString(std::string_view(
                               reversed.constData(), std::size_t(reversed.size()))));
    }
}

} // namespace TextPlugin
