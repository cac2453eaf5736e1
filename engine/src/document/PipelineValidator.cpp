#include "aqueduct/PipelineValidator.h"

#include "aqueduct/Expression.h"
#include "aqueduct/HandlerRegistry.h"

#include "shm/ResourceBudget.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cstdlib>

namespace Aqueduct {

namespace {

constexpr qint64 kMiB = 1ll << 20;
constexpr qint64 kGiB = 1ll << 30;

class Collector {
public:
    explicit Collector(QList<Problem>* problems)
        : m_problems(problems) {}

    Problem& error(const QString& path, const QString& message, const QString& stepId = {},
                   int edgeIndex = -1) {
        Problem problem;
        problem.path = path;
        problem.message = message;
        problem.stepId = stepId;
        problem.edgeIndex = edgeIndex;
        m_problems->append(problem);
        return m_problems->last();
    }

    void range(const QString& path, qint64 value, qint64 min, qint64 max,
               const QString& stepId = {}) {
        if (value >= min && value <= max)
            return;
        error(path,
              QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(value),
              stepId);
    }

    void atLeast(const QString& path, qint64 value, qint64 min, const QString& stepId = {}) {
        if (value < min)
            error(path, QStringLiteral("must be at least %1, got %2").arg(min).arg(value), stepId);
    }

    void expression(const QString& path, const QString& text, const QString& stepId,
                    int edgeIndex) {
        Expression::ParseError parseError;
        const Expression expression = Expression::parse(text, &parseError);
        if (expression.isValid())
            return;
        Problem& problem = error(
            path, QStringLiteral("column %1: %2").arg(parseError.column).arg(parseError.message),
            stepId, edgeIndex);
        problem.column = parseError.column;
    }

