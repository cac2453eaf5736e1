#pragma once

#include "document/PipelineModel.h"

#include <QUndoCommand>

// One command per kind of edit. Each captures what it needs to undo when constructed, so
// construct it right before pushing it.
namespace Aqueduct::Ui {

enum UndoCommandId { MoveStepsCommandId = 1001 };

class AddStepCommand final : public QUndoCommand {
public:
    AddStepCommand(PipelineModel* model, StepSpec step, int index = -1,
                   QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    StepSpec m_step;
    int m_index;
};

/// Removes steps and every edge touching them.
class RemoveStepsCommand final : public QUndoCommand {
public:
    RemoveStepsCommand(PipelineModel* model, const QStringList& ids,
                       QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    QList<QPair<int, StepSpec>> m_steps; ///< ascending index
    QList<QPair<int, EdgeSpec>> m_edges; ///< ascending index
};

class MoveStepsCommand final : public QUndoCommand {
public:
    MoveStepsCommand(PipelineModel* model, QHash<QString, QPointF> before,
                     QHash<QString, QPointF> after, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override { return MoveStepsCommandId; }
    /// Successive moves of the same steps become one undo step.
    bool mergeWith(const QUndoCommand* other) override;

private:
    PipelineModel* m_model;
    QHash<QString, QPointF> m_before;
    QHash<QString, QPointF> m_after;
};

/// Any field of a step other than a single parameter (the whole spec before/after, which
/// is cheap: QString and QJsonObject are implicitly shared).
class ChangeStepPropertyCommand final : public QUndoCommand {
public:
    ChangeStepPropertyCommand(PipelineModel* model, StepProperty property, StepSpec before,
                              StepSpec after, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    StepSpec m_before;
    StepSpec m_after;
};

class ChangeParamCommand final : public QUndoCommand {
public:
    /// An undefined QJsonValue means "not set" (the schema default applies).
    ChangeParamCommand(PipelineModel* model, QString stepId, QString name, QJsonValue before,
                       QJsonValue after, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    void apply(const QJsonValue& value);
    PipelineModel* m_model;
    QString m_stepId;
    QString m_name;
    QJsonValue m_before;
    QJsonValue m_after;
};

class AddEdgeCommand final : public QUndoCommand {
public:
    AddEdgeCommand(PipelineModel* model, EdgeSpec edge, int index = -1,
                   QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    EdgeSpec m_edge;
    int m_index;
};

class RemoveEdgeCommand final : public QUndoCommand {
public:
    RemoveEdgeCommand(PipelineModel* model, int index, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    int m_index;
    EdgeSpec m_edge;
};

class ChangeEdgeWhenCommand final : public QUndoCommand {
public:
    ChangeEdgeWhenCommand(PipelineModel* model, int index, QString before, QString after,
                          QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    void apply(const QString& when);
    PipelineModel* m_model;
    int m_index;
    QString m_before;
    QString m_after;
};

class ChangeFlowSettingsCommand final : public QUndoCommand {
public:
    ChangeFlowSettingsCommand(PipelineModel* model, FlowInfo before, FlowInfo after,
                              QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    FlowInfo m_before;
    FlowInfo m_after;
};

/// Appends steps and edges (already made unique) at the end of the document.
class PasteCommand final : public QUndoCommand {
public:
    PasteCommand(PipelineModel* model, QList<StepSpec> steps, QList<EdgeSpec> edges,
                 QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    QList<StepSpec> m_steps;
    QList<EdgeSpec> m_edges;
};

class AutoLayoutCommand final : public QUndoCommand {
public:
    AutoLayoutCommand(PipelineModel* model, QHash<QString, QPointF> before,
                      QHash<QString, QPointF> after, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    QHash<QString, QPointF> m_before;
    QHash<QString, QPointF> m_after;
};

/// Swaps the whole document (restoring an autosave).
class ReplaceDocumentCommand final : public QUndoCommand {
public:
    ReplaceDocumentCommand(PipelineModel* model, PipelineDocument before, PipelineDocument after,
                           const QString& text, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineModel* m_model;
    PipelineDocument m_before;
    PipelineDocument m_after;
};

} // namespace Aqueduct::Ui
