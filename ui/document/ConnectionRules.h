#pragma once

#include <aqueduct/PipelineDocument.h>

#include <QList>
#include <QString>

namespace Aqueduct::Ui {

/// Why a connection cannot be made (None = it can). Shown to the person while dragging.
enum class ConnectionRefusal {
    None,
    SelfLoop,
    Duplicate,
    Cycle,
    IntoInput,
    FromOutput,
    UnknownEndpoint, ///< one end is neither a step nor a pseudo-node
};

/// Checks `from -> to` against the edges in force (PipelineDocument::effectiveEdges()).
/// `stepIds` are the document's step ids; "input"/"output" are always known.
ConnectionRefusal checkConnection(const QList<EdgeSpec>& edges, const QStringList& stepIds,
                                  const QString& from, const QString& to);

/// A plain sentence for the person ("This connection would create a cycle").
QString refusalReason(ConnectionRefusal refusal);

/// True when `to` can reach `from` along `edges` (so from -> to would close a cycle).
bool reaches(const QList<EdgeSpec>& edges, const QString& start, const QString& goal);

} // namespace Aqueduct::Ui
