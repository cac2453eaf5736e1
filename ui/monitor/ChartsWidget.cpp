#include "monitor/ChartsWidget.h"

#include "monitor/FlowTotalsBar.h"
#include "monitor/MonitorChart.h"
#include "monitor/MonitorColors.h"
#include "style/Icons.h"
#include "style/Theme.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <array>

namespace Aqueduct::Ui {

namespace {

const QString kQueue = QStringLiteral("queue");
const QString kThroughput = QStringLiteral("throughput");
const QString kBatch = QStringLiteral("batch");
const QString kHandle = QStringLiteral("handle");
const QString kWait = QStringLiteral("wait");
const QString kFlow = QStringLiteral("flow");

/// Accessor of step `index` in a sample (zero when the sample has no such step).
template <typename F> std::function<float(const MetricsSample&)> stepValue(int index, F field) {
    return [index, field](const MetricsSample& sample) -> float {
        return std::size_t(index) < sample.steps.size() ? field(sample.steps[std::size_t(index)])
                                                        : 0.0f;
    };
}

} // namespace

ChartsWidget::ChartsWidget(MetricsHistory* history, QWidget* parent)
    : QWidget(parent)
    , m_history(history) {
    setObjectName(QStringLiteral("monitorCharts"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    // Header: step, window, pause/resume, follow status, owner's buttons.
    m_header = new QHBoxLayout;
    m_header->setContentsMargins(8, 4, 8, 0);
    m_header->setSpacing(6);
    auto* stepLabel = new QLabel(tr("Step:"), this);
    m_stepCombo = new QComboBox(this);
    m_stepCombo->setObjectName(QStringLiteral("chartStep"));
    m_stepCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_stepCombo->setToolTip(tr("Show all steps together, or one step in detail (also: select "
                               "a step on the canvas)"));
    m_stepCombo->addItem(tr("All steps"), QString());
    stepLabel->setBuddy(m_stepCombo);
    m_header->addWidget(stepLabel);
    m_header->addWidget(m_stepCombo);
    m_header->addSpacing(12);
    m_header->addWidget(new QLabel(tr("Window:"), this));
    m_windowButtons = new QButtonGroup(this);
    m_windowButtons->setExclusive(true);
    for (HistoryWindow window :
         {HistoryWindow::Last30s, HistoryWindow::Last5min, HistoryWindow::Last1h}) {
        auto* button = new QToolButton(this);
        button->setText(historyWindowName(window));
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setObjectName(QStringLiteral("window_%1").arg(int(window)));
        button->setToolTip(tr("Show the last %1").arg(historyWindowName(window)));
        m_windowButtons->addButton(button, int(window));
        m_header->addWidget(button);
    }
    m_windowButtons->button(int(m_window))->setChecked(true);
    m_header->addSpacing(12);
    m_pauseButton = new QToolButton(this);
    m_pauseButton->setObjectName(QStringLiteral("chartPause"));
    m_pauseButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_pauseButton->setAutoRaise(true);
    m_header->addWidget(m_pauseButton);
    m_followLabel = new QLabel(this);
    m_followLabel->setForegroundRole(QPalette::PlaceholderText);
    m_header->addWidget(m_followLabel);
    m_header->addStretch(1);
    layout->addLayout(m_header);

    m_totals = new FlowTotalsBar(this);
    layout->addWidget(m_totals);
    m_legend = new QLabel(this);
    m_legend->setObjectName(QStringLiteral("chartLegend"));
    m_legend->setContentsMargins(10, 0, 8, 0);
    m_legend->setTextFormat(Qt::RichText);
    layout->addWidget(m_legend);

    // The charts scroll when the area is short (720p with the panels open), so the
    // splitter can keep the canvas usable instead of yielding to their minimum height.
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("chartsScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumHeight(120);
    auto* gridHost = new QWidget(scroll);
    m_grid = new QGridLayout(gridHost);
    m_grid->setContentsMargins(4, 0, 4, 4);
    m_grid->setSpacing(4);
    auto addChart = [this](const QString& name, const QString& title, const QString& unit,
                           MonitorChart::YScale scale, int row, int column) {
        auto* chart = new MonitorChart(title, unit, scale, m_grid->parentWidget());
        chart->setObjectName(QStringLiteral("chart_") + name);
        connect(chart, &MonitorChart::userZoomed, this,
                [this, chart](double minS, double maxS) { onUserZoomed(chart, minS, maxS); });
        m_grid->addWidget(chart, row, column);
        m_charts << chart;
    };
    addChart(kQueue, QString(), QStringLiteral("%"), MonitorChart::YScale::Auto, 0, 0);
    addChart(kThroughput, tr("Throughput"), tr("tasks/s"), MonitorChart::YScale::Auto, 0, 1);
    addChart(kBatch, QString(), QStringLiteral("%"), MonitorChart::YScale::Percent, 0, 2);
    addChart(kHandle, tr("Handle time per batch (ms)"), tr("ms"), MonitorChart::YScale::Auto, 1, 0);
    addChart(kWait, tr("Queue wait (ms)"), tr("ms"), MonitorChart::YScale::Auto, 1, 1);
    addChart(kFlow, tr("Flow: in flight, failures"), QString(), MonitorChart::YScale::Auto, 1, 2);
    for (int column = 0; column < 3; ++column)
        m_grid->setColumnStretch(column, 1);
    scroll->setWidget(gridHost);
    layout->addWidget(scroll, 1);

    connect(m_stepCombo, &QComboBox::activated, this,
            [this](int index) { setStep(m_stepCombo->itemData(index).toString()); });
    connect(m_windowButtons, &QButtonGroup::idClicked, this,
            [this](int id) { setWindow(HistoryWindow(id)); });
    connect(m_pauseButton, &QToolButton::clicked, this, [this] {
        if (m_following)
            pause();
        else
            resume();
    });
    connect(m_history, &MetricsHistory::sampleAdded, this, &ChartsWidget::onSampleAdded);
    connect(m_history, &MetricsHistory::cleared, this, &ChartsWidget::onHistoryCleared);
    m_redrawTimer.setSingleShot(true);
    connect(&m_redrawTimer, &QTimer::timeout, this, &ChartsWidget::redrawNow);

    setFollowing(true, false);
    rebuildSeries();
}

MonitorChart* ChartsWidget::chart(const QString& name) const {
    for (MonitorChart* chart : m_charts) {
        if (chart->objectName() == QStringLiteral("chart_") + name)
            return chart;
    }
    return nullptr;
}

void ChartsWidget::addHeaderWidget(QWidget* widget) {
    m_header->addWidget(widget);
}

void ChartsWidget::setMaxRedrawHz(int hz) {
    m_minRedrawIntervalMs = hz > 0 ? 1000 / hz : 0;
}

void ChartsWidget::setWindow(HistoryWindow window) {
    m_windowButtons->button(int(window))->setChecked(true);
    m_window = window;
    m_drawnRevision = 0;
    // A different window means "show me the latest": follow again.
    setFollowing(true, false);
    redrawNow();
}

void ChartsWidget::setStep(const QString& stepId) {
    if (stepId == m_step)
        return;
    m_step = stepId;
    const int index = m_stepCombo->findData(stepId);
    if (index >= 0)
        m_stepCombo->setCurrentIndex(index);
    rebuildSeries();
    redrawNow();
    Q_EMIT stepChanged(stepId);
}

void ChartsWidget::pause() {
    setFollowing(false, false);
}

void ChartsWidget::resume() {
    setFollowing(true, false);
    redrawNow();
}

void ChartsWidget::setFollowing(bool following, bool zoomed) {
    const bool changed = following != m_following;
    m_following = following;
    m_zoomed = zoomed && !following;
    m_pauseButton->setIcon(
        Icons::icon(following ? QStringLiteral("pause") : QStringLiteral("run")));
    m_pauseButton->setText(following ? tr("Pause") : tr("Resume"));
    m_pauseButton->setToolTip(following ? tr("Freeze the charts (data keeps being collected)")
                                        : tr("Follow the newest data again"));
    m_followLabel->setText(following  ? QString()
                           : m_zoomed ? tr("Zoomed — auto-follow off")
                                      : tr("Paused"));
    if (changed)
        Q_EMIT followingChanged(following);
}

void ChartsWidget::onUserZoomed(MonitorChart* source, double minS, double maxS) {
    // One time axis for all charts: the zoom applies everywhere and stops following.
    for (MonitorChart* chart : std::as_const(m_charts)) {
        if (chart != source)
            chart->setXRange(minS, maxS);
    }
    setFollowing(false, true);
}

void ChartsWidget::onHistoryCleared() {
    m_totals->clear();
    rebuildSeries(); // no steps: no lines, an empty legend
    m_drawnRevision = 0;
    setFollowing(true, false);
    redrawNow();
}

void ChartsWidget::onSampleAdded() {
    if (m_history->stepIds() != m_builtForSteps || m_history->laneCount() != m_builtForLanes)
        rebuildSeries();
    m_dirty = true;
    scheduleRedraw();
}

void ChartsWidget::scheduleRedraw() {
    if (!m_following || !isVisible())
        return; // drawn when shown or resumed
    if (m_history->revision(m_window) == m_drawnRevision)
        return; // the window's tier has nothing new (5 min / 1 h: 1 and 0.1 per second)
    const qint64 sinceMs =
        m_sinceRedraw.isValid() ? m_sinceRedraw.elapsed() : qint64(m_minRedrawIntervalMs);
    if (sinceMs >= m_minRedrawIntervalMs)
        redrawNow();
    else if (!m_redrawTimer.isActive())
        m_redrawTimer.start(int(m_minRedrawIntervalMs - sinceMs));
}

void ChartsWidget::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_dirty)
        scheduleRedraw();
}

void ChartsWidget::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        for (MonitorChart* chart : std::as_const(m_charts))
            chart->applyPalette(palette());
        updateLegend();
    }
}

