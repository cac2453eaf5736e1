#include "monitor/MonitorChart.h"

#include <QChart>
#include <QCursor>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QPen>
#include <QToolTip>
#include <QValueAxis>

#include <cmath>

namespace Aqueduct::Ui {

namespace {

constexpr double kShrinkBelow = 0.35;   // data under 35% of the top ...
constexpr qint64 kShrinkAfterMs = 4000; // ... for 4 s lets the axis shrink

QString formatValue(double value) {
    const double magnitude = std::fabs(value);
    if (magnitude >= 1000)
        return QLocale().toString(value, 'f', 0);
    if (magnitude >= 100)
        return QString::number(value, 'f', 0);
    if (magnitude >= 10)
        return QString::number(value, 'f', 1);
    return QString::number(value, 'f', 2);
}

/// Changes range and tick interval in the order that never has a huge number of ticks in
/// between (a 0..20000 range with the old 0.25 interval would lay out 80000 labels).
void setAxisRange(QValueAxis* axis, double min, double max, double interval) {
    if (interval > axis->tickInterval()) {
        axis->setTickInterval(interval);
        axis->setRange(min, max);
    } else {
        axis->setRange(min, max);
        axis->setTickInterval(interval);
    }
}

} // namespace

int tickDecimals(double step) {
    if (!(step > 0) || !std::isfinite(step))
        return 0;
    for (int decimals = 0; decimals < 6; ++decimals) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::fabs(scaled - std::round(scaled)) < 1e-6 * scaled)
            return decimals;
    }
    return 6;
}

QStringList tickLabels(const NiceRange& range) {
    QStringList labels;
    const int decimals = tickDecimals(range.step);
    const int count = int(std::llround(range.top / range.step));
    for (int i = 0; i <= count && i <= 1000; ++i)
        labels << QString::number(i * range.step, 'f', decimals);
    return labels;
}

NiceRange niceRange(double maxValue, int maxIntervals) {
    maxIntervals = std::max(1, maxIntervals);
    if (!(maxValue > 0) || !std::isfinite(maxValue))
        return {1.0 / maxIntervals, 1};
    // At most maxIntervals intervals of a 1-2-2.5-5 step, with ~10% headroom.
    const double target = maxValue * 1.1 / maxIntervals;
    const double power = std::pow(10.0, std::floor(std::log10(target)));
    double step = power;
    for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        step = factor * power;
        if (step >= target)
            break;
    }
    const double top = std::max(step, std::ceil(maxValue * 1.1 / step) * step);
    return {step, top};
}

