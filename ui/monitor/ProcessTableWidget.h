#pragma once

#include <QWidget>

class QAction;
class QSortFilterProxyModel;
class QTableView;

namespace Aqueduct::Ui {

class ProcessTableModel;

/// The process health table (sortable, state colours) with Kill / Restart actions for the
/// selected worker, in a small toolbar and the context menu.
class ProcessTableWidget final : public QWidget {
    Q_OBJECT
public:
    explicit ProcessTableWidget(ProcessTableModel* model, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QAction* killAction() const { return m_kill; }
    QAction* restartAction() const { return m_restart; }
    /// Worker actions only make sense while a flow runs.
    void setActionsAvailable(bool available);
    /// Selects the row of a worker (tests, and a click on a step elsewhere).
    void selectWorker(const QString& stepId, int workerIndex);

Q_SIGNALS:
    void killRequested(const QString& stepId, int workerIndex);
    void restartRequested(const QString& stepId, int workerIndex);

private:
    bool selectedWorker(QString* stepId, int* workerIndex) const;
    void updateActions();

    ProcessTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QAction* m_kill;
    QAction* m_restart;
    bool m_available = false;
};

} // namespace Aqueduct::Ui
