#include "monitor/MonitorController.h"

#include "MainWindow.h"
#include "canvas/CanvasScene.h"
#include "canvas/CanvasView.h"
#include "canvas/StepItem.h"
#include "document/DocumentPaths.h"
#include "document/PipelineModel.h"
#include "monitor/CanvasOverlay.h"
#include "monitor/ChartsWidget.h"
#include "monitor/EditLock.h"
#include "monitor/EngineController.h"
#include "monitor/FlowTotalsBar.h"
#include "monitor/LoadSourceDialog.h"
#include "monitor/MetricsHistory.h"
#include "monitor/ProcessTableModel.h"
#include "monitor/ProcessTableWidget.h"
#include "monitor/RunBanner.h"
#include "monitor/RunLogWidget.h"
#include "style/Icons.h"
#include "style/Theme.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>

namespace Aqueduct::Ui {

namespace {
constexpr qint64 kTableIntervalMs = 500;
}

MonitorController::MonitorController(MainWindow* window)
    : QObject(window)
    , m_window(window)
    , m_engine(new EngineController(this))
    , m_history(new MetricsHistory(this))
    , m_processModel(new ProcessTableModel(this))
    , m_editLock(new EditLock(window, this))
    , m_overlay(new CanvasOverlay(window->canvasScene(), this))
    , m_banner(new RunBanner(window)) {
    window->addCanvasBar(m_banner);
    window->setRunActiveQuery([this] { return m_engine && m_engine->isActive(); });
    createActions();
    createPanels();
    connectEngine();
    connect(window->canvasScene(), &QGraphicsScene::selectionChanged, this,
            &MonitorController::onCanvasSelectionChanged);
    // Start errors stay on their step until it is edited or the next run; the canvas
    // re-applies the validator's problems on every change, so re-add ours after it.
    connect(window->pipelineModel(), &PipelineModel::problemsChanged, this,
            &MonitorController::applyRunProblems);
    connect(window->pipelineModel(), &PipelineModel::stepChanged, this,
            [this](const QString& id) { m_runProblems.remove(id); });
    connect(window->pipelineModel(), &PipelineModel::documentReset, this, [this] {
        clearRunProblems();
        if (m_startFailed)
            m_banner->dismiss();
        if (!m_engine->isActive())
            clearLastRun(); // another document: the last run's figures are not about it
        adoptDocumentLoad();
    });
    // Undo or redo of a load choice, or a new folder for a relative tasks file.
    connect(window->pipelineModel(), &PipelineModel::flowSettingsChanged, this, [this] {
        if (m_window->pipelineModel()->document().appLoad != m_adoptedAppLoad)
            adoptDocumentLoad();
    });
    connect(window->pipelineModel(), &PipelineModel::baseDirectoryChanged, this,
            &MonitorController::adoptDocumentLoad);
    connect(m_editLock, &EditLock::documentEditedWhileLocked, this, [this] {
        m_runLog->append(tr("The pipeline was edited while running; the change applies on the "
                            "next run"),
                         RunLogWidget::Level::Warning);
    });
    updateActions();
    updateStatus();
}

MonitorController::~MonitorController() {
    // The engine first: it stops a running flow and joins its thread.
    // Nothing of the window is touched here: as its child we go after its widgets.
    delete m_engine;
    m_engine = nullptr;
}

// --- Building ------------------------------------------------------------------------------

void MonitorController::createActions() {
    auto add = [this](const QString& name, const QString& text, const QString& icon,
                      const QList<QKeySequence>& shortcuts, const QString& tip) {
        auto* action = new QAction(text, m_window);
        action->setObjectName(QStringLiteral("action_") + name);
        if (!icon.isEmpty())
            action->setIcon(Icons::icon(icon));
        action->setShortcuts(shortcuts);
        QString toolTip = tip;
        if (!shortcuts.isEmpty())
            toolTip +=
                QStringLiteral(" (%1)").arg(shortcuts.first().toString(QKeySequence::NativeText));
        action->setToolTip(toolTip);
        action->setStatusTip(tip);
        static_cast<QWidget*>(m_window)->addAction(action); // shortcuts work with menus hidden
        m_actions.insert(name, action);
        return action;
    };
    connect(add(QStringLiteral("run"), tr("&Run"), QStringLiteral("run"),
                {QKeySequence(Qt::Key_F5)},
                tr("Run the pipeline with the chosen load and watch it live")),
            &QAction::triggered, this, &MonitorController::run);
    connect(add(QStringLiteral("stop"), tr("S&top"), QStringLiteral("stop"),
                {QKeySequence(Qt::SHIFT | Qt::Key_F5)},
                tr("Stop the run: tasks in flight finish first; press again to stop at once")),
            &QAction::triggered, this, &MonitorController::stop);
    connect(add(QStringLiteral("loadSource"), tr("&Load Source…"), QString(), {},
                tr("Choose what the run is fed with: generated tasks, a file, or nothing")),
            &QAction::triggered, this, &MonitorController::chooseLoadSource);
    connect(add(QStringLiteral("exportCsv"), tr("Export Metrics as &CSV…"), QString(), {},
                tr("Write the metrics history of the run to a CSV file")),
            &QAction::triggered, this, [this] { exportWithDialog(QStringLiteral("csv")); });
    connect(add(QStringLiteral("exportPng"), tr("Export Charts as &PNG…"), QString(), {},
                tr("Save a picture of the charts")),
            &QAction::triggered, this, [this] { exportWithDialog(QStringLiteral("png")); });
    connect(add(QStringLiteral("exportSummary"), tr("Export Run &Summary…"), QString(), {},
                tr("Save what the last run did (JSON or text)")),
            &QAction::triggered, this, [this] { exportWithDialog(QStringLiteral("summary")); });
    QAction* charts = add(QStringLiteral("charts"), tr("&Charts"), QString(), {},
                          tr("Show or hide the live charts under the canvas"));
    charts->setCheckable(true);
    connect(charts, &QAction::toggled, this, &MonitorController::setChartsVisible);

    QMenu* runMenu = new QMenu(tr("&Run"), m_window->menuBar());
    runMenu->setObjectName(QStringLiteral("menu_run"));
    runMenu->addAction(m_actions.value(QStringLiteral("run")));
    runMenu->addAction(m_actions.value(QStringLiteral("stop")));
    runMenu->addSeparator();
    runMenu->addAction(m_actions.value(QStringLiteral("loadSource")));
    runMenu->addSeparator();
    runMenu->addAction(m_actions.value(QStringLiteral("exportCsv")));
    runMenu->addAction(m_actions.value(QStringLiteral("exportPng")));
    runMenu->addAction(m_actions.value(QStringLiteral("exportSummary")));
    QMenu* help = m_window->menu(QStringLiteral("help"));
    if (help)
        m_window->menuBar()->insertMenu(help->menuAction(), runMenu);
    else
        m_window->menuBar()->addMenu(runMenu);

    QToolBar* toolBar = m_window->addToolBar(tr("Run"));
    toolBar->setObjectName(QStringLiteral("runToolBar"));
    toolBar->setMovable(false);
    toolBar->setIconSize(QSize(20, 20));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_actions.value(QStringLiteral("run")));
    toolBar->addAction(m_actions.value(QStringLiteral("stop")));
    m_loadButton = new QToolButton(toolBar);
    m_loadButton->setObjectName(QStringLiteral("loadSourceButton"));
    m_loadButton->setDefaultAction(m_actions.value(QStringLiteral("loadSource")));
    m_loadButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addWidget(m_loadButton);
}

