#pragma once

#include <QWidget>

class QLabel;
class QStackedWidget;

namespace Aqueduct::Ui {

class EdgeEditor;
class FlowEditor;
class PipelineModel;
class StepEditor;

/// The inspector dock's content: the selected step, the selected edge, or the flow
/// settings when nothing is selected.
class InspectorWidget final : public QWidget {
    Q_OBJECT
public:
    enum class Page { Flow, Step, Edge, Multiple };

    explicit InspectorWidget(PipelineModel* model, QWidget* parent = nullptr);

    /// Called with the canvas selection (step ids, effective edge indices).
    void setSelection(const QStringList& stepIds, const QList<int>& edgeIndices);
    Page currentPage() const { return m_page; }

    StepEditor* stepEditor() const { return m_stepEditor; }
    EdgeEditor* edgeEditor() const { return m_edgeEditor; }
    FlowEditor* flowEditor() const { return m_flowEditor; }

private:
    void showPage(Page page, const QString& title, const QString& subtitle);

    PipelineModel* m_model;
    Page m_page = Page::Flow;
    QLabel* m_title;
    QLabel* m_subtitle;
    QStackedWidget* m_stack;
    FlowEditor* m_flowEditor;
    StepEditor* m_stepEditor;
    EdgeEditor* m_edgeEditor;
    QLabel* m_multiple;
};

} // namespace Aqueduct::Ui
