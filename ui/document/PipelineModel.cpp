#include "document/PipelineModel.h"

#include "document/AutoLayout.h"
#include "document/UndoCommands.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QDir>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace Aqueduct::Ui {

QString stepPropertyName(StepProperty property) {
    switch (property) {
    case StepProperty::Id:
        return QStringLiteral("id");
    case StepProperty::Label:
        return QStringLiteral("label");
    case StepProperty::Handler:
        return QStringLiteral("handler");
    case StepProperty::Nprocs:
        return QStringLiteral("nprocs");
    case StepProperty::BatchSize:
        return QStringLiteral("batch_size");
    case StepProperty::BatchTimeoutMs:
        return QStringLiteral("batch_timeout_ms");
    case StepProperty::QueueSize:
        return QStringLiteral("queue_size");
    case StepProperty::Condition:
        return QStringLiteral("condition");
    case StepProperty::OnStartWaitMs:
        return QStringLiteral("on_start_wait_ms");
    case StepProperty::HandleTimeoutMs:
        return QStringLiteral("handle_timeout_ms");
    }
    return QString();
}

PipelineModel::PipelineModel(QObject* parent)
    : QObject(parent) {
    m_validationTimer.setSingleShot(true);
    m_validationTimer.setInterval(0);
    connect(&m_validationTimer, &QTimer::timeout, this, &PipelineModel::validateNow);
    validateNow();
}

PipelineModel::~PipelineModel() {
    // ~QUndoStack clears itself and would report "clean" to observers (autosave would take
    // that as "saved" and delete the crash-recovery copy).
    m_undoStack.blockSignals(true);
    m_validationTimer.stop();
}

// --- Whole document ------------------------------------------------------------------------

void PipelineModel::setBaseDirectory(const QString& folder) {
    const QString absolute = folder.isEmpty() ? QString() : QDir(folder).absolutePath();
    if (absolute == m_baseDirectory)
        return;
    m_baseDirectory = absolute;
    Q_EMIT baseDirectoryChanged(m_baseDirectory);
}

QString PipelineModel::effectiveBaseDirectory() const {
    return m_baseDirectory.isEmpty() ? QDir::currentPath() : m_baseDirectory;
}

void PipelineModel::resetDocument(const PipelineDocument& document,
                                  const QList<Problem>& loadProblems) {
    m_undoStack.clear();
    m_document = document;
    m_loadProblems = loadProblems;
    Q_EMIT documentReset();
    validateNow();
}

void PipelineModel::replaceDocumentUndoable(const PipelineDocument& document, const QString& text) {
    m_undoStack.push(new ReplaceDocumentCommand(this, m_document, document, text));
}

void PipelineModel::clearLoadProblems() {
    if (m_loadProblems.isEmpty())
        return;
    m_loadProblems.clear();
    validateNow();
}

// --- Queries -------------------------------------------------------------------------------

QStringList PipelineModel::stepIds() const {
    QStringList ids;
    ids.reserve(m_document.steps.size());
    for (const StepSpec& step : m_document.steps)
        ids.append(step.id);
    return ids;
}

ConnectionRefusal PipelineModel::canConnect(const QString& from, const QString& to) const {
    return checkConnection(effectiveEdges(), stepIds(), from, to);
}

QString PipelineModel::uniqueStepId(const QString& base) const {
    QString stem = base.isEmpty() ? QStringLiteral("step") : base;
    if (stem == QLatin1String(kInputNodeId) || stem == QLatin1String(kOutputNodeId))
        stem += QStringLiteral("_step");
    if (m_document.stepIndex(stem) < 0)
        return stem;
    // "resize_2" copied again becomes "resize_3", not "resize_2_2".
    static const QRegularExpression suffix(QStringLiteral("^(.*)_(\\d+)$"));
    const QRegularExpressionMatch match = suffix.match(stem);
    if (match.hasMatch())
        stem = match.captured(1);
    for (int n = 2;; ++n) {
        const QString candidate = QStringLiteral("%1_%2").arg(stem).arg(n);
        if (m_document.stepIndex(candidate) < 0)
            return candidate;
    }
}

