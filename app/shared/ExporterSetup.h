#pragma once

#include <aqueduct/PipelineDocument.h>

#include <QByteArray>
#include <QObject>
#include <QStringList>

namespace Aqueduct {
class Flow;
}

namespace Aqueduct::App {

/// Glue between the headless commands and the metrics exporters (library
/// aqueduct-exporters), kept in one place.

/// Starts the exporters `settings` asks for (the pipeline's flow.metrics), following
/// `flow`; `metricsPort` >= 0 (--metrics-port) adds Prometheus on `metricsHost`:port.
/// `describe` gets one line per running exporter (e.g. its URL), `errors` the ones that
/// could not start. The returned object (owned by `parent`) keeps them running.
QObject* startExporters(Flow& flow, MetricsSettings settings, int metricsPort,
                        const QString& metricsHost, QObject* parent, QStringList* describe,
                        QStringList* errors);

/// The Prometheus text for `serve`'s GET /metrics, from the flow's latest snapshot.
QByteArray prometheusText(const Flow& flow);
QByteArray prometheusContentType();

} // namespace Aqueduct::App
