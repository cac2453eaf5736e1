#include "monitor/ProcessTableModel.h"

#include "monitor/MonitorColors.h"
#include "style/Theme.h"

#include <QPainter>
#include <QPixmap>

namespace Aqueduct::Ui {

ProcessTableModel::ProcessTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

int ProcessTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProcessTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProcessTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case StepColumn:
            return tr("Step");
        case WorkerColumn:
            return tr("Worker");
        case PidColumn:
            return tr("PID");
        case StateColumn:
            return tr("State");
        case CpuColumn:
            return tr("CPU");
        case RssColumn:
            return tr("Memory");
        case RestartsColumn:
            return tr("Restarts");
        case CauseColumn:
            return tr("Last exit");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case CpuColumn:
            return tr("CPU use in % of one core over the last metrics interval");
        case RssColumn:
            return tr("Resident memory (RSS)");
        case CauseColumn:
            return tr("How the worker's previous process ended (signal or exit code)");
        }
    }
    if (role == Qt::TextAlignmentRole && section >= PidColumn && section <= RestartsColumn &&
        section != StateColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QString ProcessTableModel::formatBytes(qint64 bytes) {
    if (bytes <= 0)
        return QStringLiteral("–");
    if (bytes >= (qint64(1) << 30))
        return QStringLiteral("%1 GiB").arg(double(bytes) / double(qint64(1) << 30), 0, 'f', 2);
    return QStringLiteral("%1 MiB").arg(double(bytes) / double(1 << 20), 0, 'f', 1);
}

QIcon ProcessTableModel::stateIcon(WorkerState state, bool ended) const {
    const int key = ended ? -1 : int(state);
    auto it = m_icons.find(key);
    if (it != m_icons.end())
        return *it;
    const QColor color = ended ? QColor(0x8a, 0x8f, 0x98) : MonitorColors::workerStateColor(state);
    QPixmap pixmap(20, 20);
    pixmap.setDevicePixelRatio(2);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(1.5, 1.5, 7, 7));
    painter.end();
    return *m_icons.insert(key, QIcon(pixmap));
}

QVariant ProcessTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ProcessMetrics& process = m_rows[index.row()];
    const WorkerInfo& worker = process.worker;
    const bool isParent = worker.workerIndex < 0;
    const bool ended = m_runEnded && !isParent;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StepColumn:
            return isParent ? tr("(parent: app + engine)") : worker.stepId;
        case WorkerColumn:
            return isParent ? QStringLiteral("–") : QStringLiteral("#%1").arg(worker.workerIndex);
        case PidColumn:
            return worker.pid > 0 ? QString::number(worker.pid) : QStringLiteral("–");
        case StateColumn:
            if (isParent)
                return m_runEnded ? tr("idle") : tr("running");
            return ended ? tr("exited") : workerStateName(worker.state);
        case CpuColumn:
            return ended ? QStringLiteral("–")
                         : QStringLiteral("%1 %").arg(process.cpuPercent, 0, 'f', 1);
        case RssColumn:
            return formatBytes(process.rssBytes);
        case RestartsColumn:
            return isParent ? QStringLiteral("–") : QString::number(worker.restarts);
        case CauseColumn:
            return worker.lastExitCause.isEmpty() ? QStringLiteral("–") : worker.lastExitCause;
        }
        break;
    case SortRole:
        switch (index.column()) {
        case StepColumn:
            return isParent ? QString() : worker.stepId;
        case WorkerColumn:
            return worker.workerIndex;
        case PidColumn:
            return worker.pid;
        case StateColumn:
            return int(worker.state);
        case CpuColumn:
            return process.cpuPercent;
        case RssColumn:
            return process.rssBytes;
        case RestartsColumn:
            return worker.restarts;
        case CauseColumn:
            return worker.lastExitCause;
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == StateColumn)
            return stateIcon(isParent ? WorkerState::Ready : worker.state, ended);
        break;
    case Qt::ForegroundRole:
        if (index.column() == StateColumn && !ended && !isParent &&
            (worker.state == WorkerState::Dead || worker.state == WorkerState::Restarting))
            return MonitorColors::workerStateColor(worker.state);
        if (index.column() == RestartsColumn && worker.restarts > 0)
            return Theme::warningColor();
        break;
    case Qt::TextAlignmentRole:
        if (index.column() >= PidColumn && index.column() <= RestartsColumn &&
            index.column() != StateColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (isParent)
            return tr("This process: the window and the engine thread that feeds the workers");
        if (!worker.lastExitCause.isEmpty())
            return tr("Worker %1 of %2 — last exit: %3")
                .arg(worker.workerIndex)
                .arg(worker.stepId, worker.lastExitCause);
        break;
    case StepIdRole:
        return isParent ? QString() : worker.stepId;
    case WorkerIndexRole:
        return worker.workerIndex;
    case StateRole:
        return int(worker.state);
    }
    return {};
}

bool ProcessTableModel::sameKey(const ProcessMetrics& a, const ProcessMetrics& b) {
    return a.worker.workerIndex == b.worker.workerIndex && a.worker.stepId == b.worker.stepId;
}

int ProcessTableModel::rowOf(const QString& stepId, int workerIndex) const {
    for (int row = 0; row < m_rows.size(); ++row) {
        const WorkerInfo& worker = m_rows[row].worker;
        if (worker.workerIndex == workerIndex && (workerIndex < 0 || worker.stepId == stepId))
            return row;
    }
    return -1;
}

void ProcessTableModel::updateFromSnapshot(const MetricsSnapshot& snapshot) {
    const QList<ProcessMetrics>& rows = snapshot.processes;
    bool sameRows = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameRows && i < rows.size(); ++i)
        sameRows = sameKey(rows[i], m_rows[i]);
    if (!sameRows || m_runEnded) {
        beginResetModel();
        m_rows = rows;
        m_runEnded = false;
        endResetModel();
        return;
    }
    for (int row = 0; row < rows.size(); ++row) {
        const ProcessMetrics& next = rows[row];
        ProcessMetrics& current = m_rows[row];
        const bool changed =
            next.cpuPercent != current.cpuPercent || next.rssBytes != current.rssBytes ||
            next.worker.pid != current.worker.pid || next.worker.state != current.worker.state ||
            next.worker.restarts != current.worker.restarts ||
            next.worker.lastExitCause != current.worker.lastExitCause;
        if (!changed)
            continue;
        current = next;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void ProcessTableModel::updateWorker(const WorkerInfo& worker) {
    const int row = rowOf(worker.stepId, worker.workerIndex);
    if (row < 0)
        return; // the first snapshot will bring it
    WorkerInfo& current = m_rows[row].worker;
    current.pid = worker.pid;
    current.state = worker.state;
    current.restarts = worker.restarts;
    current.lastExitCause = worker.lastExitCause;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ProcessTableModel::markRunEnded() {
    if (m_rows.isEmpty() || m_runEnded)
        return;
    m_runEnded = true;
    Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void ProcessTableModel::clear() {
    beginResetModel();
    m_rows.clear();
    m_runEnded = false;
    endResetModel();
}

} // namespace Aqueduct::Ui
