#include "monitor/MetricsHistory.h"

#include <QIODevice>

#include <algorithm>
#include <cmath>

namespace Aqueduct::Ui {

namespace {

constexpr double kRateWindowS = 1.0;
constexpr double kRawKeepS = 35.0; // a little more than the 30 s window
constexpr std::size_t kRawCapacity = 1200;
constexpr std::size_t kSecondCapacity = 330;    // 5 min of 1 s buckets, plus margin
constexpr std::size_t kTenSecondCapacity = 370; // 1 h of 10 s buckets, plus margin

int tierIndex(HistoryWindow window) {
    switch (window) {
    case HistoryWindow::Last30s:
        return 0;
    case HistoryWindow::Last5min:
        return 1;
    case HistoryWindow::Last1h:
        return 2;
    }
    return 0;
}

float perSecond(std::uint64_t newer, std::uint64_t older, double seconds) {
    if (seconds <= 0 || newer < older)
        return 0;
    return float(double(newer - older) / seconds);
}

std::uint64_t sum(const std::array<std::uint64_t, kErrorKindCount>& counts) {
    std::uint64_t total = 0;
    for (std::uint64_t count : counts)
        total += count;
    return total;
}

} // namespace

double historyWindowSeconds(HistoryWindow window) {
    switch (window) {
    case HistoryWindow::Last30s:
        return 30;
    case HistoryWindow::Last5min:
        return 300;
    case HistoryWindow::Last1h:
        return 3600;
    }
    return 30;
}

QString historyWindowName(HistoryWindow window) {
    switch (window) {
    case HistoryWindow::Last30s:
        return QObject::tr("30 s");
    case HistoryWindow::Last5min:
        return QObject::tr("5 min");
    case HistoryWindow::Last1h:
        return QObject::tr("1 h");
    }
    return {};
}

float StepSample::queueDepth() const {
    float total = 0;
    for (float depth : laneDepth)
        total += depth;
    return total;
}

float StepSample::queueFill() const {
    if (queueCapacity <= 0)
        return 0;
    float fullest = 0;
    for (float depth : laneDepth)
        fullest = std::max(fullest, depth);
    return std::clamp(fullest / float(queueCapacity), 0.0f, 1.0f);
}

double histogramDeltaQuantile(const HistogramData& newer, const HistogramData* older, double q) {
    const qsizetype buckets = newer.cumulativeCounts.size();
    if (buckets == 0)
        return 0;
    const bool useOlder = older && older->cumulativeCounts.size() == buckets;
    auto countAt = [&](qsizetype i) -> double {
        const std::uint64_t now = newer.cumulativeCounts[i];
        const std::uint64_t then = useOlder ? older->cumulativeCounts[i] : 0;
        return now > then ? double(now - then) : 0.0;
    };
    const double total = countAt(buckets - 1);
    if (total <= 0)
        return 0;
    const double rank = std::clamp(q, 0.0, 1.0) * total;
    double below = 0;
    for (qsizetype i = 0; i < buckets; ++i) {
        const double cumulative = countAt(i);
        if (cumulative >= rank && cumulative > below) {
            const double lower = i == 0 ? 0.0 : newer.upperBoundsSeconds.value(i - 1);
            // The +Inf bucket has no upper bound: report its lower bound.
            if (i >= newer.upperBoundsSeconds.size())
                return lower;
            const double upper = newer.upperBoundsSeconds[i];
            const double within = (rank - below) / (cumulative - below);
            return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
        }
        below = cumulative;
    }
    return newer.upperBoundsSeconds.isEmpty() ? 0 : newer.upperBoundsSeconds.last();
}

MetricsHistory::MetricsHistory(QObject* parent)
    : QObject(parent) {
    m_tiers[0].bucketS = 0;
    m_tiers[0].capacity = kRawCapacity;
    m_tiers[1].bucketS = 1;
    m_tiers[1].capacity = kSecondCapacity;
    m_tiers[2].bucketS = 10;
    m_tiers[2].capacity = kTenSecondCapacity;
}

std::size_t MetricsHistory::capacity(HistoryWindow window) {
    switch (window) {
    case HistoryWindow::Last30s:
        return kRawCapacity;
    case HistoryWindow::Last5min:
        return kSecondCapacity;
    case HistoryWindow::Last1h:
        return kTenSecondCapacity;
    }
    return 0;
}

void MetricsHistory::clear() {
    for (Tier& tier : m_tiers) {
        tier.samples.clear();
        tier.open = {};
        tier.openCount = 0;
        tier.openStartS = 0;
        ++tier.revision;
    }
    m_recent.clear();
    m_stepIds.clear();
    m_laneCount = 1;
    Q_EMIT cleared();
}

const std::deque<MetricsSample>& MetricsHistory::samples(HistoryWindow window) const {
    return m_tiers[tierIndex(window)].samples;
}

quint64 MetricsHistory::revision(HistoryWindow window) const {
    return m_tiers[tierIndex(window)].revision;
}

std::size_t MetricsHistory::totalSamples() const {
    return m_tiers[0].samples.size() + m_tiers[1].samples.size() + m_tiers[2].samples.size();
}

void MetricsHistory::addSnapshot(const MetricsSnapshotPtr& snapshot) {
    if (!snapshot)
        return;
    if (!m_recent.empty() && snapshot->uptimeS < m_recent.back()->uptimeS)
        clear(); // a new run without clear(): start over rather than draw backwards
    if (m_stepIds.isEmpty() || m_stepIds.size() != snapshot->steps.size()) {
        m_stepIds.clear();
        for (const StepMetrics& step : snapshot->steps)
            m_stepIds << step.stepId;
    }
    for (const StepMetrics& step : snapshot->steps)
        m_laneCount = std::max<int>(m_laneCount, int(step.queueDepthPerLane.size()));

    m_recent.push_back(snapshot);
    const double now = snapshot->uptimeS;
    while (m_recent.size() >= 2 && m_recent[1]->uptimeS <= now - kRateWindowS)
        m_recent.pop_front();
    const MetricsSample sample = derive(*snapshot);
    for (Tier& tier : m_tiers)
        push(tier, sample);
    // The raw tier keeps the last 35 s (the 30 s window), whatever the sampling rate.
    std::deque<MetricsSample>& raw = m_tiers[0].samples;
    while (raw.size() > 1 && raw.front().timeS < now - kRawKeepS)
        raw.pop_front();
    Q_EMIT sampleAdded();
}

MetricsSample MetricsHistory::derive(const MetricsSnapshot& snapshot) {
    const MetricsSnapshot* older = m_recent.size() >= 2 && m_recent.front().get() != &snapshot
                                       ? m_recent.front().get()
                                       : nullptr;
    const double dt = older ? snapshot.uptimeS - older->uptimeS : 0;

    MetricsSample sample;
    sample.timeS = snapshot.uptimeS;
    sample.timestampMs = snapshot.timestampMs;
    const FlowTotals& totals = snapshot.totals;
    sample.completed = totals.completed;
    sample.failed = totals.failed;
    sample.expired = totals.expired;
    sample.errorsByKind = totals.errorsByKind;
    sample.inFlight = float(totals.inFlight);
    if (older && dt > 0) {
        sample.completedPerS = perSecond(totals.completed, older->totals.completed, dt);
        for (int kind = 0; kind < kErrorKindCount; ++kind)
            sample.errorsPerS[std::size_t(kind)] =
                perSecond(totals.errorsByKind[std::size_t(kind)],
                          older->totals.errorsByKind[std::size_t(kind)], dt);
    }

    sample.steps.reserve(std::size_t(snapshot.steps.size()));
    for (qsizetype s = 0; s < snapshot.steps.size(); ++s) {
        const StepMetrics& step = snapshot.steps[s];
        const StepMetrics* before = nullptr;
        if (older && s < older->steps.size() && older->steps[s].stepId == step.stepId)
            before = &older->steps[s];
        StepSample out;
        out.laneDepth.reserve(std::size_t(step.queueDepthPerLane.size()));
        for (int depth : step.queueDepthPerLane)
            out.laneDepth.push_back(float(depth));
        out.queueCapacity = step.queueCapacity;
        out.workersAlive = step.workersAlive;
        out.workersWanted = step.nprocs;
        out.tasksOut = step.tasksOut;
        out.errors = sum(step.errorsByKind);
        out.batchSize = std::max(1, step.batchSize);
        // Batch fill from the exact counts (tasks per batch), over the interval when there
        // is one, else since the start.
        const std::uint64_t batchesSince = before && dt > 0 ? before->batches : 0;
        const std::uint64_t batchedSince = before && dt > 0 ? before->batchedTasks : 0;
        if (step.batches > batchesSince && step.batchedTasks >= batchedSince) {
            out.batchTasksMean = float(double(step.batchedTasks - batchedSince) /
                                       double(step.batches - batchesSince));
            out.batchFillPct = 100.0f * out.batchTasksMean / float(out.batchSize);
        }
        if (before && dt > 0) {
            out.throughputPerS = perSecond(step.tasksOut, before->tasksOut, dt);
            out.errorsPerS = perSecond(out.errors, sum(before->errorsByKind), dt);
            const double busyS =
                step.handleTimeHistogram.sumSeconds - before->handleTimeHistogram.sumSeconds;
            out.busyShare = float(std::clamp(busyS / (dt * std::max(1, step.nprocs)), 0.0, 1.0));
        } else {
            out.throughputPerS = float(step.throughputPerS);
            out.busyShare = step.nprocs > 0 ? float(step.workersBusy) / float(step.nprocs) : 0;
        }
        const HistogramData* handleBefore = before ? &before->handleTimeHistogram : nullptr;
        const HistogramData* waitBefore = before ? &before->queueWaitHistogram : nullptr;
        out.handleP50Ms =
            float(1000.0 * histogramDeltaQuantile(step.handleTimeHistogram, handleBefore, 0.50));
        out.handleP99Ms =
            float(1000.0 * histogramDeltaQuantile(step.handleTimeHistogram, handleBefore, 0.99));
        out.queueWaitP50Ms =
            float(1000.0 * histogramDeltaQuantile(step.queueWaitHistogram, waitBefore, 0.50));
        out.queueWaitP99Ms =
            float(1000.0 * histogramDeltaQuantile(step.queueWaitHistogram, waitBefore, 0.99));
        sample.steps.push_back(std::move(out));
    }
    return sample;
}

void MetricsHistory::merge(MetricsSample& into, const MetricsSample& sample, int countBefore) {
    const float n = float(countBefore);
    auto mean = [n](float& acc, float value) { acc = (acc * n + value) / (n + 1); };
    into.timeS = sample.timeS;
    into.timestampMs = sample.timestampMs;
    into.completed = sample.completed;
    into.failed = sample.failed;
    into.expired = sample.expired;
    into.errorsByKind = sample.errorsByKind;
    mean(into.completedPerS, sample.completedPerS);
    for (std::size_t k = 0; k < into.errorsPerS.size(); ++k)
        mean(into.errorsPerS[k], sample.errorsPerS[k]);
    mean(into.inFlight, sample.inFlight);
    if (into.steps.size() != sample.steps.size()) {
        into.steps = sample.steps;
        return;
    }
    for (std::size_t s = 0; s < sample.steps.size(); ++s) {
        StepSample& acc = into.steps[s];
        const StepSample& next = sample.steps[s];
        if (acc.laneDepth.size() != next.laneDepth.size())
            acc.laneDepth.resize(next.laneDepth.size(), 0);
        for (std::size_t lane = 0; lane < next.laneDepth.size(); ++lane)
            acc.laneDepth[lane] = std::max(acc.laneDepth[lane], next.laneDepth[lane]);
        acc.queueCapacity = next.queueCapacity;
        mean(acc.throughputPerS, next.throughputPerS);
        mean(acc.batchFillPct, next.batchFillPct);
        mean(acc.batchTasksMean, next.batchTasksMean);
        acc.batchSize = next.batchSize;
        mean(acc.handleP50Ms, next.handleP50Ms);
        acc.handleP99Ms = std::max(acc.handleP99Ms, next.handleP99Ms);
        mean(acc.queueWaitP50Ms, next.queueWaitP50Ms);
        acc.queueWaitP99Ms = std::max(acc.queueWaitP99Ms, next.queueWaitP99Ms);
        mean(acc.busyShare, next.busyShare);
        mean(acc.errorsPerS, next.errorsPerS);
        acc.workersAlive = std::min(acc.workersAlive, next.workersAlive); // dips stay visible
        acc.workersWanted = next.workersWanted;
        acc.tasksOut = next.tasksOut;
        acc.errors = next.errors;
    }
}

void MetricsHistory::push(Tier& tier, const MetricsSample& sample) {
    auto append = [&tier](const MetricsSample& value) {
        tier.samples.push_back(value);
        while (tier.samples.size() > tier.capacity)
            tier.samples.pop_front();
        ++tier.revision;
    };
    if (tier.bucketS <= 0) {
        append(sample);
        return;
    }
    const double bucketStart = std::floor(sample.timeS / tier.bucketS) * tier.bucketS;
    if (tier.openCount > 0 && bucketStart > tier.openStartS) {
        append(tier.open);
        tier.openCount = 0;
    }
    if (tier.openCount == 0) {
        tier.open = sample;
        tier.openStartS = bucketStart;
        tier.openCount = 1;
        return;
    }
    merge(tier.open, sample, tier.openCount);
    ++tier.openCount;
}

HistoryWindow MetricsHistory::exportWindow() const {
    // The raw tier holds the whole run while its first sample is still the run's first.
    const double runS = isEmpty() ? 0 : latest().timeS;
    if (runS <= kRawKeepS && m_tiers[0].samples.size() < kRawCapacity)
        return HistoryWindow::Last30s;
    if (runS <= double(kSecondCapacity) * m_tiers[1].bucketS)
        return HistoryWindow::Last5min;
    return HistoryWindow::Last1h;
}

bool MetricsHistory::writeCsv(QIODevice* device, QString* error) const {
    const HistoryWindow window = exportWindow();
    QByteArray out;
    out += "time_s,timestamp_ms,completed,completed_per_s,failed,expired,in_flight";
    for (int kind = 1; kind < kErrorKindCount; ++kind)
        out += "," + errorKindName(ErrorKind(kind)).toUtf8() + "_per_s";
    for (const QString& id : m_stepIds) {
        const QByteArray p = id.toUtf8() + '.';
        for (int lane = 0; lane < m_laneCount; ++lane)
            out += "," + p + "queue_lane" + QByteArray::number(lane);
        out += "," + p + "queue_capacity," + p + "throughput_per_s," + p + "batch_fill_pct," + p +
               "batch_tasks_mean," + p + "handle_p50_ms," + p + "handle_p99_ms," + p +
               "queue_wait_p50_ms," + p + "queue_wait_p99_ms," + p + "busy_share," + p +
               "workers_alive," + p + "tasks_out," + p + "errors";
    }
    out += '\n';
    auto number = [](double value) { return QByteArray::number(value, 'g', 8); };
    for (const MetricsSample& sample : samples(window)) {
        out += number(sample.timeS) + ',' + QByteArray::number(sample.timestampMs) + ',' +
               QByteArray::number(qulonglong(sample.completed)) + ',' +
               number(sample.completedPerS) + ',' + QByteArray::number(qulonglong(sample.failed)) +
               ',' + QByteArray::number(qulonglong(sample.expired)) + ',' + number(sample.inFlight);
        for (int kind = 1; kind < kErrorKindCount; ++kind)
            out += ',' + number(sample.errorsPerS[std::size_t(kind)]);
        for (qsizetype s = 0; s < m_stepIds.size(); ++s) {
            const StepSample empty;
            const StepSample& step =
                std::size_t(s) < sample.steps.size() ? sample.steps[std::size_t(s)] : empty;
            for (int lane = 0; lane < m_laneCount; ++lane)
                out += ',' + number(std::size_t(lane) < step.laneDepth.size()
                                        ? step.laneDepth[std::size_t(lane)]
                                        : 0);
            out += ',' + QByteArray::number(step.queueCapacity) + ',' +
                   number(step.throughputPerS) + ',' + number(step.batchFillPct) + ',' +
                   number(step.batchTasksMean) + ',' + number(step.handleP50Ms) + ',' +
                   number(step.handleP99Ms) + ',' + number(step.queueWaitP50Ms) + ',' +
                   number(step.queueWaitP99Ms) + ',' + number(step.busyShare) + ',' +
                   QByteArray::number(step.workersAlive) + ',' +
                   QByteArray::number(qulonglong(step.tasksOut)) + ',' +
                   QByteArray::number(qulonglong(step.errors));
        }
        out += '\n';
    }
    if (device->write(out) != out.size()) {
        if (error)
            *error = device->errorString();
        return false;
    }
    return true;
}

} // namespace Aqueduct::Ui
