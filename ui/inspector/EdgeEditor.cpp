#include "inspector/EdgeEditor.h"

#include "document/PipelineModel.h"
#include "inspector/ExpressionEdit.h"
#include "inspector/FormSection.h"

#include <QLabel>

namespace Aqueduct::Ui {

EdgeEditor::EdgeEditor(PipelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("edgeEditor"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    QFormLayout* form = addSection(layout, tr("Connection"), this);
    m_ends = new QLabel(this);
    m_ends->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("From → to"), m_ends);
    m_when = new ExpressionEdit(this);
    m_when->setObjectName(QStringLiteral("when"));
    m_when->setPlaceholderText(tr("always"));
    form->addRow(tr("When"), m_when);
    form->addRow(makeHint(tr("A task leaving a step takes the first outgoing connection whose "
                             "condition holds; with none, the task is finished."),
                          this));
    m_implicitNote = makeHint(tr("This is part of the implicit chain (the file has no edges). "
                                 "Editing it writes all edges out explicitly."),
                              this);
    layout->addWidget(m_implicitNote);
    layout->addStretch(1);

    connect(m_when, &ExpressionEdit::committed, this,
            [this](const QString& text) { m_model->setEdgeWhen(m_index, text); });
    // Edge indices shift when others are added or removed: follow this edge by its ends.
    auto follow = [this] {
        const QList<EdgeSpec> edges = m_model->effectiveEdges();
        for (int i = 0; i < edges.size(); ++i) {
            if (edges[i].from == m_from && edges[i].to == m_to) {
                m_index = i;
                refresh();
                return;
            }
        }
    };
    connect(m_model, &PipelineModel::edgeChanged, this, follow);
    connect(m_model, &PipelineModel::edgeAdded, this, follow);
    connect(m_model, &PipelineModel::edgeRemoved, this, follow);
    connect(m_model, &PipelineModel::stepRenamed, this,
            [this, follow](const QString& oldId, const QString& newId) {
                if (m_from == oldId)
                    m_from = newId;
                if (m_to == oldId)
                    m_to = newId;
                follow();
            });
}

void EdgeEditor::setEdge(int edgeIndex) {
    m_index = edgeIndex;
    const QList<EdgeSpec> edges = m_model->effectiveEdges();
    if (edgeIndex >= 0 && edgeIndex < edges.size()) {
        m_from = edges[edgeIndex].from;
        m_to = edges[edgeIndex].to;
    }
    refresh();
}

void EdgeEditor::refresh() {
    const QList<EdgeSpec> edges = m_model->effectiveEdges();
    if (m_index < 0 || m_index >= edges.size())
        return;
    const EdgeSpec& edge = edges[m_index];
    m_ends->setText(QStringLiteral("<b>%1</b> → <b>%2</b>")
                        .arg(edge.from.toHtmlEscaped(), edge.to.toHtmlEscaped()));
    m_when->setExpression(edge.when);
    m_implicitNote->setVisible(m_model->usesImplicitChain());
}

} // namespace Aqueduct::Ui
