#pragma once

#include "shm/FlowLayout.h"

#include "aqueduct/MetricsSnapshot.h"
#include "aqueduct/PipelineDocument.h"

#include <QHash>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

namespace Aqueduct::Internal {

/// Turns the workers' shared-memory counters (plus the parent's own) into immutable
/// snapshots: sums per step, histogram quantiles, throughput windows, CPU and RSS
/// from /proc. Memory stays bounded: only the last 10 s of totals are kept.
class MetricsSampler {
public:
    struct ParentCounters {
        std::uint64_t submitted = 0;
        std::uint64_t completed = 0;
        std::array<std::uint64_t, kErrorKindCount> errorsByKind{};
        std::uint64_t inFlight = 0;
        std::vector<std::uint64_t> parentSkips;
        QString flowState;
        double uptimeS = 0;
        qint64 arenaBytesUsed = 0;
        qint64 arenaBytesTotal = 0;
        std::uint64_t arenaBlobs = 0;
    };

    /// `layout` may be invalid (not created yet): queues and worker counters read as 0.
    MetricsSampler(const PipelineDocument& document, FlowLayout& layout,
                   std::chrono::milliseconds throughputWindow = std::chrono::seconds(10));
    MetricsSnapshotPtr sample(const ParentCounters& parent, const QList<WorkerInfo>& workers);

    /// What the sampler keeps between samples (throughput history entries over all steps,
    /// plus per-process CPU readings): bounded by the window, whatever the run time.
    std::size_t retainedEntries() const;

    /// Upper bounds (seconds) of the log2 microsecond buckets, as exported.
    static QList<double> latencyBucketBoundsSeconds();
    static LatencySummary summarize(const std::array<std::uint64_t, kHistogramBuckets>& buckets,
                                    std::uint64_t sumUs);

private:
    struct CpuSample {
        std::uint64_t ticks = 0;
        std::int64_t atNs = 0;
    };
    struct Throughput {
        std::int64_t atNs = 0;
        std::uint64_t tasksOut = 0;
    };

    void readProcess(qint64 pid, ProcessMetrics& metrics);

    const PipelineDocument& m_document;
    FlowLayout& m_layout;
    QHash<qint64, CpuSample> m_cpu;
    std::int64_t m_windowNs;
    std::vector<std::deque<Throughput>> m_throughput; ///< per step, the last window
    // Worker counters live in the flow's control segment for the whole run (a restarted
    // worker keeps its block), so sums never go backwards within a run.
    long m_ticksPerSecond = 100;
    long m_pageSize = 4096;
};

} // namespace Aqueduct::Internal
