#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Aqueduct::Ui {

/// Where the monitor's tasks come from during a run.
enum class LoadSource { None, Synthetic, File };
QString loadSourceName(LoadSource source);

/// What happens to the flow once the load source has nothing more to send.
enum class LoadEndAction { StopFlow, KeepRunning };

/// The load a run is fed with: a synthetic generator (rate, payload, priority mix, count or
/// duration), a JSON-lines file (one task's fields per line, as `aqueduct run --input`
/// reads), or nothing (the flow idles, for probing and killing workers).
struct LoadSettings {
    // The ranges of the Load Source dialog; fromJson holds a file's values to them too.
    static constexpr double kMaxRatePerS = 10'000'000;
    static constexpr int kMaxPayloadBytes = 256 << 20;
    static constexpr int kMaxPriorityWeights = 64;
    static constexpr int kMaxPriorityWeight = 1'000'000;
    static constexpr double kMaxDurationS = 7 * 24 * 3600;
    static constexpr int kMaxConcurrency = 65536;
    static constexpr int kMaxTimeoutMs = 3'600'000;

    LoadSource source = LoadSource::Synthetic;
    double ratePerS = 0;  ///< synthetic: tasks per second; 0 = as fast as possible
    int payloadBytes = 0; ///< synthetic: size of a `payload` bytes field; 0 = none
    /// Synthetic: weight of each priority (index = priority); e.g. {80, 20} sends one task
    /// in five at priority 1. Empty or all zero = everything at priority 0.
    QList<int> priorityWeights;
    qint64 count = 0;      ///< synthetic: tasks to send; 0 = no limit
    double durationS = 0;  ///< any source: stop feeding after this long; 0 = no limit
    int concurrency = 256; ///< tasks in flight at most
    int timeoutMs = 0;     ///< per task; 0 = the flow's default_timeout_ms
    QString filePath;      ///< file source: JSON lines
    bool repeat = false;   ///< file source: read it again from the start each time it ends
    LoadEndAction onEnd = LoadEndAction::StopFlow;

    /// The priority of the `index`-th generated task under priorityWeights (deterministic).
    int priorityFor(qint64 index) const;
    /// One line for logs and the toolbar, e.g. "synthetic, max rate, 256 in flight".
    QString describe() const;
    QJsonObject toJson() const;
    static LoadSettings fromJson(const QJsonObject& object);
    bool operator==(const LoadSettings&) const = default;
};

} // namespace Aqueduct::Ui
