#pragma once

#include <QColor>
#include <QPalette>

namespace Aqueduct::Ui {

/// Every colour the canvas paints with, derived from the palette so light and dark themes
/// both read well.
struct CanvasColors {
    QColor background;
    QColor gridDot;
    QColor gridDotMajor;
    QColor nodeFill;
    QColor nodeBorder;
    QColor nodeShadow;
    QColor terminalFill;
    QColor text;
    QColor secondaryText;
    QColor edge;
    QColor selection;
    QColor portFill;
    QColor portBorder;
    QColor accept;
    QColor refuse;
    QColor error;
    QColor warning;
    QColor labelFill;
    bool dark = false;

    static CanvasColors fromPalette(const QPalette& palette);
};

} // namespace Aqueduct::Ui
