#pragma once

#include <QGraphicsItem>
#include <QPainterPath>

namespace Aqueduct::Ui {

/// The connection being dragged: a curve from the grabbed port to the cursor, neutral over
/// empty canvas, green over a valid target, red with the refusal reason otherwise.
class DragEdgeItem final : public QGraphicsItem {
public:
    enum class State { Neutral, Accept, Refuse };

    DragEdgeItem();

    QRectF boundingRect() const override { return m_bounds; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    /// `from`/`to` in scene coordinates, always output-side first.
    void setEnds(const QPointF& from, const QPointF& to, const QPointF& cursor);
    void setState(State state, const QString& message);
    State state() const { return m_state; }
    const QString& message() const { return m_message; }

private:
    QRectF messageRect() const;
    void updateBounds();

    QPainterPath m_path;
    QPointF m_cursor;
    QRectF m_bounds;
    State m_state = State::Neutral;
    QString m_message;
};

} // namespace Aqueduct::Ui
