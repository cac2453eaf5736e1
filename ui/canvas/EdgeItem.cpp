#include "canvas/EdgeItem.h"

#include "canvas/CanvasMetrics.h"
#include "canvas/CanvasScene.h"
#include "canvas/NodeItem.h"
#include "style/Theme.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace Aqueduct::Ui {

using namespace CanvasMetrics;

namespace {

QFont labelFont() {
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    return font;
}

constexpr double kLabelMaxWidth = 170;
constexpr double kArrowLength = 9;

} // namespace

EdgeItem::EdgeItem(NodeItem* source, NodeItem* target, QGraphicsItem* parent)
    : QGraphicsItem(parent)
    , m_source(source)
    , m_target(target) {
    setFlag(ItemIsSelectable);
    setZValue(-1);
    setAcceptHoverEvents(true);
    m_source->attachEdge(this);
    m_target->attachEdge(this);
    updateGeometry();
}

EdgeItem::~EdgeItem() {
    if (m_source)
        m_source->detachEdge(this);
    if (m_target)
        m_target->detachEdge(this);
}

void EdgeItem::nodeDestroyed(NodeItem* node) {
    if (m_source == node)
        m_source = nullptr;
    if (m_target == node)
        m_target = nullptr;
}

void EdgeItem::setEdge(int index, const EdgeSpec& spec, bool implicit) {
    const bool labelChanged = spec.when != m_spec.when;
    m_index = index;
    m_implicit = implicit;
    m_spec = spec;
    if (labelChanged)
        updateGeometry();
    updateToolTip();
    update();
}

void EdgeItem::setProblems(const QList<Problem>& problems) {
    if (problems.isEmpty() && m_problems.isEmpty())
        return;
    m_problems = problems;
    updateToolTip();
    update();
}

void EdgeItem::setQueueFill(double fill) {
    const double value = fill < 0 ? -1 : std::clamp(fill, 0.0, 1.0);
    if (value == m_queueFill)
        return;
    const bool visibilityChanged = (value < 0) != (m_queueFill < 0);
    m_queueFill = value;
    if (visibilityChanged)
        updateGeometry();
    update();
}

QColor EdgeItem::queueFillColor(double fill) {
    if (fill < 0.60)
        return Theme::okColor();
    if (fill < 0.85)
        return Theme::warningColor();
    return Theme::errorColor();
}

QPainterPath EdgeItem::curve(const QPointF& from, const QPointF& to) {
    const double dx = to.x() - from.x();
    // Forward edges bow gently; backward ones swing out so they do not cut through nodes.
    const double reach =
        dx >= 0 ? std::max(40.0, dx * 0.5) : std::max(80.0, std::min(-dx * 0.6, 220.0) + 40);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(reach, 0), to - QPointF(reach, 0), to);
    return path;
}

void EdgeItem::routeAroundNodes(const QPointF& from, const QPointF& to) {
    // A forward edge whose curve would cross another node passes above or below the nodes
    // in the way instead (whichever side is nearer), so it never reads as going through one.
    if (!scene() || to.x() - from.x() < 2 * kStepSize.width() / 3)
        return;
    QRectF blocked;
    // (A straight edge has a bounding box of zero height, which intersects nothing.)
    const QRectF search = m_path.boundingRect().adjusted(-2, -8, 2, 8);
    for (QGraphicsItem* item : scene()->items(search, Qt::IntersectsItemBoundingRect)) {
        auto* node = dynamic_cast<NodeItem*>(item);
        if (!node || node == m_source || node == m_target)
            continue;
        const QRectF rect = node->sceneBoundingRect().adjusted(-6, -6, 6, 6);
        if (m_path.intersects(rect))
            blocked |= rect;
    }
    if (blocked.isNull() || blocked.left() <= from.x() || blocked.right() >= to.x())
        return;
    const double middle = (from.y() + to.y()) / 2;
    const double detourY = std::abs(blocked.top() - middle) <= std::abs(blocked.bottom() - middle)
                               ? blocked.top() - 14
                               : blocked.bottom() + 14;
    const double inReach = std::max(30.0, (blocked.left() - from.x()) * 0.5);
    const double outReach = std::max(30.0, (to.x() - blocked.right()) * 0.5);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(inReach, 0), QPointF(blocked.left() - inReach, detourY),
                 QPointF(blocked.left(), detourY));
    path.lineTo(blocked.right(), detourY);
    path.cubicTo(QPointF(blocked.right() + outReach, detourY), to - QPointF(outReach, 0), to);
    m_path = path;
}

