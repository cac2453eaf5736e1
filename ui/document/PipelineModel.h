#pragma once

#include "document/ConnectionRules.h"

#include <aqueduct/PipelineDocument.h>
#include <aqueduct/Problem.h>

#include <QHash>
#include <QObject>
#include <QPointF>
#include <QTimer>
#include <QUndoStack>
#include <QVariant>

namespace Aqueduct::Ui {

/// Step fields the inspector edits one at a time (each edit is one undo command).
enum class StepProperty {
    Id,
    Label,
    Handler,
    Nprocs,
    BatchSize,
    BatchTimeoutMs,
    QueueSize,
    Condition,
    OnStartWaitMs,
    HandleTimeoutMs,
};
QString stepPropertyName(StepProperty property);

/// The document-level fields shown when nothing is selected.
struct FlowInfo {
    QString name;
    QString description;
    FlowSettings flow;
    QJsonObject appLoad; ///< the Run's load, as saved in the file (LoadSettings JSON)
    bool operator==(const FlowInfo&) const = default;
};

/// The designer's document: a PipelineDocument plus its undo stack and live problems.
/// Every edit goes through a QUndoCommand; views observe the signals and never own data.
/// Edges are addressed by their index in effectiveEdges(): with no explicit edges that is
/// the implicit chain, which the first edge edit materialises as explicit edges (in the
/// same order, so indices stay valid and nothing silently changes meaning).
class PipelineModel : public QObject {
    Q_OBJECT
public:
    explicit PipelineModel(QObject* parent = nullptr);
    ~PipelineModel() override;

    const PipelineDocument& document() const { return m_document; }
    QUndoStack* undoStack() { return &m_undoStack; }
    bool isModified() const { return !m_undoStack.isClean(); }

    // --- Whole-document operations ------------------------------------------------------
    /// Replaces the document and clears the undo stack (open / new). `loadProblems` are
    /// the structural problems found while reading the file; they stay listed until the
    /// document is saved or replaced.
    void resetDocument(const PipelineDocument& document, const QList<Problem>& loadProblems = {});
    /// Replaces the document as one undoable edit (autosave restore).
    void replaceDocumentUndoable(const PipelineDocument& document, const QString& text);
    void clearLoadProblems();

    /// The folder relative file-path parameters (ParamSpec::filePath, e.g. a model file)
    /// mean paths in: the pipeline file's folder, or for an example opened as a copy the
    /// example's folder. Empty for a document never saved.
    const QString& baseDirectory() const { return m_baseDirectory; }
    void setBaseDirectory(const QString& folder);
    /// baseDirectory(), or the current directory when that is empty (as `aqueduct run`
    /// would resolve a relative path given on its command line).
    QString effectiveBaseDirectory() const;

    // --- Queries ------------------------------------------------------------------------
    const StepSpec* step(const QString& id) const { return m_document.step(id); }
    QStringList stepIds() const;
    QList<EdgeSpec> effectiveEdges() const { return m_document.effectiveEdges(); }
    /// True when the document has steps but no explicit edges (the implicit chain).
    bool usesImplicitChain() const { return m_document.edges.isEmpty(); }
    ConnectionRefusal canConnect(const QString& from, const QString& to) const;
    /// `base`, or `base_2`, `base_3`... whichever is free.
    QString uniqueStepId(const QString& base) const;
    /// Why `id` cannot become `stepId`'s id (empty when it can).
    QString idError(const QString& stepId, const QString& id) const;

    /// Load problems followed by the validator's, as of the last validation.
    const QList<Problem>& problems() const { return m_problems; }
    QList<Problem> stepProblems(const QString& id) const;
    QList<Problem> edgeProblems(int edgeIndex) const;
    /// Runs validation now (normally coalesced into a 0-ms timer after each change).
    void validateNow();

    // --- Edits (each pushes undo commands) ------------------------------------------------
    /// Adds a step for `handler` at `position`; returns its id.
    QString addStep(const QString& handler, QPointF position);
    /// Adds a step and connects it after `upstream` and/or before `downstream` (either may
    /// be empty) as one undo step. Returns its id.
    QString addConnectedStep(const QString& handler, QPointF position, const QString& upstream,
                             const QString& downstream);
    void removeSteps(const QStringList& ids);
    /// Deletes steps and edges (effective indices) as one undo step.
    void removeItems(const QStringList& stepIds, QList<int> edgeIndices);
    /// New positions by step id; successive moves of the same steps merge into one undo step.
    void moveSteps(const QHash<QString, QPointF>& positions);
    /// Returns false (and the reason in `error`) when the value is not acceptable.
    bool setStepProperty(const QString& id, StepProperty property, const QVariant& value,
                         QString* error = nullptr);
    /// Sets one handler parameter; an undefined value removes it (back to the default).
    void setParam(const QString& id, const QString& name, const QJsonValue& value);
    ConnectionRefusal addEdge(const QString& from, const QString& to, const QString& when = {});
    void removeEdge(int edgeIndex);
    void setEdgeWhen(int edgeIndex, const QString& when);
    FlowInfo flowInfo() const;
    void setFlowInfo(const FlowInfo& info);
    /// Adds a fragment's steps (ids made unique, positions offset) and its internal edges.
    /// Returns the new ids.
    QStringList paste(const PipelineDocument& fragment, QPointF offset);
    /// Tidies the layout: layers left to right by longest path from the input, keeping the
    /// person's vertical order within each layer.
    void autoLayout();

    // --- Primitive mutations (for undo commands only; they emit the signals) -------------
    void insertStep(int index, const StepSpec& step);
    StepSpec takeStep(int index);
    /// Replaces the step with id `id`; a different id in `step` renames it (edges follow).
    void replaceStep(const QString& id, const StepSpec& step);
    void applyPositions(const QHash<QString, QPointF>& positions);
    void insertEdge(int index, const EdgeSpec& edge);
    EdgeSpec takeEdge(int index);
    void replaceEdge(int index, const EdgeSpec& edge);
    void applyFlowInfo(const FlowInfo& info);
    void applyDocument(const PipelineDocument& document);

Q_SIGNALS:
    void documentReset();
    void stepAdded(const QString& id);
    void stepRemoved(const QString& id);
    void stepChanged(const QString& id);
    void stepRenamed(const QString& oldId, const QString& newId);
    void edgeAdded(int index);
    void edgeRemoved(int index);
    void edgeChanged(int index);
    void flowSettingsChanged();
    void problemsChanged();
    void baseDirectoryChanged(const QString& folder);

private:
    /// Pushes AddEdge commands for the implicit chain (call inside a macro).
    void materializeImplicitEdges();
    void scheduleValidation();

    PipelineDocument m_document;
    QUndoStack m_undoStack;
    QList<Problem> m_loadProblems;
    QList<Problem> m_problems;
    QString m_baseDirectory;
    QTimer m_validationTimer;
};

} // namespace Aqueduct::Ui
