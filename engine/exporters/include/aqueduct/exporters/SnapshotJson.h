#pragma once

#include <aqueduct/MetricsSnapshot.h>

#include <QJsonObject>

namespace Aqueduct {

/// Every field of a snapshot as JSON (snake_case keys; the layout is in docs/metrics.md).
/// Used by the JSON lines exporter; handy for logs and the GUI's history export.
QJsonObject snapshotToJson(const MetricsSnapshot& snapshot);
QJsonObject histogramToJson(const HistogramData& histogram);

} // namespace Aqueduct