void MonitorController::createPanels() {
    m_charts = new ChartsWidget(m_history);
    auto* exportButton = new QToolButton(m_charts);
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    exportButton->setAutoRaise(true);
    auto* exportMenu = new QMenu(exportButton);
    exportMenu->addAction(m_actions.value(QStringLiteral("exportCsv")));
    exportMenu->addAction(m_actions.value(QStringLiteral("exportPng")));
    exportMenu->addAction(m_actions.value(QStringLiteral("exportSummary")));
    exportButton->setMenu(exportMenu);
    m_charts->addHeaderWidget(exportButton);
    m_window->centralSplitter()->addWidget(m_charts);
    m_window->centralSplitter()->setStretchFactor(1, 1);
    m_charts->hide();

    m_processTable = new ProcessTableWidget(m_processModel);
    m_processesDock = new QDockWidget(tr("Processes"), m_window);
    m_processesDock->setObjectName(QStringLiteral("processesDock"));
    m_processesDock->setWidget(m_processTable);
    m_processesDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    m_window->addDock(m_processesDock, Qt::BottomDockWidgetArea);

    m_runLog = new RunLogWidget;
    m_runLogDock = new QDockWidget(tr("Run Log"), m_window);
    m_runLogDock->setObjectName(QStringLiteral("runLogDock"));
    m_runLogDock->setWidget(m_runLog);
    m_runLogDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    m_window->addDock(m_runLogDock, Qt::BottomDockWidgetArea);

    // Side by side with the problems list: one bottom panel area, tabs to switch.
    if (auto* problems = m_window->findChild<QDockWidget*>(QStringLiteral("problemsDock"))) {
        m_window->tabifyDockWidget(problems, m_processesDock);
        m_window->tabifyDockWidget(m_processesDock, m_runLogDock);
        problems->raise();
    }
    if (QMenu* panels = m_window->menu(QStringLiteral("panels")))
        panels->addAction(m_actions.value(QStringLiteral("charts")));

    connect(m_processTable, &ProcessTableWidget::killRequested, m_engine,
            &EngineController::killWorker);
    connect(m_processTable, &ProcessTableWidget::restartRequested, m_engine,
            &EngineController::restartWorker);

    m_stateLabel = new QLabel(m_window);
    m_stateLabel->setObjectName(QStringLiteral("runStateLabel"));
    m_window->statusBar()->insertPermanentWidget(0, m_stateLabel);
}

