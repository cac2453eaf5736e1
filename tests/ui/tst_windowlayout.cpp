// The window as a new user meets it (issue 18): a saved layout restored with every panel
// docked, a size that fits a 1280x720 screen, the run banner beside (not over) the canvas,
// a usable canvas at 720p while running, the last run forgotten when another file opens,
// a warning when quitting stops a run, examples opened as copies, View › Theme.
#include "ProcessLeakGuard.h"
#include "UiTestMain.h"

#include <MainWindow.h>
#include <application/DocumentController.h>
#include <application/UserPrompts.h>
#include <canvas/CanvasView.h>
#include <document/PipelineModel.h>
#include <monitor/ChartsWidget.h>
#include <monitor/FlowTotalsBar.h>
#include <monitor/MetricsHistory.h>
#include <monitor/MonitorChart.h>
#include <monitor/MonitorController.h>
#include <monitor/ProcessTableModel.h>
#include <monitor/RunBanner.h>
#include <style/Theme.h>

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTemporaryDir>
#include <QToolBar>

#include <memory>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

namespace {

constexpr int kWaitMs = 30000;

class FakePrompts final : public UserPrompts {
public:
    SaveChoice saveChoice = SaveChoice::Cancel;
    SaveChoice quitChoice = SaveChoice::Cancel;
    QString savePath;
    int saveQuestions = 0;
    int quitQuestions = 0;
    bool lastQuitHadUnsaved = false;

    SaveChoice askSaveChanges(QWidget*, const QString&) override {
        ++saveQuestions;
        return saveChoice;
    }
    SaveChoice askQuitWhileRunning(QWidget*, const QString&, bool unsaved) override {
        ++quitQuestions;
        lastQuitHadUnsaved = unsaved;
        return quitChoice;
    }
    bool askRestoreAutosave(QWidget*, const QString&, const QDateTime&) override { return false; }
    QString openFileName(QWidget*, const QString&) override { return {}; }
    QString saveFileName(QWidget*, const QString&, const QString&) override { return savePath; }
    void showLoadProblems(QWidget*, const QString&, const QList<Problem>&) override {}
    void showError(QWidget*, const QString&, const QString&) override {}
};

struct Window {
    explicit Window(MainWindow::Mode mode = MainWindow::Mode::Unattended) {
        window = std::make_unique<MainWindow>(prompts, mode);
        monitor = new MonitorController(window.get());
    }
    ~Window() {
        if (window) {
            window->pipelineModel()->undoStack()->setClean();
            window.reset(); // the monitor (a child) stops any run
        }
    }
    std::shared_ptr<FakePrompts> prompts = std::make_shared<FakePrompts>();
    std::unique_ptr<MainWindow> window;
    MonitorController* monitor = nullptr;
};

LoadSettings synthetic(qint64 count) {
    LoadSettings load;
    load.source = LoadSource::Synthetic;
    load.count = count;
    load.concurrency = 64;
    load.onEnd = count > 0 ? LoadEndAction::StopFlow : LoadEndAction::KeepRunning;
    return load;
}

/// Restores AQUEDUCT_TEST (and the test settings) when a test that needs the real
/// settings path ends, however it ends.
class RealSettingsPath {
public:
    RealSettingsPath() { qunsetenv("AQUEDUCT_TEST"); }
    ~RealSettingsPath() {
        qputenv("AQUEDUCT_TEST", "1");
        QSettings().remove(QStringLiteral("window"));
    }
};

} // namespace

class TestWindowLayout : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void savedLayoutWhileMaximizedComesBackDocked() {
        QByteArray geometry;
        QByteArray state;
        {
            Window first(MainWindow::Mode::Interactive);
            first.window->showMaximized();
            QVERIFY(QTest::qWaitForWindowExposed(first.window.get()));
            // The person moved the run log to the right: monitor docks are restored too.
            first.window->addDockWidget(Qt::RightDockWidgetArea, first.monitor->runLogDock());
            first.monitor->runLogDock()->show();
            QCoreApplication::processEvents();
            geometry = first.window->saveGeometry();
            state = first.window->saveState();
        }
        RealSettingsPath realSettings;
        QSettings().setValue(QStringLiteral("window/geometry"), geometry);
        QSettings().setValue(QStringLiteral("window/state"), state);

