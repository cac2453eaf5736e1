#include "document/Router.h"

namespace Aqueduct::Internal {

bool Router::build(const PipelineDocument& document, QString* error) {
    const int stepCount = int(document.steps.size());
    m_outgoing.assign(std::size_t(stepCount) + 1, {});
    m_conditions.assign(std::size_t(stepCount), Expression());

    auto nodeIndex = [&](const QString& id) -> int {
        if (id == QLatin1String(kInputNodeId))
            return kInputNode;
        if (id == QLatin1String(kOutputNodeId))
            return kOutputNode;
        return document.stepIndex(id);
    };

    for (int i = 0; i < stepCount; ++i) {
        const StepSpec& step = document.steps[i];
        Expression::ParseError parseError;
        m_conditions[std::size_t(i)] = Expression::parse(step.condition, &parseError);
        if (!m_conditions[std::size_t(i)].isValid()) {
            if (error)
                *error = QStringLiteral("step '%1': condition: column %2: %3")
                             .arg(step.id)
                             .arg(parseError.column)
                             .arg(parseError.message);
            return false;
        }
    }
    const QList<EdgeSpec> edges = document.effectiveEdges();
    for (const EdgeSpec& edgeSpec : edges) {
        const int from = nodeIndex(edgeSpec.from);
        const int to = nodeIndex(edgeSpec.to);
        if ((from < 0 && from != kInputNode) || (to < 0 && to != kOutputNode)) {
            if (error)
                *error = QStringLiteral("edge %1 -> %2 names an unknown step")
                             .arg(edgeSpec.from, edgeSpec.to);
            return false;
        }
        Expression::ParseError parseError;
        Edge edge;
        edge.to = to;
        edge.when = Expression::parse(edgeSpec.when, &parseError);
        if (!edge.when.isValid()) {
            if (error)
                *error = QStringLiteral("edge %1 -> %2: when: column %3: %4")
                             .arg(edgeSpec.from, edgeSpec.to)
                             .arg(parseError.column)
                             .arg(parseError.message);
            return false;
        }
        m_outgoing[std::size_t(from + 1)].push_back(std::move(edge));
    }
    return true;
}

int Router::next(int fromNode, const Task& task, std::uint64_t* skipCounters) const {
    int node = fromNode;
    // Bounded by the step count: the graph is a DAG (validated), so each hop moves forward.
    for (int hops = 0; hops <= stepCount() + 1; ++hops) {
        const std::vector<Edge>& outgoing = m_outgoing[std::size_t(node + 1)];
        int target = kOutputNode;
        for (const Edge& edge : outgoing) {
            if (edge.when.isAlwaysTrue() || edge.when.evaluate(task)) {
                target = edge.to;
                break;
            }
        }
        if (target == kOutputNode)
            return kOutputNode;
        const Expression& condition = m_conditions[std::size_t(target)];
        if (condition.isAlwaysTrue() || condition.evaluate(task))
            return target;
        if (skipCounters)
            ++skipCounters[target];
        node = target;
    }
    return kOutputNode;
}

} // namespace Aqueduct::Internal