void MonitorController::connectEngine() {
    connect(m_engine, &EngineController::stateChanged, this, &MonitorController::onStateChanged);
    connect(m_engine, &EngineController::snapshot, this, &MonitorController::onSnapshot);
    connect(m_engine, &EngineController::engineEvent, m_runLog, &RunLogWidget::appendEngineEvent);
    connect(m_engine, &EngineController::workerStateChanged, m_processModel,
            &ProcessTableModel::updateWorker);
    connect(m_engine, &EngineController::startFailed, this, &MonitorController::onStartFailed);
    connect(m_engine, &EngineController::runFinished, this, &MonitorController::onRunFinished);
}

// --- Running -------------------------------------------------------------------------------

bool MonitorController::isRunActive() const {
    return m_engine->isActive();
}

FlowState MonitorController::state() const {
    return m_engine->state();
}

void MonitorController::clearLastRun() {
    m_history->clear(); // the charts, their legend and the totals follow
    m_processModel->clear();
    m_tableUpdated.invalidate();
    m_overlay->clear();
    m_lastSummary.reset();
    m_startFailed = false;
    m_banner->dismiss();
    updateActions();
    updateStatus();
}

void MonitorController::setLoadSettings(const LoadSettings& settings) {
    m_load = settings;
    updateActions();
}

void MonitorController::adoptDocumentLoad() {
    const PipelineModel* model = m_window->pipelineModel();
    m_adoptedAppLoad = model->document().appLoad;
    LoadSettings load =
        m_adoptedAppLoad.isEmpty() ? LoadSettings{} : LoadSettings::fromJson(m_adoptedAppLoad);
    if (!load.filePath.isEmpty())
        load.filePath =
            QDir::cleanPath(resolveFilePath(load.filePath, model->effectiveBaseDirectory()));
    setLoadSettings(load);
}

void MonitorController::refuse(const QString& message) {
    m_banner->showMessage(message, RunBanner::Tone::Error, true);
    m_runLog->append(message, RunLogWidget::Level::Error);
}

