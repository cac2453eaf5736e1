#include "canvas/CanvasColors.h"

#include "style/Theme.h"

namespace Aqueduct::Ui {

CanvasColors CanvasColors::fromPalette(const QPalette& palette) {
    using Theme::mix;
    CanvasColors colors;
    const QColor base = palette.color(QPalette::Base);
    const QColor window = palette.color(QPalette::Window);
    const QColor text = palette.color(QPalette::Text);
    colors.dark = Theme::isDark(palette);
    // The canvas sits a shade away from the panels so the nodes (base colour) stand out.
    colors.background = colors.dark ? mix(base, QColor(Qt::black), 0.12) : mix(window, base, 0.35);
    colors.gridDot = mix(colors.background, text, colors.dark ? 0.16 : 0.17);
    colors.gridDotMajor = mix(colors.background, text, colors.dark ? 0.28 : 0.30);
    colors.nodeFill = colors.dark ? mix(base, QColor(Qt::white), 0.07) : base;
    colors.nodeBorder = mix(colors.nodeFill, text, colors.dark ? 0.22 : 0.20);
    colors.nodeShadow = QColor(0, 0, 0, colors.dark ? 90 : 28);
    colors.terminalFill = mix(colors.nodeFill, text, 0.06);
    colors.text = text;
    colors.secondaryText = mix(text, colors.nodeFill, 0.40);
    colors.edge = mix(text, colors.background, colors.dark ? 0.45 : 0.50);
    colors.selection = palette.color(QPalette::Highlight);
    colors.portFill = colors.nodeFill;
    colors.portBorder = mix(text, colors.nodeFill, 0.45);
    colors.accept = Theme::okColor();
    colors.refuse = Theme::errorColor();
    colors.error = Theme::errorColor();
    colors.warning = Theme::warningColor();
    colors.labelFill = colors.nodeFill;
    return colors;
}

} // namespace Aqueduct::Ui