    void restart(const QString& path, const RestartSettings& restart, const QString& stepId = {}) {
        atLeast(path + QStringLiteral(".max_restarts"), restart.maxRestarts, 0, stepId);
        atLeast(path + QStringLiteral(".window_s"), restart.windowS, 1, stepId);
        atLeast(path + QStringLiteral(".backoff_initial_ms"), restart.backoffInitialMs, 0, stepId);
        atLeast(path + QStringLiteral(".backoff_max_ms"), restart.backoffMaxMs, 0, stepId);
        if (restart.backoffMaxMs >= 0 && restart.backoffInitialMs > restart.backoffMaxMs)
            error(path + QStringLiteral(".backoff_max_ms"),
                  QStringLiteral("must be at least backoff_initial_ms (%1), got %2")
                      .arg(restart.backoffInitialMs)
                      .arg(restart.backoffMaxMs),
                  stepId);
    }

private:
    QList<Problem>* m_problems;
};

int editDistance(const QString& a, const QString& b) {
    QList<int> previous(b.size() + 1);
    QList<int> current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution =
                previous[j - 1] + (a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// Edit distance is quadratic in the name: a file of long unknown names must not make
// validation take minutes, so long names get no suggestion and few candidates are tried.
constexpr qsizetype kMaxSuggestedNameLength = 64;
constexpr int kMaxSuggestionCandidates = 1000;
constexpr qsizetype kMaxQuotedNameLength = 80;

QString closestHandler(const HandlerRegistry& registry, const QString& name) {
    QString best;
    if (name.size() > kMaxSuggestedNameLength)
        return best;
    int bestDistance = std::max<int>(2, int(name.size()) / 3) + 1;
    int candidates = 0;
    for (const HandlerInfo& info : registry.handlers()) {
        if (++candidates > kMaxSuggestionCandidates)
            break;
        // The distance is at least the length difference: skip what cannot win.
        if (std::abs(int(info.name.size()) - int(name.size())) >= bestDistance)
            continue;
        const int distance = editDistance(name, info.name);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = info.name;
        }
    }
    return best;
}

/// A name from the file, shortened for a message (a 10 KB name would flood the terminal).
QString shortened(const QString& name) {
    if (name.size() <= kMaxQuotedNameLength)
        return name;
    return name.left(kMaxQuotedNameLength) + QStringLiteral("... (%1 characters)").arg(name.size());
}

QString stepPath(int index) {
    return QStringLiteral("$.steps[%1]").arg(index);
}

QString edgePath(int index) {
    return QStringLiteral("$.edges[%1]").arg(index);
}

void validateFlow(Collector& out, const FlowSettings& flow) {
    const QString path = QStringLiteral("$.flow");
    out.range(path + QStringLiteral(".queue_priorities"), flow.queuePriorities, 1, 16);
    out.atLeast(path + QStringLiteral(".default_timeout_ms"), flow.defaultTimeoutMs, 1);
    out.atLeast(path + QStringLiteral(".start_timeout_ms"), flow.startTimeoutMs, 1);
    out.atLeast(path + QStringLiteral(".priority_aging_ms"), flow.priorityAgingMs, 0);
    out.range(path + QStringLiteral(".max_task_bytes"), flow.maxTaskBytes, 0,
              Internal::kMaxTaskBytesLimit);
    if (flow.arenaBytes != 0 && (flow.arenaBytes < kMiB || flow.arenaBytes > 64 * kGiB))
        out.error(
            path + QStringLiteral(".shared_memory.arena_bytes"),
            QStringLiteral("must be 0 (no arena) or between 1 MiB (%1) and 64 GiB (%2), got %3")
                .arg(kMiB)
                .arg(64 * kGiB)
                .arg(flow.arenaBytes));
    out.atLeast(path + QStringLiteral(".shared_memory.auto_share_bytes"), flow.autoShareBytes, 0);
    out.restart(path + QStringLiteral(".restart"), flow.restart);
    out.range(path + QStringLiteral(".limits.max_shared_memory_bytes"),
              flow.limits.maxSharedMemoryBytes, Internal::kMinSharedMemoryLimit,
              Internal::kMaxSharedMemoryLimit);
    out.range(path + QStringLiteral(".limits.max_workers"), flow.limits.maxWorkers, 1,
              Internal::kMaxWorkersLimit);

    const MetricsSettings& metrics = flow.metrics;
    const QString metricsPath = path + QStringLiteral(".metrics");
    out.range(metricsPath + QStringLiteral(".interval_ms"), metrics.intervalMs, 10, 600000);
    out.range(metricsPath + QStringLiteral(".prometheus.port"), metrics.prometheusPort, 1, 65535);
    out.range(metricsPath + QStringLiteral(".statsd.port"), metrics.statsdPort, 1, 65535);
    if (metrics.prometheusEnabled && metrics.prometheusHost.trimmed().isEmpty())
        out.error(metricsPath + QStringLiteral(".prometheus.host"),
                  QStringLiteral("must not be empty when the exporter is enabled"));
    if (metrics.statsdEnabled && metrics.statsdHost.trimmed().isEmpty())
        out.error(metricsPath + QStringLiteral(".statsd.host"),
                  QStringLiteral("must not be empty when the exporter is enabled"));
}

void validateStep(Collector& out, const HandlerRegistry& registry, const StepSpec& step, int index,
                  QList<Problem>* problems) {
    const QString path = stepPath(index);
    const QString& id = step.id;
    QString idReason;
    if (id.isEmpty())
        out.error(path + QStringLiteral(".id"), QStringLiteral("missing required key"), id);
    else if (!isValidStepId(id, &idReason))
        out.error(path + QStringLiteral(".id"), idReason, id);

    if (step.handler.isEmpty()) {
        out.error(path + QStringLiteral(".handler"), QStringLiteral("missing required key"), id);
    } else if (const HandlerInfo* info = registry.find(step.handler)) {
        QList<Problem> paramProblems =
            registry.checkParams(*info, step.params, path + QStringLiteral(".params"));
        for (Problem& problem : paramProblems) {
            problem.stepId = id;
            problems->append(problem);
        }
    } else {
        const QString suggestion = closestHandler(registry, step.handler);
        out.error(path + QStringLiteral(".handler"),
                  suggestion.isEmpty()
                      ? QStringLiteral("unknown handler '%1' (see `aqueduct handlers`)")
                            .arg(shortened(step.handler))
                      : QStringLiteral("unknown handler '%1'; did you mean '%2'?")
                            .arg(step.handler, suggestion),
                  id);
    }

    out.range(path + QStringLiteral(".nprocs"), step.nprocs, 1, kMaxStepProcesses, id);
    out.range(path + QStringLiteral(".batch_size"), step.batchSize, 1, Internal::kMaxBatchSize, id);
    out.range(path + QStringLiteral(".batch_timeout_ms"), step.batchTimeoutMs, 0, 600000, id);
    if (step.queueSize != 0) {
        if (step.queueSize < 1 || step.queueSize > Internal::kMaxQueueSize)
            out.error(path + QStringLiteral(".queue_size"),
                      QStringLiteral("must be 0 (automatic) or between 1 and %1, got %2")
                          .arg(Internal::kMaxQueueSize)
                          .arg(step.queueSize),
                      id);
        else if (step.queueSize < step.batchSize)
            out.error(path + QStringLiteral(".queue_size"),
                      QStringLiteral("must be at least batch_size (%1), got %2")
                          .arg(step.batchSize)
                          .arg(step.queueSize),
                      id);
    }
    out.atLeast(path + QStringLiteral(".on_start_wait_ms"), step.onStartWaitMs, 0, id);
    out.atLeast(path + QStringLiteral(".handle_timeout_ms"), step.handleTimeoutMs, 0, id);
    if (step.restart)
        out.restart(path + QStringLiteral(".restart"), *step.restart, id);
    out.expression(path + QStringLiteral(".condition"), step.condition, id, -1);
}

// Finds the cycles of the step graph by depth-first search; each back edge closes one.
class CycleFinder {
public:
    CycleFinder(const QStringList& nodes, const QList<QList<QPair<int, int>>>& adjacency)
        : m_nodes(nodes)
        , m_adjacency(adjacency)
        , m_state(nodes.size(), 0) {}

    struct Cycle {
        QStringList path; // a -> b -> a
        int closingEdge;
    };

    QList<Cycle> find() {
        for (qsizetype i = 0; i < m_nodes.size(); ++i) {
            if (m_state[i] == 0)
                visit(int(i));
        }
        return m_cycles;
    }

private:
    void visit(int node) {
        // Iterative DFS: a pipeline of thousands of steps must not overflow the stack.
        struct Frame {
            int node;
            qsizetype next;
        };
        QList<Frame> frames{{node, 0}};
        m_state[node] = 1;
        m_stack.append(node);
        while (!frames.isEmpty()) {
            Frame& frame = frames.last();
            const auto& outgoing = m_adjacency[frame.node];
            if (frame.next >= outgoing.size()) {
                m_state[frame.node] = 2;
                m_stack.removeLast();
                frames.removeLast();
                continue;
            }
            const auto [target, edgeIndex] = outgoing[frame.next++];
            if (m_state[target] == 0) {
                m_state[target] = 1;
                m_stack.append(target);
                frames.append({target, 0});
            } else if (m_state[target] == 1) {
                Cycle cycle;
                cycle.closingEdge = edgeIndex;
                const qsizetype start = m_stack.indexOf(target);
                for (qsizetype i = start; i < m_stack.size(); ++i)
                    cycle.path.append(m_nodes[m_stack[i]]);
                cycle.path.append(m_nodes[target]);
                m_cycles.append(cycle);
            }
        }
    }

    const QStringList& m_nodes;
    const QList<QList<QPair<int, int>>>& m_adjacency;
    QList<int> m_state; // 0 new, 1 on stack, 2 done
    QList<int> m_stack;
    QList<Cycle> m_cycles;
};

void validateEdges(Collector& out, const PipelineDocument& document) {
    const QString input = QLatin1String(kInputNodeId);
    const QString output = QLatin1String(kOutputNodeId);

    // Node numbering: steps by index (first of duplicates wins), then input, then output.
    QHash<QString, int> nodeIndex;
    QStringList nodes;
    for (const StepSpec& step : document.steps) {
        if (!step.id.isEmpty() && step.id != input && step.id != output &&
            !nodeIndex.contains(step.id)) {
            nodeIndex.insert(step.id, int(nodes.size()));
            nodes.append(step.id);
        }
    }
    const int stepNodeCount = int(nodes.size());
    const int inputNode = stepNodeCount;
    const int outputNode = stepNodeCount + 1;
    nodeIndex.insert(input, inputNode);
    nodeIndex.insert(output, outputNode);
    nodes << input << output;

    QList<QList<QPair<int, int>>> forward(nodes.size());
    QList<QList<int>> backward(nodes.size());
    QHash<QPair<QString, QString>, int> seen;
    for (qsizetype i = 0; i < document.edges.size(); ++i) {
        const EdgeSpec& edge = document.edges.at(i);
        const QString path = edgePath(int(i));
        bool usable = true;
        if (edge.from.isEmpty()) {
            out.error(path + QStringLiteral(".from"), QStringLiteral("missing required key"), {},
                      int(i));
            usable = false;
        } else if (edge.from == output) {
            out.error(path + QStringLiteral(".from"),
                      QStringLiteral("an edge cannot leave 'output'"), {}, int(i));
            usable = false;
        } else if (!nodeIndex.contains(edge.from)) {
            out.error(path + QStringLiteral(".from"),
                      QStringLiteral("unknown step '%1'").arg(edge.from), {}, int(i));
            usable = false;
        }
        if (edge.to.isEmpty()) {
            out.error(path + QStringLiteral(".to"), QStringLiteral("missing required key"), {},
                      int(i));
            usable = false;
        } else if (edge.to == input) {
            out.error(path + QStringLiteral(".to"), QStringLiteral("an edge cannot enter 'input'"),
                      {}, int(i));
            usable = false;
        } else if (!nodeIndex.contains(edge.to)) {
            out.error(path + QStringLiteral(".to"),
                      QStringLiteral("unknown step '%1'").arg(edge.to), {}, int(i));
            usable = false;
        }
        out.expression(path + QStringLiteral(".when"), edge.when, {}, int(i));
        if (!usable)
            continue;
        if (edge.from == edge.to) {
            out.error(path, QStringLiteral("self-loop: '%1' -> '%1'").arg(edge.from), edge.from,
                      int(i));
            continue;
        }
        const auto key = qMakePair(edge.from, edge.to);
        if (const auto it = seen.constFind(key); it != seen.constEnd()) {
            out.error(path,
                      QStringLiteral("duplicate edge %1 -> %2 (same as $.edges[%3])")
                          .arg(edge.from, edge.to)
                          .arg(it.value()),
                      {}, int(i));
            continue;
        }
        seen.insert(key, int(i));
        const int from = nodeIndex.value(edge.from);
        const int to = nodeIndex.value(edge.to);
        forward[from].append({to, int(i)});
        backward[to].append(from);
    }

    // Cycles among steps (input and output cannot be on one: no edge enters input or leaves
    // output).
    CycleFinder finder(nodes, forward);
    for (const CycleFinder::Cycle& cycle : finder.find())
        out.error(edgePath(cycle.closingEdge),
                  QStringLiteral("cycle: %1").arg(cycle.path.join(QStringLiteral(" -> "))),
                  cycle.path.first(), cycle.closingEdge);

    auto reach = [&](int start, auto&& next) {
        QList<bool> reached(nodes.size(), false);
        QList<int> queue{start};
        reached[start] = true;
        while (!queue.isEmpty()) {
            const int node = queue.takeLast();
            for (int target : next(node)) {
                if (!reached[target]) {
                    reached[target] = true;
                    queue.append(target);
                }
            }
        }
        return reached;
    };
    const QList<bool> fromInput = reach(inputNode, [&](int node) {
        QList<int> targets;
        for (const auto& [target, edgeIndex] : forward[node])
            targets.append(target);
        return targets;
    });
    const QList<bool> toOutput = reach(outputNode, [&](int node) { return backward[node]; });

    QSet<QString> reported;
    for (qsizetype i = 0; i < document.steps.size(); ++i) {
        const QString& id = document.steps.at(i).id;
        const auto it = nodeIndex.constFind(id);
        if (id.isEmpty() || it == nodeIndex.constEnd() || it.value() >= stepNodeCount ||
            reported.contains(id))
            continue;
        reported.insert(id);
        if (!fromInput[it.value()])
            out.error(stepPath(int(i)),
                      QStringLiteral(
                          "step '%1' is unreachable: no path of edges leads to it from 'input'")
                          .arg(id),
                      id);
        if (!toOutput[it.value()])
            out.error(
                stepPath(int(i)),
                QStringLiteral(
                    "step '%1' does not reach 'output': add an edge from it to 'output' or to a "
                    "step that does")
                    .arg(id),
                id);
    }
}

bool isFatalLoadProblem(const Problem& problem) {
    if (problem.severity != Problem::Severity::Error)
        return false;
    return problem.path.isEmpty() || problem.path == QLatin1String("$") ||
           problem.path == QLatin1String("$.format") || problem.path == QLatin1String("$.version");
}

bool isUnder(const QString& path, const QString& prefix) {
    if (!path.startsWith(prefix))
        return false;
    if (path.size() == prefix.size())
        return true;
    const QChar next = path.at(prefix.size());
    return next == QLatin1Char('.') || next == QLatin1Char('[');
}

} // namespace

bool isValidStepId(QStringView id, QString* reason) {
    const auto fail = [&](const QString& why) {
        if (reason)
            *reason = why;
        return false;
    };
    const QString text = id.toString();
    if (id.isEmpty())
        return fail(QStringLiteral("a step needs an id"));
    if (id == QLatin1String(kInputNodeId) || id == QLatin1String(kOutputNodeId))
        return fail(
            QStringLiteral("'%1' is reserved for the flow's %1 node; choose another id").arg(text));
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_-]*$"));
    if (!pattern.match(text).hasMatch())
        return fail(QStringLiteral("'%1' is not a valid id: use letters, digits, '_' and '-', "
                                   "starting with a letter or '_'")
                        .arg(text));
    return true;
}

PipelineValidator::PipelineValidator(const HandlerRegistry& registry)
    : m_registry(registry) {}

QList<Problem> PipelineValidator::validate(const PipelineDocument& document) const {
    QList<Problem> problems;
    Collector out(&problems);
    validateFlow(out, document.flow);

    if (document.steps.isEmpty())
        out.error(QStringLiteral("$.steps"), QStringLiteral("a pipeline needs at least one step"));

    QHash<QString, int> firstIndex;
    for (qsizetype i = 0; i < document.steps.size(); ++i) {
        const StepSpec& step = document.steps.at(i);
        validateStep(out, m_registry, step, int(i), &problems);
        if (step.id.isEmpty())
            continue;
        if (const auto it = firstIndex.constFind(step.id); it != firstIndex.constEnd())
            out.error(stepPath(int(i)) + QStringLiteral(".id"),
                      QStringLiteral("duplicate step id '%1' (also used by $.steps[%2])")
                          .arg(step.id)
                          .arg(it.value()),
                      step.id);
        else
            firstIndex.insert(step.id, int(i));
    }
    // The implicit chain always connects every step; only explicit edges need checking.
    if (!document.edges.isEmpty())
        validateEdges(out, document);
    // Shared memory, slots and workers the whole flow would take, before anything exists.
    // A field already out of range gets the size it would cost added to its problem
    // (one error per path), others get their own.
    const qsizetype ruleProblems = problems.size();
    for (const Problem& budget : Internal::checkResourceBudget(document)) {
        const auto rulesEnd = problems.begin() + ruleProblems;
        const auto same = std::find_if(problems.begin(), rulesEnd, [&](const Problem& problem) {
            return problem.severity == Problem::Severity::Error && problem.path == budget.path;
        });
        if (same != rulesEnd)
            same->message += QStringLiteral("; ") + budget.message;
        else
            problems.append(budget);
    }
    // Ids, keys and names come from the file: never hand raw control characters on.
    for (Problem& problem : problems) {
        problem.path = escapeControlCharacters(problem.path);
        problem.message = escapeControlCharacters(problem.message);
    }
    return problems;
}

QList<Problem> PipelineValidator::validateLoaded(const QList<Problem>& loadProblems,
                                                 const PipelineDocument& document) const {
    QList<Problem> problems = loadProblems;
    for (Problem& problem : problems) {
        problem.path = escapeControlCharacters(problem.path);
        problem.message = escapeControlCharacters(problem.message);
    }
    if (std::any_of(problems.cbegin(), problems.cend(), isFatalLoadProblem))
        return problems;
    // A field that failed to load keeps its default: do not report it (or what lies below
    // it) a second time.
    for (const Problem& problem : validate(document)) {
        const bool covered =
            std::any_of(loadProblems.cbegin(), loadProblems.cend(), [&](const Problem& earlier) {
                return earlier.severity == Problem::Severity::Error &&
                       isUnder(problem.path, earlier.path);
            });
        if (!covered)
            problems.append(problem);
    }
    return problems;
}

QList<Problem> PipelineValidator::validateJson(const QByteArray& json) const {
    const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
    return validateLoaded(loaded.problems, loaded.document);
}

QList<Problem> PipelineValidator::validateFile(const QString& path) const {
    const PipelineDocument::LoadResult loaded = PipelineDocument::fromFile(path);
    return validateLoaded(loaded.problems, loaded.document);
}

} // namespace Aqueduct
