#include "inspector/StepEditor.h"

#include "document/PipelineModel.h"
#include "inspector/BoundedSpinBox.h"
#include "inspector/ExpressionEdit.h"
#include "inspector/FormSection.h"
#include "inspector/ParamEditor.h"
#include "style/Theme.h"

#include <aqueduct/HandlerRegistry.h>

#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>

#include <limits>

namespace Aqueduct::Ui {

namespace {

QLabel* makeErrorLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    QPalette errorPalette = label->palette();
    errorPalette.setColor(QPalette::WindowText, Theme::errorColor());
    label->setPalette(errorPalette);
    label->hide();
    return label;
}

QSpinBox* makeSpin(QWidget* parent, int minimum, int maximum, const QString& suffix,
                   const QString& zeroText, const QString& objectName) {
    auto* spin = new BoundedSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(minimum, maximum);
    spin->setKeyboardTracking(false);
    spin->setAccelerated(true);
    if (!suffix.isEmpty())
        spin->setSuffix(suffix);
    if (!zeroText.isEmpty())
        spin->setSpecialValueText(zeroText);
    return spin;
}

} // namespace

StepEditor::StepEditor(PipelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("stepEditor"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    // Identity
    QFormLayout* identity = addSection(layout, tr("Step"), this);
    m_id = new QLineEdit(this);
    m_id->setObjectName(QStringLiteral("stepId"));
    m_id->setToolTip(tr("Unique name of the step; edges and metrics refer to it"));
    m_idError = new QLabel(this);
    m_idError->setWordWrap(true);
    QPalette errorPalette = m_idError->palette();
    errorPalette.setColor(QPalette::WindowText, Theme::errorColor());
    m_idError->setPalette(errorPalette);
    m_idError->hide();
    auto* idBox = new QWidget(this);
    auto* idLayout = new QVBoxLayout(idBox);
    idLayout->setContentsMargins(0, 0, 0, 0);
    idLayout->setSpacing(3);
    idLayout->addWidget(m_id);
    idLayout->addWidget(m_idError);
    identity->addRow(tr("Id"), idBox);
    m_label = new QLineEdit(this);
    m_label->setObjectName(QStringLiteral("stepLabel"));
    m_label->setToolTip(tr("Display name on the canvas (GUI only)"));
    identity->addRow(tr("Label"), m_label);
    m_handler = new QComboBox(this);
    m_handler->setObjectName(QStringLiteral("stepHandler"));
    identity->addRow(tr("Handler"), m_handler);
    m_handlerDescription = makeHint(QString(), this);
    identity->addRow(m_handlerDescription);

    // Parameters
    layout->addWidget(makeSectionHeader(tr("Parameters"), this));
    m_paramsBox = new QWidget(this);
    m_paramsForm = new QFormLayout(m_paramsBox);
    m_paramsForm->setContentsMargins(0, 0, 0, 0);
    m_paramsForm->setHorizontalSpacing(10);
    m_paramsForm->setVerticalSpacing(6);
    m_paramsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addWidget(m_paramsBox);
    m_noParams = makeHint(tr("This handler has no parameters."), this);
    layout->addWidget(m_noParams);
    m_paramProblems = makeErrorLabel(this);
    m_paramProblems->setObjectName(QStringLiteral("paramProblems"));
    layout->addWidget(m_paramProblems);

    // Execution
    QFormLayout* execution = addSection(layout, tr("Execution"), this);
    m_nprocs = makeSpin(this, 1, kMaxStepProcesses, QString(), QString(), QStringLiteral("nprocs"));
    m_nprocs->setToolTip(
        tr("Worker processes for this step (nprocs), at most %1").arg(kMaxStepProcesses));
    static_cast<BoundedSpinBox*>(m_nprocs)->setLimitReason(tr("the engine's limit per step"));
    m_nprocsMessage = makeErrorLabel(this);
    m_nprocsMessage->setObjectName(QStringLiteral("nprocsMessage"));
    connect(static_cast<BoundedSpinBox*>(m_nprocs), &BoundedSpinBox::limitMessage, this,
            [this](const QString& message) {
                m_nprocsMessage->setText(message);
                m_nprocsMessage->setVisible(!message.isEmpty());
            });
    auto* nprocsBox = new QWidget(this);
    auto* nprocsLayout = new QVBoxLayout(nprocsBox);
    nprocsLayout->setContentsMargins(0, 0, 0, 0);
    nprocsLayout->setSpacing(3);
    nprocsLayout->addWidget(m_nprocs);
    nprocsLayout->addWidget(m_nprocsMessage);
    execution->addRow(tr("Processes"), nprocsBox);
    m_batchSize = makeSpin(this, 1, 1000000, QString(), QString(), QStringLiteral("batchSize"));
    m_batchSize->setToolTip(tr("Tasks handed to the handler at once (batch_size)"));
    execution->addRow(tr("Batch size"), m_batchSize);
    m_batchTimeout =
        makeSpin(this, 0, 3600000, tr(" ms"), tr("dynamic"), QStringLiteral("batchTimeout"));
    m_batchTimeout->setToolTip(tr("How long a worker waits to fill a batch (batch_timeout_ms). "
                                  "Dynamic: take what is queued now."));
    execution->addRow(tr("Batch timeout"), m_batchTimeout);
    m_queueSize = makeSpin(this, 0, 100000000, QString(), tr("auto"), QStringLiteral("queueSize"));
    m_queueSize->setToolTip(tr("Capacity of this step's input queue (queue_size). "
                               "Auto: max(3 × batch size, 20)."));
    execution->addRow(tr("Queue size"), m_queueSize);
    m_handleTimeout =
        makeSpin(this, 0, 3600000, tr(" ms"), tr("none"), QStringLiteral("handleTimeout"));
    m_handleTimeout->setToolTip(tr("Past this a worker stuck in a handler is killed and restarted "
                                   "(handle_timeout_ms)"));
    execution->addRow(tr("Handle timeout"), m_handleTimeout);
    m_onStartWait =
        makeSpin(this, 0, 3600000, tr(" ms"), tr("none"), QStringLiteral("onStartWait"));
    m_onStartWait->setToolTip(tr("Extra time allowed for the handler's onStart, beyond the "
                                 "flow's start timeout (on_start_wait_ms)"));
    execution->addRow(tr("Extra start time"), m_onStartWait);

    // Routing
    QFormLayout* routing = addSection(layout, tr("Routing"), this);
    m_condition = new ExpressionEdit(this);
    m_condition->setObjectName(QStringLiteral("condition"));
    m_condition->setPlaceholderText(tr("always"));
    routing->addRow(tr("Condition"), m_condition);
    routing->addRow(makeHint(tr("Tasks for which the condition is false skip this step, "
                                "e.g. <code>size &gt; 1000 &amp;&amp; has(image)</code>."),
                             this));
    layout->addStretch(1);
    alignFormLabels(this);

    // Edits -> model
    connect(m_id, &QLineEdit::editingFinished, this, &StepEditor::commitId);
    connect(m_id, &QLineEdit::textEdited, this, [this](const QString& text) {
        const QString error = m_model->idError(m_stepId, text.trimmed());
        m_idError->setText(error);
        m_idError->setVisible(!error.isEmpty());
    });
    connect(m_label, &QLineEdit::editingFinished, this, [this] {
        m_model->setStepProperty(m_stepId, StepProperty::Label, m_label->text().trimmed());
    });
    connect(m_handler, &QComboBox::activated, this, [this](int index) {
        m_model->setStepProperty(m_stepId, StepProperty::Handler, m_handler->itemData(index));
    });
    auto bindSpin = [this](QSpinBox* spin, StepProperty property) {
        connect(spin, &QSpinBox::valueChanged, this, [this, property](int value) {
            m_model->setStepProperty(m_stepId, property, value);
        });
    };
    bindSpin(m_nprocs, StepProperty::Nprocs);
    bindSpin(m_batchSize, StepProperty::BatchSize);
    bindSpin(m_batchTimeout, StepProperty::BatchTimeoutMs);
    bindSpin(m_queueSize, StepProperty::QueueSize);
    bindSpin(m_handleTimeout, StepProperty::HandleTimeoutMs);
    bindSpin(m_onStartWait, StepProperty::OnStartWaitMs);
    connect(m_condition, &ExpressionEdit::committed, this, [this](const QString& text) {
        m_model->setStepProperty(m_stepId, StepProperty::Condition, text);
    });

    // Model -> widgets
    connect(m_model, &PipelineModel::problemsChanged, this, &StepEditor::showParamProblems);
    connect(m_model, &PipelineModel::baseDirectoryChanged, this, [this](const QString& folder) {
        for (ParamEditor* editor : std::as_const(m_params))
            editor->setBaseDirectory(folder);
    });
    connect(m_model, &PipelineModel::stepChanged, this, [this](const QString& id) {
        if (id == m_stepId)
            refresh();
    });
    connect(m_model, &PipelineModel::stepRenamed, this,
            [this](const QString& oldId, const QString& newId) {
                if (oldId == m_stepId) {
                    m_stepId = newId;
                    refresh();
                }
            });
}

void StepEditor::setStep(const QString& id) {
    m_stepId = id;
    m_idError->hide();
    m_nprocsMessage->hide();
    refresh();
    showParamProblems();
}

QString StepEditor::nprocsMessage() const {
    return m_nprocsMessage->isHidden() ? QString() : m_nprocsMessage->text();
}

QString StepEditor::paramProblemsText() const {
    return m_paramProblems->isHidden() ? QString() : m_paramProblems->text();
}

void StepEditor::showParamProblems() {
    // Parameter problems (types, ranges and the handler's own checks, e.g. a value that
    // does not parse as the chosen type) show here as they appear, not only at Run.
    QStringList lines;
    for (const Problem& problem : m_model->stepProblems(m_stepId)) {
        const qsizetype at = problem.path.indexOf(QLatin1String(".params."));
        if (at < 0)
            continue;
        lines << QStringLiteral("%1: %2").arg(problem.path.mid(at + 8), problem.message);
    }
    m_paramProblems->setText(lines.join(QLatin1Char('\n')));
    m_paramProblems->setVisible(!lines.isEmpty());
}

void StepEditor::commitId() {
    const QString text = m_id->text().trimmed();
    if (text == m_stepId) {
        m_idError->hide();
        return;
    }
    QString error;
    if (!m_model->setStepProperty(m_stepId, StepProperty::Id, text, &error)) {
        m_idError->setText(error);
        m_idError->show();
        return;
    }
    m_idError->hide();
}

void StepEditor::rebuildParams() {
    while (m_paramsForm->rowCount() > 0)
        m_paramsForm->removeRow(0);
    m_params.clear();
    const StepSpec* step = m_model->step(m_stepId);
    const HandlerInfo* info = step ? HandlerRegistry::global().find(step->handler) : nullptr;
    m_paramsBuiltFor = step ? step->handler : QString();
    if (info) {
        for (const ParamSpec& spec : info->params) {
            auto* editor = new ParamEditor(spec, m_paramsBox);
            editor->setBaseDirectory(m_model->baseDirectory());
            const QString name = spec.name;
            connect(editor, &ParamEditor::edited, this, [this, name](const QJsonValue& value) {
                m_model->setParam(m_stepId, name, value);
            });
            auto* label = new QLabel(spec.required ? spec.name + QStringLiteral(" *") : spec.name,
                                     m_paramsBox);
            label->setToolTip(editor->toolTip());
            label->setBuddy(editor->editor());
            m_paramsForm->addRow(label, editor);
            m_params.insert(name, editor);
        }
    }
    // Parameters the handler does not know (typos, a changed plugin): visible, removable.
    if (step) {
        for (auto it = step->params.constBegin(); it != step->params.constEnd(); ++it) {
            if (info && info->param(it.key()))
                continue;
            auto* label = new QLabel(it.key(), m_paramsBox);
            auto* value = new QLabel(
                tr("%1 <span style='color:%2'>(unknown parameter)</span>")
                    .arg(QString::fromUtf8(
                             QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact))
                             .mid(1)
                             .chopped(1)
                             .toHtmlEscaped(),
                         Theme::errorColor().name()),
                m_paramsBox);
            m_paramsForm->addRow(label, value);
        }
    }
    m_noParams->setVisible(m_paramsForm->rowCount() == 0);
    alignFormLabels(this);
    m_noParams->setText(info || !step ? tr("This handler has no parameters.")
                                      : tr("Unknown handler: parameters cannot be checked."));
}

