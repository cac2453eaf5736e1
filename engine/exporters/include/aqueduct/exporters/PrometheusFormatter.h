#pragma once

#include <aqueduct/MetricsSnapshot.h>

#include <QByteArray>
#include <QStringView>

namespace Aqueduct {

/// Renders a metrics snapshot in the Prometheus text exposition format 0.0.4: HELP and
/// TYPE per family, base units (`_seconds`, `_bytes`), counters ending in `_total`,
/// histograms with cumulative `le` buckets, `_sum` and `_count`. Every family is listed
/// in docs/metrics.md; tst_metricsreference keeps that list true.
class PrometheusFormatter {
public:
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// A null snapshot (no flow yet, or metrics switched off) renders `aqueduct_flow_up 0`.
    static QByteArray format(const MetricsSnapshot* snapshot);
    static QByteArray format(const MetricsSnapshotPtr& snapshot) { return format(snapshot.get()); }

    /// Label value escaping per the format: backslash, double quote and newline.
    static QByteArray escapeLabelValue(QStringView value);
    /// Shortest text that reads back as the same double; `+Inf`, `-Inf`, `NaN`.
    static QByteArray formatValue(double value);
};

} // namespace Aqueduct