void ChartsWidget::rebuildStepCombo() {
    m_stepCombo->blockSignals(true);
    while (m_stepCombo->count() > 1)
        m_stepCombo->removeItem(1);
    for (int i = 0; i < m_history->stepIds().size(); ++i) {
        const QString& id = m_history->stepIds()[i];
        QPixmap swatch(10, 10);
        swatch.fill(MonitorColors::stepColor(i));
        m_stepCombo->addItem(QIcon(swatch), id, id);
    }
    const int index = m_stepCombo->findData(m_step);
    m_stepCombo->setCurrentIndex(index >= 0 ? index : 0);
    m_stepCombo->blockSignals(false);
}

void ChartsWidget::bind(MonitorChart* chart, const QString& key, const QString& name,
                        const QColor& color, Qt::PenStyle style,
                        std::function<float(const MetricsSample&)> value, bool smooth) {
    chart->addSeries(key, name, color, style, style == Qt::SolidLine ? 1.8 : 1.4);
    m_bindings.push_back({chart, key, std::move(value), smooth});
}

void ChartsWidget::rebuildSeries() {
    if (m_history->stepIds() != m_builtForSteps)
        rebuildStepCombo();
    m_builtForSteps = m_history->stepIds();
    m_builtForLanes = m_history->laneCount();
    m_builtForStep = m_step;
    m_bindings.clear();
    for (MonitorChart* chart : std::as_const(m_charts))
        chart->clearSeries();
    m_drawnRevision = 0;

    MonitorChart* queue = chart(kQueue);
    MonitorChart* throughput = chart(kThroughput);
    MonitorChart* batch = chart(kBatch);
    MonitorChart* handle = chart(kHandle);
    MonitorChart* wait = chart(kWait);
    MonitorChart* flow = chart(kFlow);
    const int stepIndex = m_step.isEmpty() ? -1 : int(m_builtForSteps.indexOf(m_step));
    const QColor muted =
        Theme::mix(palette().color(QPalette::Text), palette().color(QPalette::Base), 0.45);

    if (stepIndex < 0) {
        queue->setTitle(tr("Queue fill (fullest lane, %)"));
        queue->setScale(MonitorChart::YScale::Percent);
        queue->setUnit(QStringLiteral("%"));
        batch->setTitle(tr("Batch fill (% of batch size)"));
        throughput->setTitle(tr("Throughput (tasks/s)"));
        handle->setTitle(tr("Handle time per batch (ms)"));
        wait->setTitle(tr("Queue wait (ms)"));
        for (int i = 0; i < m_builtForSteps.size(); ++i) {
            const QString& id = m_builtForSteps[i];
            const QColor color = MonitorColors::stepColor(i);
            bind(queue, QStringLiteral("q%1").arg(i), id, color, Qt::SolidLine,
                 stepValue(i, [](const StepSample& s) { return 100.0f * s.queueFill(); }), true);
            bind(throughput, QStringLiteral("t%1").arg(i), id, color, Qt::SolidLine,
                 stepValue(i, [](const StepSample& s) { return s.throughputPerS; }));
            bind(batch, QStringLiteral("b%1").arg(i), id, color, Qt::SolidLine,
                 stepValue(i, [](const StepSample& s) { return s.batchFillPct; }));
            bind(handle, QStringLiteral("h99_%1").arg(i), id + QStringLiteral(" p99"), color,
                 Qt::SolidLine, stepValue(i, [](const StepSample& s) { return s.handleP99Ms; }));
            bind(handle, QStringLiteral("h50_%1").arg(i), id + QStringLiteral(" p50"), color,
                 Qt::DashLine, stepValue(i, [](const StepSample& s) { return s.handleP50Ms; }));
            bind(wait, QStringLiteral("w99_%1").arg(i), id + QStringLiteral(" p99"), color,
                 Qt::SolidLine, stepValue(i, [](const StepSample& s) { return s.queueWaitP99Ms; }));
            bind(wait, QStringLiteral("w50_%1").arg(i), id + QStringLiteral(" p50"), color,
                 Qt::DashLine, stepValue(i, [](const StepSample& s) { return s.queueWaitP50Ms; }));
        }
        for (MonitorChart* chart : std::as_const(m_charts))
            chart->setLegendVisible(false);
    } else {
        const QColor color = MonitorColors::stepColor(stepIndex);
        const int i = stepIndex;
        queue->setTitle(tr("Queue depth of %1 (per priority lane)").arg(m_step));
        queue->setScale(MonitorChart::YScale::Auto);
        queue->setUnit(tr("tasks"));
        batch->setTitle(tr("Batch fill and busy share of %1 (%)").arg(m_step));
        throughput->setTitle(tr("Throughput of %1 (tasks/s)").arg(m_step));
        handle->setTitle(tr("Handle time of %1 (ms)").arg(m_step));
        wait->setTitle(tr("Queue wait of %1 (ms)").arg(m_step));
        for (int lane = m_builtForLanes - 1; lane >= 0; --lane) {
            bind(queue, QStringLiteral("lane%1").arg(lane), tr("priority %1").arg(lane),
                 MonitorColors::laneColor(lane), Qt::SolidLine,
                 stepValue(i, [lane](const StepSample& s) {
                     return std::size_t(lane) < s.laneDepth.size() ? s.laneDepth[std::size_t(lane)]
                                                                   : 0.0f;
                 }));
        }
        bind(queue, QStringLiteral("capacity"), tr("capacity"), Theme::errorColor(), Qt::DashLine,
             stepValue(i, [](const StepSample& s) { return float(s.queueCapacity); }));
        bind(throughput, QStringLiteral("out"), tr("tasks out/s"), color, Qt::SolidLine,
             stepValue(i, [](const StepSample& s) { return s.throughputPerS; }));
        bind(throughput, QStringLiteral("errors"), tr("errors/s"), Theme::errorColor(),
             Qt::SolidLine, stepValue(i, [](const StepSample& s) { return s.errorsPerS; }));
        bind(batch, QStringLiteral("fill"), tr("batch fill"), color, Qt::SolidLine,
             stepValue(i, [](const StepSample& s) { return s.batchFillPct; }));
        bind(batch, QStringLiteral("busy"), tr("busy"), muted, Qt::DashLine,
             stepValue(i, [](const StepSample& s) { return 100.0f * s.busyShare; }));
        bind(handle, QStringLiteral("p99"), tr("p99"), color, Qt::SolidLine,
             stepValue(i, [](const StepSample& s) { return s.handleP99Ms; }));
        bind(handle, QStringLiteral("p50"), tr("p50"), color, Qt::DashLine,
             stepValue(i, [](const StepSample& s) { return s.handleP50Ms; }));
        bind(wait, QStringLiteral("p99"), tr("p99"), color, Qt::SolidLine,
             stepValue(i, [](const StepSample& s) { return s.queueWaitP99Ms; }));
        bind(wait, QStringLiteral("p50"), tr("p50"), color, Qt::DashLine,
             stepValue(i, [](const StepSample& s) { return s.queueWaitP50Ms; }));
        for (MonitorChart* chart : std::as_const(m_charts))
            chart->setLegendVisible(chart != flow);
    }

    bind(flow, QStringLiteral("inFlight"), tr("in flight"), muted, Qt::SolidLine,
         [](const MetricsSample& s) { return s.inFlight; });
    bind(flow, QStringLiteral("failed"), tr("failed/s"), Theme::errorColor(), Qt::SolidLine,
         [](const MetricsSample& s) {
             float total = 0;
             for (int kind = 1; kind < kErrorKindCount; ++kind) {
                 if (ErrorKind(kind) != ErrorKind::Timeout)
                     total += s.errorsPerS[std::size_t(kind)];
             }
             return total;
         });
    bind(flow, QStringLiteral("expired"), tr("expired/s"), Theme::warningColor(), Qt::SolidLine,
         [](const MetricsSample& s) { return s.errorsPerS[std::size_t(ErrorKind::Timeout)]; });
    flow->setLegendVisible(true);
    updateLegend();
}

