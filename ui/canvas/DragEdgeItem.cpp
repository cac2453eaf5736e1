#include "canvas/DragEdgeItem.h"

#include "canvas/CanvasScene.h"
#include "canvas/EdgeItem.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>

namespace Aqueduct::Ui {

DragEdgeItem::DragEdgeItem() {
    setZValue(10);
    setAcceptedMouseButtons(Qt::NoButton);
}

void DragEdgeItem::setEnds(const QPointF& from, const QPointF& to, const QPointF& cursor) {
    m_path = EdgeItem::curve(from, to);
    m_cursor = cursor;
    updateBounds();
}

void DragEdgeItem::setState(State state, const QString& message) {
    if (m_state == state && m_message == message)
        return;
    m_state = state;
    m_message = message;
    updateBounds();
    update();
}

QRectF DragEdgeItem::messageRect() const {
    if (m_message.isEmpty())
        return QRectF();
    const QFontMetricsF metrics(QApplication::font());
    return QRectF(m_cursor + QPointF(14, 14),
                  QSizeF(metrics.horizontalAdvance(m_message) + 18, metrics.height() + 10));
}

void DragEdgeItem::updateBounds() {
    prepareGeometryChange();
    m_bounds =
        m_path.boundingRect().adjusted(-6, -6, 6, 6).united(messageRect().adjusted(-2, -2, 2, 4));
}

void DragEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const auto* canvas = qobject_cast<const CanvasScene*>(scene());
    const CanvasColors colors = canvas ? canvas->colors() : CanvasColors::fromPalette(QPalette());
    QColor color = colors.selection;
    if (m_state == State::Accept)
        color = colors.accept;
    else if (m_state == State::Refuse)
        color = colors.refuse;
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(color, 2.2, m_state == State::Neutral ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);

    const QRectF box = messageRect();
    if (box.isEmpty())
        return;
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 40));
    painter->drawRoundedRect(box.translated(0, 2), 6, 6);
    painter->setBrush(m_state == State::Neutral ? colors.nodeFill : color);
    painter->setPen(m_state == State::Neutral ? QPen(colors.nodeBorder, 1) : Qt::NoPen);
    painter->drawRoundedRect(box, 6, 6);
    painter->setFont(QApplication::font());
    painter->setPen(m_state == State::Neutral ? colors.text : QColor(Qt::white));
    painter->drawText(box, Qt::AlignCenter, m_message);
}

} // namespace Aqueduct::Ui
