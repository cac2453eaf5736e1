#include "canvas/CanvasScene.h"

#include "canvas/CanvasMetrics.h"
#include "canvas/DragEdgeItem.h"
#include "canvas/EdgeItem.h"
#include "canvas/StepItem.h"
#include "canvas/TerminalItem.h"
#include "document/PipelineModel.h"

#include <QApplication>
#include <QGraphicsSceneDragDropEvent>
#include <QGraphicsSceneMouseEvent>
#include <QKeyEvent>
#include <QMimeData>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace Aqueduct::Ui {

using namespace CanvasMetrics;

namespace {

constexpr double kTerminalGap = 60; ///< between the pseudo-nodes and the nearest steps

} // namespace

CanvasScene::CanvasScene(PipelineModel* model, QObject* parent)
    : QGraphicsScene(parent)
    , m_model(model)
    , m_colors(CanvasColors::fromPalette(QApplication::palette())) {
    // A large fixed extent: panning is never stopped by the scene's edge, and the
    // minimap works from the nodes' bounds instead.
    setSceneRect(-25000, -25000, 50000, 50000);
    m_input = new TerminalItem(TerminalItem::Role::Input);
    m_output = new TerminalItem(TerminalItem::Role::Output);
    addItem(m_input);
    addItem(m_output);

    connect(model, &PipelineModel::documentReset, this, &CanvasScene::rebuild);
    connect(model, &PipelineModel::stepAdded, this, &CanvasScene::onStepAdded);
    connect(model, &PipelineModel::stepRemoved, this, &CanvasScene::onStepRemoved);
    connect(model, &PipelineModel::stepChanged, this, &CanvasScene::onStepChanged);
    connect(model, &PipelineModel::stepRenamed, this, &CanvasScene::onStepRenamed);
    connect(model, &PipelineModel::edgeAdded, this, &CanvasScene::syncEdges);
    connect(model, &PipelineModel::edgeRemoved, this, &CanvasScene::syncEdges);
    connect(model, &PipelineModel::edgeChanged, this, &CanvasScene::syncEdges);
    connect(model, &PipelineModel::problemsChanged, this, &CanvasScene::applyProblems);
    rebuild();
}

CanvasScene::~CanvasScene() {
    // Removing selected items emits selectionChanged; observers must not reach a
    // half-destroyed scene.
    blockSignals(true);
    cancelConnectionDrag();
    deleteAllItems();
}

void CanvasScene::deleteAllItems() {
    // Lists are emptied before deleting so selection signals never see dead items; edges
    // go first because they point into the nodes.
    const QList<EdgeItem*> edges = std::exchange(m_edges, {});
    qDeleteAll(edges);
    const QHash<QString, StepItem*> steps = std::exchange(m_steps, {});
    qDeleteAll(steps);
}

bool CanvasScene::event(QEvent* event) {
    if (event->type() == QEvent::PaletteChange ||
        event->type() == QEvent::ApplicationPaletteChange) {
        m_colors = CanvasColors::fromPalette(QApplication::palette());
        // Items cache their pixels; each must repaint with the new colours.
        for (QGraphicsItem* item : items())
            item->update();
        update();
    }
    return QGraphicsScene::event(event);
}

// --- Items from the model ------------------------------------------------------------------

NodeItem* CanvasScene::nodeItem(const QString& id) const {
    if (id == QLatin1String(kInputNodeId))
        return m_input;
    if (id == QLatin1String(kOutputNodeId))
        return m_output;
    return m_steps.value(id);
}

EdgeItem* CanvasScene::edgeItem(int edgeIndex) const {
    for (EdgeItem* edge : m_edges) {
        if (edge->edgeIndex() == edgeIndex)
            return edge;
    }
    return nullptr;
}

QList<StepItem*> CanvasScene::stepItems() const {
    return m_steps.values();
}

void CanvasScene::rebuild() {
    cancelConnectionDrag();
    deleteAllItems();
    for (const StepSpec& step : m_model->document().steps) {
        if (m_steps.contains(step.id))
            continue; // duplicate ids are reported as problems; one item per id
        auto* item = new StepItem(step);
        m_steps.insert(step.id, item);
        addItem(item);
    }
    syncEdges();
    applyProblems();
    updateTerminalPositions();
}

