#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

namespace Aqueduct::Ui::Icons {

/// An icon from resources/icons/<name>.svg, drawn at whatever size and device pixel ratio
/// it is asked for (crisp at 200%). Strokes written as "currentColor" take the
/// application palette's text colour (or `tint` when valid), so icons read in light and
/// dark palettes alike; the disabled mode uses the disabled text colour.
QIcon icon(const QString& name, const QColor& tint = QColor());

/// Raw SVG bytes with currentColor replaced by `color` (for painting on the canvas).
QByteArray tintedSvg(const QString& name, const QColor& color);

} // namespace Aqueduct::Ui::Icons
