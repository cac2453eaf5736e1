#pragma once

#include <QWidget>

class QLabel;

namespace Aqueduct::Ui {

class ExpressionEdit;
class PipelineModel;

/// Inspector page for one edge: its ends and its `when` expression.
class EdgeEditor final : public QWidget {
    Q_OBJECT
public:
    explicit EdgeEditor(PipelineModel* model, QWidget* parent = nullptr);

    /// `edgeIndex` in the model's effective edges.
    void setEdge(int edgeIndex);
    int edgeIndex() const { return m_index; }
    ExpressionEdit* whenEdit() const { return m_when; }

private:
    void refresh();

    PipelineModel* m_model;
    int m_index = -1;
    QString m_from;
    QString m_to;
    QLabel* m_ends;
    QLabel* m_implicitNote;
    ExpressionEdit* m_when;
};

} // namespace Aqueduct::Ui
