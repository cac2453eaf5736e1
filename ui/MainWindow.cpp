#include "MainWindow.h"

#include "ProblemsWidget.h"
#include "application/DocumentController.h"
#include "application/EditController.h"
#include "application/PipelinePlugins.h"
#include "application/RecentFiles.h"
#include "application/ShortcutsDialog.h"
#include "canvas/CanvasMetrics.h"
#include "canvas/CanvasScene.h"
#include "canvas/CanvasView.h"
#include "canvas/EdgeItem.h"
#include "canvas/StepItem.h"
#include "canvas/TerminalItem.h"
#include "document/PipelineModel.h"
#include "inspector/InspectorWidget.h"
#include "palette/PaletteWidget.h"
#include "palette/QuickAddPopup.h"
#include "style/Icons.h"
#include "style/Theme.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <tuple>

namespace Aqueduct::Ui {

MainWindow::MainWindow(std::shared_ptr<UserPrompts> prompts, Mode mode, QWidget* parent)
    : QMainWindow(parent)
    , m_mode(mode)
    , m_model(new PipelineModel(this))
    , m_scene(new CanvasScene(m_model, this))
    , m_view(new CanvasView(m_scene))
    , m_documents(new DocumentController(m_model, this, std::move(prompts), this))
    , m_edits(new EditController(m_model, m_scene, this)) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(Icons::icon(QStringLiteral("aqueduct")));
    setDockOptions(AnimatedDocks | AllowTabbedDocks);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    m_centralSplitter = new QSplitter(Qt::Vertical, this);
    m_centralSplitter->setObjectName(QStringLiteral("centralSplitter"));
    m_centralSplitter->setChildrenCollapsible(false);
    m_centralSplitter->addWidget(m_view);
    auto* central = new QWidget(this);
    central->setObjectName(QStringLiteral("centralArea"));
    m_centralLayout = new QVBoxLayout(central);
    m_centralLayout->setContentsMargins(0, 0, 0, 0);
    m_centralLayout->setSpacing(0);
    m_centralLayout->addWidget(m_centralSplitter, 1);
    setCentralWidget(central);

    createActions();
    createMenus();
    createToolBar();
    createDocks();

    m_zoomLabel = new QLabel(this);
    m_zoomLabel->setMinimumWidth(48);
    m_zoomLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_problemLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_problemLabel);
    statusBar()->addPermanentWidget(m_zoomLabel);
    statusBar()->setSizeGripEnabled(true);

    if (mode == Mode::Unattended)
        m_documents->setUnattended();
    connectModel();
    m_documents->newDocument();
    updateTitle();
    updateEditActions();
    // The saved layout is applied at the first show, once the monitor's docks exist too.
    resize(initialSize(screen() ? screen()->availableGeometry() : QRect(0, 0, 1400, 900)));
}

QSize MainWindow::initialSize(const QRect& available) {
    const QSize preferred(1400, 900);
    const int margin = 40; // room for the desktop's panels and window frame
    return QSize(std::min(preferred.width(), std::max(640, available.width() - margin)),
                 std::min(preferred.height(), std::max(480, available.height() - margin)));
}

MainWindow::~MainWindow() {
    // Widgets observe the model and may still commit an edit while they are torn down (a
    // line edit losing focus): remove them before the model, which is an older child.
    delete m_inspector;
    m_inspector = nullptr;
    delete m_palette;
    m_palette = nullptr;
    delete m_problems;
    m_problems = nullptr;
    delete m_centralSplitter; // holds the canvas view
    m_centralSplitter = nullptr;
    m_view = nullptr;
}

// --- Actions and menus ---------------------------------------------------------------------

QAction* MainWindow::addAction(const QString& name, const QString& text, const QString& icon,
                               const QList<QKeySequence>& shortcuts, const QString& tip) {
    auto* action = new QAction(text, this);
    action->setObjectName(QStringLiteral("action_") + name);
    if (!icon.isEmpty())
        action->setIcon(Icons::icon(icon));
    action->setShortcuts(shortcuts);
    QString toolTip =
        tip.isEmpty() ? QString(text).remove(QLatin1Char('&')).remove(QStringLiteral("…")) : tip;
    if (!shortcuts.isEmpty())
        toolTip +=
            QStringLiteral(" (%1)").arg(shortcuts.first().toString(QKeySequence::NativeText));
    action->setToolTip(toolTip);
    action->setStatusTip(tip.isEmpty() ? toolTip : tip);
    m_actions.insert(name, action);
    QMainWindow::addAction(action); // shortcuts work even with menus hidden
    return action;
}