bool MonitorController::run() {
    if (m_engine->isActive())
        return false;
    PipelineModel* model = m_window->pipelineModel();
    model->validateNow();
    QList<Problem> errors;
    for (const Problem& problem : model->problems()) {
        if (problem.severity == Problem::Severity::Error)
            errors << problem;
    }
    if (model->document().steps.isEmpty()) {
        refuse(tr("Add a step before running: the pipeline is empty."));
        return false;
    }
    if (!errors.isEmpty()) {
        const Problem& first = errors.first();
        const QString where =
            first.stepId.isEmpty() ? QString() : tr("step '%1': ").arg(first.stepId);
        refuse(tr("Fix %n problem(s) before running — %1%2", nullptr, int(errors.size()))
                   .arg(where, first.message));
        if (auto* problems = m_window->findChild<QDockWidget*>(QStringLiteral("problemsDock"))) {
            problems->show();
            problems->raise();
        }
        return false;
    }
    if (m_load.source == LoadSource::File && !QFileInfo(m_load.filePath).isReadable()) {
        refuse(tr("The load file %1 cannot be read: choose another in Run › Load Source.")
                   .arg(m_load.filePath.isEmpty() ? tr("(none chosen)") : m_load.filePath));
        return false;
    }

    clearRunProblems();
    m_startFailed = false;
    m_history->clear();
    m_processModel->clear();
    m_tableUpdated.invalidate();
    m_overlay->clear();
    m_lastSummary.reset();
    // Relative model and labels paths mean files beside the pipeline file, as for `aqueduct
    // run` and `serve` (one resolver for all three); workers get absolute paths.
    PipelineDocument document = model->document();
    resolveFilePathParams(document, HandlerRegistry::global(), model->effectiveBaseDirectory());
    m_runLog->append(
        tr("Run of \"%1\" with %2")
            .arg(document.name.isEmpty() ? tr("untitled") : document.name, m_load.describe()));
    if (model->baseDirectory().isEmpty() &&
        hasRelativeFilePathParams(model->document(), HandlerRegistry::global()))
        m_runLog->append(tr("This pipeline is not saved: its relative file paths are taken from "
                            "the current directory, %1. Save it to make them relative to "
                            "its file.")
                             .arg(QDir::toNativeSeparators(QDir::currentPath())),
                         RunLogWidget::Level::Warning);
    m_editLock->lock();
    setChartsVisible(true);
    m_processesDock->show();
    m_processesDock->raise();
    if (!m_docksSized) {
        // Room for the parent and a few workers without scrolling.
        m_docksSized = true;
        // On a short screen (720p) the panels stay low so the canvas and charts keep room.
        const int rows = 2 + int(document.steps.size()) * 2;
        const int cap = m_window->height() < 820 ? 150 : 260;
        m_window->resizeDocks({m_processesDock},
                              {std::min(cap, 60 + rows * (m_window->fontMetrics().height() + 6))},
                              Qt::Vertical);
    }
    m_engine->start(document, m_load);
    updateActions();
    updateStatus();
    Q_EMIT runStarted();
    return true;
}

void MonitorController::stop() {
    if (!m_engine->isActive())
        return;
    const bool again = m_engine->state() == FlowState::Stopping;
    m_runLog->append(again ? tr("Stopping now: tasks in flight are dropped")
                           : tr("Stopping: finishing tasks in flight"));
    m_engine->stop(again ? StopMode::Immediate : StopMode::Graceful);
}

void MonitorController::chooseLoadSource() {
    const int lanes = m_window->pipelineModel()->document().flow.queuePriorities;
    LoadSourceDialog dialog(m_load, lanes, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const LoadSettings chosen = dialog.settings();
    setLoadSettings(chosen);
    // Saved with the pipeline (app_load): what differs from the defaults, a tasks file
    // relative to the pipeline's folder when it is inside it.
    PipelineModel* model = m_window->pipelineModel();
    QJsonObject saved = chosen.toJson();
    const QJsonObject defaults = LoadSettings{}.toJson();
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        if (it.key() != QLatin1String("source") && saved.value(it.key()) == it.value())
            saved.remove(it.key());
    }
    if (saved.size() == 1 &&
        saved.value(QStringLiteral("source")) == defaults.value(QStringLiteral("source")))
        saved = {}; // the default load: nothing to save
    FlowInfo info = model->flowInfo();
    if (!chosen.filePath.isEmpty()) {
        // The same file keeps the document's spelling (e.g. an example's "../tasks/...").
        const QString current = info.appLoad.value(QStringLiteral("file")).toString();
        const bool same = !current.isEmpty() &&
                          QFileInfo(resolveFilePath(current, model->effectiveBaseDirectory())) ==
                              QFileInfo(chosen.filePath);
        saved.insert(QStringLiteral("file"),
                     same ? current : documentPathFor(chosen.filePath, model->baseDirectory()));
    }
    if (info.appLoad == saved)
        return;
    info.appLoad = saved;
    m_adoptedAppLoad = saved; // already in effect
    model->setFlowInfo(info);
}

void MonitorController::setChartsVisible(bool visible) {
    QAction* toggle = m_actions.value(QStringLiteral("charts"));
    if (toggle->isChecked() != visible) {
        toggle->setChecked(visible); // re-enters through toggled
        return;
    }
    m_charts->setVisible(visible);
    if (visible && !m_chartsSized) {
        // First showing: the charts get the larger share; the graph stays readable above.
        m_chartsSized = true;
        // On a short area the canvas keeps half (at least ~240 px when there is room).
        QSplitter* splitter = m_window->centralSplitter();
        const int total = std::max(200, splitter->height());
        const int canvas = std::max(total * 2 / 5, std::min(240, total / 2));
        splitter->setSizes({canvas, total - canvas});
    }
}

