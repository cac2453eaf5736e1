#pragma once

#include <aqueduct/Flow.h>
#include <aqueduct/MetricsSnapshot.h>

#include <QMetaObject>
#include <QObject>
#include <QPointer>

namespace Aqueduct {

/// Base of the exporters: follows one Flow's metrics snapshots. The Flow can be replaced
/// (setFlow again) or restarted at any time; snapshots can also be pushed directly with
/// consume(), e.g. by a GUI that already coalesces them.
class SnapshotExporter : public QObject {
    Q_OBJECT
public:
    explicit SnapshotExporter(QObject* parent = nullptr);
    ~SnapshotExporter() override;

    /// Follows `flow` from now on (nullptr: follow nothing). The flow's last snapshot, if
    /// any, is taken at once. The exporter never owns the flow and survives its deletion.
    void setFlow(Flow* flow);
    Flow* flow() const { return m_flow; }

public Q_SLOTS:
    /// Exports one snapshot (ignored when null).
    void consume(Aqueduct::MetricsSnapshotPtr snapshot);

protected:
    virtual void exportSnapshot(const MetricsSnapshotPtr& snapshot) = 0;
    /// The followed flow went away or was replaced: forget per-flow state (e.g. deltas).
    virtual void flowChanged() {}

private:
    QPointer<Flow> m_flow;
    QMetaObject::Connection m_snapshotConnection;
    QMetaObject::Connection m_destroyedConnection;
};

} // namespace Aqueduct