void MainWindow::createActions() {
    using K = QKeySequence;
    // File
    connect(addAction(QStringLiteral("new"), tr("&New"), QStringLiteral("new"), {K::New},
                      tr("Start a new, empty pipeline")),
            &QAction::triggered, m_documents, &DocumentController::newDocument);
    connect(addAction(QStringLiteral("open"), tr("&Open…"), QStringLiteral("open"), {K::Open},
                      tr("Open a pipeline file")),
            &QAction::triggered, this, [this] { m_documents->open(); });
    connect(addAction(QStringLiteral("save"), tr("&Save"), QStringLiteral("save"), {K::Save},
                      tr("Save the pipeline")),
            &QAction::triggered, m_documents, &DocumentController::save);
    connect(addAction(QStringLiteral("saveAs"), tr("Save &As…"), QString(),
                      {K(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}),
            &QAction::triggered, m_documents, &DocumentController::saveAs);
    connect(addAction(QStringLiteral("export"), tr("&Export JSON…"), QString(),
                      {K(Qt::CTRL | Qt::Key_E)},
                      tr("Write the pipeline JSON that `aqueduct run` reads, keeping this document "
                         "as it is")),
            &QAction::triggered, this, [this] { m_documents->exportJson(); });
    // View › Theme
    auto* themes = new QActionGroup(this);
    for (const auto& [name, text, choice] :
         {std::tuple{"themeSystem", tr("&System"), Theme::Choice::System},
          std::tuple{"themeLight", tr("&Light"), Theme::Choice::Light},
          std::tuple{"themeDark", tr("&Dark"), Theme::Choice::Dark}}) {
        QAction* action = addAction(QString::fromLatin1(name), text, QString(), {});
        action->setCheckable(true);
        action->setChecked(Theme::current() == choice);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [this, choice = choice] {
            Theme::apply(choice);
            if (m_mode == Mode::Interactive && !qEnvironmentVariableIsSet("AQUEDUCT_TEST"))
                QSettings().setValue(QStringLiteral("view/theme"), Theme::choiceName(choice));
        });
    }

    connect(addAction(QStringLiteral("quit"), tr("&Quit"), QString(), {K(Qt::CTRL | Qt::Key_Q)}),
            &QAction::triggered, this, &QWidget::close);

    // Edit
    QAction* undo = m_model->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("action_undo"));
    undo->setIcon(Icons::icon(QStringLiteral("undo")));
    undo->setShortcuts({K::Undo});
    m_actions.insert(QStringLiteral("undo"), undo);
    QMainWindow::addAction(undo);
    QAction* redo = m_model->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("action_redo"));
    redo->setIcon(Icons::icon(QStringLiteral("redo")));
    redo->setShortcuts({K(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), K(Qt::CTRL | Qt::Key_Y)});
    m_actions.insert(QStringLiteral("redo"), redo);
    QMainWindow::addAction(redo);
    auto undoTips = [undo, redo] {
        undo->setToolTip(QStringLiteral("%1 (%2)").arg(
            undo->text(), undo->shortcut().toString(QKeySequence::NativeText)));
        redo->setToolTip(QStringLiteral("%1 (%2)").arg(
            redo->text(), redo->shortcut().toString(QKeySequence::NativeText)));
    };
    connect(undo, &QAction::changed, this, undoTips);
    connect(redo, &QAction::changed, this, undoTips);

    connect(addAction(QStringLiteral("cut"), tr("Cu&t"), QStringLiteral("cut"), {K::Cut}),
            &QAction::triggered, m_edits, &EditController::cut);
    connect(addAction(QStringLiteral("copy"), tr("&Copy"), QStringLiteral("copy"), {K::Copy}),
            &QAction::triggered, m_edits, &EditController::copy);
    connect(addAction(QStringLiteral("paste"), tr("&Paste"), QStringLiteral("paste"), {K::Paste}),
            &QAction::triggered, m_edits, &EditController::paste);
    connect(addAction(QStringLiteral("duplicate"), tr("D&uplicate"), QStringLiteral("duplicate"),
                      {K(Qt::CTRL | Qt::Key_D)}),
            &QAction::triggered, m_edits, &EditController::duplicate);
    connect(addAction(QStringLiteral("delete"), tr("&Delete"), QStringLiteral("delete"),
                      {K::Delete, K(Qt::Key_Backspace)}),
            &QAction::triggered, m_edits, &EditController::deleteSelection);
    connect(addAction(QStringLiteral("selectAll"), tr("Select &All"), QString(), {K::SelectAll}),
            &QAction::triggered, m_edits, &EditController::selectAll);
    connect(addAction(QStringLiteral("quickAdd"), tr("Add &Step…"), QString(), {K(Qt::Key_Tab)},
                      tr("Add a step by typing its handler's name")),
            &QAction::triggered, this, [this] {
                const QPointF center = m_view->mapToScene(m_view->viewport()->rect().center());
                showQuickAdd(center,
                             m_view->viewport()->mapToGlobal(m_view->viewport()->rect().center()));
            });
    // Tab reaches the canvas itself (it is quick-add there); the action is for the menu
    // and the shortcut list, so keep it from stealing Tab from the inspector's fields.
    m_actions.value(QStringLiteral("quickAdd"))->setShortcutContext(Qt::WidgetShortcut);

    // View
    connect(addAction(QStringLiteral("zoomIn"), tr("Zoom &In"), QStringLiteral("zoom-in"),
                      {K(Qt::CTRL | Qt::Key_Equal), K(Qt::CTRL | Qt::Key_Plus)}),
            &QAction::triggered, m_view, &CanvasView::zoomIn);
    connect(addAction(QStringLiteral("zoomOut"), tr("Zoom &Out"), QStringLiteral("zoom-out"),
                      {K(Qt::CTRL | Qt::Key_Minus)}),
            &QAction::triggered, m_view, &CanvasView::zoomOut);
    connect(addAction(QStringLiteral("zoomReset"), tr("&Actual Size"), QString(),
                      {K(Qt::CTRL | Qt::Key_0)}),
            &QAction::triggered, m_view, &CanvasView::resetZoom);
    connect(addAction(QStringLiteral("fitAll"), tr("&Fit All"), QStringLiteral("fit"),
                      {K(Qt::CTRL | Qt::Key_1)}, tr("Show the whole pipeline")),
            &QAction::triggered, m_view, &CanvasView::fitAll);
    connect(addAction(QStringLiteral("fitSelection"), tr("Fit &Selection"),
                      QStringLiteral("fit-selection"), {K(Qt::CTRL | Qt::Key_2)},
                      tr("Zoom to the selected steps")),
            &QAction::triggered, m_view, &CanvasView::fitSelection);
    QAction* snap = addAction(QStringLiteral("snapToGrid"), tr("S&nap to Grid"),
                              QStringLiteral("grid"), {K(Qt::CTRL | Qt::SHIFT | Qt::Key_G)});
    snap->setCheckable(true);
    snap->setChecked(m_scene->snapToGrid());
    connect(snap, &QAction::toggled, m_scene, &CanvasScene::setSnapToGrid);
    QAction* minimap = addAction(QStringLiteral("minimap"), tr("&Minimap"),
                                 QStringLiteral("minimap"), {K(Qt::CTRL | Qt::SHIFT | Qt::Key_M)},
                                 tr("Overview of large graphs in the canvas corner"));
    minimap->setCheckable(true);
    minimap->setChecked(m_view->isMinimapEnabled());
    connect(minimap, &QAction::toggled, m_view, &CanvasView::setMinimapEnabled);
    connect(addAction(QStringLiteral("autoLayout"), tr("Auto &Layout"), QStringLiteral("layout"),
                      {K(Qt::CTRL | Qt::SHIFT | Qt::Key_L)},
                      tr("Tidy the graph left to right, keeping your vertical order")),
            &QAction::triggered, this, [this] {
                m_model->autoLayout();
                m_view->fitAll();
            });

    // Help
    connect(addAction(QStringLiteral("shortcuts"), tr("&Keyboard Shortcuts"),
                      QStringLiteral("keyboard"), {K(Qt::Key_F1)}),
            &QAction::triggered, this, [this] {
                ShortcutsDialog dialog(menuBar(), this);
                dialog.exec();
            });
    connect(
        addAction(QStringLiteral("about"), tr("&About Aqueduct"), QStringLiteral("aqueduct"), {}),
        &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
    auto action = [this](const char* name) { return m_actions.value(QString::fromLatin1(name)); };
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_menus.insert(QStringLiteral("file"), file);
    file->addAction(action("new"));
    file->addAction(action("open"));
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    recent->setObjectName(QStringLiteral("menu_recent"));
    m_menus.insert(QStringLiteral("recent"), recent);
    connect(recent, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    QMenu* examples = file->addMenu(tr("Open E&xample"));
    examples->setObjectName(QStringLiteral("menu_examples"));
    m_menus.insert(QStringLiteral("examples"), examples);
    connect(examples, &QMenu::aboutToShow, this, &MainWindow::rebuildExamplesMenu);
    rebuildExamplesMenu();
    file->addSeparator();
    file->addAction(action("save"));
    file->addAction(action("saveAs"));
    file->addAction(action("export"));
    file->addSeparator();
    file->addAction(action("quit"));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    m_menus.insert(QStringLiteral("edit"), edit);
    edit->addAction(action("undo"));
    edit->addAction(action("redo"));
    edit->addSeparator();
    edit->addAction(action("cut"));
    edit->addAction(action("copy"));
    edit->addAction(action("paste"));
    edit->addAction(action("duplicate"));
    edit->addAction(action("delete"));
    edit->addSeparator();
    edit->addAction(action("selectAll"));
    edit->addAction(action("quickAdd"));
    connect(edit, &QMenu::aboutToShow, this, &MainWindow::updateEditActions);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_menus.insert(QStringLiteral("view"), view);
    view->addAction(action("zoomIn"));
    view->addAction(action("zoomOut"));
    view->addAction(action("zoomReset"));
    view->addSeparator();
    view->addAction(action("fitAll"));
    view->addAction(action("fitSelection"));
    view->addSeparator();
    view->addAction(action("snapToGrid"));
    view->addAction(action("minimap"));
    view->addAction(action("autoLayout"));
    view->addSeparator();
    QMenu* panels = view->addMenu(tr("&Panels"));
    m_menus.insert(QStringLiteral("panels"), panels);
    QMenu* theme = view->addMenu(tr("&Theme"));
    m_menus.insert(QStringLiteral("theme"), theme);
    theme->addAction(action("themeSystem"));
    theme->addAction(action("themeLight"));
    theme->addAction(action("themeDark"));
    connect(theme, &QMenu::aboutToShow, this, [this] {
        // --dark or another window may have changed it.
        m_actions.value(QStringLiteral("themeSystem"))
            ->setChecked(Theme::current() == Theme::Choice::System);
        m_actions.value(QStringLiteral("themeLight"))
            ->setChecked(Theme::current() == Theme::Choice::Light);
        m_actions.value(QStringLiteral("themeDark"))
            ->setChecked(Theme::current() == Theme::Choice::Dark);
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    m_menus.insert(QStringLiteral("help"), help);
    help->addAction(action("shortcuts"));
    help->addAction(action("about"));
}

void MainWindow::createToolBar() {
    QToolBar* toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setIconSize(QSize(20, 20));
    toolBar->setToolButtonStyle(Qt::ToolButtonIconOnly);
    for (const char* name : {"new", "open", "save", "", "undo", "redo", "", "zoomIn", "zoomOut",
                             "fitAll", "autoLayout"}) {
        if (*name == '\0')
            toolBar->addSeparator();
        else
            toolBar->addAction(m_actions.value(QString::fromLatin1(name)));
    }
}

void MainWindow::addDock(QDockWidget* dock, Qt::DockWidgetArea area) {
    addDockWidget(area, dock);
    m_defaultAreas.insert(dock, area);
    if (QMenu* panels = m_menus.value(QStringLiteral("panels")))
        panels->addAction(dock->toggleViewAction());
}

void MainWindow::createDocks() {
    m_palette = new PaletteWidget(this);
    auto* paletteDock = new QDockWidget(tr("Handlers"), this);
    paletteDock->setObjectName(QStringLiteral("paletteDock"));
    paletteDock->setWidget(m_palette);
    paletteDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDock(paletteDock, Qt::LeftDockWidgetArea);

    m_inspector = new InspectorWidget(m_model, this);
    auto* inspectorDock = new QDockWidget(tr("Inspector"), this);
    inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    inspectorDock->setWidget(m_inspector);
    inspectorDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDock(inspectorDock, Qt::RightDockWidgetArea);

    m_problems = new ProblemsWidget(m_model, this);
    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_problems);
    m_problemsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDock(m_problemsDock, Qt::BottomDockWidgetArea);

    resizeDocks({paletteDock, inspectorDock}, {220, 300}, Qt::Horizontal);
    resizeDocks({m_problemsDock}, {110}, Qt::Vertical);
}

void MainWindow::addCanvasBar(QWidget* bar) {
    m_centralLayout->insertWidget(m_centralLayout->count() - 1, bar);
}

void MainWindow::restoreSavedLayout() {
    if (m_mode == Mode::Unattended || qEnvironmentVariableIsSet("AQUEDUCT_TEST"))
        return; // reproducible: the default layout
    QSettings settings;
    restoreLayout(settings.value(QStringLiteral("window/geometry")).toByteArray(),
                  settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::restoreLayout(const QByteArray& geometry, const QByteArray& state) {
    m_layoutRestored = true;
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    if (!state.isEmpty())
        restoreState(state);
    // A state saved by another version (or one that lost track of a panel) must never
    // leave a pile of floating panels or a hidden Run toolbar: put them back.
    for (auto it = m_defaultAreas.cbegin(); it != m_defaultAreas.cend(); ++it) {
        QDockWidget* dock = it.key();
        if (dock->isFloating() || dockWidgetArea(dock) == Qt::NoDockWidgetArea) {
            dock->setFloating(false);
            addDockWidget(it.value(), dock);
        }
    }
    for (QToolBar* toolBar : findChildren<QToolBar*>(Qt::FindDirectChildrenOnly)) {
        if (toolBar->isFloating() || toolBarArea(toolBar) == Qt::NoToolBarArea)
            addToolBar(Qt::TopToolBarArea, toolBar);
        toolBar->setVisible(true);
    }
    // The saved size may be from a larger screen.
    if (QScreen* current = screen(); current && !isMaximized() && !isFullScreen()) {
        const QRect available = current->availableGeometry();
        if (width() > available.width() || height() > available.height())
            resize(initialSize(available));
    }
}

void MainWindow::rebuildExamplesMenu() {
    QMenu* examples = m_menus.value(QStringLiteral("examples"));
    examples->clear();
    const QFileInfoList files =
        m_examplesDirectory.isEmpty()
            ? QFileInfoList()
            : QDir(m_examplesDirectory)
                  .entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QFileInfo& file : files) {
        const QString path = file.absoluteFilePath();
        QAction* entry = examples->addAction(file.completeBaseName(), this,
                                             [this, path] { m_documents->openCopy(path); });
        entry->setToolTip(tr("Opens a copy of %1: saving asks where").arg(path));
        entry->setStatusTip(entry->toolTip());
    }
    if (files.isEmpty())
        examples->addAction(tr("No examples installed"))->setEnabled(false);
}

// --- Wiring --------------------------------------------------------------------------------

void MainWindow::connectModel() {
    QUndoStack* stack = m_model->undoStack();
    connect(stack, &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(m_documents, &DocumentController::filePathChanged, this, &MainWindow::updateTitle);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, [this] {
        m_inspector->setSelection(m_scene->selectedStepIds(), m_scene->selectedEdgeIndices());
        updateEditActions();
    });
    connect(m_scene, &CanvasScene::stepActivated, this, [this](const QString& id) {
        m_scene->selectSteps({id});
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("inspectorDock"))) {
            dock->show();
            dock->raise();
        }
        m_inspector->setFocus();
    });
    connect(QApplication::clipboard(), &QClipboard::dataChanged, this,
            &MainWindow::updateEditActions);
    connect(m_view, &CanvasView::zoomChanged, this, [this](double zoom) {
        m_zoomLabel->setText(QStringLiteral("%1%").arg(qRound(zoom * 100)));
    });
    m_zoomLabel->setText(QStringLiteral("100%"));
    connect(m_view, &CanvasView::quickAddRequested, this,
            [this](const QPointF& scenePos, const QPoint& globalPos) {
                showQuickAdd(scenePos, globalPos);
            });
    connect(m_scene, &CanvasScene::connectionDroppedOnEmpty, this,
            [this](const QString& nodeId, PortKind port, const QPointF& scenePos) {
                showQuickAdd(scenePos,
                             m_view->viewport()->mapToGlobal(m_view->mapFromScene(scenePos)),
                             nodeId, port);
            });
    connect(m_palette, &PaletteWidget::handlerActivated, this, &MainWindow::addHandlerAtViewCenter);
    connect(m_problems, &ProblemsWidget::problemActivated, this, &MainWindow::focusProblem);
    connect(m_problems, &ProblemsWidget::countsChanged, this, [this](int errors, int warnings) {
        QStringList parts;
        if (errors)
            parts << tr("%n error(s)", nullptr, errors);
        if (warnings)
            parts << tr("%n warning(s)", nullptr, warnings);
        m_problemLabel->setText(parts.isEmpty() ? tr("Valid") : parts.join(QStringLiteral(", ")));
        m_problemsDock->setWindowTitle(
            parts.isEmpty() ? tr("Problems") : tr("Problems (%1)").arg(errors + warnings));
    });
    connect(m_model, &PipelineModel::stepAdded, this, [this] {
        // A drop at the edge moves the input/output nodes out with the graph: keep them in
        // sight (scroll if that is enough, else show the whole graph). After the scene has
        // placed them.
        QTimer::singleShot(0, this, [this] {
            if (!isVisible() || !m_view)
                return;
            const QRectF ends = m_scene->inputItem()->sceneBoundingRect() |
                                m_scene->outputItem()->sceneBoundingRect();
            const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
            if (visible.contains(ends))
                return;
            if (ends.width() <= visible.width() && ends.height() <= visible.height())
                m_view->ensureVisible(ends, 20, 20);
            else
                m_view->fitAll();
        });
    });
    connect(m_model, &PipelineModel::documentReset, this, [this] {
        // A freshly opened document is shown whole.
        if (isVisible())
            m_view->fitAll();
    });
}

void MainWindow::updateTitle() {
    setWindowTitle(QStringLiteral("%1[*] — Aqueduct").arg(m_documents->displayName()));
    setWindowModified(m_model->isModified());
    setWindowFilePath(m_documents->filePath());
}

void MainWindow::updateEditActions() {
    const bool steps = !m_scene->selectedStepIds().isEmpty();
    m_actions.value(QStringLiteral("cut"))->setEnabled(steps);
    m_actions.value(QStringLiteral("copy"))->setEnabled(steps);
    m_actions.value(QStringLiteral("duplicate"))->setEnabled(steps);
    m_actions.value(QStringLiteral("delete"))->setEnabled(m_edits->hasSelection());
    m_actions.value(QStringLiteral("paste"))->setEnabled(m_edits->canPaste());
}

void MainWindow::rebuildRecentMenu() {
    QMenu* recent = m_menus.value(QStringLiteral("recent"));
    recent->clear();
    const QStringList files = m_documents->recentFiles()->files();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        QAction* entry =
            recent->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName()),
                              this, [this, path] { m_documents->open(path); });
        entry->setToolTip(path);
        entry->setStatusTip(path);
    }
    if (files.isEmpty()) {
        recent->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    recent->addSeparator();
    recent->addAction(tr("Clear List"), m_documents->recentFiles(), &RecentFiles::clear);
}