void CanvasScene::onStepAdded(const QString& id) {
    const StepSpec* step = m_model->step(id);
    if (!step || m_steps.contains(id))
        return;
    auto* item = new StepItem(*step);
    m_steps.insert(id, item);
    addItem(item);
    syncEdges();
    updateTerminalPositions();
}

void CanvasScene::onStepRemoved(const QString& id) {
    StepItem* item = m_steps.take(id);
    if (!item)
        return;
    if (m_dragAnchor == item || m_dragTarget == item)
        cancelConnectionDrag();
    const QList<EdgeItem*> attached = item->edges();
    for (EdgeItem* edge : attached)
        m_edges.removeAll(edge);
    qDeleteAll(attached);
    delete item;
    // A step with the same id may remain (duplicate ids in a loaded file).
    if (const StepSpec* step = m_model->step(id)) {
        auto* replacement = new StepItem(*step);
        m_steps.insert(id, replacement);
        addItem(replacement);
    }
    syncEdges();
    updateTerminalPositions();
}

void CanvasScene::onStepChanged(const QString& id) {
    StepItem* item = m_steps.value(id);
    const StepSpec* step = m_model->step(id);
    if (!item || !step)
        return;
    item->updateFromSpec(*step);
    item->setModelPosition(step->position);
    updateTerminalPositions();
}

void CanvasScene::onStepRenamed(const QString& oldId, const QString& newId) {
    if (StepItem* item = m_steps.take(oldId)) {
        item->setNodeId(newId);
        m_steps.insert(newId, item);
    }
    syncEdges();
}

void CanvasScene::syncEdges() {
    const QList<EdgeSpec> edges = m_model->effectiveEdges();
    const bool implicit = m_model->usesImplicitChain();
    // Reuse items by endpoints so selection and hover survive index shifts.
    QMultiHash<QPair<NodeItem*, NodeItem*>, EdgeItem*> existing;
    for (EdgeItem* edge : std::as_const(m_edges))
        existing.insert({edge->sourceNode(), edge->targetNode()}, edge);

    QList<EdgeItem*> result;
    result.reserve(edges.size());
    for (int i = 0; i < edges.size(); ++i) {
        NodeItem* source = nodeItem(edges[i].from);
        NodeItem* target = nodeItem(edges[i].to);
        if (!source || !target || !source->hasOutputPort() || !target->hasInputPort())
            continue; // dangling edges show up in the problems list
        EdgeItem* item = nullptr;
        const auto key = qMakePair(source, target);
        if (auto it = existing.find(key); it != existing.end()) {
            item = it.value();
            existing.erase(it);
        } else {
            item = new EdgeItem(source, target);
            addItem(item);
        }
        item->setEdge(i, edges[i], implicit);
        item->updateGeometry();
        result.append(item);
    }
    m_edges = result;
    for (EdgeItem* stale : std::as_const(existing))
        delete stale;
    for (EdgeItem* edge : std::as_const(m_edges))
        edge->setProblems(implicit ? QList<Problem>() : m_model->edgeProblems(edge->edgeIndex()));
}

void CanvasScene::applyProblems() {
    QHash<QString, QList<Problem>> byStep;
    QHash<int, QList<Problem>> byEdge;
    for (const Problem& problem : m_model->problems()) {
        if (problem.edgeIndex >= 0)
            byEdge[problem.edgeIndex].append(problem);
        else if (!problem.stepId.isEmpty())
            byStep[problem.stepId].append(problem);
    }
    for (auto it = m_steps.cbegin(); it != m_steps.cend(); ++it)
        it.value()->setProblems(byStep.value(it.key()));
    const bool implicit = m_model->usesImplicitChain();
    for (EdgeItem* edge : std::as_const(m_edges))
        edge->setProblems(implicit ? QList<Problem>() : byEdge.value(edge->edgeIndex()));
}

