#include "RunSummary.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace Aqueduct::App {

namespace {

double round3(double value) {
    return std::round(value * 1000.0) / 1000.0;
}

} // namespace

std::uint64_t RunSummary::failedTotal() const {
    std::uint64_t total = 0;
    for (const std::uint64_t count : failed)
        total += count;
    return total;
}

QByteArray RunSummary::toJson() const {
    // QJsonObject sorts keys; the summary is written once, so build the text in the order
    // the contract lists the keys.
    QJsonObject failedObject;
    for (auto it = failed.constBegin(); it != failed.constEnd(); ++it)
        failedObject.insert(it.key(), qint64(it.value()));
    QJsonObject latency;
    latency.insert(QStringLiteral("p50"), round3(latencyP50Ms));
    latency.insert(QStringLiteral("p95"), round3(latencyP95Ms));
    latency.insert(QStringLiteral("p99"), round3(latencyP99Ms));
    const auto compact = [](const QJsonObject& object) {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    };
    const auto number = [](double value) { return QByteArray::number(value, 'g', 12); };

    QByteArray json = "{\"submitted\":" + QByteArray::number(qulonglong(submitted));
    json += ",\"completed\":" + QByteArray::number(qulonglong(completed));
    json += ",\"failed\":" + compact(failedObject);
    json += ",\"tasks_per_s\":" + number(std::round(tasksPerS()));
    json += ",\"latency_ms\":" + compact(latency);
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

} // namespace Aqueduct::App