MonitorChart::MonitorChart(const QString& title, const QString& unit, YScale scale, QWidget* parent)
    : QChartView(parent)
    , m_unit(unit)
    , m_scale(scale)
    , m_axisX(new QValueAxis) // owned by the chart once added
    , m_axisY(new QValueAxis) {
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    chart->setDropShadowEnabled(false);
    chart->setMargins(QMargins(2, 2, 6, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setVisible(false);
    chart->legend()->setAlignment(Qt::AlignTop);
    setChart(chart);
    setTitle(title);
    setRenderHint(QPainter::Antialiasing, true);
    setRubberBand(QChartView::HorizontalRubberBand);
    setMouseTracking(true);
    viewport()->setMouseTracking(true); // values on hover, without a button pressed
    setMinimumSize(200, 96);
    setFrameShape(QFrame::NoFrame);

    QFont axisFont = font();
    axisFont.setPointSizeF(axisFont.pointSizeF() * 0.8);
    for (QValueAxis* axis : {m_axisX, m_axisY}) {
        axis->setLabelsFont(axisFont);
        axis->setTickType(QValueAxis::TicksDynamic);
        axis->setTickAnchor(0);
        axis->setMinorTickCount(0);
    }
    m_axisX->setLabelFormat(QStringLiteral("%.0f s"));
    m_axisX->setTickInterval(5);
    m_axisX->setRange(0, 30);
    m_scale = YScale::Auto == scale ? YScale::Percent : YScale::Auto; // force the first apply
    setScale(scale);
    chart->addAxis(m_axisX, Qt::AlignBottom);
    chart->addAxis(m_axisY, Qt::AlignLeft);
    connect(m_axisX, &QValueAxis::rangeChanged, this, &MonitorChart::onXRangeChanged);
    applyPalette(palette());
}

void MonitorChart::setScale(YScale scale) {
    if (scale == m_scale)
        return;
    m_scale = scale;
    m_lowSince.invalidate();
    if (m_scale == YScale::Percent) {
        setAxisRange(m_axisY, 0, 100, yIntervals() >= 4 ? 25 : 50);
        m_axisY->setLabelFormat(QStringLiteral("%.0f"));
        m_yTop = 100;
    } else {
        const NiceRange range = niceRange(0, yIntervals());
        setAxisRange(m_axisY, 0, range.top, range.step);
        m_axisY->setLabelFormat(QStringLiteral("%.2f"));
        m_yTop = range.top;
    }
}

void MonitorChart::setTitle(const QString& title) {
    QFont titleFont = font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 0.9);
    chart()->setTitleFont(titleFont);
    chart()->setTitle(title);
}

QString MonitorChart::title() const {
    return chart()->title();
}

void MonitorChart::applyPalette(const QPalette& palette) {
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    const QColor grid = palette.color(QPalette::Mid);
    chart()->setBackgroundBrush(base);
    chart()->setPlotAreaBackgroundVisible(false);
    chart()->setTitleBrush(text);
    chart()->legend()->setLabelColor(text);
    setBackgroundBrush(base);
    QColor faintGrid = grid;
    faintGrid.setAlpha(110);
    for (QValueAxis* axis : {m_axisX, m_axisY}) {
        axis->setLabelsColor(text);
        axis->setGridLineColor(faintGrid);
        axis->setLinePenColor(grid);
    }
}

void MonitorChart::setLegendVisible(bool visible) {
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.8);
    chart()->legend()->setFont(legendFont);
    chart()->legend()->setVisible(visible);
    // A legend inside the chart takes a line: keep room for the plot and its labels (the
    // charts scroll in their area when it is short).
    setMinimumHeight(visible ? 140 : 96);
}

void MonitorChart::clearSeries() {
    chart()->removeAllSeries(); // deletes them
    m_series.clear();
    m_order.clear();
}

QLineSeries* MonitorChart::addSeries(const QString& key, const QString& name, const QColor& color,
                                     Qt::PenStyle style, qreal width) {
    auto* series = new QLineSeries;
    series->setName(name);
    QPen pen(color, width);
    pen.setStyle(style);
    pen.setCapStyle(Qt::FlatCap);
    series->setPen(pen);
    chart()->addSeries(series);
    series->attachAxis(m_axisX);
    series->attachAxis(m_axisY);
    m_series.insert(key, series);
    m_order << key;
    return series;
}

void MonitorChart::setPoints(const QString& key, const QList<QPointF>& points) {
    if (QLineSeries* line = m_series.value(key))
        line->replace(points);
}

qsizetype MonitorChart::pointCount() const {
    qsizetype count = 0;
    for (const QLineSeries* line : m_series)
        count += line->count();
    return count;
}

void MonitorChart::setXRange(double minS, double maxS) {
    if (minS == m_axisX->min() && maxS == m_axisX->max())
        return;
    m_settingRange = true;
    const double span = maxS - minS;
    const double interval = span <= 12     ? 2
                            : span <= 40   ? 5
                            : span <= 130  ? 20
                            : span <= 400  ? 60
                            : span <= 1300 ? 300
                                           : 600;
    setAxisRange(m_axisX, minS, maxS, interval);
    m_settingRange = false;
}

double MonitorChart::xMin() const {
    return m_axisX->min();
}

