#include <aqueduct/driver/RunSummary.h>

#include <aqueduct/driver/TaskJson.h>

#include <QJsonDocument>

#include <cmath>
#include <numeric>

namespace Aqueduct::Driver {

namespace {

double round3(double value) {
    return std::round(value * 1000.0) / 1000.0;
}

QJsonObject failedObject(const RunSummary& summary) {
    QJsonObject object;
    for (int kind = 0; kind < kErrorKindCount; ++kind) {
        if (summary.failedByKind[std::size_t(kind)] > 0)
            object.insert(errorKindName(ErrorKind(kind)),
                          qint64(summary.failedByKind[std::size_t(kind)]));
    }
    if (summary.badInputLines > 0)
        object.insert(QLatin1String(TaskJson::kBadInputStatus), qint64(summary.badInputLines));
    return object;
}

QJsonObject latencyObject(const RunSummary& summary) {
    QJsonObject latency;
    latency.insert(QStringLiteral("p50"), round3(summary.latencyP50Ms));
    latency.insert(QStringLiteral("p95"), round3(summary.latencyP95Ms));
    latency.insert(QStringLiteral("p99"), round3(summary.latencyP99Ms));
    return latency;
}

} // namespace

std::uint64_t RunSummary::failed() const {
    return std::accumulate(failedByKind.cbegin(), failedByKind.cend(), std::uint64_t(0));
}

QJsonObject RunSummary::toJsonObject() const {
    QJsonObject object;
    object.insert(QStringLiteral("submitted"), qint64(taken()));
    object.insert(QStringLiteral("completed"), qint64(completed));
    object.insert(QStringLiteral("failed"), failedObject(*this));
    object.insert(QStringLiteral("tasks_per_s"), std::round(takenPerS()));
    object.insert(QStringLiteral("latency_ms"), latencyObject(*this));
    object.insert(QStringLiteral("wall_s"), round3(wallS));
    object.insert(QStringLiteral("stopped_by"), stoppedBy);
    return object;
}

QByteArray RunSummary::toJson() const {
    // QJsonObject sorts keys; the summary is written once, so build the text in the order
    // the contract lists the keys.
    const auto compact = [](const QJsonObject& object) {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    };
    const auto number = [](double value) { return QByteArray::number(value, 'g', 12); };

    QByteArray json = "{\"submitted\":" + QByteArray::number(qulonglong(taken()));
    json += ",\"completed\":" + QByteArray::number(qulonglong(completed));
    json += ",\"failed\":" + compact(failedObject(*this));
    json += ",\"tasks_per_s\":" + number(std::round(takenPerS()));
    json += ",\"latency_ms\":" + compact(latencyObject(*this));
    json += ",\"wall_s\":" + number(round3(wallS));
    QJsonObject extra;
    extra.insert(QStringLiteral("stopped_by"), stoppedBy);
    extra.insert(QStringLiteral("exit_code"), exitCode);
    if (!flowError.isEmpty())
        extra.insert(QStringLiteral("flow_error"), flowError);
    if (!outputError.isEmpty())
        extra.insert(QStringLiteral("output_error"), outputError);
    QByteArray extraText = compact(extra);
    extraText[0] = ','; // splice the extra keys into the object
    json += extraText;
    return json;
}

} // namespace Aqueduct::Driver
