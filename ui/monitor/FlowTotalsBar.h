#pragma once

#include <aqueduct/MetricsSnapshot.h>

#include <QHash>
#include <QWidget>

class QLabel;

namespace Aqueduct::Ui {

struct MetricsSample;

/// The run at a glance: completed, throughput, failed (by kind), expired, in flight,
/// workers alive, restarts and uptime, as a row of figures above the charts.
class FlowTotalsBar final : public QWidget {
    Q_OBJECT
public:
    explicit FlowTotalsBar(QWidget* parent = nullptr);

    /// `sample` is the history's newest derived sample (rates), may be null.
    void update(const MetricsSnapshot& snapshot, const MetricsSample* sample);
    void clear();
    /// The run is over: no throughput, and workers that ended as asked are not an alarm.
    void markRunEnded();
    /// The figure shown for a tile ("completed", "throughput", "failed", "expired",
    /// "inFlight", "workers", "restarts", "uptime").
    QString value(const QString& tile) const;

private:
    QLabel* addTile(const QString& key, const QString& caption, const QString& toolTip);

    QHash<QString, QLabel*> m_values;
    QHash<QString, QLabel*> m_captions;
    bool m_runEnded = false;
};

} // namespace Aqueduct::Ui