void MonitorController::onStateChanged(FlowState state) {
    switch (state) {
    case FlowState::Starting:
        m_banner->showMessage(tr("Starting workers…"), RunBanner::Tone::Info);
        break;
    case FlowState::Running:
        m_banner->showMessage(tr("Running — the pipeline is locked while it runs. Stop to edit."),
                              RunBanner::Tone::Info);
        break;
    case FlowState::Stopping:
        m_banner->showMessage(tr("Stopping…"), RunBanner::Tone::Info);
        break;
    case FlowState::Failed:
        m_banner->showMessage(tr("The flow failed — see the run log."), RunBanner::Tone::Error);
        break;
    case FlowState::Stopped:
        break; // onRunFinished decides what stays on screen
    }
    m_processTable->setActionsAvailable(state == FlowState::Running);
    updateActions();
    updateStatus();
}

void MonitorController::onSnapshot(const MetricsSnapshotPtr& snapshot) {
    if (!snapshot)
        return;
    m_history->addSnapshot(snapshot);
    const MetricsSample* sample = m_history->isEmpty() ? nullptr : &m_history->latest();
    // CPU and memory figures are read every metrics interval, but a table that changes
    // ten times a second is unreadable and costs repaints: twice a second is enough (deaths
    // and restarts still show at once through workerStateChanged).
    if (!m_tableUpdated.isValid() || m_tableUpdated.elapsed() >= kTableIntervalMs ||
        m_processModel->rowCount() != snapshot->processes.size()) {
        m_tableUpdated.start();
        m_processModel->updateFromSnapshot(*snapshot);
    }
    if (m_engine->isActive() && m_engine->state() != FlowState::Stopped)
        m_overlay->update(*snapshot, sample);
    m_charts->totalsBar()->update(*snapshot, sample);
    updateStatus();
}

void MonitorController::onStartFailed(const QString& stepId, const QString& message) {
    m_startFailed = true;
    m_banner->showMessage(tr("The pipeline could not start — %1").arg(message),
                          RunBanner::Tone::Error, true);
    m_runLog->append(tr("Start failed: %1").arg(message), RunLogWidget::Level::Error);
    if (!stepId.isEmpty() && m_window->canvasScene()->stepItem(stepId)) {
        Problem problem;
        problem.stepId = stepId;
        problem.message = tr("could not start: %1").arg(message);
        problem.path = QStringLiteral("$.steps[%1]")
                           .arg(m_window->pipelineModel()->document().stepIndex(stepId));
        m_runProblems.insert(stepId, problem);
        applyRunProblems();
        m_window->canvasScene()->selectSteps({stepId});
    }
}

void MonitorController::onRunFinished(const MonitorRunSummary& summary) {
    m_lastSummary = summary;
    m_editLock->unlock();
    m_overlay->clear();
    if (MetricsSnapshotPtr last = m_engine->lastSnapshot())
        m_processModel->updateFromSnapshot(*last); // the final figures, not a throttled one
    m_processModel->markRunEnded();
    m_charts->totalsBar()->markRunEnded();
    m_processTable->setActionsAvailable(false);
    if (!m_startFailed) {
        m_runLog->append(summary.toText(), summary.failed() > 0 ? RunLogWidget::Level::Warning
                                                                : RunLogWidget::Level::Info);
        if (summary.endReason.startsWith(QLatin1String("flow failed")))
            m_banner->showMessage(tr("The run ended: %1").arg(summary.endReason),
                                  RunBanner::Tone::Error, true);
        else if (m_editLock->editedWhileLocked())
            m_banner->showMessage(tr("The pipeline was edited while running; the changes are "
                                     "kept and apply on the next run."),
                                  RunBanner::Tone::Warning, true);
        else
            m_banner->dismiss();
    }
    updateActions();
    updateStatus();
    Q_EMIT runFinished(summary);
}

void MonitorController::onCanvasSelectionChanged() {
    const QStringList steps = m_window->canvasScene()->selectedStepIds();
    if (steps.size() == 1)
        m_charts->setStep(steps.first());
    else if (steps.isEmpty() && m_window->canvasScene()->selectedEdgeIndices().isEmpty())
        m_charts->setStep(QString());
}

