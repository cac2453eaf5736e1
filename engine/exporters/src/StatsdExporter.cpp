#include "aqueduct/exporters/StatsdExporter.h"

#include <QHostInfo>
#include <QUdpSocket>

#include <algorithm>

namespace Aqueduct {

namespace {

QByteArray number(double value) {
    // Fixed notation: StatsD servers do not all read exponents.
    QByteArray text = QByteArray::number(value, 'f', 3);
    while (text.endsWith('0'))
        text.chop(1);
    if (text.endsWith('.'))
        text.chop(1);
    return text.isEmpty() || text == "-" ? QByteArrayLiteral("0") : text;
}

QByteArray line(const QByteArray& name, const QByteArray& value, const char* type) {
    return name + ':' + value + '|' + type;
}

void gauge(QList<QByteArray>& lines, const QByteArray& name, double value) {
    // A gauge value with a sign would be read as a relative change: ours are never negative.
    lines.append(line(name, number(std::max(0.0, value)), "g"));
}

/// Value at quantile q of the observations counted in `delta` (cumulative per bound,
/// then +Inf), interpolated linearly within a bucket.
double quantile(const QList<double>& bounds, const QList<std::uint64_t>& delta, double q) {
    const std::uint64_t total = delta.last();
    const double rank = q * double(total);
    std::uint64_t below = 0;
    for (qsizetype i = 0; i < delta.size(); ++i) {
        if (double(delta[i]) >= rank && delta[i] > below) {
            const double low = i == 0 ? 0.0 : bounds[std::min(i - 1, bounds.size() - 1)];
            const double high = i < bounds.size() ? bounds[i] : bounds.last();
            const double within = (rank - double(below)) / double(delta[i] - below);
            return low + (high - low) * std::clamp(within, 0.0, 1.0);
        }
        below = delta[i];
    }
    return bounds.isEmpty() ? 0.0 : bounds.last();
}

} // namespace

StatsdExporter::StatsdExporter(QObject* parent)
    : SnapshotExporter(parent)
    , m_socket(std::make_unique<QUdpSocket>()) {}

StatsdExporter::~StatsdExporter() {
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
}

bool StatsdExporter::setTarget(const QString& host, quint16 port, QString* error) {
    const QString trimmed = host.trimmed();
    if (trimmed.isEmpty() || port == 0) {
        if (error)
            *error = QStringLiteral("StatsD needs a host and a port other than 0 (got '%1:%2')")
                         .arg(host)
                         .arg(port);
        return false;
    }
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    m_host = trimmed;
    m_port = port;
    m_address.clear();
    if (trimmed == QLatin1String("localhost")) {
        m_address = QHostAddress(QHostAddress::LocalHost);
        return true;
    }
    if (m_address.setAddress(trimmed))
        return true;
    // A name: resolve once, off the event loop's back; snapshots before that are not sent.
    m_lookupId = QHostInfo::lookupHost(trimmed, this, [this, trimmed](const QHostInfo& info) {
        m_lookupId = -1;
        const QList<QHostAddress> addresses = info.addresses();
        if (info.error() != QHostInfo::NoError || addresses.isEmpty()) {
            Q_EMIT sendFailed(QStringLiteral("cannot resolve StatsD host '%1': %2")
                                  .arg(trimmed, info.errorString()));
            return;
        }
        m_address = addresses.first();
    });
    return true;
}

void StatsdExporter::setPrefix(const QString& prefix) {
    // Each dot-separated part is sanitized; empty parts are dropped.
    QByteArrayList parts;
    for (const QString& part : prefix.split(u'.', Qt::SkipEmptyParts))
        parts.append(sanitize(part));
    m_prefix = parts.isEmpty() ? QByteArrayLiteral("aqueduct") : parts.join('.');
}

QByteArray StatsdExporter::sanitize(QStringView part) {
    QByteArray out = part.toUtf8();
    for (char& c : out) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!safe)
            c = '_';
    }
    return out.isEmpty() ? QByteArrayLiteral("_") : out;
}

void StatsdExporter::counter(QList<QByteArray>& lines, const QByteArray& name,
                             std::uint64_t value) {
    const auto previous = m_lastCounters.constFind(name);
    // A value below the last one means the counter started over (flow restarted).
    const std::uint64_t last =
        previous == m_lastCounters.constEnd() || *previous > value ? 0 : *previous;
    m_lastCounters.insert(name, value);
    if (value > last)
        lines.append(line(name, QByteArray::number(quint64(value - last)), "c"));
}

void StatsdExporter::timings(QList<QByteArray>& lines, const QByteArray& name,
                             const HistogramData& histogram) {
    QList<std::uint64_t> current = histogram.cumulativeCounts;
    if (current.isEmpty() || histogram.upperBoundsSeconds.isEmpty())
        return;
    current.last() = histogram.count;
    QList<std::uint64_t> delta = current;
    const auto previous = m_lastHistograms.constFind(name);
    if (previous != m_lastHistograms.constEnd() && previous->size() == current.size()) {
        bool reset = false;
        for (qsizetype i = 0; i < current.size(); ++i)
            reset = reset || (*previous)[i] > current[i];
        if (!reset) {
            for (qsizetype i = 0; i < current.size(); ++i)
                delta[i] = current[i] - (*previous)[i];
        }
    }
    m_lastHistograms.insert(name, current);
    if (delta.last() == 0)
        return; // nothing observed this interval
    const QList<double>& bounds = histogram.upperBoundsSeconds;
    lines.append(line(name + ".p50", number(quantile(bounds, delta, 0.50) * 1000.0), "ms"));
    lines.append(line(name + ".p99", number(quantile(bounds, delta, 0.99) * 1000.0), "ms"));
}