        Window second(MainWindow::Mode::Interactive);
        second.window->show(); // the saved layout is applied here, after the monitor's docks
        QVERIFY(QTest::qWaitForWindowExposed(second.window.get()));
        QCoreApplication::processEvents();
        const auto docks = second.window->findChildren<QDockWidget*>();
        QCOMPARE(docks.size(), 5);
        for (QDockWidget* dock : docks) {
            QVERIFY2(!dock->isFloating(), qPrintable(dock->objectName()));
            QVERIFY2(second.window->dockWidgetArea(dock) != Qt::NoDockWidgetArea,
                     qPrintable(dock->objectName()));
            if (dock->isVisible() && !dock->visibleRegion().isEmpty())
                QVERIFY2(dock->width() > 80 && dock->height() > 40,
                         qPrintable(QStringLiteral("%1 is %2x%3")
                                        .arg(dock->objectName())
                                        .arg(dock->width())
                                        .arg(dock->height())));
        }
        QCOMPARE(second.window->dockWidgetArea(second.monitor->runLogDock()),
                 Qt::RightDockWidgetArea);
        auto* runBar = second.window->findChild<QToolBar*>(QStringLiteral("runToolBar"));
        QVERIFY(runBar);
        QVERIFY(runBar->isVisible());
        QVERIFY(!runBar->isFloating());
        QCOMPARE(second.window->toolBarArea(runBar), Qt::TopToolBarArea);
        QVERIFY(runBar->actions().contains(second.monitor->action(QStringLiteral("run"))));
    }

    void aStateWithoutTheMonitorStillLeavesEveryPanelDocked() {
        // A layout saved before the monitor's docks existed (the old bug's leftovers).
        QByteArray state;
        {
            MainWindow designerOnly(std::make_shared<NonInteractivePrompts>(),
                                    MainWindow::Mode::Unattended);
            designerOnly.showMaximized();
            QVERIFY(QTest::qWaitForWindowExposed(&designerOnly));
            state = designerOnly.saveState();
        }
        Window w;
        w.window->restoreLayout({}, state);
        w.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.window.get()));
        for (QDockWidget* dock : w.window->findChildren<QDockWidget*>())
            QVERIFY2(!dock->isFloating(), qPrintable(dock->objectName()));
        QVERIFY(w.window->findChild<QToolBar*>(QStringLiteral("runToolBar"))->isVisible());
    }

    void theWindowFitsA720pScreen() {
        const QSize small = MainWindow::initialSize(QRect(0, 0, 1280, 720));
        QVERIFY(small.width() <= 1280 - 20 && small.height() <= 720 - 20);
        QVERIFY(small.height() >= 600);
        QCOMPARE(MainWindow::initialSize(QRect(0, 0, 1920, 1080)), QSize(1400, 900));
        // A real window fits its screen, and its panels do not force it larger than 720p.
        Window w;
        const QRect available = w.window->screen()->availableGeometry();
        QVERIFY(w.window->width() <= available.width());
        QVERIFY(w.window->height() <= available.height());
        QVERIFY2(w.window->minimumSizeHint().height() <= 680,
                 qPrintable(QString::number(w.window->minimumSizeHint().height())));
    }

    void runningAt720pKeepsTheCanvasUsableAndUncovered() {
        Test::ProcessLeakGuard leaks;
        {
            Window w;
            w.window->resize(1280, 680); // 720p less a desktop panel
            w.window->show();
            QVERIFY(QTest::qWaitForWindowExposed(w.window.get()));
            QVERIFY(w.window->openFile(UiTest::examplePath("three-step.json")));
            w.monitor->setLoadSettings(synthetic(0));
            QVERIFY(w.monitor->run());
            QTRY_VERIFY_WITH_TIMEOUT(w.monitor->state() == FlowState::Running, kWaitMs);
            QTRY_VERIFY(w.monitor->banner()->isVisible());
            QCoreApplication::processEvents();
            CanvasView* view = w.window->canvasView();
            QVERIFY2(view->height() >= 180, qPrintable(QString::number(view->height())));
            // The banner is a bar above the canvas, never on it.
            const QRect banner(w.monitor->banner()->mapTo(w.window.get(), QPoint()),
                               w.monitor->banner()->size());
            const QRect canvas(view->mapTo(w.window.get(), QPoint()), view->size());
            QVERIFY(!banner.intersects(canvas));
            QVERIFY(banner.height() <= 40);
            QVERIFY(w.monitor->charts()->height() >= 150);
            w.monitor->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!w.monitor->isRunActive(), kWaitMs);
            // Stopped: no alarm, no stale throughput.
            FlowTotalsBar* totals = w.monitor->charts()->totalsBar();
            QCOMPARE(totals->value(QStringLiteral("throughput")), QStringLiteral("–"));
            auto* workers = totals->findChild<QLabel*>(QStringLiteral("totals_workers"));
            QVERIFY(!workers->property("tone").value<QColor>().isValid());
        }
        QVERIFY2(leaks.waitClean(5000), qPrintable(leaks.describe()));
    }

    void openingAnotherFileForgetsTheLastRun() {
        Test::ProcessLeakGuard leaks;
        QTemporaryDir dir;
        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        {
            QFile file(broken);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("{ not json");
        }
        {
            Window w;
            w.window->resize(1280, 800);
            w.window->show();
            for (const QString& next : {broken, UiTest::examplePath("branching.json")}) {
                QVERIFY(w.window->openFile(UiTest::examplePath("three-step.json")));
                w.monitor->setLoadSettings(synthetic(300));
                QSignalSpy finished(w.monitor, &MonitorController::runFinished);
                QVERIFY(w.monitor->run());
                QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
                ChartsWidget* charts = w.monitor->charts();
                QVERIFY(!w.monitor->history()->isEmpty());
                QVERIFY(charts->totalsBar()->value(QStringLiteral("completed")) !=
                        QStringLiteral("–"));
                QVERIFY(w.monitor->processModel()->rowCount() > 0);

                QVERIFY(w.window->openFile(next)); // opens (the broken one as untitled)
                QVERIFY(w.monitor->history()->isEmpty());
                for (const char* tile : {"completed", "throughput", "workers", "uptime"})
                    QCOMPARE(charts->totalsBar()->value(QLatin1String(tile)), QStringLiteral("–"));
                QCOMPARE(w.monitor->processModel()->rowCount(), 0);
                QVERIFY(!w.monitor->lastSummary().has_value());
                for (MonitorChart* chart : charts->charts())
                    QCOMPARE(chart->pointCount(), 0);
            }
        }
        QVERIFY2(leaks.waitClean(5000), qPrintable(leaks.describe()));
    }

    void quittingWhileRunningAsksOnce() {
        Test::ProcessLeakGuard leaks;
        {
            Window w;
            w.window->show();
            QVERIFY(w.window->openFile(UiTest::examplePath("three-step.json")));
            // Quitting when nothing runs and nothing changed asks nothing.
            // Unsaved edits and a run: one question covering both.
            w.window->pipelineModel()->setStepProperty(QStringLiteral("count"),
                                                       StepProperty::Nprocs, 3);
            QVERIFY(w.window->pipelineModel()->isModified());
            w.monitor->setLoadSettings(synthetic(0));
            QVERIFY(w.monitor->run());
            QTRY_VERIFY_WITH_TIMEOUT(w.monitor->state() == FlowState::Running, kWaitMs);

            w.prompts->quitChoice = UserPrompts::SaveChoice::Cancel;
            QVERIFY(!w.window->close());
            QCOMPARE(w.prompts->quitQuestions, 1);
            QVERIFY(w.prompts->lastQuitHadUnsaved);
            QCOMPARE(w.prompts->saveQuestions, 0);
            QVERIFY(w.monitor->isRunActive());

            w.prompts->quitChoice = UserPrompts::SaveChoice::Discard;
            QVERIFY(w.window->close());
            QCOMPARE(w.prompts->quitQuestions, 2);
            QCOMPARE(w.prompts->saveQuestions, 0);
        } // the window goes, the run stops
        QVERIFY2(leaks.waitClean(10000), qPrintable(leaks.describe()));

        // Ctrl+Q is the same path: without a run there is no run question.
        Window idle;
        idle.window->show();
        QVERIFY(idle.window->close());
        QCOMPARE(idle.prompts->quitQuestions, 0);
    }

    void examplesOpenAsUntitledCopies() {
        QTemporaryDir dir;
        const QString installed = dir.filePath(QStringLiteral("three-step.json"));
        QVERIFY(QFile::copy(UiTest::examplePath("three-step.json"), installed));
        QVERIFY(QFile::copy(UiTest::examplePath("branching.json"),
                            dir.filePath(QStringLiteral("branching.json"))));
        QFile original(installed);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray before = original.readAll();
        original.close();

        Window w;
        w.window->setExamplesDirectory(dir.path());
        QMenu* examples = w.window->menu(QStringLiteral("examples"));
        QVERIFY(examples);
        Q_EMIT examples->aboutToShow();
        QStringList names;
        for (QAction* action : examples->actions())
            names << action->text();
        QCOMPARE(names, (QStringList{QStringLiteral("branching"), QStringLiteral("three-step")}));
        examples->actions().at(1)->trigger();
        DocumentController* documents = w.window->documentController();
        QVERIFY(documents->filePath().isEmpty());
        QVERIFY(w.window->pipelineModel()->step(QStringLiteral("count")));
        QVERIFY(w.window->windowTitle().contains(QStringLiteral("three-step.json (example copy)")));

        // Ctrl+S asks where (never the installed file).
        w.window->pipelineModel()->setStepProperty(QStringLiteral("count"), StepProperty::Nprocs,
                                                   5);
        w.prompts->savePath = dir.filePath(QStringLiteral("mine.json"));
        w.window->action(QStringLiteral("save"))->trigger();
        QCOMPARE(documents->filePath(), QFileInfo(w.prompts->savePath).absoluteFilePath());
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(original.readAll(), before);
    }

    void openDialogStartsInTheLastFolderUsed() {
        QTemporaryDir dir;
        {
            Window w(MainWindow::Mode::Interactive);
            w.prompts->savePath = dir.filePath(QStringLiteral("saved.json"));
            QVERIFY(w.window->documentController()->saveAs());
        }
        Window next(MainWindow::Mode::Interactive);
        QVERIFY(next.window->documentController()->filePath().isEmpty());
        QCOMPARE(next.window->documentController()->openDirectory(),
                 QFileInfo(dir.path()).absoluteFilePath());
        QSettings().remove(QStringLiteral("files"));
    }

    void themeMenuSwitchesThePalette() {
        Window w;
        w.window->action(QStringLiteral("themeDark"))->trigger();
        QVERIFY(Theme::isDark(QApplication::palette()));
        QCOMPARE(Theme::current(), Theme::Choice::Dark);
        w.window->action(QStringLiteral("themeLight"))->trigger();
        QVERIFY(!Theme::isDark(QApplication::palette()));
        w.window->action(QStringLiteral("themeSystem"))->trigger();
        QCOMPARE(Theme::current(), Theme::Choice::System);
    }
};

AQUEDUCT_UI_TEST_MAIN(TestWindowLayout)
#include "tst_windowlayout.moc"