void StepEditor::refresh() {
    const StepSpec* step = m_model->step(m_stepId);
    if (!step)
        return;
    const QSignalBlocker blockId(m_id);
    const QSignalBlocker blockLabel(m_label);
    const QSignalBlocker blockHandler(m_handler);
    const QSignalBlocker blockNprocs(m_nprocs);
    const QSignalBlocker blockBatch(m_batchSize);
    const QSignalBlocker blockTimeout(m_batchTimeout);
    const QSignalBlocker blockQueue(m_queueSize);
    const QSignalBlocker blockHandle(m_handleTimeout);
    const QSignalBlocker blockStart(m_onStartWait);

    if (!m_id->hasFocus() || m_idError->isHidden())
        m_id->setText(step->id);
    m_label->setText(step->label);
    m_label->setPlaceholderText(step->id);

    m_handler->clear();
    const HandlerInfo* info = HandlerRegistry::global().find(step->handler);
    if (!info)
        m_handler->addItem(tr("%1 (unknown)").arg(step->handler), step->handler);
    for (const HandlerInfo& handler : HandlerRegistry::global().handlers())
        m_handler->addItem(handler.name, handler.name);
    m_handler->setCurrentIndex(m_handler->findData(step->handler));
    m_handlerDescription->setText(info ? info->description
                                       : tr("No handler of this name is loaded."));

    m_nprocs->setValue(step->nprocs);
    m_batchSize->setValue(step->batchSize);
    m_batchTimeout->setValue(step->batchTimeoutMs);
    StepSpec withDefaultQueue = *step;
    withDefaultQueue.queueSize = 0;
    m_queueSize->setSpecialValueText(tr("auto (%1)").arg(withDefaultQueue.effectiveQueueSize()));
    m_queueSize->setValue(step->queueSize);
    m_handleTimeout->setValue(step->handleTimeoutMs);
    m_onStartWait->setValue(step->onStartWaitMs);
    m_condition->setExpression(step->condition);

    // Rebuild the parameter rows only when the handler (or the set of unknown params)
    // changes, so an editor keeps focus while its value round-trips through the model.
    bool needsRebuild = m_paramsBuiltFor != step->handler ||
                        m_params.isEmpty() != (info == nullptr || info->params.isEmpty());
    for (auto it = step->params.constBegin(); it != step->params.constEnd() && !needsRebuild; ++it)
        needsRebuild = !m_params.contains(it.key());
    if (!needsRebuild && info && m_paramsForm->rowCount() != info->params.size())
        needsRebuild = true;
    if (needsRebuild)
        rebuildParams();
    for (auto it = m_params.cbegin(); it != m_params.cend(); ++it) {
        it.value()->setValue(step->params.contains(it.key()) ? step->params.value(it.key())
                                                             : QJsonValue(QJsonValue::Undefined));
    }
}

} // namespace Aqueduct::Ui
