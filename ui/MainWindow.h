#pragma once

#include "application/UserPrompts.h"
#include "canvas/NodeItem.h"

#include <QHash>
#include <QMainWindow>

#include <functional>
#include <memory>

class QLabel;
class QSplitter;
class QVBoxLayout;

namespace Aqueduct::Ui {

class CanvasScene;
class CanvasView;
class DocumentController;
class EditController;
class InspectorWidget;
class PaletteWidget;
class PipelineModel;
class ProblemsWidget;

/// The designer window. Thin on purpose: behaviour lives in the model, the canvas, and the
/// document/edit controllers; this wires them to menus, toolbar and docks.
///
/// Room for the monitor: the central area is a vertical QSplitter (centralSplitter()) that
/// holds the canvas; addDock() adds panels (and a View › Panels toggle); actions are
/// reachable by name through action().
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    /// Unattended windows (--screenshot) leave no trace: no saved layout is read or
    /// written, no recent files, no autosave.
    enum class Mode { Interactive, Unattended };

    explicit MainWindow(std::shared_ptr<UserPrompts> prompts = {}, Mode mode = Mode::Interactive,
                        QWidget* parent = nullptr);
    ~MainWindow() override;

    PipelineModel* pipelineModel() const { return m_model; }
    CanvasView* canvasView() const { return m_view; }
    CanvasScene* canvasScene() const { return m_scene; }
    DocumentController* documentController() const { return m_documents; }
    EditController* editController() const { return m_edits; }
    InspectorWidget* inspector() const { return m_inspector; }
    PaletteWidget* palette() const { return m_palette; }
    ProblemsWidget* problemsWidget() const { return m_problems; }
    QSplitter* centralSplitter() const { return m_centralSplitter; }

    /// Adds a dock panel and a toggle for it under View › Panels. `area` is also where the
    /// dock goes back to when a saved layout left it floating.
    void addDock(QDockWidget* dock, Qt::DockWidgetArea area);
    /// Adds a slim bar above the canvas, in the layout (never covering the graph).
    void addCanvasBar(QWidget* bar);

    /// The size a new window gets when the screen offers `available`: 1400x900 when that
    /// fits with a margin, else the available area less the margin.
    static QSize initialSize(const QRect& available);
    /// Applies a saved geometry and dock/toolbar state, then puts back any dock left
    /// floating and any toolbar left hidden. Call it once every dock and toolbar exists:
    /// the first show does, from the settings (interactive windows only).
    void restoreLayout(const QByteArray& geometry, const QByteArray& state);

    /// Asked when the window closes: true while a run is active (quitting stops it).
    void setRunActiveQuery(std::function<bool()> query) { m_runActive = std::move(query); }
    /// Where File › Open Example lists the bundled pipelines (*.json).
    void setExamplesDirectory(const QString& directory) { m_examplesDirectory = directory; }
    const QString& examplesDirectory() const { return m_examplesDirectory; }
    /// Menu actions by name: "new", "open", "save", "saveAs", "export", "quit", "undo",
    /// "redo", "cut", "copy", "paste", "duplicate", "delete", "selectAll", "zoomIn",
    /// "zoomOut", "zoomReset", "fitAll", "fitSelection", "snapToGrid", "minimap",
    /// "autoLayout", "shortcuts", "about".
    QAction* action(const QString& name) const { return m_actions.value(name); }
    QMenu* menu(const QString& name) const { return m_menus.value(name); }

    /// Opens a file without the unsaved-changes prompt (start-up, tests).
    bool openFile(const QString& path);
    /// Fits the canvas to the graph (after showing, for screenshots).
    void fitCanvas();

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    QAction* addAction(const QString& name, const QString& text, const QString& icon,
                       const QList<QKeySequence>& shortcuts, const QString& tip = {});
    void createActions();
    void createMenus();
    void createToolBar();
    void createDocks();
    void connectModel();
    void updateTitle();
    void updateEditActions();
    void rebuildRecentMenu();
    void addHandlerAtViewCenter(const QString& handler);
    void showQuickAdd(const QPointF& scenePos, const QPoint& globalPos,
                      const QString& connectTo = {}, PortKind port = PortKind::None);
    void focusProblem(const Problem& problem);
    void showAbout();
    void restoreSavedLayout();
    void rebuildExamplesMenu();
    void createThemeMenu(QMenu* view);

    Mode m_mode;
    PipelineModel* m_model;
    CanvasScene* m_scene;
    CanvasView* m_view;
    DocumentController* m_documents;
    EditController* m_edits;
    PaletteWidget* m_palette = nullptr;
    InspectorWidget* m_inspector = nullptr;
    ProblemsWidget* m_problems = nullptr;
    QDockWidget* m_problemsDock = nullptr;
    QSplitter* m_centralSplitter;
    QVBoxLayout* m_centralLayout;
    QHash<QDockWidget*, Qt::DockWidgetArea> m_defaultAreas;
    std::function<bool()> m_runActive;
    QString m_examplesDirectory;
    bool m_layoutRestored = false;
    QLabel* m_zoomLabel;
    QLabel* m_problemLabel;
    QHash<QString, QAction*> m_actions;
    QHash<QString, QMenu*> m_menus;
};

} // namespace Aqueduct::Ui