void ChartsWidget::updateLegend() {
    if (!m_step.isEmpty() && m_builtForSteps.contains(m_step)) {
        m_legend->hide();
        return;
    }
    QStringList entries;
    for (int i = 0; i < m_builtForSteps.size(); ++i) {
        entries << QStringLiteral("<span style='color:%1; font-size:large'>&#9644;</span>&nbsp;%2")
                       .arg(MonitorColors::stepColor(i).name(), m_builtForSteps[i].toHtmlEscaped());
    }
    if (entries.isEmpty()) {
        m_legend->setText(tr("Press Run to see the pipeline's metrics live."));
    } else {
        m_legend->setText(entries.join(QStringLiteral("&nbsp;&nbsp;&nbsp;")) +
                          tr("&nbsp;&nbsp;&nbsp;&nbsp;<span style='color:gray'>latency: solid "
                             "p99, dashed p50</span>"));
    }
    m_legend->show();
}

void ChartsWidget::redrawNow() {
    m_redrawTimer.stop();
    m_sinceRedraw.start();
    m_dirty = false;
    ++m_redraws;
    m_drawnRevision = m_history->revision(m_window);
    const std::deque<MetricsSample>& samples = m_history->samples(m_window);
    const double windowS = historyWindowSeconds(m_window);
    double xMin = 0;
    double xMax = windowS;
    if (m_following) {
        const double now = samples.empty() ? 0 : samples.back().timeS;
        // Until a run has filled the window, show a third or two thirds of it, so the first
        // seconds are not squeezed into a corner (three steps, not a re-range every tick).
        double span = windowS;
        for (double part : {1.0 / 3.0, 2.0 / 3.0}) {
            if (now <= windowS * part * 0.95) {
                span = windowS * part;
                break;
            }
        }
        xMax = std::max(span, now);
        xMin = xMax - span;
        for (MonitorChart* chart : std::as_const(m_charts))
            chart->setXRange(xMin, xMax);
    } else if (!m_charts.isEmpty()) {
        xMin = m_charts.first()->xMin();
        xMax = m_charts.first()->xMax();
    }
    // Samples from just before the left edge on, so lines enter from the edge.
    auto first = std::lower_bound(samples.begin(), samples.end(), xMin,
                                  [](const MetricsSample& s, double t) { return s.timeS < t; });
    if (first != samples.begin())
        --first;

    QHash<MonitorChart*, double> maxima;
    QList<QPointF> points;
    for (const Binding& binding : m_bindings) {
        points.clear();
        points.reserve(std::distance(first, samples.end()));
        double maximum = maxima.value(binding.chart, 0.0);
        // Queue fill of every step at 10 Hz jumps between empty and full and reads like a
        // barcode: those lines show a trailing mean over half a second (raw in one step's view
        // and in the longer windows, whose samples are already aggregated).
        const int smooth = binding.smooth && m_window == HistoryWindow::Last30s ? 5 : 1;
        std::array<float, 5> recent{};
        int seen = 0;
        float sum = 0;
        for (auto it = first; it != samples.end() && it->timeS <= xMax + 1e-9; ++it) {
            float value = binding.value(*it);
            if (smooth > 1) {
                sum += value - (seen >= smooth ? recent[seen % smooth] : 0.0f);
                recent[seen % smooth] = value;
                ++seen;
                value = sum / float(std::min(seen, smooth));
            }
            points.append(QPointF(it->timeS, value));
            if (it->timeS >= xMin)
                maximum = std::max(maximum, double(value));
        }
        maxima.insert(binding.chart, maximum);
        binding.chart->setPoints(binding.key, points);
    }
    for (MonitorChart* chart : std::as_const(m_charts))
        chart->fitY(maxima.value(chart, 0.0));
}

} // namespace Aqueduct::Ui
