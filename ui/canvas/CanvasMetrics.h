#pragma once

#include <QSizeF>

namespace Aqueduct::Ui::CanvasMetrics {

inline constexpr double kGridSize = 20;
inline constexpr QSizeF kStepSize{216, 64};
inline constexpr QSizeF kTerminalSize{100, 36};
inline constexpr double kPortRadius = 6;
/// How close (scene units) a press must be to a port to start a connection.
inline constexpr double kPortGrabRadius = 13;
inline constexpr double kCornerRadius = 9;

} // namespace Aqueduct::Ui::CanvasMetrics
