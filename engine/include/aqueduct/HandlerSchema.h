#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Aqueduct {

enum class ParamType { Bool, Int, Double, String, Choice };

QString paramTypeName(ParamType type);

/// One handler parameter: what the JSON validator checks and the GUI inspector edits.
struct ParamSpec {
    QString name;
    ParamType type = ParamType::String;
    QJsonValue defaultValue;       ///< Undefined when the parameter is required
    std::optional<double> minimum; ///< Int/Double only, inclusive
    std::optional<double> maximum; ///< Int/Double only, inclusive
    QStringList choices;           ///< Choice only
    QString description;
    bool required = false;
    /// String only: a file path. Loaders of a pipeline file resolve a relative value
    /// against the file's folder; the GUI offers a file picker.
    bool filePath = false;
};

/// A parameter a handler's own check refused, and why.
struct ParamIssue {
    QString param;   ///< the parameter the message is about (its JSON path ends with it)
    QString message; ///< e.g. "must not be empty"
};

/// A handler's checks beyond one value's type and range: values that depend on other
/// parameters, or strings that must not be empty. It is given every parameter, defaults
/// filled in, once each has passed its own check; the validator reports what it returns,
/// so `aqueduct validate` and the designer catch it before a run does.
using ParamCheck = std::function<QList<ParamIssue>(const QJsonObject& params)>;

/// A handler's name, category and parameter schema.
struct HandlerInfo {
    QString name;
    QString category;    ///< palette grouping, e.g. "Basic", "CPU", "Bytes", "Testing"
    QString description; ///< one sentence
    QList<ParamSpec> params;
    QString origin;   ///< "builtin" or the plugin file that provides it
    ParamCheck check; ///< optional

    const ParamSpec* param(const QString& paramName) const;
    QJsonObject toJson() const;
};

} // namespace Aqueduct
