#include "aqueduct/exporters/ExporterSet.h"

#include "aqueduct/exporters/JsonLinesExporter.h"
#include "aqueduct/exporters/PrometheusExporter.h"
#include "aqueduct/exporters/StatsdExporter.h"

#include <aqueduct/Flow.h>

namespace Aqueduct {

ExporterSet::ExporterSet(QObject* parent)
    : QObject(parent) {}

ExporterSet::~ExporterSet() = default;

void ExporterSet::clear() {
    delete m_prometheus.data();
    delete m_statsd.data();
    delete m_jsonLines.data();
}

QStringList ExporterSet::configure(const MetricsSettings& settings, Flow* flow) {
    clear();
    QStringList problems;
    const bool anyRequested =
        settings.prometheusEnabled || settings.statsdEnabled || !settings.jsonlPath.isEmpty();
    if (!settings.enabled) {
        if (anyRequested)
            problems.append(
                QStringLiteral("metrics are switched off (flow.metrics.enabled is false): "
                               "no exporter started"));
        return problems;
    }

    if (settings.prometheusEnabled) {
        auto* prometheus = new PrometheusExporter(this);
        QString error;
        if (settings.prometheusPort < 0 || settings.prometheusPort > 65535)
            error = QStringLiteral("port %1 is out of range 0..65535").arg(settings.prometheusPort);
        else
            prometheus->listen(settings.prometheusHost, quint16(settings.prometheusPort), &error);
        if (prometheus->isListening()) {
            m_prometheus = prometheus;
        } else {
            problems.append(QStringLiteral("prometheus: %1").arg(error));
            delete prometheus;
        }
    }

    if (settings.statsdEnabled) {
        auto* statsd = new StatsdExporter(this);
        QString error;
        bool ok = false;
        if (settings.statsdPort <= 0 || settings.statsdPort > 65535)
            error = QStringLiteral("port %1 is out of range 1..65535").arg(settings.statsdPort);
        else
            ok = statsd->setTarget(settings.statsdHost, quint16(settings.statsdPort), &error);
        if (ok) {
            statsd->setPrefix(settings.statsdPrefix);
            connect(statsd, &StatsdExporter::sendFailed, this, [this](const QString& message) {
                Q_EMIT exporterError(QStringLiteral("statsd: %1").arg(message));
            });
            m_statsd = statsd;
        } else {
            problems.append(QStringLiteral("statsd: %1").arg(error));
            delete statsd;
        }
    }

    if (!settings.jsonlPath.isEmpty()) {
        auto* jsonLines = new JsonLinesExporter(this);
        QString error;
        if (jsonLines->open(settings.jsonlPath, &error)) {
            connect(jsonLines, &JsonLinesExporter::writeFailed, this,
                    [this](const QString& message) {
                        Q_EMIT exporterError(QStringLiteral("jsonl: %1").arg(message));
                    });
            m_jsonLines = jsonLines;
        } else {
            problems.append(QStringLiteral("jsonl: %1").arg(error));
            delete jsonLines;
        }
    }

    setFlow(flow);
    return problems;
}

void ExporterSet::setFlow(Flow* flow) {
    if (m_prometheus)
        m_prometheus->setFlow(flow);
    if (m_statsd)
        m_statsd->setFlow(flow);
    if (m_jsonLines)
        m_jsonLines->setFlow(flow);
}

QStringList ExporterSet::describe() const {
    QStringList lines;
    if (m_prometheus)
        lines.append(QStringLiteral("prometheus: %1").arg(m_prometheus->url()));
    if (m_statsd)
        lines.append(QStringLiteral("statsd: %1:%2 prefix %3")
                         .arg(m_statsd->targetHost())
                         .arg(m_statsd->targetPort())
                         .arg(m_statsd->prefix()));
    if (m_jsonLines)
        lines.append(QStringLiteral("jsonl: %1").arg(m_jsonLines->path()));
    return lines;
}

ExporterSet* attachExporters(Flow& flow, const MetricsSettings& settings, QObject* parent,
                             QStringList* errors) {
    auto* set = new ExporterSet(parent);
    const QStringList problems = set->configure(settings, &flow);
    if (errors)
        *errors = problems;
    return set;
}

} // namespace Aqueduct
