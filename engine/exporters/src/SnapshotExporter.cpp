#include "aqueduct/exporters/SnapshotExporter.h"

#include <aqueduct/Flow.h>

namespace Aqueduct {

SnapshotExporter::SnapshotExporter(QObject* parent)
    : QObject(parent) {}

SnapshotExporter::~SnapshotExporter() = default;

void SnapshotExporter::setFlow(Flow* flow) {
    if (flow == m_flow && (flow == nullptr || m_snapshotConnection))
        return;
    disconnect(m_snapshotConnection);
    disconnect(m_destroyedConnection);
    m_flow = flow;
    flowChanged();
    if (!flow)
        return;
    m_snapshotConnection = connect(flow, &Flow::metricsSnapshot, this, &SnapshotExporter::consume);
    // A deleted flow leaves the exporter following nothing (the QPointer clears itself).
    m_destroyedConnection = connect(flow, &QObject::destroyed, this, [this] {
        disconnect(m_destroyedConnection);
        flowChanged();
    });
    if (MetricsSnapshotPtr last = flow->lastSnapshot())
        consume(std::move(last));
}

void SnapshotExporter::consume(Aqueduct::MetricsSnapshotPtr snapshot) {
    if (snapshot)
        exportSnapshot(snapshot);
}

} // namespace Aqueduct