QString PipelineModel::idError(const QString& stepId, const QString& id) const {
    // The engine's rule, so the inspector and the Problems panel never disagree.
    QString reason;
    if (!isValidStepId(id, &reason)) {
        reason[0] = reason[0].toUpper();
        return reason;
    }
    if (id != stepId && m_document.stepIndex(id) >= 0)
        return tr("Another step is already called \"%1\"").arg(id);
    return QString();
}

QList<Problem> PipelineModel::stepProblems(const QString& id) const {
    QList<Problem> result;
    for (const Problem& problem : m_problems) {
        if (problem.stepId == id && problem.edgeIndex < 0)
            result.append(problem);
    }
    return result;
}

QList<Problem> PipelineModel::edgeProblems(int edgeIndex) const {
    QList<Problem> result;
    for (const Problem& problem : m_problems) {
        if (problem.edgeIndex == edgeIndex && edgeIndex >= 0)
            result.append(problem);
    }
    return result;
}

void PipelineModel::scheduleValidation() {
    m_validationTimer.start();
}

void PipelineModel::validateNow() {
    m_validationTimer.stop();
    QList<Problem> problems = m_loadProblems;
    problems += PipelineValidator(HandlerRegistry::global()).validate(m_document);
    // In the app the palette lists the handlers; the CLI's pointer does not apply here.
    for (Problem& problem : problems)
        problem.message.replace(QLatin1String("(see `aqueduct handlers`)"),
                                tr("(pick one from the Handlers palette)"));
    m_problems = problems;
    Q_EMIT problemsChanged();
}

// --- Edits ---------------------------------------------------------------------------------

QString PipelineModel::addStep(const QString& handler, QPointF position) {
    StepSpec step;
    step.id = uniqueStepId(handler);
    step.handler = handler;
    step.position = position;
    m_undoStack.push(new AddStepCommand(this, step));
    return step.id;
}

QString PipelineModel::addConnectedStep(const QString& handler, QPointF position,
                                        const QString& upstream, const QString& downstream) {
    StepSpec step;
    step.id = uniqueStepId(handler);
    step.handler = handler;
    step.position = position;
    m_undoStack.beginMacro(tr("Add step %1").arg(step.id));
    // Explicit edges first, so the new step does not silently join the implicit chain.
    if (usesImplicitChain())
        materializeImplicitEdges();
    m_undoStack.push(new AddStepCommand(this, step));
    if (!upstream.isEmpty() && canConnect(upstream, step.id) == ConnectionRefusal::None)
        m_undoStack.push(new AddEdgeCommand(this, EdgeSpec{upstream, step.id, {}}));
    if (!downstream.isEmpty() && canConnect(step.id, downstream) == ConnectionRefusal::None)
        m_undoStack.push(new AddEdgeCommand(this, EdgeSpec{step.id, downstream, {}}));
    m_undoStack.endMacro();
    return step.id;
}

void PipelineModel::removeSteps(const QStringList& ids) {
    removeItems(ids, {});
}

