#pragma once

#include "monitor/MetricsHistory.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <vector>

class QButtonGroup;
class QComboBox;
class QGridLayout;
class QHBoxLayout;
class QLabel;
class QToolButton;

namespace Aqueduct::Ui {

class FlowTotalsBar;
class MonitorChart;

/// Live charts of a run (QtCharts). With "All steps": queue fill, throughput, batch fill,
/// handle time and queue wait (p99 solid, p50 dashed) with one colour per step; with one
/// step chosen: its queue depth per lane against capacity, throughput and errors, batch fill
/// and busy share, handle time and queue wait p50/p99. Always: the flow's in-flight count,
/// failures and expiries per second, and the totals bar above.
///
/// Redraws at most maxRedrawHz times a second, only while visible, following the newest
/// data (pause, or a rubber-band zoom, stops following until resumed).
class ChartsWidget final : public QWidget {
    Q_OBJECT
public:
    explicit ChartsWidget(MetricsHistory* history, QWidget* parent = nullptr);

    HistoryWindow window() const { return m_window; }
    void setWindow(HistoryWindow window);
    /// The step shown in detail; empty = all steps.
    QString step() const { return m_step; }
    void setStep(const QString& stepId);

    bool isFollowing() const { return m_following; }
    bool isZoomed() const { return m_zoomed; }
    void pause();
    void resume();

    FlowTotalsBar* totalsBar() const { return m_totals; }
    QList<MonitorChart*> charts() const { return m_charts; }
    /// Chart by name: "queue", "throughput", "batch", "handle", "wait", "flow".
    MonitorChart* chart(const QString& name) const;
    /// Room in the header for the owner's buttons (export).
    void addHeaderWidget(QWidget* widget);

    void setMaxRedrawHz(int hz);
    quint64 redrawCount() const { return m_redraws; }
    /// Redraws now, whatever the rate limit (screenshots, tests).
    void redrawNow();

Q_SIGNALS:
    void followingChanged(bool following);
    void stepChanged(const QString& stepId);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Binding {
        MonitorChart* chart;
        QString key;
        std::function<float(const MetricsSample&)> value;
        bool smooth = false; ///< a half-second trailing mean in the 30 s window
    };

    void onSampleAdded();
    void onHistoryCleared();
    void scheduleRedraw();
    void rebuildSeries();
    void rebuildStepCombo();
    void bind(MonitorChart* chart, const QString& key, const QString& name, const QColor& color,
              Qt::PenStyle style, std::function<float(const MetricsSample&)> value,
              bool smooth = false);
    void onUserZoomed(MonitorChart* source, double minS, double maxS);
    void setFollowing(bool following, bool zoomed);
    void updateLegend();

    MetricsHistory* m_history;
    HistoryWindow m_window = HistoryWindow::Last30s;
    QString m_step;
    bool m_following = true;
    bool m_zoomed = false;
    bool m_dirty = false;
    QStringList m_builtForSteps;
    int m_builtForLanes = 0;
    QString m_builtForStep;
    quint64 m_drawnRevision = 0;

    QHBoxLayout* m_header;
    QComboBox* m_stepCombo;
    QButtonGroup* m_windowButtons;
    QToolButton* m_pauseButton;
    QLabel* m_followLabel;
    QLabel* m_legend;
    FlowTotalsBar* m_totals;
    QGridLayout* m_grid;
    QList<MonitorChart*> m_charts;
    std::vector<Binding> m_bindings;

    QTimer m_redrawTimer;
    QElapsedTimer m_sinceRedraw;
    int m_minRedrawIntervalMs = 200; // 5 Hz: live enough, and half the cost of 10 Hz
    quint64 m_redraws = 0;
};

} // namespace Aqueduct::Ui
