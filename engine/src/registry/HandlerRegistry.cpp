#include "aqueduct/HandlerRegistry.h"

#include "model/JsonText.h"

#include <algorithm>
#include <cmath>

namespace Aqueduct {

namespace {

using Internal::jsonTypeName;
using Internal::numberText;

bool isWholeInt64(double number) {
    // [-2^63, 2^63): the doubles that convert to int64 exactly.
    return std::isfinite(number) && std::trunc(number) == number &&
           number >= -9223372036854775808.0 && number < 9223372036854775808.0;
}

// A default-constructed QJsonValue is null, not undefined, and no parameter type takes null,
// so both mean "no default"; a required parameter never gets one filled in.
bool hasDefault(const ParamSpec& spec) {
    return !spec.required && !spec.defaultValue.isUndefined() && !spec.defaultValue.isNull();
}

QString joinPath(const QString& prefix, const QString& name) {
    return prefix.isEmpty() ? name : prefix + QLatin1Char('.') + name;
}

// The type check of one present parameter; an empty string means the value is fine.
QString checkValue(const ParamSpec& spec, const QJsonValue& value) {
    switch (spec.type) {
    case ParamType::Bool:
        if (!value.isBool())
            return QStringLiteral("must be a boolean, got %1").arg(jsonTypeName(value));
        return {};
    case ParamType::String:
        if (!value.isString())
            return QStringLiteral("must be a string, got %1").arg(jsonTypeName(value));
        return {};
    case ParamType::Choice: {
        const QString choices = spec.choices.join(QStringLiteral(", "));
        if (!value.isString())
            return QStringLiteral("must be one of: %1 (got %2)").arg(choices, jsonTypeName(value));
        if (!spec.choices.contains(value.toString()))
            return QStringLiteral("must be one of: %1 (got '%2')").arg(choices, value.toString());
        return {};
    }
    case ParamType::Int:
    case ParamType::Double:
        break;
    }

    if (!value.isDouble()) {
        return QStringLiteral("must be %1, got %2")
            .arg(spec.type == ParamType::Int ? QStringLiteral("an integer")
                                             : QStringLiteral("a number"),
                 jsonTypeName(value));
    }
    const double number = value.toDouble();
    // JSON has one number type: 3 and 3.0 are both integers, 3.5 is not.
    if (spec.type == ParamType::Int && !isWholeInt64(number))
        return QStringLiteral("must be an integer, got %1").arg(numberText(number));
    const bool belowMinimum = spec.minimum && number < *spec.minimum;
    const bool aboveMaximum = spec.maximum && number > *spec.maximum;
    if (!belowMinimum && !aboveMaximum)
        return {};
    if (spec.minimum && spec.maximum) {
        return QStringLiteral("must be between %1 and %2, got %3")
            .arg(numberText(*spec.minimum), numberText(*spec.maximum), numberText(number));
    }
    if (spec.minimum) {
        return QStringLiteral("must be at least %1, got %2")
            .arg(numberText(*spec.minimum), numberText(number));
    }
    return QStringLiteral("must be at most %1, got %2")
        .arg(numberText(*spec.maximum), numberText(number));
}

} // namespace

HandlerRegistry& HandlerRegistry::global() {
    static HandlerRegistry registry;
    return registry;
}

void HandlerRegistry::add(HandlerInfo info, HandlerFactory factory) {
    const QString name = info.name;
    m_entries.insert(name, Entry{std::move(info), std::move(factory)});
}

const HandlerInfo* HandlerRegistry::find(const QString& name) const {
    const auto it = m_entries.constFind(name);
    return it != m_entries.constEnd() ? &it->info : nullptr;
}

std::unique_ptr<Handler> HandlerRegistry::create(const QString& name) const {
    const auto it = m_entries.constFind(name);
    if (it == m_entries.constEnd() || !it->factory)
        return nullptr;
    return it->factory();
}

QList<HandlerInfo> HandlerRegistry::handlers() const {
    QList<HandlerInfo> result;
    result.reserve(m_entries.size());
    for (const Entry& entry : m_entries)
        result.append(entry.info);
    std::sort(result.begin(), result.end(), [](const HandlerInfo& a, const HandlerInfo& b) {
        if (a.category != b.category)
            return a.category < b.category;
        return a.name < b.name;
    });
    return result;
}

QList<Problem> HandlerRegistry::checkParams(const HandlerInfo& info, const QJsonObject& params,
                                            const QString& pathPrefix) const {
    QList<Problem> problems;
    const auto report = [&](const QString& name, const QString& message) {
        Problem problem;
        problem.path = joinPath(pathPrefix, name);
        problem.message = message;
        problem.severity = Problem::Severity::Error;
        problems.append(std::move(problem));
    };

    QStringList known;
    for (const ParamSpec& spec : info.params)
        known.append(spec.name);
    const QString knownText =
        known.isEmpty() ? QStringLiteral("it takes no parameters")
                        : QStringLiteral("known: %1").arg(known.join(QStringLiteral(", ")));
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        if (info.param(it.key()) == nullptr) {
            report(it.key(), QStringLiteral("unknown parameter '%1' for handler '%2' (%3)")
                                 .arg(it.key(), info.name, knownText));
        }
    }

    for (const ParamSpec& spec : info.params) {
        const auto it = params.constFind(spec.name);
        if (it == params.constEnd()) {
            if (spec.required)
                report(spec.name,
                       QStringLiteral("required parameter '%1' is missing").arg(spec.name));
            continue;
        }
        const QString message = checkValue(spec, it.value());
        if (!message.isEmpty())
            report(spec.name, message);
    }
    // The handler's own checks read the values as typed, so only once those are sound.
    if (problems.isEmpty() && info.check) {
        for (const ParamIssue& issue : info.check(withDefaults(info, params)))
            report(issue.param, issue.message);
    }
    return problems;
}

QJsonObject HandlerRegistry::withDefaults(const HandlerInfo& info, const QJsonObject& params) {
    QJsonObject result = params;
    for (const ParamSpec& spec : info.params) {
        if (!result.contains(spec.name) && hasDefault(spec))
            result.insert(spec.name, spec.defaultValue);
    }
    return result;
}

} // namespace Aqueduct