void MainWindow::addHandlerAtViewCenter(const QString& handler) {
    // Below the view's centre, stepping down past steps already there.
    QPointF center = m_view->mapToScene(m_view->viewport()->rect().center());
    for (int attempt = 0; attempt < 50; ++attempt) {
        const QRectF slot(m_scene->snapped(center - QPointF(CanvasMetrics::kStepSize.width() / 2,
                                                            CanvasMetrics::kStepSize.height() / 2)),
                          CanvasMetrics::kStepSize);
        bool free = true;
        for (const StepItem* item : m_scene->stepItems())
            free = free && !item->sceneBoundingRect().intersects(slot);
        if (free)
            break;
        center.ry() += CanvasMetrics::kStepSize.height() + 2 * CanvasMetrics::kGridSize;
    }
    m_scene->addStepAt(handler, center);
    m_view->setFocus();
}

void MainWindow::showQuickAdd(const QPointF& scenePos, const QPoint& globalPos,
                              const QString& connectTo, PortKind port) {
    auto* popup = new QuickAddPopup(this);
    connect(popup, &QuickAddPopup::handlerChosen, this,
            [this, scenePos, connectTo, port](const QString& handler) {
                m_scene->addStepAt(handler, scenePos, connectTo, port);
                m_view->setFocus();
            });
    popup->popup(globalPos);
}

