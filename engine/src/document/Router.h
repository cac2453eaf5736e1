#pragma once

#include "aqueduct/Expression.h"
#include "aqueduct/PipelineDocument.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace Aqueduct::Internal {

/// Where a task goes when it leaves a node: the first outgoing edge whose `when` holds;
/// a target step whose condition is false is skipped (routed on from it as if handled).
/// Evaluated by the sender, so a skipped step never sees the task.
class Router {
public:
    static constexpr int kInputNode = -1;
    static constexpr int kOutputNode = -2;

    /// Compiles the document's effective edges and conditions. False with `error` set
    /// if an expression does not parse or an edge names an unknown node.
    bool build(const PipelineDocument& document, QString* error);

    /// The step to enqueue into, or kOutputNode when the task is finished.
    /// `skipCounters` (one per step, may be null) counts steps skipped by condition.
    int next(int fromNode, const Task& task, std::uint64_t* skipCounters) const;

    int stepCount() const { return int(m_conditions.size()); }

private:
    struct Edge {
        int to = kOutputNode;
        Expression when;
    };
    std::vector<std::vector<Edge>> m_outgoing; ///< index = node + 1 (input at 0)
    std::vector<Expression> m_conditions;
};

} // namespace Aqueduct::Internal
