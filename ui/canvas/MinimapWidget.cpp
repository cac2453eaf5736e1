#include "canvas/MinimapWidget.h"

#include "canvas/CanvasScene.h"
#include "canvas/CanvasView.h"
#include "canvas/EdgeItem.h"
#include "canvas/NodeItem.h"
#include "canvas/StepItem.h"
#include "canvas/TerminalItem.h"
#include "style/Theme.h"

#include <QMouseEvent>
#include <QPainter>

namespace Aqueduct::Ui {

MinimapWidget::MinimapWidget(CanvasView* view)
    : QWidget(view)
    , m_view(view) {
    setObjectName(QStringLiteral("minimap"));
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the view"));
    m_updateTimer.setSingleShot(true);
    m_updateTimer.setInterval(30);
    connect(&m_updateTimer, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    hide();
}

void MinimapWidget::scheduleUpdate() {
    if (isVisible() && !m_updateTimer.isActive())
        m_updateTimer.start();
}

QRectF MinimapWidget::sceneArea() const {
    const QRectF nodes = m_view->canvasScene()->nodesBoundingRect();
    return nodes.adjusted(-60, -60, 60, 60);
}

QTransform MinimapWidget::sceneToMap() const {
    const QRectF area = sceneArea();
    const QRectF target = QRectF(rect()).adjusted(8, 8, -8, -8);
    if (area.isEmpty() || target.isEmpty())
        return QTransform();
    const double scale = std::min(target.width() / area.width(), target.height() / area.height());
    const QPointF offset = target.center() - area.center() * scale;
    return QTransform(scale, 0, 0, scale, offset.x(), offset.y());
}

void MinimapWidget::paintEvent(QPaintEvent*) {
    const CanvasColors& colors = m_view->canvasScene()->colors();
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF frame = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    QColor background = colors.nodeFill;
    background.setAlpha(235);
    painter.setPen(QPen(colors.nodeBorder, 1));
    painter.setBrush(background);
    painter.drawRoundedRect(frame, 8, 8);
    painter.setClipRect(rect().adjusted(2, 2, -2, -2));

    const QTransform map = sceneToMap();
    CanvasScene* scene = m_view->canvasScene();
    painter.setPen(QPen(colors.edge, 1));
    for (const EdgeItem* edge : scene->edgeItems()) {
        if (!edge->sourceNode() || !edge->targetNode())
            continue;
        painter.drawLine(map.map(edge->sourceNode()->scenePortPosition(PortKind::Output)),
                         map.map(edge->targetNode()->scenePortPosition(PortKind::Input)));
    }
    painter.setPen(Qt::NoPen);
    auto drawNode = [&](const NodeItem* node, const QColor& color) {
        painter.setBrush(color);
        painter.drawRoundedRect(map.mapRect(QRectF(node->scenePos(), node->size())), 1.5, 1.5);
    };
    drawNode(scene->inputItem(), colors.nodeBorder);
    drawNode(scene->outputItem(), colors.nodeBorder);
    for (const StepItem* step : scene->stepItems()) {
        QColor color =
            step->isSelected() ? colors.selection : Theme::mix(colors.text, colors.nodeFill, 0.55);
        if (!step->problems().isEmpty())
            color = colors.error;
        drawNode(step, color);
    }

    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    QColor fill = colors.selection;
    fill.setAlpha(30);
    painter.setBrush(fill);
    painter.setPen(QPen(colors.selection, 1.5));
    painter.drawRect(map.mapRect(visible));
}

void MinimapWidget::centerViewAt(const QPoint& pos) {
    bool invertible = false;
    const QTransform inverse = sceneToMap().inverted(&invertible);
    if (!invertible)
        return;
    m_view->centerOn(inverse.map(QPointF(pos)));
    update();
}

void MinimapWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton)
        centerViewAt(event->position().toPoint());
    event->accept();
}

void MinimapWidget::mouseReleaseEvent(QMouseEvent* event) {
    event->accept();
}

void MinimapWidget::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton)
        centerViewAt(event->position().toPoint());
    event->accept();
}

} // namespace Aqueduct::Ui
