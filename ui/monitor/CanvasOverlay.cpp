#include "monitor/CanvasOverlay.h"

#include "canvas/CanvasScene.h"
#include "canvas/EdgeItem.h"
#include "canvas/StepItem.h"
#include "monitor/MetricsSample.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace Aqueduct::Ui {

CanvasOverlay::CanvasOverlay(CanvasScene* scene, QObject* parent)
    : QObject(parent)
    , m_scene(scene) {}

void CanvasOverlay::update(const MetricsSnapshot& snapshot, const MetricsSample* sample) {
    m_active = true;
    QHash<QString, double> fillByStep;
    for (qsizetype s = 0; s < snapshot.steps.size(); ++s) {
        const StepMetrics& step = snapshot.steps[s];
        int fullest = 0;
        for (int depth : step.queueDepthPerLane)
            fullest = std::max(fullest, depth);
        const double fill =
            step.queueCapacity > 0 ? double(fullest) / double(step.queueCapacity) : 0.0;
        // Quantized like the busy bar: the edge repaints only when the bar visibly moves.
        fillByStep.insert(step.stepId, std::round(std::clamp(fill, 0.0, 1.0) * 50) / 50);

        StepItem* item = m_scene->stepItem(step.stepId);
        if (!item)
            continue;
        double busy = step.nprocs > 0 ? double(step.workersBusy) / double(step.nprocs) : 0.0;
        if (sample && std::size_t(s) < sample->steps.size())
            busy = sample->steps[std::size_t(s)].busyShare;
        qint64 errors = 0;
        for (std::uint64_t count : step.errorsByKind)
            errors += qint64(count);
        // The busy bar is a few dozen pixels wide: 2% steps are plenty, and most
        // snapshots then change nothing visible (no repaint of the step's cached pixmap).
        const int busyPercent = int(std::lround(std::clamp(busy, 0.0, 1.0) * 50)) * 2;
        // Batch fill over the last interval; drawn with one decimal.
        double tasksPerBatch = 0;
        if (sample && std::size_t(s) < sample->steps.size())
            tasksPerBatch = sample->steps[std::size_t(s)].batchTasksMean;
        else if (step.batches > 0)
            tasksPerBatch = double(step.batchedTasks) / double(step.batches);
        const int batchTenths = int(std::lround(tasksPerBatch * 10));
        Shown& shown = m_shown[step.stepId];
        if (shown.alive == step.workersAlive && shown.wanted == step.nprocs &&
            shown.busyPercent == busyPercent && shown.errors == errors &&
            shown.batchTenths == batchTenths && item->hasLiveStatus())
            continue;
        shown = {step.workersAlive, step.nprocs, busyPercent, errors, batchTenths};
        item->setLiveStatus(step.workersAlive, step.nprocs, busyPercent / 100.0, errors);
        item->setBatchFill(batchTenths / 10.0, step.batchSize);
    }
    for (EdgeItem* edge : m_scene->edgeItems()) {
        const auto* target = dynamic_cast<const StepItem*>(edge->targetNode());
        edge->setQueueFill(target ? fillByStep.value(target->nodeId(), -1.0) : -1.0);
    }
}

void CanvasOverlay::clear() {
    m_active = false;
    m_shown.clear();
    for (StepItem* item : m_scene->stepItems())
        item->clearLiveStatus();
    for (EdgeItem* edge : m_scene->edgeItems())
        edge->setQueueFill(-1);
}

} // namespace Aqueduct::Ui