void CanvasScene::updateTerminalPositions() {
    // The pseudo-nodes sit left and right of the steps, vertically centred on the steps
    // they connect to (all steps when none).
    const PipelineDocument& document = m_model->document();
    if (document.steps.isEmpty()) {
        m_input->setModelPosition(QPointF(0, 0));
        m_output->setModelPosition(
            QPointF(kTerminalSize.width() + 2 * kTerminalGap + kStepSize.width(), 0));
        Q_EMIT layoutChanged();
        return;
    }
    double minX = std::numeric_limits<double>::max();
    double maxX = std::numeric_limits<double>::lowest();
    double sumY = 0;
    for (const StepSpec& step : document.steps) {
        minX = std::min(minX, step.position.x());
        maxX = std::max(maxX, step.position.x() + kStepSize.width());
        sumY += step.position.y();
    }
    const double allCenter = sumY / document.steps.size() + kStepSize.height() / 2;
    double inSum = 0, outSum = 0;
    int inCount = 0, outCount = 0;
    for (const EdgeSpec& edge : document.effectiveEdges()) {
        if (edge.from == QLatin1String(kInputNodeId)) {
            if (const StepSpec* step = document.step(edge.to)) {
                inSum += step->position.y();
                ++inCount;
            }
        }
        if (edge.to == QLatin1String(kOutputNodeId)) {
            if (const StepSpec* step = document.step(edge.from)) {
                outSum += step->position.y();
                ++outCount;
            }
        }
    }
    const double half = kStepSize.height() / 2;
    const double inCenter = inCount ? inSum / inCount + half : allCenter;
    const double outCenter = outCount ? outSum / outCount + half : allCenter;
    auto grid = [](double value) { return std::round(value / kGridSize) * kGridSize; };
    m_input->setModelPosition(QPointF(grid(minX - kTerminalGap - kTerminalSize.width()),
                                      grid(inCenter) - kTerminalSize.height() / 2));
    m_output->setModelPosition(
        QPointF(grid(maxX + kTerminalGap), grid(outCenter) - kTerminalSize.height() / 2));
    Q_EMIT layoutChanged();
}

QRectF CanvasScene::nodesBoundingRect() const {
    QRectF rect = m_input->sceneBoundingRect().united(m_output->sceneBoundingRect());
    for (const StepItem* item : m_steps)
        rect = rect.united(item->sceneBoundingRect());
    return rect;
}

// --- Selection -----------------------------------------------------------------------------

QStringList CanvasScene::selectedStepIds() const {
    QStringList ids;
    // Document order, so copies and deletes are stable.
    for (const StepSpec& step : m_model->document().steps) {
        if (const StepItem* item = m_steps.value(step.id);
            item && item->isSelected() && !ids.contains(step.id))
            ids.append(step.id);
    }
    return ids;
}

QList<int> CanvasScene::selectedEdgeIndices() const {
    QList<int> indices;
    for (const EdgeItem* edge : m_edges) {
        if (edge->isSelected())
            indices.append(edge->edgeIndex());
    }
    std::sort(indices.begin(), indices.end());
    return indices;
}

void CanvasScene::selectSteps(const QStringList& ids) {
    QSignalBlocker blocker(this);
    clearSelection();
    for (const QString& id : ids) {
        if (StepItem* item = m_steps.value(id))
            item->setSelected(true);
    }
    blocker.unblock();
    Q_EMIT selectionChanged();
}

void CanvasScene::selectEdge(int edgeIndex) {
    QSignalBlocker blocker(this);
    clearSelection();
    if (EdgeItem* edge = edgeItem(edgeIndex))
        edge->setSelected(true);
    blocker.unblock();
    Q_EMIT selectionChanged();
}

void CanvasScene::setSnapToGrid(bool snap) {
    m_snapToGrid = snap;
}

QPointF CanvasScene::snapped(const QPointF& position) const {
    if (!m_snapToGrid)
        return position;
    return QPointF(std::round(position.x() / kGridSize) * kGridSize,
                   std::round(position.y() / kGridSize) * kGridSize);
}

// --- Edits ---------------------------------------------------------------------------------

QString CanvasScene::addStepAt(const QString& handler, const QPointF& scenePos,
                               const QString& connectTo, PortKind port) {
    const QPointF topLeft =
        snapped(scenePos - QPointF(kStepSize.width() / 2, kStepSize.height() / 2));
    const QString id = connectTo.isEmpty()
                           ? m_model->addStep(handler, topLeft)
                           : m_model->addConnectedStep(
                                 handler, topLeft, port == PortKind::Output ? connectTo : QString(),
                                 port == PortKind::Input ? connectTo : QString());
    selectSteps({id});
    return id;
}

void CanvasScene::nudgeSelection(const QPointF& delta) {
    QHash<QString, QPointF> positions;
    for (const QString& id : selectedStepIds()) {
        if (const StepSpec* step = m_model->step(id))
            positions.insert(id, step->position + delta);
    }
    if (!positions.isEmpty())
        m_model->moveSteps(positions);
}

