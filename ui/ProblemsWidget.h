#pragma once

#include <aqueduct/Problem.h>

#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace Aqueduct::Ui {

class PipelineModel;

/// Every problem of the document (load and validation), one row each; activating a row
/// asks the window to select and centre the step or edge it belongs to.
class ProblemsWidget final : public QWidget {
    Q_OBJECT
public:
    explicit ProblemsWidget(PipelineModel* model, QWidget* parent = nullptr);

    QTreeWidget* treeWidget() const { return m_tree; }
    int problemCount() const;

Q_SIGNALS:
    void problemActivated(const Aqueduct::Problem& problem);
    /// Emitted when the number of errors/warnings changes (for the dock title).
    void countsChanged(int errors, int warnings);

private:
    void refresh();
    void activate(QTreeWidgetItem* item);

    PipelineModel* m_model;
    QTreeWidget* m_tree;
    QLabel* m_empty;
    QList<Problem> m_shown;
};

} // namespace Aqueduct::Ui
