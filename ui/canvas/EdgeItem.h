#pragma once

#include <aqueduct/PipelineDocument.h>
#include <aqueduct/Problem.h>

#include <QGraphicsItem>
#include <QPainterPath>

namespace Aqueduct::Ui {

class NodeItem;

/// A connection: a cubic curve from the source's output port to the target's input port,
/// an arrow head, a pill with the `when` expression, a problem colour, and (for the
/// monitor) a queue-fill bar coloured by backpressure.
class EdgeItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 3 };

    EdgeItem(NodeItem* source, NodeItem* target, QGraphicsItem* parent = nullptr);
    ~EdgeItem() override;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    NodeItem* sourceNode() const { return m_source; }
    NodeItem* targetNode() const { return m_target; }
    /// Index in the model's effective edges; `implicit` when part of the implicit chain.
    int edgeIndex() const { return m_index; }
    bool isImplicit() const { return m_implicit; }
    const EdgeSpec& spec() const { return m_spec; }
    void setEdge(int index, const EdgeSpec& spec, bool implicit);
    void setProblems(const QList<Problem>& problems);
    const QList<Problem>& problems() const { return m_problems; }

    /// Queue fill 0..1 for the monitor (green < 60%, yellow < 85%, red above); a negative
    /// value hides the bar.
    void setQueueFill(double fill);
    double queueFill() const { return m_queueFill; }
    static QColor queueFillColor(double fill);

    /// The middle of the curve (where the `when` label and the queue bar sit).
    QPointF midpoint() const { return m_labelCenter; }
    /// Recomputes the curve from the nodes' port positions.
    void updateGeometry();
    /// Called by a node being destroyed before this edge.
    void nodeDestroyed(NodeItem* node);
    /// The curve between two scene points (shared with the drag preview).
    static QPainterPath curve(const QPointF& from, const QPointF& to);

private:
    void routeAroundNodes(const QPointF& from, const QPointF& to);
    void updateToolTip();
    QRectF labelRect() const;

    NodeItem* m_source;
    NodeItem* m_target;
    int m_index = -1;
    bool m_implicit = false;
    EdgeSpec m_spec;
    QList<Problem> m_problems;
    double m_queueFill = -1;
    QPainterPath m_path;
    QPainterPath m_shape;
    QRectF m_bounds;
    QPointF m_end;
    QPointF m_labelCenter;
};

} // namespace Aqueduct::Ui
