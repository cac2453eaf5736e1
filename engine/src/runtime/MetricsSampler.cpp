#include "runtime/MetricsSampler.h"

#include "shm/Clock.h"

#include <QDateTime>
#include <QFile>
#include <QSet>

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace Aqueduct::Internal {

namespace {

std::uint64_t load(const std::atomic<std::uint64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
}

HistogramData toHistogram(const std::array<std::uint64_t, kHistogramBuckets>& buckets,
                          std::uint64_t sumUs) {
    HistogramData histogram;
    histogram.upperBoundsSeconds = MetricsSampler::latencyBucketBoundsSeconds();
    std::uint64_t cumulative = 0;
    for (int i = 0; i < kHistogramBuckets; ++i) {
        cumulative += buckets[std::size_t(i)];
        if (i < kHistogramBuckets - 1)
            histogram.cumulativeCounts.append(cumulative);
    }
    histogram.cumulativeCounts.append(cumulative); // +Inf
    histogram.count = cumulative;
    histogram.sumSeconds = double(sumUs) / 1e6;
    return histogram;
}

} // namespace

MetricsSampler::MetricsSampler(const PipelineDocument& document, FlowLayout& layout,
                               std::chrono::milliseconds throughputWindow)
    : m_document(document)
    , m_layout(layout)
    , m_windowNs(std::int64_t(throughputWindow.count()) * 1'000'000)
    , m_throughput(std::size_t(document.steps.size())) {
    m_ticksPerSecond = sysconf(_SC_CLK_TCK);
    m_pageSize = sysconf(_SC_PAGESIZE);
    // The sampler is made as the flow starts, when every count is 0: with that as the
    // first entry, the first snapshot already has a throughput.
    const std::int64_t now = monotonicNs();
    for (std::deque<Throughput>& history : m_throughput)
        history.push_back({now, 0});
}

std::size_t MetricsSampler::retainedEntries() const {
    std::size_t entries = std::size_t(m_cpu.size());
    for (const std::deque<Throughput>& history : m_throughput)
        entries += history.size();
    return entries;
}

QList<double> MetricsSampler::latencyBucketBoundsSeconds() {
    // Bucket i holds [2^(i-1), 2^i) microseconds; bucket 0 holds 0.
    QList<double> bounds;
    for (int i = 0; i < kHistogramBuckets - 1; ++i)
        bounds.append(std::ldexp(1.0, i) / 1e6);
    return bounds;
}

LatencySummary
MetricsSampler::summarize(const std::array<std::uint64_t, kHistogramBuckets>& buckets,
                          std::uint64_t sumUs) {
    LatencySummary summary;
    for (std::uint64_t count : buckets)
        summary.count += count;
    if (summary.count == 0)
        return summary;
    summary.meanUs = double(sumUs) / double(summary.count);
    auto quantile = [&](double q) {
        const double rank = q * double(summary.count);
        std::uint64_t cumulative = 0;
        for (int i = 0; i < kHistogramBuckets; ++i) {
            const std::uint64_t inBucket = buckets[std::size_t(i)];
            if (inBucket > 0 && double(cumulative + inBucket) >= rank) {
                // Interpolate within [2^(i-1), 2^i) microseconds.
                const double low = i == 0 ? 0.0 : std::ldexp(1.0, i - 1);
                const double high = i == 0 ? 1.0 : std::ldexp(1.0, i);
                const double within = (rank - double(cumulative)) / double(inBucket);
                return low + (high - low) * std::clamp(within, 0.0, 1.0);
            }
            cumulative += inBucket;
        }
        return std::ldexp(1.0, kHistogramBuckets - 1);
    };
    summary.p50Us = quantile(0.50);
    summary.p95Us = quantile(0.95);
    summary.p99Us = quantile(0.99);
    return summary;
}

void MetricsSampler::readProcess(qint64 pid, ProcessMetrics& metrics) {
    if (pid <= 0)
        return;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        // Fields after the command name (which may hold spaces) start past the last ')'.
        const qsizetype close = line.lastIndexOf(')');
        const QList<QByteArray> fields = line.mid(close + 2).split(' ');
        if (fields.size() > 22) {
            const std::uint64_t ticks =
                fields[11].toULongLong() + fields[12].toULongLong(); // utime + stime
            const std::int64_t now = monotonicNs();
            auto previous = m_cpu.find(pid);
            if (previous != m_cpu.end() && now > previous->atNs) {
                const double seconds = double(now - previous->atNs) / 1e9;
                metrics.cpuPercent = 100.0 * double(ticks - std::min(ticks, previous->ticks)) /
                                     double(m_ticksPerSecond) / seconds;
            }
            m_cpu.insert(pid, CpuSample{ticks, now});
            metrics.rssBytes = fields[21].toLongLong() * m_pageSize;
        }
    }
}