void PipelineModel::removeItems(const QStringList& stepIds, QList<int> edgeIndices) {
    QStringList steps;
    for (const QString& id : stepIds) {
        if (m_document.stepIndex(id) >= 0 && !steps.contains(id))
            steps.append(id);
    }
    // Edges touching removed steps go with them; drop those and invalid indices.
    const QList<EdgeSpec> edges = effectiveEdges();
    edgeIndices.erase(std::remove_if(edgeIndices.begin(), edgeIndices.end(),
                                     [&](int index) {
                                         return index < 0 || index >= edges.size() ||
                                                steps.contains(edges[index].from) ||
                                                steps.contains(edges[index].to);
                                     }),
                      edgeIndices.end());
    std::sort(edgeIndices.begin(), edgeIndices.end());
    edgeIndices.erase(std::unique(edgeIndices.begin(), edgeIndices.end()), edgeIndices.end());
    if (steps.isEmpty() && edgeIndices.isEmpty())
        return;

    m_undoStack.beginMacro(
        steps.isEmpty() && edgeIndices.size() == 1
            ? tr("Disconnect %1 from %2")
                  .arg(edges[edgeIndices.first()].to, edges[edgeIndices.first()].from)
            : tr("Delete"));
    if (!edgeIndices.isEmpty() && usesImplicitChain())
        materializeImplicitEdges();
    for (auto it = edgeIndices.crbegin(); it != edgeIndices.crend(); ++it)
        m_undoStack.push(new RemoveEdgeCommand(this, *it));
    if (!steps.isEmpty())
        m_undoStack.push(new RemoveStepsCommand(this, steps));
    m_undoStack.endMacro();
}

void PipelineModel::moveSteps(const QHash<QString, QPointF>& positions) {
    QHash<QString, QPointF> before;
    QHash<QString, QPointF> after;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        const StepSpec* current = step(it.key());
        if (!current)
            continue;
        before.insert(it.key(), current->position);
        after.insert(it.key(), it.value());
    }
    if (before == after)
        return;
    m_undoStack.push(new MoveStepsCommand(this, before, after));
}

bool PipelineModel::setStepProperty(const QString& id, StepProperty property, const QVariant& value,
                                    QString* error) {
    const StepSpec* current = step(id);
    if (!current) {
        if (error)
            *error = tr("No step \"%1\"").arg(id);
        return false;
    }
    StepSpec changed = *current;
    switch (property) {
    case StepProperty::Id: {
        const QString newId = value.toString().trimmed();
        if (const QString reason = idError(id, newId); !reason.isEmpty()) {
            if (error)
                *error = reason;
            return false;
        }
        changed.id = newId;
        break;
    }
    case StepProperty::Label:
        changed.label = value.toString();
        break;
    case StepProperty::Handler: {
        changed.handler = value.toString();
        // Keep the parameters the new handler also knows; the rest would be errors.
        if (const HandlerInfo* info = HandlerRegistry::global().find(changed.handler)) {
            QJsonObject kept;
            for (auto it = changed.params.constBegin(); it != changed.params.constEnd(); ++it) {
                if (info->param(it.key()))
                    kept.insert(it.key(), it.value());
            }
            changed.params = kept;
        }
        break;
    }
    case StepProperty::Nprocs:
        changed.nprocs = value.toInt();
        break;
    case StepProperty::BatchSize:
        changed.batchSize = value.toInt();
        break;
    case StepProperty::BatchTimeoutMs:
        changed.batchTimeoutMs = value.toInt();
        break;
    case StepProperty::QueueSize:
        changed.queueSize = value.toInt();
        break;
    case StepProperty::Condition:
        changed.condition = value.toString();
        break;
    case StepProperty::OnStartWaitMs:
        changed.onStartWaitMs = value.toInt();
        break;
    case StepProperty::HandleTimeoutMs:
        changed.handleTimeoutMs = value.toInt();
        break;
    }
    if (changed == *current)
        return true;
    m_undoStack.push(new ChangeStepPropertyCommand(this, property, *current, changed));
    return true;
}

void PipelineModel::setParam(const QString& id, const QString& name, const QJsonValue& value) {
    const StepSpec* current = step(id);
    if (!current)
        return;
    const QJsonValue before = current->params.contains(name) ? current->params.value(name)
                                                             : QJsonValue(QJsonValue::Undefined);
    if (before == value)
        return;
    m_undoStack.push(new ChangeParamCommand(this, id, name, before, value));
}

