#pragma once

#include "monitor/LoadSettings.h"
#include "monitor/MonitorRunSummary.h"

#include <aqueduct/Flow.h>
#include <aqueduct/Problem.h>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QToolButton;

namespace Aqueduct::Ui {

class CanvasOverlay;
class ChartsWidget;
class EditLock;
class EngineController;
class MainWindow;
class MetricsHistory;
class ProcessTableModel;
class ProcessTableWidget;
class RunBanner;
class RunLogWidget;

/// The monitor half of the app, attached to the designer's window: a Run menu and toolbar
/// (Run, Stop, Load Source…, exports), the live charts under the canvas, the Processes and
/// Run Log panels, canvas overlays and the editing lock. It runs the open document on the
/// EngineController; the window itself stays thin.
class MonitorController final : public QObject {
    Q_OBJECT
public:
    explicit MonitorController(MainWindow* window);
    ~MonitorController() override; ///< stops a run in progress (nothing is left behind)

    EngineController* engine() const { return m_engine; }
    MetricsHistory* history() const { return m_history; }
    ChartsWidget* charts() const { return m_charts; }
    ProcessTableModel* processModel() const { return m_processModel; }
    ProcessTableWidget* processTable() const { return m_processTable; }
    RunLogWidget* runLog() const { return m_runLog; }
    EditLock* editLock() const { return m_editLock; }
    CanvasOverlay* overlay() const { return m_overlay; }
    RunBanner* banner() const { return m_banner; }
    QDockWidget* processesDock() const { return m_processesDock; }
    QDockWidget* runLogDock() const { return m_runLogDock; }
    /// "run", "stop", "loadSource", "exportCsv", "exportPng", "exportSummary", "charts".
    QAction* action(const QString& name) const { return m_actions.value(name); }

    const LoadSettings& loadSettings() const { return m_load; }
    /// The load of the next runs (not written to the document; the Load Source dialog is).
    void setLoadSettings(const LoadSettings& settings);
    /// A run is starting, running or stopping.
    bool isRunActive() const;
    FlowState state() const;
    const std::optional<MonitorRunSummary>& lastSummary() const { return m_lastSummary; }

    /// Writes the metrics history (CSV), the charts (PNG) or the last run's summary (JSON
    /// when the path ends in .json, else text). False with `error` set on failure.
    bool exportHistoryCsv(const QString& path, QString* error = nullptr) const;
    bool exportChartsPng(const QString& path, QString* error = nullptr);
    bool exportSummary(const QString& path, QString* error = nullptr) const;

public Q_SLOTS:
    /// Runs the open document with the current load settings. Refused (false, with a
    /// banner and a log line) when the document has errors or a run is active.
    bool run();
    /// Graceful stop; a second call stops at once.
    void stop();
    void chooseLoadSource();
    void setChartsVisible(bool visible);

Q_SIGNALS:
    void runStarted();
    void runFinished(const Aqueduct::Ui::MonitorRunSummary& summary);

private:
    void createActions();
    void createPanels();
    void connectEngine();
    void onStateChanged(FlowState state);
    void onSnapshot(const MetricsSnapshotPtr& snapshot);
    void onStartFailed(const QString& stepId, const QString& message);
    void onRunFinished(const MonitorRunSummary& summary);
    void onCanvasSelectionChanged();
    void applyRunProblems();
    void clearRunProblems();
    void updateActions();
    void updateStatus();
    void exportWithDialog(const QString& kind);
    void refuse(const QString& message);
    /// Forgets the last run: charts, legend, totals, process table, summary.
    void clearLastRun();
    /// m_load from the document's app_load (relative files beside the pipeline file).
    void adoptDocumentLoad();

    MainWindow* m_window;
    EngineController* m_engine;
    MetricsHistory* m_history;
    ChartsWidget* m_charts = nullptr;
    ProcessTableModel* m_processModel;
    ProcessTableWidget* m_processTable = nullptr;
    RunLogWidget* m_runLog = nullptr;
    EditLock* m_editLock;
    CanvasOverlay* m_overlay;
    RunBanner* m_banner;
    QDockWidget* m_processesDock = nullptr;
    QDockWidget* m_runLogDock = nullptr;
    QLabel* m_stateLabel = nullptr;
    QToolButton* m_loadButton = nullptr;
    QHash<QString, QAction*> m_actions;
    LoadSettings m_load;
    QJsonObject m_adoptedAppLoad; ///< the document's app_load that m_load was last set from
    std::optional<MonitorRunSummary> m_lastSummary;
    QHash<QString, Problem> m_runProblems; ///< start errors shown on steps, by step id
    bool m_startFailed = false;
    bool m_chartsSized = false;
    bool m_docksSized = false;
    QElapsedTimer m_tableUpdated;
};

} // namespace Aqueduct::Ui
