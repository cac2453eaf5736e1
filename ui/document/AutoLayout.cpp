#include "document/AutoLayout.h"

#include <QMap>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Aqueduct::Ui {

QHash<QString, QPointF> tidyLayout(const PipelineDocument& document, const LayoutMetrics& metrics) {
    QHash<QString, QPointF> result;
    if (document.steps.isEmpty())
        return result;

    QHash<QString, int> order; // document order breaks ties
    for (int i = 0; i < document.steps.size(); ++i)
        order.insert(document.steps[i].id, i);

    // Predecessors among steps; an edge from the input counts as a layer-0 predecessor.
    QHash<QString, QList<QString>> predecessors;
    QHash<QString, int> inDegree;
    QHash<QString, QList<QString>> successors;
    for (const EdgeSpec& edge : document.effectiveEdges()) {
        if (!order.contains(edge.to) || !order.contains(edge.from) || edge.from == edge.to)
            continue;
        predecessors[edge.to].append(edge.from);
        successors[edge.from].append(edge.to);
        ++inDegree[edge.to];
    }

    // Longest path in topological order (Kahn); anything left in a cycle goes last.
    QHash<QString, int> layer;
    QList<QString> ready;
    for (const StepSpec& step : document.steps) {
        if (inDegree.value(step.id) == 0)
            ready.append(step.id);
    }
    QSet<QString> done;
    while (!ready.isEmpty()) {
        const QString id = ready.takeFirst();
        done.insert(id);
        int level = 0;
        for (const QString& predecessor : predecessors.value(id))
            level = std::max(level, layer.value(predecessor) + 1);
        layer.insert(id, level);
        for (const QString& successor : successors.value(id)) {
            if (--inDegree[successor] == 0)
                ready.append(successor);
        }
    }
    int maxLayer = 0;
    for (int value : std::as_const(layer))
        maxLayer = std::max(maxLayer, value);
    for (const StepSpec& step : document.steps) {
        if (!done.contains(step.id))
            layer.insert(step.id, ++maxLayer);
    }

    QMap<int, QList<const StepSpec*>> layers;
    double minX = document.steps.first().position.x();
    double minY = document.steps.first().position.y();
    double maxY = minY;
    for (const StepSpec& step : document.steps) {
        layers[layer.value(step.id)].append(&step);
        minX = std::min(minX, step.position.x());
        minY = std::min(minY, step.position.y());
        maxY = std::max(maxY, step.position.y());
    }
    const double centerY = std::round((minY + maxY) / 2 / 20) * 20;
    const double left = std::round(minX / 20) * 20;

    int column = 0;
    for (auto it = layers.begin(); it != layers.end(); ++it, ++column) {
        QList<const StepSpec*>& steps = it.value();
        std::stable_sort(steps.begin(), steps.end(), [&](const StepSpec* a, const StepSpec* b) {
            if (a->position.y() != b->position.y())
                return a->position.y() < b->position.y();
            return order.value(a->id) < order.value(b->id);
        });
        const double top = centerY - (steps.size() - 1) * metrics.rowSpacing / 2;
        for (int row = 0; row < steps.size(); ++row) {
            const double y = std::round((top + row * metrics.rowSpacing) / 20) * 20;
            result.insert(steps[row]->id, QPointF(left + column * metrics.columnSpacing, y));
        }
    }
    return result;
}

} // namespace Aqueduct::Ui
