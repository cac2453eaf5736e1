#include "canvas/CanvasView.h"

#include "canvas/CanvasMetrics.h"
#include "canvas/CanvasScene.h"
#include "canvas/MinimapWidget.h"

#include <QCursor>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace Aqueduct::Ui {

using namespace CanvasMetrics;

CanvasView::CanvasView(CanvasScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene) {
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                   QPainter::SmoothPixmapTransform);
    setDragMode(RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(NoAnchor);
    setResizeAnchor(AnchorViewCenter);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setViewportUpdateMode(SmartViewportUpdate);
    setOptimizationFlags(DontSavePainterState | DontAdjustForAntialiasing);
    setFrameShape(QFrame::NoFrame);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setObjectName(QStringLiteral("canvasView"));

    m_minimap = new MinimapWidget(this);
    connect(scene, &CanvasScene::layoutChanged, this, &CanvasView::updateMinimap);
    connect(scene, &QGraphicsScene::changed, this, [this] { m_minimap->scheduleUpdate(); });
    connect(scene, &CanvasScene::emptyAreaDoubleClicked, this, [this](const QPointF& scenePos) {
        Q_EMIT quickAddRequested(scenePos, viewport()->mapToGlobal(mapFromScene(scenePos)));
    });
    positionMinimap();
}

double CanvasView::zoom() const {
    return transform().m11();
}

void CanvasView::setZoom(double zoom) {
    scaleBy(zoom / this->zoom(), QPointF(viewport()->rect().center()));
}

void CanvasView::scaleBy(double factor, const QPointF& viewportAnchor) {
    const double current = zoom();
    const double target = std::clamp(current * factor, kMinZoom, kMaxZoom);
    if (std::abs(target - current) < 1e-9)
        return;
    const QPointF before = viewportTransform().inverted().map(viewportAnchor);
    scale(target / current, target / current);
    const QPointF after = viewportTransform().inverted().map(viewportAnchor);
    // Keep the scene point under the anchor where it was.
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() +
                                    int(std::lround((before.x() - after.x()) * target)));
    verticalScrollBar()->setValue(verticalScrollBar()->value() +
                                  int(std::lround((before.y() - after.y()) * target)));
    Q_EMIT zoomChanged(target);
    updateMinimap();
}

void CanvasView::zoomIn() {
    scaleBy(1.25, QPointF(viewport()->rect().center()));
}

void CanvasView::zoomOut() {
    scaleBy(0.8, QPointF(viewport()->rect().center()));
}

void CanvasView::resetZoom() {
    setZoom(1.0);
}

void CanvasView::fitAll() {
    fitRect(m_scene->nodesBoundingRect());
}

void CanvasView::fitSelection() {
    QRectF rect;
    for (QGraphicsItem* item : m_scene->selectedItems())
        rect = rect.united(item->sceneBoundingRect());
    if (rect.isEmpty())
        fitAll();
    else
        fitRect(rect);
}

void CanvasView::fitRect(const QRectF& rect) {
    if (rect.isEmpty())
        return;
    const double margin = 36;
    const QSizeF available = QSizeF(viewport()->size()) - QSizeF(2 * margin, 2 * margin);
    double target = std::min(available.width() / rect.width(), available.height() / rect.height());
    // Never blow small graphs up past a comfortable size.
    target = std::clamp(target, kMinZoom, 1.25);
    setTransform(QTransform::fromScale(target, target));
    centerOn(rect.center());
    Q_EMIT zoomChanged(target);
    updateMinimap();
}

void CanvasView::centerOnRect(const QRectF& rect) {
    centerOn(rect.center());
    updateMinimap();
}

void CanvasView::setMinimapEnabled(bool enabled) {
    m_minimapEnabled = enabled;
    updateMinimap();
}

void CanvasView::updateMinimap() {
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    const bool needed = !visible.contains(m_scene->nodesBoundingRect());
    m_minimap->setVisible(m_minimapEnabled && needed);
    m_minimap->scheduleUpdate();
}

void CanvasView::positionMinimap() {
    const QSize size(210, 140);
    const QRect area = viewport()->geometry();
    m_minimap->setGeometry(
        QRect(area.bottomRight() - QPoint(size.width() + 12, size.height() + 12), size));
}

