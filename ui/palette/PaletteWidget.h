#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QModelIndex;
class QTreeView;

namespace Aqueduct::Ui {

class HandlerFilterModel;
class HandlerListModel;

/// The handler palette: a search box over the registry's handlers grouped by category.
/// Drag a handler onto the canvas, or double-click / press Enter to add it.
class PaletteWidget final : public QWidget {
    Q_OBJECT
public:
    explicit PaletteWidget(QWidget* parent = nullptr);

    /// Re-reads the registry (after plugins load).
    void reload();
    QLineEdit* searchEdit() const { return m_search; }
    QTreeView* treeView() const { return m_tree; }
    HandlerListModel* handlerModel() const { return m_model; }

Q_SIGNALS:
    void handlerActivated(const QString& handler);

private:
    void activate(const QModelIndex& index);
    void updateLoadProblems();

    HandlerListModel* m_model;
    HandlerFilterModel* m_filter;
    QLineEdit* m_search;
    QTreeView* m_tree;
    QLabel* m_problems;
};

} // namespace Aqueduct::Ui
