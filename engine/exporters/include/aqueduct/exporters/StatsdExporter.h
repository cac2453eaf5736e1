#pragma once

#include <aqueduct/exporters/SnapshotExporter.h>

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <memory>

class QUdpSocket;

namespace Aqueduct {

/// Sends each snapshot as StatsD lines over UDP (the Python original's exporter):
/// counters (`|c`) as deltas since the previous snapshot, gauges (`|g`), and p50/p99 of
/// the handle and queue-wait times over the last interval as timings (`|ms`). Lines are
/// packed into datagrams of at most kMaxDatagramBytes (fits a 1500-byte MTU). The line
/// list is in docs/metrics.md.
class StatsdExporter : public SnapshotExporter {
    Q_OBJECT
public:
    static constexpr int kMaxDatagramBytes = 1432;

    explicit StatsdExporter(QObject* parent = nullptr);
    ~StatsdExporter() override;

    /// Where datagrams go. `host`: an IP address, "localhost", or a name (resolved once,
    /// asynchronously; snapshots before that are counted but not sent). False with
    /// `error` filled for an empty host or port 0.
    bool setTarget(const QString& host, quint16 port, QString* error = nullptr);
    QString targetHost() const { return m_host; }
    /// Null until a host name is resolved.
    QHostAddress targetAddress() const { return m_address; }
    quint16 targetPort() const { return m_port; }
    /// Leading name part of every line ("aqueduct" by default); dots allowed.
    void setPrefix(const QString& prefix);
    QString prefix() const { return QString::fromUtf8(m_prefix); }

    /// The lines for `snapshot`, with counters as deltas since the snapshot last given
    /// here; advances that state. Exposed for tests and other transports.
    QList<QByteArray> formatLines(const MetricsSnapshot& snapshot);
    /// Joins lines with '\n' into datagrams of at most `maxBytes` (a longer single line
    /// goes alone).
    static QList<QByteArray> pack(const QList<QByteArray>& lines, int maxBytes = kMaxDatagramBytes);
    /// A metric name part made safe for StatsD (no '.', ':', '|', '@', spaces).
    static QByteArray sanitize(QStringView part);

    quint64 datagramsSent() const { return m_datagramsSent; }

Q_SIGNALS:
    /// Sending failed (once per failure streak; sending goes on).
    void sendFailed(const QString& message);

protected:
    void exportSnapshot(const MetricsSnapshotPtr& snapshot) override;
    void flowChanged() override;

private:
    void counter(QList<QByteArray>& lines, const QByteArray& name, std::uint64_t value);
    void timings(QList<QByteArray>& lines, const QByteArray& name, const HistogramData& histogram);

    std::unique_ptr<QUdpSocket> m_socket;
    QString m_host;
    QHostAddress m_address;
    quint16 m_port = 0;
    int m_lookupId = -1;
    QByteArray m_prefix = QByteArrayLiteral("aqueduct");
    QHash<QByteArray, std::uint64_t> m_lastCounters;          ///< for deltas
    QHash<QByteArray, QList<std::uint64_t>> m_lastHistograms; ///< cumulative counts
    double m_lastUptimeS = -1;
    quint64 m_datagramsSent = 0;
    bool m_failing = false;
};

} // namespace Aqueduct
