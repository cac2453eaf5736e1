#include "canvas/StepItem.h"

#include "canvas/CanvasMetrics.h"
#include "canvas/CanvasScene.h"
#include "style/Icons.h"
#include "style/Theme.h"

#include <aqueduct/HandlerRegistry.h>

#include <QApplication>
#include <QFontMetricsF>
#include <QHash>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QSvgRenderer>

#include <algorithm>

namespace Aqueduct::Ui {

using namespace CanvasMetrics;

namespace {

/// Category glyphs are drawn white on the accent badge; renderers are cached per name.
QSvgRenderer* glyphRenderer(const QString& iconName) {
    static QHash<QString, QSvgRenderer*> renderers;
    QSvgRenderer*& renderer = renderers[iconName];
    if (!renderer)
        renderer = new QSvgRenderer(Icons::tintedSvg(iconName, QColor(Qt::white)), qApp);
    return renderer;
}

QFont titleFont() {
    QFont font = QApplication::font();
    font.setWeight(QFont::DemiBold);
    return font;
}

QFont subtitleFont() {
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.88);
    return font;
}

QString escaped(const QString& text) {
    return text.toHtmlEscaped();
}

} // namespace

StepItem::StepItem(const StepSpec& step, QGraphicsItem* parent)
    : NodeItem(step.id, parent) {
    setFlags(flags() | ItemIsMovable | ItemIsSelectable | ItemIsFocusable);
    // Painted once per zoom level into a device-resolution pixmap: pans, drags and
    // repaints of large graphs become blits, and text stays crisp at any scale.
    setCacheMode(DeviceCoordinateCache);
    setModelPosition(step.position);
    updateFromSpec(step);
}

QSizeF StepItem::size() const {
    return kStepSize;
}

QString StepItem::fittedSubtitle(const QFontMetricsF& metrics, double width) const {
    // Whole details rather than "2 procs · b…": drop the least important (batch, then
    // procs) until the rest fits; the tooltip has them all.
    for (qsizetype count = m_subtitleParts.size(); count > 1; --count) {
        const QString text = m_subtitleParts.first(count).join(QStringLiteral(" · "));
        if (metrics.horizontalAdvance(text) <= width)
            return text;
    }
    return metrics.elidedText(m_subtitleParts.value(0), Qt::ElideRight, width);
}

void StepItem::updateFromSpec(const StepSpec& step) {
    setNodeId(step.id);
    m_title = step.label.isEmpty() ? step.id : step.label;
    const HandlerInfo* info = HandlerRegistry::global().find(step.handler);
    m_unknownHandler = info == nullptr;
    m_category = info ? info->category : QString();
    m_description = info ? info->description : QString();
    m_accent = m_unknownHandler ? QColor(0x8a, 0x8f, 0x98) : Theme::categoryColor(m_category);

    QStringList details;
    details << (step.handler.isEmpty() ? tr("no handler") : step.handler);
    if (step.nprocs != 1)
        details << tr("%1 procs").arg(step.nprocs);
    if (step.batchSize != 1)
        details << tr("batch %1").arg(step.batchSize);
    m_subtitleParts = details;
    m_condition = step.condition;
    m_hasCondition = !step.condition.trimmed().isEmpty();
    updateToolTip();
    update();
}

void StepItem::setProblems(const QList<Problem>& problems) {
    if (problems.size() == m_problems.size()) {
        bool same = true;
        for (int i = 0; i < problems.size() && same; ++i)
            same = problems[i].message == m_problems[i].message &&
                   problems[i].severity == m_problems[i].severity;
        if (same)
            return;
    }
    m_problems = problems;
    updateToolTip();
    update();
}

void StepItem::setLiveStatus(int workersAlive, int workersWanted, double busyShare, qint64 errors) {
    m_live.active = true;
    m_live.workersAlive = workersAlive;
    m_live.workersWanted = workersWanted;
    m_live.busyShare = std::clamp(busyShare, 0.0, 1.0);
    m_live.errors = errors;
    update();
}

void StepItem::setBatchFill(double tasksPerBatch, int batchSize) {
    m_live.tasksPerBatch = std::max(0.0, tasksPerBatch);
    m_live.batchSize = std::max(1, batchSize);
    update();
}