void MainWindow::focusProblem(const Problem& problem) {
    if (problem.edgeIndex >= 0) {
        if (EdgeItem* edge = m_scene->edgeItem(problem.edgeIndex)) {
            m_scene->selectEdge(problem.edgeIndex);
            m_view->centerOnRect(edge->sceneBoundingRect());
            return;
        }
    }
    if (!problem.stepId.isEmpty()) {
        if (StepItem* item = m_scene->stepItem(problem.stepId)) {
            m_scene->selectSteps({problem.stepId});
            m_view->centerOnRect(item->sceneBoundingRect());
            return;
        }
    }
    m_scene->selectSteps({}); // flow-level problem: show the flow settings
}

void MainWindow::showAbout() {
    QMessageBox box(this);
    box.setWindowTitle(tr("About Aqueduct"));
    box.setIconPixmap(Icons::icon(QStringLiteral("aqueduct")).pixmap(64, 64));
    box.setText(tr("<h3>Aqueduct %1</h3>").arg(QApplication::applicationVersion()));
    box.setInformativeText(tr("Runs CPU-heavy work across OS processes as a pipeline of steps, "
                              "and lets you design it on a canvas and watch it run.<br><br>"
                              "Built with Qt %1.")
                               .arg(QString::fromLatin1(qVersion())));
    box.exec();
}