QRectF EdgeItem::labelRect() const {
    QSizeF size;
    if (!m_spec.when.isEmpty()) {
        const QFontMetricsF metrics(labelFont());
        const double textWidth = std::min(metrics.horizontalAdvance(m_spec.when), kLabelMaxWidth);
        size = QSizeF(textWidth + 16, metrics.height() + 6);
    }
    if (m_queueFill >= 0) {
        // Short edges get a shorter bar, so it never hides the arrow.
        const double barWidth = std::clamp(m_path.length() * 0.45, 28.0, 60.0);
        size = QSizeF(std::max(size.width(), barWidth), size.height() + 13);
    }
    QRectF rect(QPointF(), size);
    rect.moveCenter(m_labelCenter);
    return rect;
}

void EdgeItem::updateGeometry() {
    if (!m_source || !m_target)
        return;
    prepareGeometryChange();
    const QPointF from = m_source->scenePortPosition(PortKind::Output) + QPointF(kPortRadius, 0);
    m_end = m_target->scenePortPosition(PortKind::Input) - QPointF(kPortRadius + 1, 0);
    m_path = curve(from, m_end - QPointF(kArrowLength - 2, 0));
    routeAroundNodes(from, m_end - QPointF(kArrowLength - 2, 0));
    m_labelCenter = m_path.pointAtPercent(0.5);

    QPainterPathStroker stroker;
    stroker.setWidth(12);
    stroker.setCapStyle(Qt::RoundCap);
    m_shape = stroker.createStroke(m_path);
    const QRectF label = labelRect();
    if (!label.isEmpty())
        m_shape.addRoundedRect(label, 6, 6);
    m_bounds = m_shape.boundingRect()
                   .adjusted(-4, -4, 4, 4)
                   .united(QRectF(m_end, QSizeF(1, 1)).adjusted(-kArrowLength - 2, -8, 2, 8));
}

QRectF EdgeItem::boundingRect() const {
    return m_bounds;
}

QPainterPath EdgeItem::shape() const {
    return m_shape;
}

void EdgeItem::updateToolTip() {
    QString tip = QStringLiteral("<b>%1 → %2</b>")
                      .arg(m_spec.from.toHtmlEscaped(), m_spec.to.toHtmlEscaped());
    if (!m_spec.when.isEmpty())
        tip += QObject::tr("<br>when <code>%1</code>").arg(m_spec.when.toHtmlEscaped());
    if (m_implicit)
        tip += QObject::tr("<br><i>Implicit chain (no edges in the file): connecting or "
                           "editing makes all edges explicit.</i>");
    for (const Problem& problem : std::as_const(m_problems))
        tip += QStringLiteral("<div style='color:%1'>● %2</div>")
                   .arg(Theme::errorColor().name(), problem.message.toHtmlEscaped());
    setToolTip(tip);
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    if (!m_source || !m_target)
        return;
    const auto* canvas = qobject_cast<const CanvasScene*>(scene());
    const CanvasColors colors = canvas ? canvas->colors() : CanvasColors::fromPalette(QPalette());
    painter->setRenderHint(QPainter::Antialiasing);

    QColor color = colors.edge;
    if (!m_problems.isEmpty())
        color = colors.error;
    if (isSelected())
        color = colors.selection;
    QPen pen(color, isSelected() ? 2.6 : 1.8, m_implicit ? Qt::DashLine : Qt::SolidLine,
             Qt::RoundCap, Qt::RoundJoin);
    if (m_implicit)
        pen.setDashPattern({4, 3});
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);

    // Arrow head pointing into the input port (the curve ends horizontally).
    QPolygonF arrow;
    arrow << m_end << m_end + QPointF(-kArrowLength, -5) << m_end + QPointF(-kArrowLength, 5);
    painter->setPen(QPen(color, 1.2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter->setBrush(color);
    painter->drawPolygon(arrow);

    const QRectF label = labelRect();
    if (label.isEmpty())
        return;
    painter->setPen(QPen(color, 1.2));
    painter->setBrush(colors.labelFill);
    painter->drawRoundedRect(label, 6, 6);
    QRectF textArea = label.adjusted(8, 2, -8, -2);
    if (!m_spec.when.isEmpty()) {
        const QFont font = labelFont();
        const QFontMetricsF metrics(font);
        painter->setFont(font);
        painter->setPen(isSelected() ? colors.selection : colors.text);
        const QRectF textRect(textArea.left(), textArea.top(), textArea.width(), metrics.height());
        painter->drawText(textRect, Qt::AlignCenter,
                          metrics.elidedText(m_spec.when, Qt::ElideRight, kLabelMaxWidth));
    }
    if (m_queueFill >= 0) {
        const QRectF track(label.left() + 7, label.bottom() - 11, label.width() - 14, 7);
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::mix(colors.nodeFill, colors.text, 0.15));
        painter->drawRoundedRect(track, 3, 3);
        QRectF filled = track;
        filled.setWidth(std::max(track.width() * m_queueFill, m_queueFill > 0 ? 2.0 : 0.0));
        painter->setBrush(queueFillColor(m_queueFill));
        painter->drawRoundedRect(filled, 3, 3);
    }
}

} // namespace Aqueduct::Ui
