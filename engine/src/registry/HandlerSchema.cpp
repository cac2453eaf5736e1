#include "aqueduct/HandlerSchema.h"

#include <QJsonArray>

#include <cmath>

namespace Aqueduct {

namespace {

// Whole-number bounds of Int parameters read better as integers ("600000", not "600000.0").
QJsonValue boundToJson(const std::optional<double>& bound, ParamType type) {
    if (!bound)
        return QJsonValue(QJsonValue::Null);
    if (type == ParamType::Int && std::trunc(*bound) == *bound && std::abs(*bound) < 9.0e15)
        return QJsonValue(static_cast<qint64>(*bound));
    return QJsonValue(*bound);
}

} // namespace

QString paramTypeName(ParamType type) {
    switch (type) {
    case ParamType::Bool:
        return QStringLiteral("bool");
    case ParamType::Int:
        return QStringLiteral("int");
    case ParamType::Double:
        return QStringLiteral("double");
    case ParamType::String:
        return QStringLiteral("string");
    case ParamType::Choice:
        return QStringLiteral("choice");
    }
    return QStringLiteral("unknown");
}

const ParamSpec* HandlerInfo::param(const QString& paramName) const {
    for (const ParamSpec& spec : params) {
        if (spec.name == paramName)
            return &spec;
    }
    return nullptr;
}

QJsonObject HandlerInfo::toJson() const {
    QJsonArray paramArray;
    for (const ParamSpec& spec : params) {
        QJsonObject object;
        object.insert(QStringLiteral("name"), spec.name);
        object.insert(QStringLiteral("type"), paramTypeName(spec.type));
        // Required parameters have no default, whatever defaultValue holds.
        object.insert(QStringLiteral("default"), spec.required || spec.defaultValue.isUndefined()
                                                     ? QJsonValue(QJsonValue::Null)
                                                     : spec.defaultValue);
        object.insert(QStringLiteral("minimum"), boundToJson(spec.minimum, spec.type));
        object.insert(QStringLiteral("maximum"), boundToJson(spec.maximum, spec.type));
        object.insert(QStringLiteral("choices"), QJsonArray::fromStringList(spec.choices));
        object.insert(QStringLiteral("description"), spec.description);
        object.insert(QStringLiteral("required"), spec.required);
        // A path relative to the pipeline file; editors offer a file picker.
        object.insert(QStringLiteral("file_path"), spec.filePath);
        paramArray.append(object);
    }
    QJsonObject object;
    object.insert(QStringLiteral("name"), name);
    object.insert(QStringLiteral("category"), category);
    object.insert(QStringLiteral("description"), description);
    object.insert(QStringLiteral("origin"), origin);
    object.insert(QStringLiteral("params"), paramArray);
    return object;
}

} // namespace Aqueduct
