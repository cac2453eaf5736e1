#include "monitor/ProcessTableWidget.h"

#include "monitor/ProcessTableModel.h"
#include "style/Icons.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

ProcessTableWidget::ProcessTableWidget(ProcessTableModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this)) {
    setObjectName(QStringLiteral("processTable"));
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(ProcessTableModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    m_view->setObjectName(QStringLiteral("processView"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // pipeline order until a header is clicked
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QHeaderView* header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    const QFontMetrics metrics = m_view->fontMetrics();
    m_view->setColumnWidth(ProcessTableModel::StepColumn,
                           metrics.horizontalAdvance(QStringLiteral("(parent: app + engine)")) +
                               16);
    m_view->setColumnWidth(ProcessTableModel::WorkerColumn,
                           metrics.horizontalAdvance(QStringLiteral("Worker")) + 18);
    m_view->setColumnWidth(ProcessTableModel::PidColumn,
                           metrics.horizontalAdvance(QStringLiteral("9999999")) + 16);
    m_view->setColumnWidth(ProcessTableModel::StateColumn,
                           metrics.horizontalAdvance(QStringLiteral("restarting")) + 36);
    m_view->setColumnWidth(ProcessTableModel::CpuColumn,
                           metrics.horizontalAdvance(QStringLiteral("100.0 %")) + 16);
    m_view->setColumnWidth(ProcessTableModel::RssColumn,
                           metrics.horizontalAdvance(QStringLiteral("999.9 MiB")) + 16);
    m_view->setColumnWidth(ProcessTableModel::RestartsColumn,
                           metrics.horizontalAdvance(QStringLiteral("Restarts")) + 18);

    m_kill = new QAction(Icons::icon(QStringLiteral("kill")), tr("&Kill Worker"), this);
    m_kill->setObjectName(QStringLiteral("action_killWorker"));
    m_kill->setToolTip(tr("Kill the selected worker with SIGKILL, to see supervision restart it"));
    m_restart = new QAction(Icons::icon(QStringLiteral("reset")), tr("&Restart Worker"), this);
    m_restart->setObjectName(QStringLiteral("action_restartWorker"));
    m_restart->setToolTip(tr("Restart the selected worker (a fresh process runs onStart again)"));
    connect(m_kill, &QAction::triggered, this, [this] {
        QString step;
        int index = -1;
        if (selectedWorker(&step, &index))
            Q_EMIT killRequested(step, index);
    });
    connect(m_restart, &QAction::triggered, this, [this] {
        QString step;
        int index = -1;
        if (selectedWorker(&step, &index))
            Q_EMIT restartRequested(step, index);
    });

    auto* toolBar = new QToolBar(this);
    toolBar->setIconSize(QSize(16, 16));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_restart);
    toolBar->addAction(m_kill);

    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid())
            return;
        m_view->selectRow(index.row());
        QMenu menu(this);
        menu.addAction(m_restart);
        menu.addAction(m_kill);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ProcessTableWidget::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ProcessTableWidget::updateActions);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(toolBar);
    layout->addWidget(m_view);
    updateActions();
}

void ProcessTableWidget::setActionsAvailable(bool available) {
    m_available = available;
    updateActions();
}

bool ProcessTableWidget::selectedWorker(QString* stepId, int* workerIndex) const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return false;
    const QModelIndex index = rows.first();
    *stepId = index.data(ProcessTableModel::StepIdRole).toString();
    *workerIndex = index.data(ProcessTableModel::WorkerIndexRole).toInt();
    return *workerIndex >= 0;
}

void ProcessTableWidget::updateActions() {
    QString step;
    int index = -1;
    const bool worker = selectedWorker(&step, &index);
    m_kill->setEnabled(m_available && worker);
    m_restart->setEnabled(m_available && worker);
}

void ProcessTableWidget::selectWorker(const QString& stepId, int workerIndex) {
    const int row = m_model->rowOf(stepId, workerIndex);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->selectRow(index.row());
}

} // namespace Aqueduct::Ui