QString StepItem::batchFillText() const {
    if (!m_live.active || m_live.batchSize <= 1)
        return {};
    const QString mean = m_live.tasksPerBatch > 0 ? QString::number(m_live.tasksPerBatch, 'f', 1)
                                                  : QStringLiteral("–");
    return tr("batch %1/%2").arg(mean).arg(m_live.batchSize);
}

void StepItem::clearLiveStatus() {
    m_live = {};
    update();
}

void StepItem::updateToolTip() {
    QString html = QStringLiteral("<b>%1</b>").arg(escaped(m_title));
    if (m_title != nodeId())
        html += QStringLiteral(" <span style='color:gray'>(%1)</span>").arg(escaped(nodeId()));
    if (!m_description.isEmpty())
        html += QStringLiteral("<br>%1").arg(escaped(m_description));
    if (m_hasCondition)
        html += tr("<br>Handles a task only if: <code>%1</code>").arg(escaped(m_condition));
    if (!m_problems.isEmpty()) {
        html += QStringLiteral("<hr>");
        for (const Problem& problem : std::as_const(m_problems)) {
            const bool error = problem.severity == Problem::Severity::Error;
            html += QStringLiteral("<div style='color:%1'>%2 %3</div>")
                        .arg(error ? Theme::errorColor().name() : Theme::warningColor().name(),
                             error ? QStringLiteral("●") : QStringLiteral("▲"),
                             escaped(problem.message));
        }
    }
    setToolTip(html);
}

void StepItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const auto* canvas = qobject_cast<const CanvasScene*>(scene());
    const CanvasColors colors = canvas ? canvas->colors() : CanvasColors::fromPalette(QPalette());
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF card(QPointF(0, 0), size());
    painter->setRenderHint(QPainter::Antialiasing);

    // Shadow, card, accent stripe.
    painter->setPen(Qt::NoPen);
    painter->setBrush(colors.nodeShadow);
    painter->drawRoundedRect(card.translated(0, 2), kCornerRadius, kCornerRadius);

    const bool selected = isSelected();
    painter->setBrush(colors.nodeFill);
    painter->setPen(QPen(selected ? colors.selection : colors.nodeBorder, selected ? 2.2 : 1.0));
    painter->drawRoundedRect(card, kCornerRadius, kCornerRadius);

    if (lod < 0.35) {
        // Far zoomed out: a coloured block reads better than unreadable text.
        painter->setPen(Qt::NoPen);
        painter->setBrush(m_accent);
        painter->drawRoundedRect(QRectF(10, 10, 44, 44), 6, 6);
        if (!m_problems.isEmpty()) {
            painter->setBrush(colors.error);
            painter->drawEllipse(QPointF(card.right() - 4, 4), 9, 9);
        }
        return;
    }

    // Category badge with the white glyph.
    const QRectF badge(12, 15, 34, 34);
    painter->setPen(Qt::NoPen);
    painter->setBrush(m_accent);
    painter->drawRoundedRect(badge, 8, 8);
    glyphRenderer(Theme::categoryIconName(m_category))
        ->render(painter, badge.adjusted(7, 7, -7, -7));

    // Title and details.
    const double textLeft = badge.right() + 10;
    const double textWidth = card.width() - textLeft - 14;
    const QFont title = titleFont();
    const QFont subtitle = subtitleFont();
    const QFontMetricsF titleMetrics(title);
    const QFontMetricsF subtitleMetrics(subtitle);
    const double blockHeight = titleMetrics.height() + 3 + subtitleMetrics.height();
    const double top = (card.height() - blockHeight) / 2;

    painter->setFont(title);
    painter->setPen(colors.text);
    double titleWidth = textWidth;
    if (m_hasCondition)
        titleWidth -= 22;
    painter->drawText(QRectF(textLeft, top, titleWidth, titleMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(m_title, Qt::ElideRight, titleWidth));
    if (m_hasCondition) {
        // A small "if" chip: this step only handles some tasks.
        const QRectF chip(card.width() - 14 - 20, top + 1, 20, titleMetrics.height() - 2);
        painter->setPen(QPen(colors.secondaryText, 1));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(chip, 4, 4);
        painter->setFont(subtitle);
        painter->drawText(chip, Qt::AlignCenter, QStringLiteral("if"));
    }

    painter->setFont(subtitle);
    painter->setPen(m_unknownHandler ? colors.error : colors.secondaryText);
    painter->drawText(
        QRectF(textLeft, top + titleMetrics.height() + 3, textWidth, subtitleMetrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter, fittedSubtitle(subtitleMetrics, textWidth));

    paintPorts(painter);

    if (m_live.active)
        paintLiveStatus(painter, card, colors);

    // Problem marker on the top-right corner.
    if (!m_problems.isEmpty()) {
        bool anyError = false;
        for (const Problem& problem : std::as_const(m_problems))
            anyError = anyError || problem.severity == Problem::Severity::Error;
        const QPointF center(card.right() - 2, card.top() + 2);
        painter->setPen(QPen(colors.nodeFill, 2));
        painter->setBrush(anyError ? colors.error : colors.warning);
        painter->drawEllipse(center, 9, 9);
        QFont markFont = subtitle;
        markFont.setBold(true);
        painter->setFont(markFont);
        painter->setPen(Qt::white);
        const QString mark = m_problems.size() > 1 && m_problems.size() < 10
                                 ? QString::number(m_problems.size())
                                 : QStringLiteral("!");
        painter->drawText(QRectF(center.x() - 9, center.y() - 9, 18, 18), Qt::AlignCenter, mark);
    }
}

void StepItem::paintLiveStatus(QPainter* painter, const QRectF& card,
                               const CanvasColors& colors) const {
    // Busy share as a thin bar along the bottom edge, inside the card.
    const QRectF track(card.left() + 12, card.bottom() - 7, card.width() - 24, 3);
    painter->setPen(Qt::NoPen);
    painter->setBrush(Theme::mix(m_accent, QColor(128, 128, 128), 0.7));
    painter->drawRoundedRect(track, 1.5, 1.5);
    QRectF busy = track;
    busy.setWidth(track.width() * m_live.busyShare);
    painter->setBrush(m_accent);
    painter->drawRoundedRect(busy, 1.5, 1.5);

    // Workers alive / wanted as a pill on the top edge (green all alive, red otherwise).
    const bool healthy = m_live.workersAlive >= m_live.workersWanted;
    const QString workers =
        QStringLiteral("%1/%2").arg(m_live.workersAlive).arg(m_live.workersWanted);
    QFont font = subtitleFont();
    font.setBold(true);
    const QFontMetricsF metrics(font);
    QRectF pill(0, 0, metrics.horizontalAdvance(workers) + 14, metrics.height() + 2);
    pill.moveCenter(QPointF(card.center().x(), card.top()));
    painter->setBrush(healthy ? Theme::okColor() : Theme::errorColor());
    painter->drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(pill, Qt::AlignCenter, workers);

    // Batch fill (mean tasks per batch of batch_size) as a quiet pill on the left: how
    // well a batched step, such as a model, fills its batches under the current load.
    if (const QString batch = batchFillText(); !batch.isEmpty()) {
        QRectF batchPill(0, 0, metrics.horizontalAdvance(batch) + 14, metrics.height() + 2);
        batchPill.moveTopLeft(QPointF(card.left() + 12, card.top() - batchPill.height() / 2));
        painter->setPen(QPen(colors.nodeBorder, 1));
        painter->setBrush(colors.nodeFill);
        painter->drawRoundedRect(batchPill, batchPill.height() / 2, batchPill.height() / 2);
        painter->setPen(colors.secondaryText);
        painter->drawText(batchPill, Qt::AlignCenter, batch);
        painter->setPen(Qt::NoPen);
    }

    if (m_live.errors > 0) {
        const QString errors = QStringLiteral("⚠ %1").arg(m_live.errors);
        QRectF badge(0, 0, metrics.horizontalAdvance(errors) + 12, metrics.height() + 2);
        badge.moveCenter(QPointF(pill.right() + 6 + badge.width() / 2, card.top()));
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::errorColor());
        painter->drawRoundedRect(badge, badge.height() / 2, badge.height() / 2);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, errors);
    }
}

} // namespace Aqueduct::Ui