double MonitorChart::xMax() const {
    return m_axisX->max();
}

double MonitorChart::yMax() const {
    return m_axisY->max();
}

void MonitorChart::fitY(double maxValue) {
    if (m_scale == YScale::Percent)
        return;
    const bool grow = maxValue > m_yTop || m_yIntervals != yIntervals();
    bool shrink = false;
    if (maxValue < m_yTop * kShrinkBelow) {
        if (!m_lowSince.isValid())
            m_lowSince.start();
        shrink = m_lowSince.elapsed() >= kShrinkAfterMs;
    } else {
        m_lowSince.invalidate();
    }
    if (!grow && !shrink)
        return;
    m_lowSince.invalidate();
    m_lastMax = maxValue;
    const NiceRange range = niceRange(maxValue, yIntervals());
    m_yTop = range.top;
    m_yIntervals = yIntervals();
    // The label format first: the axis measures its labels when the range changes.
    m_axisY->setLabelFormat(QStringLiteral("%.%1f").arg(tickDecimals(range.step)));
    setAxisRange(m_axisY, 0, range.top, range.step);
}

int MonitorChart::yIntervals() const {
    // QtCharts elides a label to "..." when the space per label is below a text line:
    // short charts get fewer, taller intervals.
    const int lineHeight = QFontMetrics(m_axisY->labelsFont()).height();
    return std::clamp(height() / (2 * lineHeight + 6), 2, 5);
}

void MonitorChart::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    if (m_scale == YScale::Auto && m_yIntervals != yIntervals())
        fitY(m_lastMax);
    // A short percent chart: 0, 50, 100 rather than labels QtCharts would elide.
    if (m_scale == YScale::Percent)
        setAxisRange(m_axisY, 0, 100, yIntervals() >= 4 ? 25 : 50);
}

void MonitorChart::onXRangeChanged(double min, double max) {
    if (m_settingRange)
        return;
    Q_EMIT userZoomed(min, max);
}

QString MonitorChart::hoverText(const QPoint& pos, int tolerancePx) const {
    // The nearest sample by on-screen distance, so a line need not be hit to the pixel.
    const QPointF scenePos = mapToScene(pos);
    const QPointF chartPos = chart()->mapFromScene(scenePos);
    if (!chart()
             ->plotArea()
             .adjusted(-tolerancePx, -tolerancePx, tolerancePx, tolerancePx)
             .contains(chartPos))
        return {};
    const QLineSeries* best = nullptr;
    QPointF bestPoint;
    double bestDistance = double(tolerancePx) * tolerancePx;
    for (const QString& key : m_order) {
        const QLineSeries* line = m_series.value(key);
        if (!line || !line->isVisible())
            continue;
        const QList<QPointF> points = line->points();
        for (const QPointF& point : points) {
            if (point.x() < m_axisX->min() || point.x() > m_axisX->max())
                continue;
            const QPointF screen = chart()->mapToPosition(point, const_cast<QLineSeries*>(line));
            const double dx = screen.x() - chartPos.x();
            const double dy = screen.y() - chartPos.y();
            const double distance = dx * dx + dy * dy;
            if (distance <= bestDistance) {
                bestDistance = distance;
                best = line;
                bestPoint = point;
            }
        }
    }
    if (!best)
        return {};
    return QStringLiteral("<b>%1</b>: %2 %3<br><span style='color:gray'>at %4 s</span>")
        .arg(best->name().toHtmlEscaped(), formatValue(bestPoint.y()), m_unit)
        .arg(bestPoint.x(), 0, 'f', 1);
}

void MonitorChart::mouseMoveEvent(QMouseEvent* event) {
    QChartView::mouseMoveEvent(event);
    const QString text = hoverText(event->position().toPoint());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void MonitorChart::leaveEvent(QEvent* event) {
    QToolTip::hideText();
    QChartView::leaveEvent(event);
}

} // namespace Aqueduct::Ui
