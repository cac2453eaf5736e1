#include "monitor/FlowTotalsBar.h"

#include "monitor/MetricsSample.h"
#include "style/Theme.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>

namespace Aqueduct::Ui {

namespace {

QString count(std::uint64_t value) {
    return QLocale().toString(qulonglong(value));
}

QString rate(double perSecond) {
    if (perSecond >= 10000)
        return QStringLiteral("%1k/s").arg(QLocale().toString(perSecond / 1000.0, 'f', 1));
    return QStringLiteral("%1/s").arg(QLocale().toString(perSecond, 'f', perSecond < 10 ? 1 : 0));
}

QString duration(double seconds) {
    const qint64 total = qint64(seconds);
    if (total >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(total / 3600)
            .arg((total / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(total % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

/// Colours a figure (invalid colour = the palette's text); cheap when nothing changes.
void setTone(QLabel* label, const QColor& color) {
    const QColor current = label->property("tone").value<QColor>();
    if (current == color)
        return;
    label->setProperty("tone", color);
    QPalette palette = label->parentWidget()->palette();
    if (color.isValid())
        palette.setColor(QPalette::WindowText, color);
    label->setPalette(palette);
}

} // namespace

FlowTotalsBar::FlowTotalsBar(QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->setHorizontalSpacing(18);
    layout->setVerticalSpacing(0);
    addTile(QStringLiteral("completed"), tr("Completed"), tr("Tasks that came back handled"));
    addTile(QStringLiteral("throughput"), tr("Throughput"),
            tr("Tasks completed per second over the last second"));
    addTile(QStringLiteral("failed"), tr("Failed"),
            tr("Tasks that ended with an error (not counting expired ones)"));
    addTile(QStringLiteral("expired"), tr("Expired"),
            tr("Tasks whose deadline passed before they were handled"));
    addTile(QStringLiteral("inFlight"), tr("In flight"), tr("Tasks submitted and not finished"));
    addTile(QStringLiteral("workers"), tr("Workers"), tr("Worker processes alive of wanted"));
    addTile(QStringLiteral("restarts"), tr("Restarts"),
            tr("Worker restarts by supervision since the run started"));
    addTile(QStringLiteral("uptime"), tr("Uptime"), tr("Time since the flow started"));
    layout->setColumnStretch(layout->columnCount(), 1);
    clear();
}

QLabel* FlowTotalsBar::addTile(const QString& key, const QString& caption, const QString& toolTip) {
    auto* grid = static_cast<QGridLayout*>(layout());
    const int column = int(m_values.size());
    auto* value = new QLabel(this);
    value->setObjectName(QStringLiteral("totals_") + key);
    QFont valueFont = font();
    valueFont.setPointSizeF(valueFont.pointSizeF() * 1.25);
    valueFont.setWeight(QFont::DemiBold);
    value->setFont(valueFont);
    value->setToolTip(toolTip);
    auto* label = new QLabel(caption, this);
    QFont captionFont = font();
    captionFont.setPointSizeF(captionFont.pointSizeF() * 0.85);
    label->setFont(captionFont);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setToolTip(toolTip);
    grid->addWidget(value, 0, column);
    grid->addWidget(label, 1, column);
    m_values.insert(key, value);
    m_captions.insert(key, label);
    return value;
}

QString FlowTotalsBar::value(const QString& tile) const {
    const QLabel* label = m_values.value(tile);
    return label ? label->text() : QString();
}

void FlowTotalsBar::clear() {
    for (QLabel* label : std::as_const(m_values)) {
        label->setText(QStringLiteral("–"));
        setTone(label, QColor());
    }
    m_captions.value(QStringLiteral("failed"))->setText(tr("Failed"));
    m_runEnded = false;
}

void FlowTotalsBar::markRunEnded() {
    m_runEnded = true;
    m_values.value(QStringLiteral("throughput"))->setText(QStringLiteral("–"));
    QLabel* workers = m_values.value(QStringLiteral("workers"));
    setTone(workers, QColor());
    workers->setToolTip(tr("The run has ended; its workers exited"));
}

void FlowTotalsBar::update(const MetricsSnapshot& snapshot, const MetricsSample* sample) {
    const FlowTotals& totals = snapshot.totals;
    m_values.value(QStringLiteral("completed"))->setText(count(totals.completed));
    m_values.value(QStringLiteral("throughput"))
        ->setText(sample && !m_runEnded ? rate(sample->completedPerS) : QStringLiteral("–"));
    QLabel* failed = m_values.value(QStringLiteral("failed"));
    failed->setText(count(totals.failed));
    setTone(failed, totals.failed > 0 ? Theme::errorColor() : QColor());
    // Failed by kind, in the caption (short) and the tooltip (all).
    QStringList kinds;
    for (int kind = 1; kind < kErrorKindCount; ++kind) {
        if (ErrorKind(kind) == ErrorKind::Timeout || ErrorKind(kind) == ErrorKind::Rejected)
            continue;
        if (const std::uint64_t n = totals.errorsByKind[std::size_t(kind)])
            kinds << QStringLiteral("%1 %2").arg(count(n), errorKindName(ErrorKind(kind)));
    }
    if (totals.rejected > 0)
        kinds << QStringLiteral("%1 rejected").arg(count(totals.rejected));
    m_captions.value(QStringLiteral("failed"))
        ->setText(kinds.isEmpty() ? tr("Failed")
                                  : tr("Failed: %1").arg(kinds.join(QStringLiteral(", "))));
    failed->setToolTip(kinds.isEmpty() ? tr("No failures") : kinds.join(QLatin1Char('\n')));
    QLabel* expired = m_values.value(QStringLiteral("expired"));
    expired->setText(count(totals.expired));
    setTone(expired, totals.expired > 0 ? Theme::warningColor() : QColor());
    m_values.value(QStringLiteral("inFlight"))->setText(count(totals.inFlight));

    int alive = 0;
    int wanted = 0;
    int restarts = 0;
    for (const StepMetrics& step : snapshot.steps) {
        alive += step.workersAlive;
        wanted += step.nprocs;
    }
    for (const ProcessMetrics& process : snapshot.processes) {
        if (process.worker.workerIndex >= 0)
            restarts += process.worker.restarts;
    }
    QLabel* workers = m_values.value(QStringLiteral("workers"));
    workers->setText(QStringLiteral("%1/%2").arg(alive).arg(wanted));
    setTone(workers, alive < wanted && !m_runEnded ? Theme::errorColor() : QColor());
    QLabel* restartLabel = m_values.value(QStringLiteral("restarts"));
    restartLabel->setText(QString::number(restarts));
    setTone(restartLabel, restarts > 0 ? Theme::warningColor() : QColor());
    m_values.value(QStringLiteral("uptime"))->setText(duration(snapshot.uptimeS));
}

} // namespace Aqueduct::Ui
