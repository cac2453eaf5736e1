#include "RunMetrics.h"

#include <aqueduct/Flow.h>

// The exporter library is linked into `aqueduct` by app/CMakeLists.txt; until it is, the
// commands still build and say plainly that metrics export is missing.
#if __has_include(<aqueduct/exporters/ExporterSet.h>)
// The concrete exporters first: ExporterSet.h's inline accessors need complete types.
#include <aqueduct/exporters/ExporterSet.h>
#include <aqueduct/exporters/JsonLinesExporter.h>
#include <aqueduct/exporters/PrometheusExporter.h>
#include <aqueduct/exporters/PrometheusFormatter.h>
#include <aqueduct/exporters/StatsdExporter.h>
#define AQUEDUCT_APP_HAS_EXPORTERS 1
#else
#define AQUEDUCT_APP_HAS_EXPORTERS 0
#endif

namespace Aqueduct::App {

bool exportersAvailable() {
    return AQUEDUCT_APP_HAS_EXPORTERS != 0;
}

QObject* startExporters(Flow& flow, MetricsSettings settings, int metricsPort,
                        const QString& metricsHost, QObject* parent, QStringList* describe,
                        QStringList* errors) {
    if (metricsPort >= 0) {
        settings.enabled = true;
        settings.prometheusEnabled = true;
        settings.prometheusHost = metricsHost;
        settings.prometheusPort = metricsPort;
    }
#if AQUEDUCT_APP_HAS_EXPORTERS
    QStringList problems;
    ExporterSet* exporters = attachExporters(flow, settings, parent, &problems);
    if (errors)
        *errors << problems;
    if (describe)
        *describe << exporters->describe();
    return exporters;
#else
    (void)flow;
    const bool wanted =
        settings.prometheusEnabled || settings.statsdEnabled || !settings.jsonlPath.isEmpty();
    if (wanted && errors)
        *errors << QStringLiteral("metrics exporters are not available in this build");
    (void)describe;
    return new QObject(parent);
#endif
}

QByteArray prometheusText(const Flow& flow) {
#if AQUEDUCT_APP_HAS_EXPORTERS
    return PrometheusFormatter::format(flow.lastSnapshot());
#else
    (void)flow;
    return QByteArrayLiteral("# metrics exporters are not available in this build\n");
#endif
}

QByteArray prometheusContentType() {
#if AQUEDUCT_APP_HAS_EXPORTERS
    return QByteArray(PrometheusFormatter::kContentType);
#else
    return QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
#endif
}

} // namespace Aqueduct::App
