#pragma once

#include <QHash>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Aqueduct::Ui {

class ExpressionEdit;
class ParamEditor;
class PipelineModel;

/// Inspector page for one step: identity, handler parameters from the schema, execution
/// settings and the condition. Every edit is an undo command on the model.
class StepEditor final : public QWidget {
    Q_OBJECT
public:
    explicit StepEditor(PipelineModel* model, QWidget* parent = nullptr);

    void setStep(const QString& id);
    const QString& stepId() const { return m_stepId; }

    // For tests and focus handling.
    QLineEdit* idEdit() const { return m_id; }
    QLineEdit* labelEdit() const { return m_label; }
    QComboBox* handlerCombo() const { return m_handler; }
    ParamEditor* paramEditor(const QString& name) const { return m_params.value(name); }
    QSpinBox* nprocsSpin() const { return m_nprocs; }
    QSpinBox* batchSizeSpin() const { return m_batchSize; }
    QSpinBox* batchTimeoutSpin() const { return m_batchTimeout; }
    QSpinBox* queueSizeSpin() const { return m_queueSize; }
    ExpressionEdit* conditionEdit() const { return m_condition; }
    /// The out-of-range note under Processes; empty when hidden.
    QString nprocsMessage() const;
    /// Problems with the parameters (the handler's schema checks), as shown; empty when none.
    QString paramProblemsText() const;

private:
    void refresh();
    void rebuildParams();
    void commitId();
    void showParamProblems();

    PipelineModel* m_model;
    QString m_stepId;
    QString m_paramsBuiltFor; ///< handler the parameter rows were built for

    QLineEdit* m_id;
    QLabel* m_idError;
    QLineEdit* m_label;
    QComboBox* m_handler;
    QLabel* m_handlerDescription;
    QWidget* m_paramsBox;
    QFormLayout* m_paramsForm;
    QLabel* m_noParams;
    QLabel* m_paramProblems;
    QLabel* m_nprocsMessage;
    QHash<QString, ParamEditor*> m_params;
    QSpinBox* m_nprocs;
    QSpinBox* m_batchSize;
    QSpinBox* m_batchTimeout;
    QSpinBox* m_queueSize;
    QSpinBox* m_handleTimeout;
    QSpinBox* m_onStartWait;
    ExpressionEdit* m_condition;
};

} // namespace Aqueduct::Ui
