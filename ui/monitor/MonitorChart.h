#pragma once

#include <QChartView>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPointF>

class QLineSeries;
class QValueAxis;

namespace Aqueduct::Ui {

/// One live chart: line series over run time, an x axis that slides with the window, and
/// a y axis that only grows at once and shrinks after the data has stayed well below it
/// for a while (re-ranging every tick makes dashboards flicker and burn CPU). Values on
/// hover; a horizontal rubber band zooms, which the owner treats as "stop following".
class MonitorChart final : public QChartView {
    Q_OBJECT
public:
    enum class YScale { Auto, Percent };

    MonitorChart(const QString& title, const QString& unit, YScale scale = YScale::Auto,
                 QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    const QString& unit() const { return m_unit; }
    void setUnit(const QString& unit) { m_unit = unit; }
    /// Percent: fixed 0..100; Auto: fitY() decides.
    void setScale(YScale scale);

    /// Removes every series (before a different set is added).
    void clearSeries();
    QLineSeries* addSeries(const QString& key, const QString& name, const QColor& color,
                           Qt::PenStyle style = Qt::SolidLine, qreal width = 1.8);
    QLineSeries* series(const QString& key) const { return m_series.value(key); }
    QStringList seriesKeys() const { return m_order; }
    /// Replaces a series' points in one go (one repaint, no per-point signals).
    void setPoints(const QString& key, const QList<QPointF>& points);
    /// Total number of points over all series (tests, diagnostics).
    qsizetype pointCount() const;

    /// Programmatic x range (does not count as a user zoom).
    void setXRange(double minS, double maxS);
    double xMin() const;
    double xMax() const;
    /// Adapts the y range to the largest visible value, with hysteresis.
    void fitY(double maxValue);
    double yMax() const;

    void setLegendVisible(bool visible);
    /// Palette-driven colours (light and dark).
    void applyPalette(const QPalette& palette);

    /// The value under `pos` (viewport coordinates): the nearest sample of any series
    /// within `tolerancePx` pixels, as "series: value unit at time". Empty when none.
    QString hoverText(const QPoint& pos, int tolerancePx = 10) const;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

Q_SIGNALS:
    /// The person changed the x range (rubber band or right-click zoom out).
    void userZoomed(double minS, double maxS);

private:
    void onXRangeChanged(double min, double max);
    int yIntervals() const;

    QString m_unit;
    YScale m_scale;
    QValueAxis* m_axisX;
    QValueAxis* m_axisY;
    QHash<QString, QLineSeries*> m_series;
    QStringList m_order;
    bool m_settingRange = false;
    double m_yTop = 0;
    double m_lastMax = 0;
    int m_yIntervals = 0;
    QElapsedTimer m_lowSince; ///< how long the data has stayed well below the top
};

/// The 1-2-2.5-5 step and top for a y axis showing values up to `maxValue` in at most
/// `maxIntervals` intervals.
struct NiceRange {
    double step = 1;
    double top = 5;
};
NiceRange niceRange(double maxValue, int maxIntervals = 5);
/// Decimals that show every multiple of `step` exactly (2.5 -> 1, 0.25 -> 2, 5 -> 0).
int tickDecimals(double step);
/// The axis labels of `range` as the chart draws them: "0", "2.5", "5", "7.5", ...
QStringList tickLabels(const NiceRange& range);

} // namespace Aqueduct::Ui
