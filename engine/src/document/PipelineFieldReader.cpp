#include "document/PipelineFieldReader.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Aqueduct::Internal {

namespace {

// Largest integer a JSON number (an IEEE double) carries exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;

} // namespace

PipelineFieldReader::PipelineFieldReader(QList<Problem>* problems)
    : m_problems(problems) {}

void PipelineFieldReader::error(const QString& path, const QString& message, const QString& stepId,
                                int edgeIndex) {
    add(path, message, Problem::Severity::Error, stepId, edgeIndex);
}

void PipelineFieldReader::warning(const QString& path, const QString& message,
                                  const QString& stepId, int edgeIndex) {
    add(path, message, Problem::Severity::Warning, stepId, edgeIndex);
}

void PipelineFieldReader::setContext(const QString& stepId, int edgeIndex) {
    m_stepId = stepId;
    m_edgeIndex = edgeIndex;
}

bool PipelineFieldReader::readInt64(const QJsonObject& object, const QString& key,
                                    const QString& path, qint64 min, qint64 max, qint64* out) {
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return false;
    const QString fieldPath = path + QLatin1Char('.') + key;
    if (!value.isDouble()) {
        error(fieldPath, QStringLiteral("must be an integer, got %1").arg(jsonTypeName(value)));
        return false;
    }
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::floor(number) != number) {
        error(fieldPath, QStringLiteral("must be an integer, got %1").arg(numberText(number)));
        return false;
    }
    if (std::fabs(number) > kMaxExactInteger || number < double(min) || number > double(max)) {
        error(fieldPath, QStringLiteral("is out of range: %1 (must be between %2 and %3)")
                             .arg(numberText(number))
                             .arg(min)
                             .arg(max));
        return false;
    }
    *out = static_cast<qint64>(number);
    return true;
}

void PipelineFieldReader::readInt(const QJsonObject& object, const QString& key,
                                  const QString& path, int* out) {
    qint64 value = 0;
    if (readInt64(object, key, path, std::numeric_limits<int>::min(),
                  std::numeric_limits<int>::max(), &value))
        *out = static_cast<int>(value);
}

void PipelineFieldReader::readInt64(const QJsonObject& object, const QString& key,
                                    const QString& path, qint64* out) {
    qint64 value = 0;
    if (readInt64(object, key, path, -qint64(kMaxExactInteger), qint64(kMaxExactInteger), &value))
        *out = value;
}

void PipelineFieldReader::readDouble(const QJsonObject& object, const QString& key,
                                     const QString& path, double* out) {
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return;
    if (!value.isDouble()) {
        error(path + QLatin1Char('.') + key,
              QStringLiteral("must be a number, got %1").arg(jsonTypeName(value)));
        return;
    }
    *out = value.toDouble();
}

void PipelineFieldReader::readBool(const QJsonObject& object, const QString& key,
                                   const QString& path, bool* out) {
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return;
    if (!value.isBool()) {
        error(path + QLatin1Char('.') + key,
              QStringLiteral("must be true or false, got %1").arg(jsonTypeName(value)));
        return;
    }
    *out = value.toBool();
}

bool PipelineFieldReader::readString(const QJsonObject& object, const QString& key,
                                     const QString& path, QString* out) {
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return false;
    if (!value.isString()) {
        error(path + QLatin1Char('.') + key,
              QStringLiteral("must be a string, got %1").arg(jsonTypeName(value)));
        return false;
    }
    *out = value.toString();
    return true;
}

std::optional<QJsonObject> PipelineFieldReader::readObject(const QJsonObject& object,
                                                           const QString& key,
                                                           const QString& path) {
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return std::nullopt;
    if (!value.isObject()) {
        error(path + QLatin1Char('.') + key,
              QStringLiteral("must be an object, got %1").arg(jsonTypeName(value)));
        return std::nullopt;
    }
    return value.toObject();
}

std::optional<QJsonArray> PipelineFieldReader::readArray(const QJsonObject& object,
                                                         const QString& key, const QString& path) {
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return std::nullopt;
    if (!value.isArray()) {
        error(path + QLatin1Char('.') + key,
              QStringLiteral("must be an array, got %1").arg(jsonTypeName(value)));
        return std::nullopt;
    }
    return value.toArray();
}

void PipelineFieldReader::checkKeys(const QJsonObject& object, const QString& path,
                                    std::initializer_list<const char*> known) {
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const bool isKnown = std::any_of(known.begin(), known.end(), [&](const char* name) {
            return it.key() == QLatin1String(name);
        });
        if (!isKnown)
            warning(path + QLatin1Char('.') + it.key(), QStringLiteral("unknown key (ignored)"));
    }
}

void PipelineFieldReader::readRestart(const QJsonObject& object, const QString& path,
                                      RestartSettings* restart) {
    checkKeys(object, path,
              {"policy", "max_restarts", "window_s", "backoff_initial_ms", "backoff_max_ms"});
    QString policyName;
    if (readString(object, QStringLiteral("policy"), path, &policyName)) {
        if (const auto policy = restartPolicyFromName(policyName))
            restart->policy = *policy;
        else
            error(path + QStringLiteral(".policy"),
                  QStringLiteral("must be one of on-crash, never; got '%1'").arg(policyName));
    }
    readInt(object, QStringLiteral("max_restarts"), path, &restart->maxRestarts);
    readInt(object, QStringLiteral("window_s"), path, &restart->windowS);
    readInt(object, QStringLiteral("backoff_initial_ms"), path, &restart->backoffInitialMs);
    readInt(object, QStringLiteral("backoff_max_ms"), path, &restart->backoffMaxMs);
}

void PipelineFieldReader::add(const QString& path, const QString& message,
                              Problem::Severity severity, const QString& stepId, int edgeIndex) {
    if (!m_problems)
        return;
    Problem problem;
    problem.path = path;
    problem.message = message;
    problem.severity = severity;
    problem.stepId = stepId.isEmpty() ? m_stepId : stepId;
    problem.edgeIndex = edgeIndex >= 0 ? edgeIndex : m_edgeIndex;
    m_problems->append(problem);
}

} // namespace Aqueduct::Internal