// --- Painting ------------------------------------------------------------------------------

void CanvasView::drawBackground(QPainter* painter, const QRectF& rect) {
    const CanvasColors& colors = m_scene->colors();
    painter->fillRect(rect, colors.background);

    // Dotted grid; coarser when zoomed out so it stays a texture, not noise.
    const double z = zoom();
    double spacing = kGridSize;
    while (spacing * z < 9)
        spacing *= 5;
    const double majorSpacing = spacing * 5;
    const double left = std::floor(rect.left() / spacing) * spacing;
    const double top = std::floor(rect.top() / spacing) * spacing;
    QVector<QPointF> minor;
    QVector<QPointF> major;
    const qsizetype expected =
        qsizetype((rect.width() / spacing + 2) * (rect.height() / spacing + 2));
    if (expected > 60000)
        return;
    minor.reserve(expected);
    for (double x = left; x <= rect.right(); x += spacing) {
        const bool majorX = std::fmod(std::abs(x), majorSpacing) < 0.5;
        for (double y = top; y <= rect.bottom(); y += spacing) {
            if (majorX && std::fmod(std::abs(y), majorSpacing) < 0.5)
                major.append(QPointF(x, y));
            else
                minor.append(QPointF(x, y));
        }
    }
    // Square, non-antialiased dots: as crisp as round ones at this size and an order of
    // magnitude cheaper to rasterise (no curve flattening per dot).
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    QPen pen(colors.gridDot, 1.5, Qt::SolidLine, Qt::SquareCap);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->drawPoints(minor.constData(), int(minor.size()));
    pen.setColor(colors.gridDotMajor);
    pen.setWidthF(2.0);
    painter->setPen(pen);
    painter->drawPoints(major.constData(), int(major.size()));
    painter->restore();
}

// --- Input ---------------------------------------------------------------------------------

void CanvasView::wheelEvent(QWheelEvent* event) {
    const QPoint delta = event->angleDelta();
    if (delta.y() == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    // One notch (120) zooms by ~20%; touchpads send smaller steps and zoom smoothly.
    scaleBy(std::pow(1.2, delta.y() / 120.0), event->position());
    event->accept();
}

void CanvasView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_panning = true;
        m_lastPanPos = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void CanvasView::mouseMoveEvent(QMouseEvent* event) {
    if (m_panning) {
        const QPoint pos = event->position().toPoint();
        const QPoint delta = pos - m_lastPanPos;
        m_lastPanPos = pos;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void CanvasView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        if (m_spaceHeld)
            viewport()->setCursor(Qt::OpenHandCursor);
        else
            viewport()->unsetCursor();
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void CanvasView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && !m_scene->isConnecting()) {
        m_spaceHeld = true;
        setDragMode(NoDrag);
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Space) {
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Tab && event->modifiers() == Qt::NoModifier) {
        requestQuickAdd();
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void CanvasView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        m_panning = false;
        setDragMode(RubberBandDrag);
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void CanvasView::focusOutEvent(QFocusEvent* event) {
    if (m_spaceHeld) {
        m_spaceHeld = false;
        m_panning = false;
        setDragMode(RubberBandDrag);
        viewport()->unsetCursor();
    }
    QGraphicsView::focusOutEvent(event);
}

bool CanvasView::focusNextPrevChild(bool next) {
    // Tab is quick-add on the canvas (Ctrl+Tab still moves focus between panels).
    (void)next;
    return false;
}

void CanvasView::requestQuickAdd() {
    QPoint pos = viewport()->mapFromGlobal(QCursor::pos());
    if (!viewport()->rect().contains(pos))
        pos = viewport()->rect().center();
    Q_EMIT quickAddRequested(mapToScene(pos), viewport()->mapToGlobal(pos));
}

void CanvasView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    positionMinimap();
    updateMinimap();
}

void CanvasView::scrollContentsBy(int dx, int dy) {
    QGraphicsView::scrollContentsBy(dx, dy);
    m_minimap->scheduleUpdate();
}

} // namespace Aqueduct::Ui
