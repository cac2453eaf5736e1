#pragma once

#include "monitor/MetricsSample.h"

#include <aqueduct/MetricsSnapshot.h>

#include <QObject>
#include <QStringList>

#include <deque>

class QIODevice;

namespace Aqueduct::Ui {

/// The time windows the charts offer.
enum class HistoryWindow { Last30s, Last5min, Last1h };
double historyWindowSeconds(HistoryWindow window);
QString historyWindowName(HistoryWindow window);

/// Bounded history of a run's metrics for the charts and the CSV export. Three tiers, one
/// per window: every sample for the last 30 s, 1-second buckets for 5 minutes, 10-second
/// buckets for an hour. Each tier is a ring with a fixed capacity, so memory stays bounded
/// however long the run (about 1000 samples in all).
class MetricsHistory final : public QObject {
    Q_OBJECT
public:
    explicit MetricsHistory(QObject* parent = nullptr);

    /// Forgets everything (a new run).
    void clear();
    /// Turns an engine snapshot into a sample (rates and quantiles over the last second)
    /// and appends it to every tier.
    void addSnapshot(const MetricsSnapshotPtr& snapshot);

    const QStringList& stepIds() const { return m_stepIds; }
    int laneCount() const { return m_laneCount; }
    bool isEmpty() const { return m_tiers[0].samples.empty(); }
    /// The newest sample (undefined when empty).
    const MetricsSample& latest() const { return m_tiers[0].samples.back(); }
    /// Samples of the tier that serves `window`, oldest first.
    const std::deque<MetricsSample>& samples(HistoryWindow window) const;
    /// Incremented whenever `window`'s tier gains a sample (charts redraw only then).
    quint64 revision(HistoryWindow window) const;
    /// Samples held in all tiers (for tests of the memory bound).
    std::size_t totalSamples() const;
    static std::size_t capacity(HistoryWindow window);

    /// Writes the finest tier that still covers the whole run as CSV (one row per sample,
    /// flow columns then `<step>.<metric>` columns). False with `error` on I/O failure.
    bool writeCsv(QIODevice* device, QString* error = nullptr) const;
    /// The tier writeCsv uses.
    HistoryWindow exportWindow() const;

Q_SIGNALS:
    void sampleAdded();
    void cleared();

private:
    struct Tier {
        double bucketS = 0; ///< 0 = every sample
        std::size_t capacity = 0;
        std::deque<MetricsSample> samples;
        MetricsSample open; ///< bucket being filled
        int openCount = 0;
        double openStartS = 0;
        quint64 revision = 0;
    };

    MetricsSample derive(const MetricsSnapshot& snapshot);
    static void push(Tier& tier, const MetricsSample& sample);
    static void merge(MetricsSample& into, const MetricsSample& sample, int countBefore);

    QStringList m_stepIds;
    int m_laneCount = 1;
    Tier m_tiers[3];
    /// Recent snapshots (about 1 s) to take deltas from.
    std::deque<MetricsSnapshotPtr> m_recent;
};

/// Quantile q of the observations between two cumulative histograms (`older` may be
/// null: since the start), in the histogram's unit, interpolated within the bucket.
/// Returns 0 when nothing was observed in between.
double histogramDeltaQuantile(const HistogramData& newer, const HistogramData* older, double q);

} // namespace Aqueduct::Ui