ConnectionRefusal PipelineModel::addEdge(const QString& from, const QString& to,
                                         const QString& when) {
    const ConnectionRefusal refusal = canConnect(from, to);
    if (refusal != ConnectionRefusal::None)
        return refusal;
    EdgeSpec edge{from, to, when};
    if (usesImplicitChain()) {
        // The first drawn edge turns the implicit chain into explicit edges, so the graph
        // keeps meaning what it showed.
        m_undoStack.beginMacro(tr("Connect %1 to %2").arg(from, to));
        materializeImplicitEdges();
        m_undoStack.push(new AddEdgeCommand(this, edge));
        m_undoStack.endMacro();
    } else {
        m_undoStack.push(new AddEdgeCommand(this, edge));
    }
    return ConnectionRefusal::None;
}

void PipelineModel::removeEdge(int edgeIndex) {
    removeItems({}, {edgeIndex});
}

void PipelineModel::setEdgeWhen(int edgeIndex, const QString& when) {
    const QList<EdgeSpec> edges = effectiveEdges();
    if (edgeIndex < 0 || edgeIndex >= edges.size() || edges[edgeIndex].when == when)
        return;
    if (usesImplicitChain()) {
        m_undoStack.beginMacro(tr("Change condition of edge %1").arg(edgeIndex + 1));
        materializeImplicitEdges();
        m_undoStack.push(new ChangeEdgeWhenCommand(this, edgeIndex, edges[edgeIndex].when, when));
        m_undoStack.endMacro();
    } else {
        m_undoStack.push(new ChangeEdgeWhenCommand(this, edgeIndex, edges[edgeIndex].when, when));
    }
}

FlowInfo PipelineModel::flowInfo() const {
    return FlowInfo{m_document.name, m_document.description, m_document.flow, m_document.appLoad};
}

void PipelineModel::setFlowInfo(const FlowInfo& info) {
    const FlowInfo before = flowInfo();
    if (before == info)
        return;
    m_undoStack.push(new ChangeFlowSettingsCommand(this, before, info));
}

QStringList PipelineModel::paste(const PipelineDocument& fragment, QPointF offset) {
    if (fragment.steps.isEmpty())
        return {};
    QHash<QString, QString> newIds;
    QSet<QString> taken;
    for (const StepSpec& step : m_document.steps)
        taken.insert(step.id);
    QList<StepSpec> steps;
    QStringList ids;
    static const QRegularExpression suffix(QStringLiteral("^(.*)_(\\d+)$"));
    auto uniqueAmongTaken = [&](QString stem) {
        if (!idError(QString(), stem).isEmpty() && !taken.contains(stem))
            stem = QStringLiteral("step"); // malformed ids from foreign clipboard text
        if (!taken.contains(stem))
            return stem;
        if (const QRegularExpressionMatch match = suffix.match(stem); match.hasMatch())
            stem = match.captured(1);
        for (int n = 2;; ++n) {
            const QString candidate = QStringLiteral("%1_%2").arg(stem).arg(n);
            if (!taken.contains(candidate))
                return candidate;
        }
    };
    for (StepSpec step : fragment.steps) {
        const QString id = uniqueAmongTaken(step.id.isEmpty() ? step.handler : step.id);
        taken.insert(id);
        newIds.insert(step.id, id);
        step.id = id;
        step.position += offset;
        steps.append(step);
        ids.append(id);
    }
    QList<EdgeSpec> edges;
    for (EdgeSpec edge : fragment.edges) {
        if (!newIds.contains(edge.from) || !newIds.contains(edge.to))
            continue;
        edge.from = newIds.value(edge.from);
        edge.to = newIds.value(edge.to);
        edges.append(edge);
    }
    if (!edges.isEmpty() && usesImplicitChain() && !m_document.steps.isEmpty()) {
        m_undoStack.beginMacro(tr("Paste %1 steps").arg(steps.size()));
        materializeImplicitEdges();
        m_undoStack.push(new PasteCommand(this, steps, edges));
        m_undoStack.endMacro();
    } else {
        m_undoStack.push(new PasteCommand(this, steps, edges));
    }
    return ids;
}

