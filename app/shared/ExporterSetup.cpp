#include "ExporterSetup.h"

#include <aqueduct/Flow.h>
#include <aqueduct/exporters/ExporterSet.h>
// ExporterSet.h's inline accessors need the exporter types complete in this file.
#include <aqueduct/exporters/JsonLinesExporter.h>
#include <aqueduct/exporters/PrometheusExporter.h>
#include <aqueduct/exporters/PrometheusFormatter.h>
#include <aqueduct/exporters/StatsdExporter.h>

namespace Aqueduct::App {

QObject* startExporters(Flow& flow, MetricsSettings settings, int metricsPort,
                        const QString& metricsHost, QObject* parent, QStringList* describe,
                        QStringList* errors) {
    if (metricsPort >= 0) {
        settings.enabled = true;
        settings.prometheusEnabled = true;
        settings.prometheusHost = metricsHost;
        settings.prometheusPort = metricsPort;
    }
    QStringList problems;
    ExporterSet* exporters = attachExporters(flow, settings, parent, &problems);
    if (errors)
        *errors << problems;
    if (describe)
        *describe << exporters->describe();
    return exporters;
}

QByteArray prometheusText(const Flow& flow) {
    return PrometheusFormatter::format(flow.lastSnapshot());
}

QByteArray prometheusContentType() {
    return QByteArray(PrometheusFormatter::kContentType);
}

} // namespace Aqueduct::App