void CanvasScene::commitMovedSteps() {
    QHash<QString, QPointF> moved;
    for (auto it = m_steps.cbegin(); it != m_steps.cend(); ++it) {
        const StepSpec* step = m_model->step(it.key());
        if (step && step->position != it.value()->pos())
            moved.insert(it.key(), it.value()->pos());
    }
    if (!moved.isEmpty())
        m_model->moveSteps(moved);
}

// --- Mouse: moves and connection drags -----------------------------------------------------

NodeItem* CanvasScene::nodeUnder(const QPointF& scenePos) const {
    const QList<QGraphicsItem*> found =
        items(scenePos, Qt::IntersectsItemShape, Qt::DescendingOrder);
    for (QGraphicsItem* item : found) {
        if (auto* node = dynamic_cast<NodeItem*>(item))
            return node;
    }
    return nullptr;
}

void CanvasScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
    if (event->button() == Qt::LeftButton && !m_dragEdge) {
        const QPointF pos = event->scenePos();
        const QRectF area(pos - QPointF(kPortGrabRadius, kPortGrabRadius),
                          QSizeF(2 * kPortGrabRadius, 2 * kPortGrabRadius));
        for (QGraphicsItem* item :
             items(area, Qt::IntersectsItemBoundingRect, Qt::DescendingOrder)) {
            auto* node = dynamic_cast<NodeItem*>(item);
            if (!node)
                continue;
            const PortKind port = node->portAt(pos);
            if (port == PortKind::None)
                continue;
            m_dragAnchor = node;
            m_dragAnchorPort = port;
            m_dragEdge = new DragEdgeItem;
            addItem(m_dragEdge);
            updateConnectionDrag(pos);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
    m_movingItems =
        event->button() == Qt::LeftButton && dynamic_cast<StepItem*>(mouseGrabberItem()) != nullptr;
}

void CanvasScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
    if (m_dragEdge) {
        updateConnectionDrag(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void CanvasScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (m_dragEdge) {
        if (event->button() == Qt::LeftButton)
            finishConnectionDrag(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (m_movingItems && event->button() == Qt::LeftButton) {
        m_movingItems = false;
        commitMovedSteps();
    }
}

void CanvasScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        NodeItem* node = nodeUnder(event->scenePos());
        if (auto* step = dynamic_cast<StepItem*>(node)) {
            Q_EMIT stepActivated(step->nodeId());
            event->accept();
            return;
        }
        if (!node && !itemAt(event->scenePos(), QTransform())) {
            Q_EMIT emptyAreaDoubleClicked(event->scenePos());
            event->accept();
            return;
        }
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void CanvasScene::updateConnectionDrag(const QPointF& scenePos) {
    if (!m_dragEdge || !m_dragAnchor)
        return;
    NodeItem* candidate = nodeUnder(scenePos);
    if (!candidate) {
        // Near a port counts too (the port circle sits half outside the card).
        const QRectF area(scenePos - QPointF(kPortGrabRadius, kPortGrabRadius),
                          QSizeF(2 * kPortGrabRadius, 2 * kPortGrabRadius));
        for (QGraphicsItem* item :
             items(area, Qt::IntersectsItemBoundingRect, Qt::DescendingOrder)) {
            auto* node = dynamic_cast<NodeItem*>(item);
            if (node && node->portAt(scenePos) != PortKind::None) {
                candidate = node;
                break;
            }
        }
    }
    const bool fromOutput = m_dragAnchorPort == PortKind::Output;
    const QPointF anchorPos = m_dragAnchor->scenePortPosition(m_dragAnchorPort);
    if (candidate != m_dragTarget)
        clearConnectionTarget();
    m_dragTarget = candidate;

    QPointF endPos = scenePos;
    if (candidate) {
        const QString from = fromOutput ? m_dragAnchor->nodeId() : candidate->nodeId();
        const QString to = fromOutput ? candidate->nodeId() : m_dragAnchor->nodeId();
        m_dragRefusal = m_model->canConnect(from, to);
        const PortKind targetPort = fromOutput ? PortKind::Input : PortKind::Output;
        const bool hasPort = fromOutput ? candidate->hasInputPort() : candidate->hasOutputPort();
        if (hasPort && candidate != m_dragAnchor)
            endPos = candidate->scenePortPosition(targetPort);
        if (m_dragRefusal == ConnectionRefusal::None) {
            m_dragEdge->setState(DragEdgeItem::State::Accept, tr("%1 → %2").arg(from, to));
            candidate->setPortHighlight(targetPort, PortHighlight::Accept);
        } else {
            m_dragEdge->setState(DragEdgeItem::State::Refuse, refusalReason(m_dragRefusal));
            if (hasPort)
                candidate->setPortHighlight(targetPort, PortHighlight::Refuse);
        }
    } else {
        m_dragRefusal = ConnectionRefusal::None;
        m_dragEdge->setState(DragEdgeItem::State::Neutral, tr("Release to add a connected step"));
    }
    if (fromOutput)
        m_dragEdge->setEnds(anchorPos, endPos, scenePos);
    else
        m_dragEdge->setEnds(endPos, anchorPos, scenePos);
}

void CanvasScene::clearConnectionTarget() {
    if (m_dragTarget) {
        m_dragTarget->setPortHighlight(PortKind::None, PortHighlight::None);
        m_dragTarget = nullptr;
    }
}

void CanvasScene::finishConnectionDrag(const QPointF& scenePos) {
    updateConnectionDrag(scenePos);
    NodeItem* target = m_dragTarget;
    NodeItem* anchor = m_dragAnchor;
    const bool fromOutput = m_dragAnchorPort == PortKind::Output;
    const ConnectionRefusal refusal = m_dragRefusal;
    cancelConnectionDrag();
    if (target && anchor && refusal == ConnectionRefusal::None) {
        const QString from = fromOutput ? anchor->nodeId() : target->nodeId();
        const QString to = fromOutput ? target->nodeId() : anchor->nodeId();
        m_model->addEdge(from, to);
    } else if (!target && anchor) {
        // Dropped on empty canvas: offer to add a step there, already connected.
        Q_EMIT connectionDroppedOnEmpty(anchor->nodeId(),
                                        fromOutput ? PortKind::Output : PortKind::Input, scenePos);
    }
}

void CanvasScene::cancelConnectionDrag() {
    clearConnectionTarget();
    delete m_dragEdge;
    m_dragEdge = nullptr;
    m_dragAnchor = nullptr;
    m_dragAnchorPort = PortKind::None;
    m_dragRefusal = ConnectionRefusal::None;
}

// --- Keyboard ------------------------------------------------------------------------------

void CanvasScene::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape && m_dragEdge) {
        cancelConnectionDrag();
        event->accept();
        return;
    }
    QPointF direction;
    switch (event->key()) {
    case Qt::Key_Left:
        direction = QPointF(-1, 0);
        break;
    case Qt::Key_Right:
        direction = QPointF(1, 0);
        break;
    case Qt::Key_Up:
        direction = QPointF(0, -1);
        break;
    case Qt::Key_Down:
        direction = QPointF(0, 1);
        break;
    default:
        QGraphicsScene::keyPressEvent(event);
        return;
    }
    if (selectedStepIds().isEmpty()) {
        QGraphicsScene::keyPressEvent(event);
        return;
    }
    // With the grid on a nudge is one grid step (Shift: five); without, 1 px (Shift: 10).
    const bool big = event->modifiers() & Qt::ShiftModifier;
    const double step = m_snapToGrid ? kGridSize * (big ? 5 : 1) : (big ? 10 : 1);
    nudgeSelection(direction * step);
    event->accept();
}

// --- Drops from the palette ----------------------------------------------------------------

void CanvasScene::dragEnterEvent(QGraphicsSceneDragDropEvent* event) {
    if (event->mimeData()->hasFormat(QString::fromLatin1(kHandlerMimeType)))
        event->acceptProposedAction();
    else
        event->ignore();
}

void CanvasScene::dragMoveEvent(QGraphicsSceneDragDropEvent* event) {
    if (event->mimeData()->hasFormat(QString::fromLatin1(kHandlerMimeType)))
        event->acceptProposedAction();
    else
        event->ignore();
}

void CanvasScene::dropEvent(QGraphicsSceneDragDropEvent* event) {
    const QByteArray handler = event->mimeData()->data(QString::fromLatin1(kHandlerMimeType));
    if (handler.isEmpty()) {
        event->ignore();
        return;
    }
    addStepAt(QString::fromUtf8(handler), event->scenePos());
    event->acceptProposedAction();
}

} // namespace Aqueduct::Ui
