#pragma once

#include "canvas/CanvasColors.h"
#include "canvas/NodeItem.h"
#include "document/ConnectionRules.h"

#include <QGraphicsScene>
#include <QHash>
#include <QPointer>

namespace Aqueduct::Ui {

class DragEdgeItem;
class EdgeItem;
class PipelineModel;
class StepItem;
class TerminalItem;

/// MIME type of a handler dragged from the palette (payload: the handler name, UTF-8).
inline constexpr const char* kHandlerMimeType = "application/x-aqueduct-handler";

/// The canvas: one item per step, edge and pseudo-node, all observing the PipelineModel.
/// Edits made here (moves, connections, drops, nudges) go to the model as undo commands;
/// items follow the model's signals.
class CanvasScene : public QGraphicsScene {
    Q_OBJECT
public:
    explicit CanvasScene(PipelineModel* model, QObject* parent = nullptr);
    ~CanvasScene() override;

    PipelineModel* model() const { return m_model; }
    const CanvasColors& colors() const { return m_colors; }

    StepItem* stepItem(const QString& id) const { return m_steps.value(id); }
    TerminalItem* inputItem() const { return m_input; }
    TerminalItem* outputItem() const { return m_output; }
    NodeItem* nodeItem(const QString& id) const;
    const QList<EdgeItem*>& edgeItems() const { return m_edges; }
    /// The edge item for an effective edge index, or null.
    EdgeItem* edgeItem(int edgeIndex) const;
    QList<StepItem*> stepItems() const;

    QStringList selectedStepIds() const;
    QList<int> selectedEdgeIndices() const;
    void selectSteps(const QStringList& ids);
    void selectEdge(int edgeIndex);

    bool snapToGrid() const { return m_snapToGrid; }
    void setSnapToGrid(bool snap);
    QPointF snapped(const QPointF& position) const;

    /// True while a connection is being dragged.
    bool isConnecting() const { return m_dragEdge != nullptr; }
    /// The refusal shown for the current connection drag (None when it would be accepted).
    ConnectionRefusal dragRefusal() const { return m_dragRefusal; }

    /// Adds a step for `handler` centred at `scenePos` and selects it. With `connectTo`,
    /// the new step is connected to that node's `port` (its output feeds the new step, or
    /// the new step feeds its input) in the same undo step.
    QString addStepAt(const QString& handler, const QPointF& scenePos,
                      const QString& connectTo = {}, PortKind port = PortKind::None);
    /// Moves the selected steps by `delta` (one undo step for successive nudges).
    void nudgeSelection(const QPointF& delta);

    /// Bounding rect of the nodes (steps and pseudo-nodes).
    QRectF nodesBoundingRect() const;

Q_SIGNALS:
    /// A double-click on empty canvas: offer quick-add here.
    void emptyAreaDoubleClicked(const QPointF& scenePos);
    /// A connection was dragged from `nodeId`'s `port` and dropped on empty canvas.
    void connectionDroppedOnEmpty(const QString& nodeId, Aqueduct::Ui::PortKind port,
                                  const QPointF& scenePos);
    /// A step was double-clicked (the window focuses the inspector).
    void stepActivated(const QString& id);
    /// Emitted after the nodes' layout changed (the minimap and scene rect follow).
    void layoutChanged();

protected:
    bool event(QEvent* event) override;
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void dragEnterEvent(QGraphicsSceneDragDropEvent* event) override;
    void dragMoveEvent(QGraphicsSceneDragDropEvent* event) override;
    void dropEvent(QGraphicsSceneDragDropEvent* event) override;

private:
    void rebuild();
    void deleteAllItems();
    void onStepAdded(const QString& id);
    void onStepRemoved(const QString& id);
    void onStepChanged(const QString& id);
    void onStepRenamed(const QString& oldId, const QString& newId);
    void syncEdges();
    void applyProblems();
    void updateTerminalPositions();
    void commitMovedSteps();

    NodeItem* nodeUnder(const QPointF& scenePos) const;
    void updateConnectionDrag(const QPointF& scenePos);
    void finishConnectionDrag(const QPointF& scenePos);
    void clearConnectionTarget();
    void cancelConnectionDrag();

    PipelineModel* m_model;
    CanvasColors m_colors;
    QHash<QString, StepItem*> m_steps;
    QList<EdgeItem*> m_edges;
    TerminalItem* m_input = nullptr;
    TerminalItem* m_output = nullptr;
    bool m_snapToGrid = true;

    // Connection drag
    DragEdgeItem* m_dragEdge = nullptr;
    NodeItem* m_dragAnchor = nullptr;
    PortKind m_dragAnchorPort = PortKind::None;
    NodeItem* m_dragTarget = nullptr;
    ConnectionRefusal m_dragRefusal = ConnectionRefusal::None;
    bool m_movingItems = false;
};

} // namespace Aqueduct::Ui