void PipelineModel::autoLayout() {
    const QHash<QString, QPointF> after = tidyLayout(m_document);
    QHash<QString, QPointF> before;
    for (const StepSpec& step : m_document.steps)
        before.insert(step.id, step.position);
    if (before == after)
        return;
    m_undoStack.push(new AutoLayoutCommand(this, before, after));
}

void PipelineModel::materializeImplicitEdges() {
    if (!m_document.edges.isEmpty() || m_document.steps.isEmpty())
        return;
    for (const EdgeSpec& edge : m_document.effectiveEdges())
        m_undoStack.push(new AddEdgeCommand(this, edge));
}

// --- Primitive mutations -------------------------------------------------------------------

void PipelineModel::insertStep(int index, const StepSpec& step) {
    index = std::clamp(index, 0, int(m_document.steps.size()));
    m_document.steps.insert(index, step);
    Q_EMIT stepAdded(step.id);
    scheduleValidation();
}

StepSpec PipelineModel::takeStep(int index) {
    Q_ASSERT(index >= 0 && index < m_document.steps.size());
    StepSpec step = m_document.steps.takeAt(index);
    Q_EMIT stepRemoved(step.id);
    scheduleValidation();
    return step;
}

void PipelineModel::replaceStep(const QString& id, const StepSpec& step) {
    const int index = m_document.stepIndex(id);
    if (index < 0)
        return;
    QList<int> touchedEdges;
    if (step.id != id) {
        for (int i = 0; i < m_document.edges.size(); ++i) {
            EdgeSpec& edge = m_document.edges[i];
            if (edge.from == id || edge.to == id) {
                if (edge.from == id)
                    edge.from = step.id;
                if (edge.to == id)
                    edge.to = step.id;
                touchedEdges.append(i);
            }
        }
    }
    m_document.steps[index] = step;
    if (step.id != id)
        Q_EMIT stepRenamed(id, step.id);
    for (int edgeIndex : std::as_const(touchedEdges))
        Q_EMIT edgeChanged(edgeIndex);
    Q_EMIT stepChanged(step.id);
    scheduleValidation();
}

void PipelineModel::applyPositions(const QHash<QString, QPointF>& positions) {
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        const int index = m_document.stepIndex(it.key());
        if (index < 0 || m_document.steps[index].position == it.value())
            continue;
        m_document.steps[index].position = it.value();
        Q_EMIT stepChanged(it.key());
    }
    // Positions do not affect validity: no revalidation.
}

void PipelineModel::insertEdge(int index, const EdgeSpec& edge) {
    index = std::clamp(index, 0, int(m_document.edges.size()));
    m_document.edges.insert(index, edge);
    Q_EMIT edgeAdded(index);
    scheduleValidation();
}

EdgeSpec PipelineModel::takeEdge(int index) {
    Q_ASSERT(index >= 0 && index < m_document.edges.size());
    EdgeSpec edge = m_document.edges.takeAt(index);
    Q_EMIT edgeRemoved(index);
    scheduleValidation();
    return edge;
}

void PipelineModel::replaceEdge(int index, const EdgeSpec& edge) {
    if (index < 0 || index >= m_document.edges.size())
        return;
    m_document.edges[index] = edge;
    Q_EMIT edgeChanged(index);
    scheduleValidation();
}

void PipelineModel::applyFlowInfo(const FlowInfo& info) {
    m_document.name = info.name;
    m_document.description = info.description;
    m_document.flow = info.flow;
    m_document.appLoad = info.appLoad;
    Q_EMIT flowSettingsChanged();
    scheduleValidation();
}

void PipelineModel::applyDocument(const PipelineDocument& document) {
    m_document = document;
    Q_EMIT documentReset();
    scheduleValidation();
}

} // namespace Aqueduct::Ui
