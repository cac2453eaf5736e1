#pragma once

#include <aqueduct/PipelineDocument.h>

#include <QHash>
#include <QPointF>

namespace Aqueduct::Ui {

struct LayoutMetrics {
    double columnSpacing = 280; ///< left edge to left edge of neighbouring layers
    double rowSpacing = 120;    ///< top to top of neighbouring steps in a layer
};

/// Tidy positions (top-left corners) for every step: layered left to right by the longest
/// path from the input over the edges in force, each layer keeping the current vertical
/// order, the whole anchored at the old layout's left edge and vertical centre.
QHash<QString, QPointF> tidyLayout(const PipelineDocument& document,
                                   const LayoutMetrics& metrics = {});

} // namespace Aqueduct::Ui
