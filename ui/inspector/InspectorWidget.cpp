#include "inspector/InspectorWidget.h"

#include "document/PipelineModel.h"
#include "inspector/EdgeEditor.h"
#include "inspector/FlowEditor.h"
#include "inspector/FormSection.h"
#include "inspector/StepEditor.h"

#include <aqueduct/HandlerRegistry.h>

#include <QLabel>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

InspectorWidget::InspectorWidget(PipelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("inspector"));
    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setWeight(QFont::DemiBold);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_subtitle = makeHint(QString(), this);

    m_stack = new QStackedWidget(this);
    m_flowEditor = new FlowEditor(model, m_stack);
    m_stepEditor = new StepEditor(model, m_stack);
    m_edgeEditor = new EdgeEditor(model, m_stack);
    m_multiple = makeHint(QString(), m_stack);
    m_multiple->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_stack->addWidget(m_flowEditor);
    m_stack->addWidget(m_stepEditor);
    m_stack->addWidget(m_edgeEditor);
    m_stack->addWidget(m_multiple);

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(12, 10, 12, 12);
    contentLayout->setSpacing(2);
    contentLayout->addWidget(m_title);
    contentLayout->addWidget(m_subtitle);
    contentLayout->addWidget(m_stack);
    contentLayout->addStretch(1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    connect(model, &PipelineModel::documentReset, this, [this] { setSelection({}, {}); });
    connect(model, &PipelineModel::stepRemoved, this, [this](const QString& id) {
        if (m_page == Page::Step && m_stepEditor->stepId() == id)
            setSelection({}, {});
    });
    connect(model, &PipelineModel::stepChanged, this, [this](const QString& id) {
        if (m_page == Page::Step && m_stepEditor->stepId() == id) {
            const StepSpec* step = m_model->step(id);
            m_title->setText(step->label.isEmpty() ? step->id : step->label);
        }
    });
    connect(model, &PipelineModel::flowSettingsChanged, this, [this] {
        if (m_page == Page::Flow)
            setSelection({}, {});
    });
    setSelection({}, {});
}

void InspectorWidget::showPage(Page page, const QString& title, const QString& subtitle) {
    m_page = page;
    m_title->setText(title);
    m_subtitle->setText(subtitle);
    m_subtitle->setVisible(!subtitle.isEmpty());
    switch (page) {
    case Page::Flow:
        m_stack->setCurrentWidget(m_flowEditor);
        break;
    case Page::Step:
        m_stack->setCurrentWidget(m_stepEditor);
        break;
    case Page::Edge:
        m_stack->setCurrentWidget(m_edgeEditor);
        break;
    case Page::Multiple:
        m_stack->setCurrentWidget(m_multiple);
        break;
    }
    // Size to the page shown, not the tallest page (no scroll bar for a short page).
    for (int i = 0; i < m_stack->count(); ++i) {
        QWidget* widget = m_stack->widget(i);
        widget->setSizePolicy(QSizePolicy::Preferred, widget == m_stack->currentWidget()
                                                          ? QSizePolicy::Preferred
                                                          : QSizePolicy::Ignored);
    }
    m_stack->adjustSize();
}

void InspectorWidget::setSelection(const QStringList& stepIds, const QList<int>& edgeIndices) {
    if (stepIds.size() == 1 && edgeIndices.isEmpty()) {
        const StepSpec* step = m_model->step(stepIds.first());
        if (step) {
            m_stepEditor->setStep(step->id);
            const HandlerInfo* info = HandlerRegistry::global().find(step->handler);
            showPage(Page::Step, step->label.isEmpty() ? step->id : step->label,
                     info ? tr("%1 step · %2").arg(info->category, info->name)
                          : tr("Step with unknown handler \"%1\"").arg(step->handler));
            return;
        }
    }
    if (edgeIndices.size() == 1 && stepIds.isEmpty()) {
        const QList<EdgeSpec> edges = m_model->effectiveEdges();
        const int index = edgeIndices.first();
        if (index >= 0 && index < edges.size()) {
            m_edgeEditor->setEdge(index);
            showPage(Page::Edge, tr("Connection"), QString());
            return;
        }
    }
    if (!stepIds.isEmpty() || !edgeIndices.isEmpty()) {
        QStringList parts;
        if (!stepIds.isEmpty())
            parts << tr("%n step(s)", nullptr, int(stepIds.size()));
        if (!edgeIndices.isEmpty())
            parts << tr("%n connection(s)", nullptr, int(edgeIndices.size()));
        m_multiple->setText(tr("Copy, cut, duplicate, delete or move them together; select a "
                               "single item to edit it."));
        showPage(Page::Multiple, tr("%1 selected").arg(parts.join(tr(" and "))), QString());
        return;
    }
    m_flowEditor->refresh();
    const QString name = m_model->document().name;
    showPage(Page::Flow, name.isEmpty() ? tr("Pipeline") : name, tr("Flow settings"));
}

} // namespace Aqueduct::Ui
