#include "aqueduct/exporters/SnapshotExporter.h"

#include <aqueduct/Flow.h>

namespace Aqueduct {

SnapshotExporter::SnapshotExporter(QObject* parent)
    : QObject(parent)
{
}

SnapshotExporter::~SnapshotExporter() = default;

void SnapshotExporter::setFlow(Flow* flow)
{
    if (flow == m_flow && (flow == nullptr || m_connection))
        return;
    disconnect(m_connection);
    m_connection = {};
    m_flow = flow;
    flowChanged();
    if (!flow)
        return;
    m_connection = connect(flow, &Flow::metricsSnapshot, this, &SnapshotExporter::consume);
    // A deleted flow leaves the exporter following nothing (QPointer clears itself).
    connect(flow, &QObject::destroyed, this, [this] {
        m_connection = {};
        flowChanged();
    });
    if (MetricsSnapshotPtr last = flow->lastSnapshot())
        consume(std::move(last));
}

void SnapshotExporter::consume(Aqueduct::MetricsSnapshotPtr snapshot)
{
    if (snapshot)
        exportSnapshot(snapshot);
}

} // namespace Aqueduct
