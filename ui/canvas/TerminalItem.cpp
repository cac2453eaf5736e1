#include "canvas/TerminalItem.h"

#include "canvas/CanvasMetrics.h"
#include "canvas/CanvasScene.h"
#include "style/Icons.h"

#include <aqueduct/PipelineDocument.h>

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QSvgRenderer>

namespace Aqueduct::Ui {

using namespace CanvasMetrics;

TerminalItem::TerminalItem(Role role, QGraphicsItem* parent)
    : NodeItem(QString::fromLatin1(role == Role::Input ? kInputNodeId : kOutputNodeId), parent)
    , m_role(role) {
    setToolTip(role == Role::Input ? tr("Where tasks enter the flow")
                                   : tr("Where finished tasks leave the flow"));
    setZValue(0);
    setCacheMode(DeviceCoordinateCache);
}

QSizeF TerminalItem::size() const {
    return kTerminalSize;
}

void TerminalItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const auto* canvas = qobject_cast<const CanvasScene*>(scene());
    const CanvasColors colors = canvas ? canvas->colors() : CanvasColors::fromPalette(QPalette());
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF pill(QPointF(0, 0), size());
    const double radius = pill.height() / 2;

    painter->setPen(Qt::NoPen);
    painter->setBrush(colors.nodeShadow);
    painter->drawRoundedRect(pill.translated(0, 2), radius, radius);
    painter->setBrush(colors.terminalFill);
    painter->setPen(QPen(colors.nodeBorder, 1.0, Qt::SolidLine));
    painter->drawRoundedRect(pill, radius, radius);

    // Icon + name, centred.
    QFont font = QApplication::font();
    font.setWeight(QFont::DemiBold);
    const QFontMetricsF metrics(font);
    const QString text = nodeId();
    const double iconSize = 16;
    const double gap = 6;
    const double contentWidth = iconSize + gap + metrics.horizontalAdvance(text);
    const double left = (pill.width() - contentWidth) / 2;
    static QSvgRenderer* renderers[2] = {nullptr, nullptr};
    static QColor renderedWith[2];
    const int slot = m_role == Role::Input ? 0 : 1;
    if (!renderers[slot] || renderedWith[slot] != colors.secondaryText) {
        delete renderers[slot];
        renderers[slot] = new QSvgRenderer(Icons::tintedSvg(
            m_role == Role::Input ? QStringLiteral("input") : QStringLiteral("output"),
            colors.secondaryText));
        renderedWith[slot] = colors.secondaryText;
    }
    renderers[slot]->render(painter,
                            QRectF(left, (pill.height() - iconSize) / 2, iconSize, iconSize));
    painter->setFont(font);
    painter->setPen(colors.secondaryText);
    painter->drawText(QRectF(left + iconSize + gap, 0, pill.width(), pill.height()),
                      Qt::AlignLeft | Qt::AlignVCenter, text);

    paintPorts(painter);
}

} // namespace Aqueduct::Ui