QList<QByteArray> StatsdExporter::formatLines(const MetricsSnapshot& snapshot) {
    if (snapshot.uptimeS < m_lastUptimeS)
        flowChanged(); // the flow started again: its counters start from zero
    m_lastUptimeS = snapshot.uptimeS;

    QList<QByteArray> lines;
    const FlowTotals& totals = snapshot.totals;
    const QByteArray flow = m_prefix + ".flow.";
    gauge(lines, flow + "up", snapshot.flowState == QLatin1String("running") ? 1 : 0);
    counter(lines, flow + "submitted", totals.submitted);
    counter(lines, flow + "completed", totals.completed);
    for (int kind = 1; kind < kErrorKindCount; ++kind)
        counter(lines, flow + "errors." + errorKindName(ErrorKind(kind)).toUtf8(),
                totals.errorsByKind[std::size_t(kind)]);
    gauge(lines, flow + "in_flight", double(totals.inFlight));
    gauge(lines, flow + "arena_used_bytes", double(totals.arenaBytesUsed));
    gauge(lines, flow + "arena_blobs", double(totals.arenaBlobs));

    for (const StepMetrics& step : snapshot.steps) {
        const QByteArray base = m_prefix + ".step." + sanitize(step.stepId) + '.';
        counter(lines, base + "tasks_in", step.tasksIn);
        counter(lines, base + "tasks_out", step.tasksOut);
        counter(lines, base + "skipped", step.skipped);
        counter(lines, base + "batches", step.batches);
        counter(lines, base + "batched_tasks", step.batchedTasks);
        for (int kind = 1; kind < kErrorKindCount; ++kind)
            counter(lines, base + "errors." + errorKindName(ErrorKind(kind)).toUtf8(),
                    step.errorsByKind[std::size_t(kind)]);
        int depth = 0;
        for (int lane : step.queueDepthPerLane)
            depth += lane;
        gauge(lines, base + "queue_depth", depth);
        if (step.queueDepthPerLane.size() > 1) {
            for (qsizetype lane = 0; lane < step.queueDepthPerLane.size(); ++lane)
                gauge(lines, base + "queue_depth.lane_" + QByteArray::number(lane),
                      step.queueDepthPerLane[lane]);
        }
        gauge(lines, base + "queue_capacity", step.queueCapacity);
        gauge(lines, base + "workers_alive", step.workersAlive);
        gauge(lines, base + "workers_busy", step.workersBusy);
        gauge(lines, base + "throughput", step.throughputPerS);
        gauge(lines, base + "batch_fill_mean", step.batchFillMean);
        timings(lines, base + "handle_time", step.handleTimeHistogram);
        timings(lines, base + "queue_wait", step.queueWaitHistogram);
    }

    for (const ProcessMetrics& process : snapshot.processes) {
        const bool parent = process.worker.workerIndex < 0;
        const QByteArray base = m_prefix + ".process." +
                                (parent ? QByteArrayLiteral("parent")
                                        : sanitize(process.worker.stepId) + '.' +
                                              QByteArray::number(process.worker.workerIndex)) +
                                '.';
        gauge(lines, base + "cpu_percent", process.cpuPercent);
        gauge(lines, base + "rss_bytes", double(process.rssBytes));
        if (!parent)
            counter(lines, base + "restarts", std::uint64_t(std::max(0, process.worker.restarts)));
    }
    return lines;
}

QList<QByteArray> StatsdExporter::pack(const QList<QByteArray>& lines, int maxBytes) {
    QList<QByteArray> datagrams;
    QByteArray current;
    for (const QByteArray& text : lines) {
        if (!current.isEmpty() && current.size() + 1 + text.size() > maxBytes) {
            datagrams.append(current);
            current.clear();
        }
        if (!current.isEmpty())
            current += '\n';
        current += text;
    }
    if (!current.isEmpty())
        datagrams.append(current);
    return datagrams;
}

void StatsdExporter::exportSnapshot(const MetricsSnapshotPtr& snapshot) {
    const QList<QByteArray> lines = formatLines(*snapshot); // advances deltas even when not sending
    if (m_address.isNull() || m_port == 0)
        return;
    for (const QByteArray& datagram : pack(lines)) {
        if (m_socket->writeDatagram(datagram, m_address, m_port) != datagram.size()) {
            if (!m_failing)
                Q_EMIT sendFailed(QStringLiteral("cannot send StatsD datagram to %1:%2: %3")
                                      .arg(m_address.toString())
                                      .arg(m_port)
                                      .arg(m_socket->errorString()));
            m_failing = true;
            continue;
        }
        m_failing = false;
        ++m_datagramsSent;
    }
}

void StatsdExporter::flowChanged() {
    m_lastCounters.clear();
    m_lastHistograms.clear();
    m_lastUptimeS = -1;
}

} // namespace Aqueduct