void MonitorController::applyRunProblems() {
    for (auto it = m_runProblems.cbegin(); it != m_runProblems.cend(); ++it) {
        StepItem* item = m_window->canvasScene()->stepItem(it.key());
        if (!item)
            continue;
        QList<Problem> problems = m_window->pipelineModel()->stepProblems(it.key());
        problems.append(it.value());
        item->setProblems(problems);
    }
}

void MonitorController::clearRunProblems() {
    const QStringList ids = m_runProblems.keys();
    m_runProblems.clear();
    for (const QString& id : ids) {
        if (StepItem* item = m_window->canvasScene()->stepItem(id))
            item->setProblems(m_window->pipelineModel()->stepProblems(id));
    }
}

void MonitorController::updateActions() {
    const bool active = m_engine->isActive();
    m_actions.value(QStringLiteral("run"))->setEnabled(!active);
    m_actions.value(QStringLiteral("stop"))->setEnabled(active);
    m_actions.value(QStringLiteral("loadSource"))->setEnabled(!active);
    const bool haveHistory = !m_history->isEmpty();
    m_actions.value(QStringLiteral("exportCsv"))->setEnabled(haveHistory);
    m_actions.value(QStringLiteral("exportPng"))->setEnabled(haveHistory);
    m_actions.value(QStringLiteral("exportSummary"))->setEnabled(m_lastSummary.has_value());
    QString text = tr("Load: %1").arg(m_load.describe());
    if (text.size() > 60)
        text = text.left(58) + QStringLiteral("…");
    m_loadButton->setText(text);
    m_loadButton->setToolTip(
        tr("What the run is fed with: %1 (click to change)").arg(m_load.describe()));
}

void MonitorController::updateStatus() {
    const FlowState state = m_engine->state();
    QColor color;
    QString text;
    switch (state) {
    case FlowState::Stopped:
        text = m_lastSummary ? tr("Stopped") : tr("Not running");
        color = QColor(0x8a, 0x8f, 0x98);
        break;
    case FlowState::Starting:
        text = tr("Starting");
        color = Theme::warningColor();
        break;
    case FlowState::Running:
        text = tr("Running");
        color = Theme::okColor();
        break;
    case FlowState::Stopping:
        text = tr("Stopping");
        color = Theme::warningColor();
        break;
    case FlowState::Failed:
        text = tr("Failed");
        color = Theme::errorColor();
        break;
    }
    if (MetricsSnapshotPtr last = m_engine->lastSnapshot(); last && m_engine->isActive()) {
        const qint64 seconds = qint64(last->uptimeS);
        text +=
            QStringLiteral("  %1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    const QString html =
        QStringLiteral("<span style='color:%1'>●</span> %2").arg(color.name(), text);
    if (m_stateLabel->text() != html)
        m_stateLabel->setText(html);
}

// --- Export --------------------------------------------------------------------------------

bool MonitorController::exportHistoryCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    if (!m_history->writeCsv(&file, error))
        return false;
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

bool MonitorController::exportChartsPng(const QString& path, QString* error) {
    if (m_charts->isHidden())
        setChartsVisible(true);
    m_charts->redrawNow();
    const QPixmap pixmap = m_charts->grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        if (error)
            *error = tr("cannot write %1").arg(path);
        return false;
    }
    return true;
}

bool MonitorController::exportSummary(const QString& path, QString* error) const {
    if (!m_lastSummary) {
        if (error)
            *error = tr("no run has finished yet");
        return false;
    }
    const QByteArray bytes =
        path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)
            ? QJsonDocument(m_lastSummary->toJson()).toJson(QJsonDocument::Indented)
            : m_lastSummary->toText().toUtf8() + '\n';
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void MonitorController::exportWithDialog(const QString& kind) {
    QString filter;
    QString suggested;
    if (kind == QLatin1String("csv")) {
        filter = tr("CSV (*.csv)");
        suggested = QStringLiteral("metrics.csv");
    } else if (kind == QLatin1String("png")) {
        filter = tr("PNG image (*.png)");
        suggested = QStringLiteral("charts.png");
    } else {
        filter = tr("JSON (*.json);;Text (*.txt)");
        suggested = QStringLiteral("run-summary.json");
    }
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export"), suggested, filter);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = kind == QLatin1String("csv")   ? exportHistoryCsv(path, &error)
                    : kind == QLatin1String("png") ? exportChartsPng(path, &error)
                                                   : exportSummary(path, &error);
    if (ok)
        m_runLog->append(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
    else
        QMessageBox::warning(m_window, tr("Export"), tr("Could not export: %1").arg(error));
}

} // namespace Aqueduct::Ui