MetricsSnapshotPtr MetricsSampler::sample(const ParentCounters& parent,
                                          const QList<WorkerInfo>& workers) {
    auto snapshot = std::make_shared<MetricsSnapshot>();
    snapshot->timestampMs = QDateTime::currentMSecsSinceEpoch();
    snapshot->uptimeS = parent.uptimeS;
    snapshot->flowState = parent.flowState;
    const std::int64_t now = monotonicNs();

    FlowTotals& totals = snapshot->totals;
    totals.submitted = parent.submitted;
    totals.completed = parent.completed;
    totals.errorsByKind = parent.errorsByKind;
    totals.expired = parent.errorsByKind[int(ErrorKind::Timeout)];
    totals.rejected = parent.errorsByKind[int(ErrorKind::Rejected)];
    for (int kind = 1; kind < kErrorKindCount; ++kind) {
        if (ErrorKind(kind) != ErrorKind::Timeout && ErrorKind(kind) != ErrorKind::Rejected)
            totals.failed += parent.errorsByKind[std::size_t(kind)];
    }
    totals.inFlight = parent.inFlight;
    totals.arenaBytesUsed = parent.arenaBytesUsed;
    totals.arenaBytesTotal = parent.arenaBytesTotal;
    totals.arenaBlobs = parent.arenaBlobs;

    const bool layoutValid = m_layout.isValid();
    for (int s = 0; s < m_document.steps.size(); ++s) {
        const StepSpec& spec = m_document.steps[s];
        StepMetrics step;
        step.stepId = spec.id;
        step.handler = spec.handler;
        step.nprocs = spec.nprocs;
        step.batchSize = spec.batchSize;
        step.queueCapacity = spec.effectiveQueueSize();
        std::array<std::uint64_t, kHistogramBuckets> handleBuckets{};
        std::array<std::uint64_t, kHistogramBuckets> waitBuckets{};
        std::uint64_t handleSum = 0;
        std::uint64_t waitSum = 0;
        std::array<std::uint64_t, kBatchFillBuckets> fillBuckets{};
        if (layoutValid) {
            for (int lane = 0; lane < m_layout.laneCount(); ++lane)
                step.queueDepthPerLane.append(int(m_layout.lane(s, lane).size()));
            const StepControl& control = m_layout.step(s);
            for (std::uint32_t w = 0; w < control.nprocs; ++w) {
                const WorkerCounters& counters =
                    m_layout.worker(int(control.firstWorker + w)).counters;
                step.tasksIn += load(counters.tasksIn);
                step.tasksOut += load(counters.tasksOut);
                step.batches += load(counters.batches);
                step.batchedTasks += load(counters.batchedTasks);
                for (int kind = 0; kind < kErrorKindCount; ++kind)
                    step.errorsByKind[std::size_t(kind)] += load(counters.errors[kind]);
                for (int b = 0; b < kHistogramBuckets; ++b) {
                    handleBuckets[std::size_t(b)] += load(counters.handleUsBuckets[b]);
                    waitBuckets[std::size_t(b)] += load(counters.queueWaitUsBuckets[b]);
                }
                handleSum += load(counters.handleUsSum);
                waitSum += load(counters.queueWaitUsSum);
                for (int b = 0; b < kBatchFillBuckets; ++b)
                    fillBuckets[std::size_t(b)] += load(counters.batchFillBuckets[b]);
            }
        }
        if (std::size_t(s) < parent.parentSkips.size())
            step.skipped = parent.parentSkips[std::size_t(s)];
        if (layoutValid)
            step.skipped += m_layout.step(s).skipped.load(std::memory_order_relaxed);
        step.handleTime = summarize(handleBuckets, handleSum);
        step.queueWait = summarize(waitBuckets, waitSum);
        step.handleTimeHistogram = toHistogram(handleBuckets, handleSum);
        step.queueWaitHistogram = toHistogram(waitBuckets, waitSum);
        // Batch fill: bucket b holds fills in ((b)/10, (b+1)/10].
        std::uint64_t fillCount = 0;
        double fillSum = 0;
        std::uint64_t cumulative = 0;
        for (int b = 0; b < kBatchFillBuckets; ++b) {
            step.batchFill.upperBoundsSeconds.append(double(b + 1) / kBatchFillBuckets);
            cumulative += fillBuckets[std::size_t(b)];
            step.batchFill.cumulativeCounts.append(cumulative);
            fillCount += fillBuckets[std::size_t(b)];
            fillSum += double(fillBuckets[std::size_t(b)]) * double(b + 1) / kBatchFillBuckets;
        }
        step.batchFill.cumulativeCounts.append(cumulative);
        step.batchFill.count = fillCount;
        step.batchFill.sumSeconds = fillSum;
        step.batchFillMean = fillCount ? fillSum / double(fillCount) : 0;

        std::deque<Throughput>& history = m_throughput[std::size_t(s)];
        if (!history.empty()) {
            const Throughput& last = history.back();
            if (now > last.atNs)
                step.throughputPerS =
                    double(step.tasksOut - std::min(step.tasksOut, last.tasksOut)) * 1e9 /
                    double(now - last.atNs);
            const Throughput& oldest = history.front();
            if (now > oldest.atNs)
                step.throughput10sPerS =
                    double(step.tasksOut - std::min(step.tasksOut, oldest.tasksOut)) * 1e9 /
                    double(now - oldest.atNs);
        }
        history.push_back({now, step.tasksOut});
        // Keep the newest entry at or before the window's start, so the window rate
        // spans the whole window once the flow has run that long.
        while (history.size() > 2 && now - history[1].atNs >= m_windowNs)
            history.pop_front();

        for (const WorkerInfo& worker : workers) {
            if (worker.stepIndex != s)
                continue;
            if (worker.state != WorkerState::Dead && worker.state != WorkerState::Restarting &&
                worker.state != WorkerState::Starting)
                ++step.workersAlive;
            if (worker.state == WorkerState::Busy)
                ++step.workersBusy;
        }
        snapshot->steps.append(step);
    }

    ProcessMetrics parentProcess;
    parentProcess.worker.pid = getpid();
    parentProcess.worker.workerIndex = -1;
    parentProcess.worker.state = WorkerState::Busy;
    readProcess(getpid(), parentProcess);
    snapshot->processes.append(parentProcess);
    QSet<qint64> sampledPids{qint64(getpid())};
    for (const WorkerInfo& worker : workers) {
        ProcessMetrics process;
        process.worker = worker;
        if (worker.state != WorkerState::Dead) {
            readProcess(worker.pid, process);
            sampledPids.insert(worker.pid);
        }
        snapshot->processes.append(process);
    }
    // Forget CPU readings of processes that are gone (restarted workers get new pids):
    // otherwise a flow that restarts workers for days grows this map without end.
    for (auto it = m_cpu.begin(); it != m_cpu.end();) {
        if (sampledPids.contains(it.key()))
            ++it;
        else
            it = m_cpu.erase(it);
    }
    return snapshot;
}

} // namespace Aqueduct::Internal