bool MainWindow::openFile(const QString& path) {
    // Plugins beside the file load only if the user agrees (application/PipelinePlugins).
    PipelinePlugins::offer(this, path,
                           m_mode == Mode::Interactive &&
                                   !qEnvironmentVariableIsSet("AQUEDUCT_TEST")
                               ? PipelinePlugins::Prompt::Ask
                               : PipelinePlugins::Prompt::Never);
    return m_documents->loadFile(path);
}

void MainWindow::fitCanvas() {
    m_view->fitAll();
}

void MainWindow::showEvent(QShowEvent* event) {
    // Every dock and toolbar (the monitor's too) exists by the first show.
    if (!m_layoutRestored)
        restoreSavedLayout();
    m_layoutRestored = true;
    QMainWindow::showEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_runActive && m_runActive()) {
        // One question covers both: the run stops, and unsaved edits are saved or not.
        const UserPrompts::SaveChoice choice = m_documents->prompts()->askQuitWhileRunning(
            this, m_documents->displayName(), m_model->isModified());
        if (!m_documents->applySaveChoice(choice)) {
            event->ignore();
            return;
        }
    } else if (!m_documents->maybeSave()) {
        event->ignore();
        return;
    }
    m_documents->closeCleanly();
    if (m_mode == Mode::Interactive && !qEnvironmentVariableIsSet("AQUEDUCT_TEST")) {
        QSettings settings;
        settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
        settings.setValue(QStringLiteral("window/state"), saveState());
    }
    event->accept();
}

} // namespace Aqueduct::Ui
