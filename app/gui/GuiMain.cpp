// The desktop app: designer window with the monitor, optional dark palette, and the
// --screenshot mode used for docs and visual checks (with --run-for: live charts).
#include "Commands.h"

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

struct GuiOptions {
    QString screenshotPath;
    QString pipelinePath;
    QString selectStep; ///< --select ID: a step to select (screenshots of the inspector)
    bool dark = false;
    QSize size;         ///< --size WxH (with --screenshot): the window size, default 1400x900
    double runForS = 0; ///< --run-for S (with --screenshot): run with the generator first
    QString error;
};

GuiOptions parseGuiArguments(const QStringList& arguments) {
    GuiOptions options;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString& argument = arguments[i];
        if (argument == QLatin1String("--screenshot")) {
            if (i + 1 >= arguments.size()) {
                options.error = QStringLiteral("--screenshot needs an output file (OUT.png)");
                return options;
            }
            options.screenshotPath = arguments[++i];
        } else if (argument == QLatin1String("--run-for") ||
                   argument.startsWith(QLatin1String("--run-for="))) {
            QString value = argument.mid(int(qstrlen("--run-for=")));
            if (argument == QLatin1String("--run-for"))
                value = i + 1 < arguments.size() ? arguments[++i] : QString();
            bool ok = false;
            options.runForS = value.toDouble(&ok);
            if (!ok || options.runForS <= 0 || options.runForS > 24 * 3600) {
                options.error = QStringLiteral("--run-for needs a number of seconds (e.g. 5)");
                return options;
            }
        } else if (argument == QLatin1String("--select")) {
            if (i + 1 >= arguments.size()) {
                options.error = QStringLiteral("--select needs a step id");
                return options;
            }
            options.selectStep = arguments[++i];
        } else if (argument == QLatin1String("--size")) {
            const QStringList parts =
                i + 1 < arguments.size() ? arguments[++i].split(QLatin1Char('x')) : QStringList();
            bool okWidth = false;
            bool okHeight = false;
            if (parts.size() == 2)
                options.size = QSize(parts[0].toInt(&okWidth), parts[1].toInt(&okHeight));
            if (!okWidth || !okHeight || options.size.width() < 320 ||
                options.size.height() < 240 || options.size.width() > 8192 ||
                options.size.height() > 8192) {
                options.error = QStringLiteral("--size needs WIDTHxHEIGHT, e.g. 1280x720");
                return options;
            }
        } else if (argument == QLatin1String("--dark")) {
            options.dark = true;
        } else if (argument.startsWith(QLatin1Char('-')) && argument.size() > 1) {
            options.error = QStringLiteral("unknown option '%1'").arg(argument);
            return options;
        } else if (options.pipelinePath.isEmpty()) {
            options.pipelinePath = argument;
        } else {
            options.error = QStringLiteral("only one pipeline file can be opened");
            return options;
        }
    }
    return options;
}

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

    GuiOptions options = parseGuiArguments(app.arguments().mid(1));
    if (!options.error.isEmpty()) {
        std::fprintf(stderr, "aqueduct: %s\n", qPrintable(options.error));
        return ExitInvalidInput;
    }
    if (options.runForS > 0 && options.screenshotPath.isEmpty()) {
        std::fputs("aqueduct: --run-for goes with --screenshot OUT.png\n", stderr);
        return ExitInvalidInput;
    }
    if (options.size.isValid() && options.screenshotPath.isEmpty()) {
        std::fputs("aqueduct: --size goes with --screenshot OUT.png\n", stderr);
        return ExitInvalidInput;
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
