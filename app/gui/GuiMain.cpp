// The desktop app: designer window with the monitor, optional dark palette, and the
// --screenshot mode used for docs and visual checks (with --run-for: live charts).
#include "Commands.h"
#include "DesktopOptions.h"

#include <MainWindow.h>
#include <application/DocumentController.h>
#include <canvas/CanvasScene.h>
#include <monitor/ChartsWidget.h>
#include <monitor/EngineController.h>
#include <monitor/MonitorController.h>
#include <style/Icons.h>
#include <style/Theme.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace Aqueduct::App {

namespace {

/// --dark or AQUEDUCT_DARK=1 win; else the View › Theme choice saved by an interactive
/// session; screenshots without --dark use the system look.
void applyLook(bool dark, bool screenshot) {
    Ui::Theme::Choice choice = Ui::Theme::Choice::System;
    if (dark)
        choice = Ui::Theme::Choice::Dark;
    else if (!screenshot)
        choice =
            Ui::Theme::choiceFromName(QSettings().value(QStringLiteral("view/theme")).toString());
    Ui::Theme::apply(choice);
}

/// Spins the event loop until `done` or `timeoutMs` passed; true when done.
template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs) {
    // A real event loop (no busy polling), checked every 20 ms.
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer check;
    check.setInterval(20);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done() || elapsed.elapsed() >= timeoutMs)
            loop.quit();
    });
    if (!done()) {
        check.start();
        loop.exec();
    }
    return done();
}

/// --run-for: runs the open pipeline with the synthetic generator (as fast as possible) for
/// `seconds` once it is running. False when it could not start.
bool runForScreenshot(Ui::MonitorController& monitor, double seconds) {
    Ui::LoadSettings load;
    load.source = Ui::LoadSource::Synthetic;
    load.onEnd = Ui::LoadEndAction::KeepRunning;
    monitor.setLoadSettings(load);
    if (!monitor.run())
        return false;
    const int startTimeoutMs = 60000;
    if (!waitUntil([&] { return monitor.state() == FlowState::Running || !monitor.isRunActive(); },
                   startTimeoutMs) ||
        !monitor.isRunActive())
        return false;
    QElapsedTimer running;
    running.start();
    waitUntil([&] { return running.elapsed() >= qint64(seconds * 1000) || !monitor.isRunActive(); },
              int(seconds * 1000) + 1000);
    monitor.charts()->redrawNow();
    return monitor.isRunActive();
}

int takeScreenshot(Ui::MainWindow& window, Ui::MonitorController& monitor,
                   const GuiOptions& options) {
    window.resize(options.size.isValid() ? options.size : QSize(1400, 900));
    window.show();
    QApplication::processEvents();
    if (!options.pipelinePath.isEmpty())
        window.openFile(options.pipelinePath);
    else if (QFileInfo::exists(defaultPipelinePath()))
        window.documentController()->openCopy(defaultPipelinePath());
    // Let the layout settle at its final size before fitting the graph into it.
    for (int i = 0; i < 3; ++i)
        QApplication::processEvents();
    window.fitCanvas();
    if (!options.selectStep.isEmpty())
        window.canvasScene()->selectSteps({options.selectStep});
    bool runFailed = false;
    if (options.runForS > 0) {
        runFailed = !runForScreenshot(monitor, options.runForS);
        window.fitCanvas(); // the charts took part of the central area
    }
    QApplication::processEvents();
    const QPixmap pixmap = window.grab();
    if (monitor.isRunActive()) {
        // The picture is taken live; now stop and wait until every worker is gone.
        monitor.stop();
        if (!waitUntil([&] { return !monitor.isRunActive(); }, 15000))
            monitor.stop(); // second stop: immediate
        waitUntil([&] { return !monitor.isRunActive(); }, 15000);
    }
    if (pixmap.isNull() || !pixmap.save(options.screenshotPath)) {
        std::fprintf(stderr, "aqueduct: cannot write the screenshot to %s\n",
                     qPrintable(options.screenshotPath));
        return ExitInvalidInput;
    }
    std::fprintf(stderr, "aqueduct: screenshot written to %s (%dx%d)\n",
                 qPrintable(options.screenshotPath), pixmap.width(), pixmap.height());
    window.documentController()->closeCleanly();
    if (runFailed) {
        std::fputs("aqueduct: the pipeline could not run (the screenshot shows why)\n", stderr);
        return ExitFlowFailed;
    }
    return ExitOk;
}

} // namespace

int runGui(int& argc, char** argv) {
    QApplication::setOrganizationName(QStringLiteral("Aqueduct"));
    QApplication::setApplicationName(QStringLiteral("aqueduct"));
    QApplication::setApplicationDisplayName(QStringLiteral("Aqueduct"));
    QApplication::setApplicationVersion(QStringLiteral(AQUEDUCT_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.aqueduct.Aqueduct"));
    QApplication app(argc, argv);

    GuiOptions options;
    QString error;
    switch (parseGuiOptions(app.arguments().mid(1), options, &error)) {
    case ParseOutcome::Help:
        std::fputs(qPrintable(guiHelpText()), stdout);
        return ExitOk;
    case ParseOutcome::Version:
        std::fputs(qPrintable(CommandLine::versionText()), stdout);
        return ExitOk;
    case ParseOutcome::Invalid:
        std::fprintf(stderr, "aqueduct: %s\n(see aqueduct --help)\n", qPrintable(error));
        return ExitInvalidInput;
    case ParseOutcome::Run:
        break;
    }
    const bool screenshot = !options.screenshotPath.isEmpty();
    // With no file the bundled example opens as an untitled copy: Save asks where, so the
    // installed file is never overwritten.
    const QString examplePath =
        options.pipelinePath.isEmpty() && QFileInfo::exists(defaultPipelinePath())
            ? defaultPipelinePath()
            : QString();

    applyLook(options.dark || qEnvironmentVariableIntValue("AQUEDUCT_DARK") == 1, screenshot);
    QApplication::setWindowIcon(Ui::Icons::icon(QStringLiteral("aqueduct")));
    // The pipeline's own folder: MainWindow::openFile asks first (PipelinePlugins).
    loadHandlerPlugins();

    std::shared_ptr<Ui::UserPrompts> prompts;
    if (screenshot)
        prompts = std::make_shared<Ui::NonInteractivePrompts>();
    Ui::MainWindow window(prompts, screenshot ? Ui::MainWindow::Mode::Unattended
                                              : Ui::MainWindow::Mode::Interactive);
    // The monitor (Run menu and toolbar, charts, processes, run log) attaches to the window
    // and is destroyed with it, stopping any run first.
    auto* monitor = new Ui::MonitorController(&window);
    window.setExamplesDirectory(QFileInfo(defaultPipelinePath()).absolutePath());
    if (screenshot)
        return takeScreenshot(window, *monitor, options);

    window.show();
    // Recovering a crashed session's edits comes first; otherwise open the file asked for.
    QTimer::singleShot(0, &window, [&window, path = options.pipelinePath, examplePath] {
        // Recovered edits are what the person was working on: they win over the file.
        const bool restored = window.documentController()->restoreAutosaveIfAny();
        if (!restored && !path.isEmpty())
            window.openFile(path);
        else if (!restored && !examplePath.isEmpty())
            window.documentController()->openCopy(examplePath);
        window.fitCanvas();
    });
    return app.exec();
}

} // namespace Aqueduct::App
