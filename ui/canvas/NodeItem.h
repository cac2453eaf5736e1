#pragma once

#include <QGraphicsObject>
#include <QList>

namespace Aqueduct::Ui {

class EdgeItem;

enum class PortKind { None, Input, Output };
/// How a port is drawn while a connection is being dragged.
enum class PortHighlight { None, Accept, Refuse };

/// Base of everything edges attach to: steps and the input/output pseudo-nodes. Knows its
/// ports and keeps its edges' geometry up to date when it moves.
class NodeItem : public QGraphicsObject {
    Q_OBJECT
public:
    explicit NodeItem(QString nodeId, QGraphicsItem* parent = nullptr);
    ~NodeItem() override;

    const QString& nodeId() const { return m_nodeId; }
    void setNodeId(const QString& id) { m_nodeId = id; }

    virtual QSizeF size() const = 0;
    QRectF boundingRect() const override;
    /// The card plus its port circles (what takes clicks).
    QPainterPath shape() const override;
    virtual bool hasInputPort() const { return true; }
    virtual bool hasOutputPort() const { return true; }

    /// Port centres in item / scene coordinates.
    QPointF portPosition(PortKind port) const;
    QPointF scenePortPosition(PortKind port) const { return mapToScene(portPosition(port)); }
    /// The port within grab distance of `scenePos`, or None.
    PortKind portAt(const QPointF& scenePos) const;
    void setPortHighlight(PortKind port, PortHighlight highlight);

    void attachEdge(EdgeItem* edge);
    void detachEdge(EdgeItem* edge);
    const QList<EdgeItem*>& edges() const { return m_edges; }
    bool isPortConnected(PortKind port) const;

    /// Sets the position from the model (no snapping).
    void setModelPosition(const QPointF& position);

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
    void hoverMoveEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;
    void paintPorts(QPainter* painter) const;
    PortKind hoveredPort() const { return m_hoveredPort; }

private:
    QString m_nodeId;
    QList<EdgeItem*> m_edges;
    PortKind m_hoveredPort = PortKind::None;
    PortKind m_highlightedPort = PortKind::None;
    PortHighlight m_highlight = PortHighlight::None;
    bool m_settingModelPosition = false;
};

} // namespace Aqueduct::Ui
