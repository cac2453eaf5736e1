#include "document/UndoCommands.h"

#include <QCoreApplication>

#include <algorithm>

namespace Aqueduct::Ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Aqueduct::Ui::UndoCommands", text);
}

} // namespace

// --- AddStepCommand ------------------------------------------------------------------------

AddStepCommand::AddStepCommand(PipelineModel* model, StepSpec step, int index, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_step(std::move(step))
    , m_index(index < 0 ? int(model->document().steps.size()) : index) {
    setText(tr("Add step %1").arg(m_step.id));
}

void AddStepCommand::redo() {
    m_model->insertStep(m_index, m_step);
}

void AddStepCommand::undo() {
    m_model->takeStep(m_index);
}

// --- RemoveStepsCommand --------------------------------------------------------------------

RemoveStepsCommand::RemoveStepsCommand(PipelineModel* model, const QStringList& ids,
                                       QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model) {
    const PipelineDocument& document = model->document();
    for (int i = 0; i < document.steps.size(); ++i) {
        if (ids.contains(document.steps[i].id))
            m_steps.append({i, document.steps[i]});
    }
    for (int i = 0; i < document.edges.size(); ++i) {
        const EdgeSpec& edge = document.edges[i];
        if (ids.contains(edge.from) || ids.contains(edge.to))
            m_edges.append({i, edge});
    }
    setText(m_steps.size() == 1 ? tr("Delete step %1").arg(m_steps.first().second.id)
                                : tr("Delete %1 steps").arg(m_steps.size()));
}

void RemoveStepsCommand::redo() {
    for (auto it = m_edges.crbegin(); it != m_edges.crend(); ++it)
        m_model->takeEdge(it->first);
    for (auto it = m_steps.crbegin(); it != m_steps.crend(); ++it)
        m_model->takeStep(it->first);
}

void RemoveStepsCommand::undo() {
    for (const auto& [index, step] : m_steps)
        m_model->insertStep(index, step);
    for (const auto& [index, edge] : m_edges)
        m_model->insertEdge(index, edge);
}

// --- MoveStepsCommand ----------------------------------------------------------------------

MoveStepsCommand::MoveStepsCommand(PipelineModel* model, QHash<QString, QPointF> before,
                                   QHash<QString, QPointF> after, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_before(std::move(before))
    , m_after(std::move(after)) {
    setText(m_after.size() == 1 ? tr("Move %1").arg(m_after.cbegin().key())
                                : tr("Move %1 steps").arg(m_after.size()));
}

void MoveStepsCommand::redo() {
    m_model->applyPositions(m_after);
}

void MoveStepsCommand::undo() {
    m_model->applyPositions(m_before);
}

bool MoveStepsCommand::mergeWith(const QUndoCommand* other) {
    const auto* move = static_cast<const MoveStepsCommand*>(other);
    if (move->m_model != m_model || move->m_after.size() != m_after.size())
        return false;
    for (auto it = move->m_after.cbegin(); it != move->m_after.cend(); ++it) {
        if (!m_after.contains(it.key()))
            return false;
    }
    m_after = move->m_after;
    setObsolete(m_after == m_before);
    return true;
}

// --- ChangeStepPropertyCommand -------------------------------------------------------------

ChangeStepPropertyCommand::ChangeStepPropertyCommand(PipelineModel* model, StepProperty property,
                                                     StepSpec before, StepSpec after,
                                                     QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_before(std::move(before))
    , m_after(std::move(after)) {
    setText(tr("Change %1 of %2").arg(stepPropertyName(property), m_before.id));
}

void ChangeStepPropertyCommand::redo() {
    m_model->replaceStep(m_before.id, m_after);
}

void ChangeStepPropertyCommand::undo() {
    m_model->replaceStep(m_after.id, m_before);
}

// --- ChangeParamCommand --------------------------------------------------------------------

ChangeParamCommand::ChangeParamCommand(PipelineModel* model, QString stepId, QString name,
                                       QJsonValue before, QJsonValue after, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_stepId(std::move(stepId))
    , m_name(std::move(name))
    , m_before(std::move(before))
    , m_after(std::move(after)) {
    setText(m_after.isUndefined() ? tr("Reset %1.%2").arg(m_stepId, m_name)
                                  : tr("Change %1.%2").arg(m_stepId, m_name));
}

void ChangeParamCommand::apply(const QJsonValue& value) {
    const StepSpec* current = m_model->step(m_stepId);
    if (!current)
        return;
    StepSpec step = *current;
    if (value.isUndefined())
        step.params.remove(m_name);
    else
        step.params.insert(m_name, value);
    m_model->replaceStep(m_stepId, step);
}

void ChangeParamCommand::redo() {
    apply(m_after);
}

void ChangeParamCommand::undo() {
    apply(m_before);
}

// --- AddEdgeCommand ------------------------------------------------------------------------

AddEdgeCommand::AddEdgeCommand(PipelineModel* model, EdgeSpec edge, int index, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_edge(std::move(edge))
    , m_index(index < 0 ? int(model->document().edges.size()) : index) {
    setText(tr("Connect %1 to %2").arg(m_edge.from, m_edge.to));
}

void AddEdgeCommand::redo() {
    m_model->insertEdge(m_index, m_edge);
}

void AddEdgeCommand::undo() {
    m_model->takeEdge(m_index);
}

// --- RemoveEdgeCommand ---------------------------------------------------------------------

RemoveEdgeCommand::RemoveEdgeCommand(PipelineModel* model, int index, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_index(index)
    , m_edge(model->document().edges.value(index)) {
    setText(tr("Disconnect %1 from %2").arg(m_edge.to, m_edge.from));
}

void RemoveEdgeCommand::redo() {
    m_model->takeEdge(m_index);
}

void RemoveEdgeCommand::undo() {
    m_model->insertEdge(m_index, m_edge);
}

// --- ChangeEdgeWhenCommand -----------------------------------------------------------------

ChangeEdgeWhenCommand::ChangeEdgeWhenCommand(PipelineModel* model, int index, QString before,
                                             QString after, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_index(index)
    , m_before(std::move(before))
    , m_after(std::move(after)) {
    setText(tr("Change condition of edge %1").arg(index + 1));
}

void ChangeEdgeWhenCommand::apply(const QString& when) {
    EdgeSpec edge = m_model->document().edges.value(m_index);
    edge.when = when;
    m_model->replaceEdge(m_index, edge);
}

void ChangeEdgeWhenCommand::redo() {
    apply(m_after);
}

void ChangeEdgeWhenCommand::undo() {
    apply(m_before);
}

// --- ChangeFlowSettingsCommand -------------------------------------------------------------

ChangeFlowSettingsCommand::ChangeFlowSettingsCommand(PipelineModel* model, FlowInfo before,
                                                     FlowInfo after, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_before(std::move(before))
    , m_after(std::move(after)) {
    setText(tr("Change flow settings"));
}

void ChangeFlowSettingsCommand::redo() {
    m_model->applyFlowInfo(m_after);
}

void ChangeFlowSettingsCommand::undo() {
    m_model->applyFlowInfo(m_before);
}

// --- PasteCommand --------------------------------------------------------------------------

PasteCommand::PasteCommand(PipelineModel* model, QList<StepSpec> steps, QList<EdgeSpec> edges,
                           QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_steps(std::move(steps))
    , m_edges(std::move(edges)) {
    setText(m_steps.size() == 1 ? tr("Paste %1").arg(m_steps.first().id)
                                : tr("Paste %1 steps").arg(m_steps.size()));
}

void PasteCommand::redo() {
    for (const StepSpec& step : std::as_const(m_steps))
        m_model->insertStep(int(m_model->document().steps.size()), step);
    for (const EdgeSpec& edge : std::as_const(m_edges))
        m_model->insertEdge(int(m_model->document().edges.size()), edge);
}

void PasteCommand::undo() {
    for (qsizetype i = 0; i < m_edges.size(); ++i)
        m_model->takeEdge(int(m_model->document().edges.size()) - 1);
    for (qsizetype i = 0; i < m_steps.size(); ++i)
        m_model->takeStep(int(m_model->document().steps.size()) - 1);
}

// --- AutoLayoutCommand ---------------------------------------------------------------------

AutoLayoutCommand::AutoLayoutCommand(PipelineModel* model, QHash<QString, QPointF> before,
                                     QHash<QString, QPointF> after, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_before(std::move(before))
    , m_after(std::move(after)) {
    setText(tr("Auto layout"));
}

void AutoLayoutCommand::redo() {
    m_model->applyPositions(m_after);
}

void AutoLayoutCommand::undo() {
    m_model->applyPositions(m_before);
}

// --- ReplaceDocumentCommand ----------------------------------------------------------------

ReplaceDocumentCommand::ReplaceDocumentCommand(PipelineModel* model, PipelineDocument before,
                                               PipelineDocument after, const QString& text,
                                               QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_model(model)
    , m_before(std::move(before))
    , m_after(std::move(after)) {}

void ReplaceDocumentCommand::redo() {
    m_model->applyDocument(m_after);
}

void ReplaceDocumentCommand::undo() {
    m_model->applyDocument(m_before);
}

} // namespace Aqueduct::Ui
