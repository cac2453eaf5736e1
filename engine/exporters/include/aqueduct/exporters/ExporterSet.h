#pragma once

#include <aqueduct/PipelineDocument.h>

#include <QObject>
#include <QPointer>
#include <QStringList>

namespace Aqueduct {

class Flow;
class JsonLinesExporter;
class PrometheusExporter;
class StatsdExporter;

/// The exporters a pipeline's `flow.metrics` settings ask for, following one Flow. The
/// one thing `aqueduct run` and the GUI call (see attachExporters).
class ExporterSet : public QObject {
    Q_OBJECT
public:
    explicit ExporterSet(QObject* parent = nullptr);
    ~ExporterSet() override;

    /// Replaces the current exporters by those `settings` asks for, following `flow`.
    /// Returns one plain message per exporter that could not start (e.g. "prometheus:
    /// cannot listen on 127.0.0.1:9464: ..."); the others run. With metrics switched off
    /// (settings.enabled false) nothing is started, and a requested exporter is reported.
    QStringList configure(const MetricsSettings& settings, Flow* flow);
    /// Points every exporter at another flow (or none).
    void setFlow(Flow* flow);

    PrometheusExporter* prometheus() const { return m_prometheus; }
    StatsdExporter* statsd() const { return m_statsd; }
    JsonLinesExporter* jsonLines() const { return m_jsonLines; }
    bool isEmpty() const { return !m_prometheus && !m_statsd && !m_jsonLines; }
    /// One line per running exporter, e.g. "prometheus: http://127.0.0.1:9464/metrics".
    QStringList describe() const;

Q_SIGNALS:
    /// A running exporter failed to send or write (each reports once per failure streak).
    void exporterError(const QString& message);

private:
    void clear();

    QPointer<PrometheusExporter> m_prometheus;
    QPointer<StatsdExporter> m_statsd;
    QPointer<JsonLinesExporter> m_jsonLines;
};

/// Creates an ExporterSet owned by `parent`, configured from `settings` and following
/// `flow`. Start-up problems go to `errors` (when given); the set is returned anyway.
/// Command-line overrides (e.g. `--metrics-port`) are applied to a copy of the settings
/// before the call.
ExporterSet* attachExporters(Flow& flow, const MetricsSettings& settings, QObject* parent,
                             QStringList* errors = nullptr);

} // namespace Aqueduct
