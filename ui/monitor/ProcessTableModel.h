#pragma once

#include <aqueduct/MetricsSnapshot.h>
#include <aqueduct/WorkerInfo.h>

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>

namespace Aqueduct::Ui {

/// Process health: the parent process (this app: GUI and engine) and one row per worker
/// with step, pid, state, CPU %, RSS, restarts and last exit cause. Rows keep their
/// identity (step, worker index) across snapshots so selection and sorting survive the
/// 10 updates a second; only changed cells are signalled.
class ProcessTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        StepColumn,
        WorkerColumn,
        PidColumn,
        StateColumn,
        CpuColumn,
        RssColumn,
        RestartsColumn,
        CauseColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< numbers for numeric columns
        StepIdRole,                  ///< empty for the parent
        WorkerIndexRole,             ///< -1 for the parent
        StateRole,                   ///< int(WorkerState)
    };

    explicit ProcessTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void updateFromSnapshot(const MetricsSnapshot& snapshot);
    /// A state change reported between snapshots (a death or restart shows at once).
    void updateWorker(const WorkerInfo& worker);
    /// The run ended: rows stay (last known figures) but read as exited.
    void markRunEnded();
    void clear();

    bool isRunEnded() const { return m_runEnded; }
    /// Row of a worker (-1 when absent); the parent is (empty, -1).
    int rowOf(const QString& stepId, int workerIndex) const;
    const ProcessMetrics& process(int row) const { return m_rows[row]; }

private:
    static bool sameKey(const ProcessMetrics& a, const ProcessMetrics& b);
    static QString formatBytes(qint64 bytes);
    QIcon stateIcon(WorkerState state, bool ended) const;

    QList<ProcessMetrics> m_rows;
    bool m_runEnded = false;
    mutable QHash<int, QIcon> m_icons;
};

} // namespace Aqueduct::Ui
