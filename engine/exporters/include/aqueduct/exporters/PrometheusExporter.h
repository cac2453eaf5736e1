#pragma once

#include <aqueduct/exporters/SnapshotExporter.h>

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <memory>

class QHttpServer;

namespace Aqueduct {

/// Serves `GET /metrics` (Prometheus text format 0.0.4) from the latest snapshot of the
/// followed Flow over HTTP (QtHttpServer); every other path answers 404. Binds to
/// 127.0.0.1 unless told otherwise. Runs in the thread it was created in (the Flow's).
class PrometheusExporter : public SnapshotExporter {
    Q_OBJECT
public:
    explicit PrometheusExporter(QObject* parent = nullptr);
    ~PrometheusExporter() override;

    /// Starts listening. `host`: an IP address, "localhost", or empty for 127.0.0.1.
    /// Port 0 picks a free port (see port()). Returns false with `error` filled when the
    /// address is invalid or the port cannot be bound.
    bool listen(const QString& host = QStringLiteral("127.0.0.1"), quint16 port = 0,
                QString* error = nullptr);
    bool isListening() const { return m_port != 0; }
    /// The bound port (0 when not listening).
    quint16 port() const { return m_port; }
    QHostAddress address() const { return m_address; }
    /// "http://HOST:PORT/metrics", for logs.
    QString url() const;

    /// The body /metrics serves now.
    QByteArray metricsText();
    MetricsSnapshotPtr latestSnapshot() const { return m_snapshot; }
    /// Requests served on /metrics since construction.
    quint64 scrapes() const { return m_scrapes; }

protected:
    void exportSnapshot(const MetricsSnapshotPtr& snapshot) override;
    void flowChanged() override;

private:
    std::unique_ptr<QHttpServer> m_server;
    QHostAddress m_address;
    quint16 m_port = 0;
    MetricsSnapshotPtr m_snapshot;
    // Rendered lazily, once per snapshot, however often it is scraped.
    MetricsSnapshotPtr m_renderedFor;
    QByteArray m_rendered;
    bool m_renderedValid = false;
    quint64 m_scrapes = 0;
};

} // namespace Aqueduct
