#include "canvas/NodeItem.h"

#include "canvas/CanvasMetrics.h"
#include "canvas/CanvasScene.h"
#include "canvas/EdgeItem.h"

#include <QCursor>
#include <QGraphicsSceneHoverEvent>
#include <QLineF>
#include <QPainter>
#include <QPainterPath>

namespace Aqueduct::Ui {

using namespace CanvasMetrics;

NodeItem::NodeItem(QString nodeId, QGraphicsItem* parent)
    : QGraphicsObject(parent)
    , m_nodeId(std::move(nodeId)) {
    setAcceptHoverEvents(true);
    setFlag(ItemSendsGeometryChanges);
}

NodeItem::~NodeItem() {
    // Edges outlive nodes only briefly during rebuilds; make sure they forget us.
    for (EdgeItem* edge : std::as_const(m_edges))
        edge->nodeDestroyed(this);
}

QRectF NodeItem::boundingRect() const {
    // Room for the ports (left/right), the problem marker (top) and the shadow (bottom).
    return QRectF(QPointF(0, 0), size()).adjusted(-kPortRadius - 3, -10, kPortRadius + 10, 6);
}

QPainterPath NodeItem::shape() const {
    QPainterPath path;
    path.addRoundedRect(QRectF(QPointF(0, 0), size()), kCornerRadius, kCornerRadius);
    if (hasInputPort())
        path.addEllipse(portPosition(PortKind::Input), kPortGrabRadius, kPortGrabRadius);
    if (hasOutputPort())
        path.addEllipse(portPosition(PortKind::Output), kPortGrabRadius, kPortGrabRadius);
    path.setFillRule(Qt::WindingFill);
    return path;
}

QPointF NodeItem::portPosition(PortKind port) const {
    const QSizeF s = size();
    switch (port) {
    case PortKind::Input:
        return QPointF(0, s.height() / 2);
    case PortKind::Output:
        return QPointF(s.width(), s.height() / 2);
    case PortKind::None:
        break;
    }
    return QPointF(s.width() / 2, s.height() / 2);
}

PortKind NodeItem::portAt(const QPointF& scenePos) const {
    const QPointF local = mapFromScene(scenePos);
    if (hasOutputPort() &&
        QLineF(local, portPosition(PortKind::Output)).length() <= kPortGrabRadius)
        return PortKind::Output;
    if (hasInputPort() && QLineF(local, portPosition(PortKind::Input)).length() <= kPortGrabRadius)
        return PortKind::Input;
    return PortKind::None;
}

void NodeItem::setPortHighlight(PortKind port, PortHighlight highlight) {
    if (m_highlightedPort == port && m_highlight == highlight)
        return;
    m_highlightedPort = port;
    m_highlight = highlight;
    update();
}

void NodeItem::attachEdge(EdgeItem* edge) {
    if (!m_edges.contains(edge))
        m_edges.append(edge);
    update();
}

void NodeItem::detachEdge(EdgeItem* edge) {
    m_edges.removeAll(edge);
    update();
}

bool NodeItem::isPortConnected(PortKind port) const {
    for (const EdgeItem* edge : m_edges) {
        if ((port == PortKind::Output && edge->sourceNode() == this) ||
            (port == PortKind::Input && edge->targetNode() == this))
            return true;
    }
    return false;
}

void NodeItem::setModelPosition(const QPointF& position) {
    if (pos() == position)
        return;
    m_settingModelPosition = true;
    setPos(position);
    m_settingModelPosition = false;
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    switch (change) {
    case ItemPositionChange:
        if (!m_settingModelPosition) {
            if (auto* canvas = qobject_cast<CanvasScene*>(scene()))
                return canvas->snapped(value.toPointF());
        }
        break;
    case ItemPositionHasChanged:
        for (EdgeItem* edge : std::as_const(m_edges))
            edge->updateGeometry();
        break;
    case ItemSelectedHasChanged:
        setZValue(value.toBool() ? 2 : 0);
        break;
    default:
        break;
    }
    return QGraphicsObject::itemChange(change, value);
}

void NodeItem::hoverMoveEvent(QGraphicsSceneHoverEvent* event) {
    const PortKind port = portAt(event->scenePos());
    if (port != m_hoveredPort) {
        m_hoveredPort = port;
        setCursor(port == PortKind::None ? Qt::ArrowCursor : Qt::CrossCursor);
        update();
    }
    QGraphicsObject::hoverMoveEvent(event);
}

void NodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event) {
    if (m_hoveredPort != PortKind::None) {
        m_hoveredPort = PortKind::None;
        unsetCursor();
        update();
    }
    QGraphicsObject::hoverLeaveEvent(event);
}

void NodeItem::paintPorts(QPainter* painter) const {
    const auto* canvas = qobject_cast<const CanvasScene*>(scene());
    const CanvasColors colors = canvas ? canvas->colors() : CanvasColors::fromPalette(QPalette());
    auto drawPort = [&](PortKind port) {
        const QPointF center = portPosition(port);
        QColor border = colors.portBorder;
        QColor fill = colors.portFill;
        double radius = kPortRadius;
        if (isPortConnected(port))
            fill = colors.portBorder;
        if (m_hoveredPort == port) {
            border = colors.selection;
            fill = colors.selection;
            radius += 1;
        }
        if (m_highlightedPort == port && m_highlight != PortHighlight::None) {
            border = m_highlight == PortHighlight::Accept ? colors.accept : colors.refuse;
            fill = border;
            radius += 2;
        }
        painter->setPen(QPen(border, 1.6));
        painter->setBrush(fill);
        painter->drawEllipse(center, radius, radius);
    };
    if (hasInputPort())
        drawPort(PortKind::Input);
    if (hasOutputPort())
        drawPort(PortKind::Output);
}

} // namespace Aqueduct::Ui
