#include "aqueduct/exporters/PrometheusExporter.h"

#include "aqueduct/exporters/PrometheusFormatter.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QTcpServer>

namespace Aqueduct {

namespace {

bool parseHost(const QString& host, QHostAddress* address) {
    const QString trimmed = host.trimmed();
    if (trimmed.isEmpty() || trimmed == QLatin1String("localhost")) {
        *address = QHostAddress(QHostAddress::LocalHost);
        return true;
    }
    // "[::1]" as written in URLs.
    const QString bare = trimmed.startsWith(u'[') && trimmed.endsWith(u']')
                             ? trimmed.mid(1, trimmed.size() - 2)
                             : trimmed;
    return address->setAddress(bare);
}

} // namespace

PrometheusExporter::PrometheusExporter(QObject* parent)
    : SnapshotExporter(parent) {}

PrometheusExporter::~PrometheusExporter() = default;

bool PrometheusExporter::listen(const QString& host, quint16 port, QString* error) {
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    QHostAddress address;
    if (!parseHost(host, &address))
        return fail(QStringLiteral("'%1' is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or ::1)")
                        .arg(host));

    auto server = std::make_unique<QHttpServer>();
    server->route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [this] {
        ++m_scrapes;
        return QHttpServerResponse(QByteArray(PrometheusFormatter::kContentType), metricsText());
    });
    server->setMissingHandler([](const QHttpServerRequest&, QHttpServerResponder&& responder) {
        responder.write(QByteArrayLiteral("not found: metrics are served at GET /metrics\n"),
                        QByteArrayLiteral("text/plain; charset=utf-8"),
                        QHttpServerResponder::StatusCode::NotFound);
    });
    // Qt 6.4's listen() returns the bound port, 0 on failure.
    const quint16 bound = server->listen(address, port);
    if (bound == 0) {
        QString reason = QStringLiteral("unknown error");
        const QList<QTcpServer*> servers = server->servers();
        if (!servers.isEmpty() && !servers.last()->errorString().isEmpty())
            reason = servers.last()->errorString();
        return fail(QStringLiteral("cannot listen on %1:%2: %3")
                        .arg(address.toString())
                        .arg(port)
                        .arg(reason));
    }
    m_server = std::move(server);
    m_address = address;
    m_port = bound;
    return true;
}

QString PrometheusExporter::url() const {
    if (!m_port)
        return {};
    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(m_address.toString())
                             : m_address.toString();
    return QStringLiteral("http://%1:%2/metrics").arg(host).arg(m_port);
}

QByteArray PrometheusExporter::metricsText() {
    if (!m_renderedValid || m_renderedFor != m_snapshot) {
        m_rendered = PrometheusFormatter::format(m_snapshot);
        m_renderedFor = m_snapshot;
        m_renderedValid = true;
    }
    return m_rendered;
}

void PrometheusExporter::exportSnapshot(const MetricsSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
}

void PrometheusExporter::flowChanged() {
    // A new flow (or none): do not serve the old flow's figures under the new one.
    m_snapshot.reset();
}

} // namespace Aqueduct
