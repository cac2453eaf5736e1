#include "monitor/LoadSettings.h"

#include <QFileInfo>
#include <QJsonArray>

#include <cmath>
#include <limits>
#include <numeric>

namespace Aqueduct::Ui {

QString loadSourceName(LoadSource source) {
    switch (source) {
    case LoadSource::None:
        return QStringLiteral("none");
    case LoadSource::Synthetic:
        return QStringLiteral("synthetic");
    case LoadSource::File:
        return QStringLiteral("file");
    }
    return QStringLiteral("none");
}

int LoadSettings::priorityFor(qint64 index) const {
    const int total = std::accumulate(priorityWeights.cbegin(), priorityWeights.cend(), 0);
    if (total <= 0)
        return 0;
    // A golden-ratio sequence spreads each priority evenly over time (no blocks of 80
    // then 20), deterministically, so runs are reproducible.
    constexpr double kGolden = 0.6180339887498949;
    const double position = std::fmod(double(index) * kGolden, 1.0) * total;
    double cumulative = 0;
    for (int p = 0; p < priorityWeights.size(); ++p) {
        cumulative += priorityWeights[p];
        if (position < cumulative)
            return p;
    }
    return int(priorityWeights.size()) - 1;
}

QString LoadSettings::describe() const {
    QStringList parts;
    switch (source) {
    case LoadSource::None:
        return QStringLiteral("no load (idle)");
    case LoadSource::Synthetic:
        parts << QStringLiteral("synthetic");
        parts << (ratePerS > 0 ? QStringLiteral("%1 tasks/s").arg(ratePerS)
                               : QStringLiteral("max rate"));
        if (payloadBytes > 0)
            parts << QStringLiteral("%1 B payload").arg(payloadBytes);
        if (count > 0)
            parts << QStringLiteral("%1 tasks").arg(count);
        break;
    case LoadSource::File:
        parts << QStringLiteral("file %1%2")
                     .arg(QFileInfo(filePath).fileName(),
                          repeat ? QStringLiteral(" (looped)") : QString());
        break;
    }
    if (durationS > 0)
        parts << QStringLiteral("for %1 s").arg(durationS);
    parts << QStringLiteral("%1 in flight").arg(concurrency);
    return parts.join(QStringLiteral(", "));
}

QJsonObject LoadSettings::toJson() const {
    QJsonObject object;
    object.insert(QStringLiteral("source"), loadSourceName(source));
    object.insert(QStringLiteral("rate_per_s"), ratePerS);
    object.insert(QStringLiteral("payload_bytes"), payloadBytes);
    QJsonArray weights;
    for (int weight : priorityWeights)
        weights.append(weight);
    object.insert(QStringLiteral("priority_weights"), weights);
    object.insert(QStringLiteral("count"), count);
    object.insert(QStringLiteral("duration_s"), durationS);
    object.insert(QStringLiteral("concurrency"), concurrency);
    object.insert(QStringLiteral("timeout_ms"), timeoutMs);
    object.insert(QStringLiteral("file"), filePath);
    object.insert(QStringLiteral("repeat"), repeat);
    object.insert(QStringLiteral("stop_when_done"), onEnd == LoadEndAction::StopFlow);
    return object;
}

LoadSettings LoadSettings::fromJson(const QJsonObject& object) {
    LoadSettings settings;
    const QString source = object.value(QStringLiteral("source")).toString();
    if (source == QLatin1String("none"))
        settings.source = LoadSource::None;
    else if (source == QLatin1String("file"))
        settings.source = LoadSource::File;
    // A pipeline file carries these (app_load): held to the Load Source dialog's ranges, so
    // a file cannot ask for 2 GiB payloads or an overflowing priority mix.
    settings.ratePerS =
        qBound(0.0, object.value(QStringLiteral("rate_per_s")).toDouble(), kMaxRatePerS);
    settings.payloadBytes =
        qBound(0, object.value(QStringLiteral("payload_bytes")).toInt(), kMaxPayloadBytes);
    settings.priorityWeights.clear();
    for (const QJsonValue& weight : object.value(QStringLiteral("priority_weights")).toArray()) {
        if (settings.priorityWeights.size() == kMaxPriorityWeights)
            break;
        settings.priorityWeights.append(qBound(0, weight.toInt(), kMaxPriorityWeight));
    }
    settings.count = qBound(qint64(0), object.value(QStringLiteral("count")).toInteger(),
                            qint64(std::numeric_limits<int>::max()));
    settings.durationS =
        qBound(0.0, object.value(QStringLiteral("duration_s")).toDouble(), kMaxDurationS);
    settings.concurrency =
        qBound(1, object.value(QStringLiteral("concurrency")).toInt(256), kMaxConcurrency);
    settings.timeoutMs =
        qBound(0, object.value(QStringLiteral("timeout_ms")).toInt(), kMaxTimeoutMs);
    settings.filePath = object.value(QStringLiteral("file")).toString();
    settings.repeat = object.value(QStringLiteral("repeat")).toBool(false);
    settings.onEnd = object.value(QStringLiteral("stop_when_done")).toBool(true)
                         ? LoadEndAction::StopFlow
                         : LoadEndAction::KeepRunning;
    return settings;
}

} // namespace Aqueduct::Ui
