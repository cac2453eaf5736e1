// The desktop app: designer window, optional dark palette, and the --screenshot mode used
// for docs and visual checks.
#include "Commands.h"

#include <MainWindow.h>
#include <application/DocumentController.h>
#include <canvas/CanvasScene.h>
#include <style/Icons.h>
#include <style/Theme.h>

#include <QApplication>
#include <QFileInfo>
#include <QStyle>
#include <QStyleFactory>
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
    bool runForGiven = false;
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
            if (argument == QLatin1String("--run-for"))
                ++i; // its value
            options.runForGiven = true;
        } else if (argument == QLatin1String("--select")) {
            if (i + 1 >= arguments.size()) {
                options.error = QStringLiteral("--select needs a step id");
                return options;
            }
            options.selectStep = arguments[++i];
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

void applyLook(bool dark) {
    // Fusion honours the palette fully (dark mode) and looks the same everywhere; keep
    // a native desktop style when there is one and no dark palette is asked for.
    const QString style = QApplication::style()->name().toLower();
    if (dark || style == QLatin1String("windows"))
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (dark)
        QApplication::setPalette(Ui::Theme::darkPalette());
}

int takeScreenshot(Ui::MainWindow& window, const GuiOptions& options) {
    window.resize(1400, 900);
    window.show();
    QApplication::processEvents();
    if (!options.pipelinePath.isEmpty())
        window.openFile(options.pipelinePath);
    // Let the layout settle at its final size before fitting the graph into it.
    for (int i = 0; i < 3; ++i)
        QApplication::processEvents();
    window.fitCanvas();
    if (!options.selectStep.isEmpty())
        window.canvasScene()->selectSteps({options.selectStep});
    QApplication::processEvents();
    const QPixmap pixmap = window.grab();
    if (pixmap.isNull() || !pixmap.save(options.screenshotPath)) {
        std::fprintf(stderr, "aqueduct: cannot write the screenshot to %s\n",
                     qPrintable(options.screenshotPath));
        return ExitInvalidInput;
    }
    std::fprintf(stderr, "aqueduct: screenshot written to %s (%dx%d)\n",
                 qPrintable(options.screenshotPath), pixmap.width(), pixmap.height());
    window.documentController()->closeCleanly();
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
    if (options.runForGiven) {
        std::fputs("aqueduct: --run-for needs the monitor (not built yet)\n", stderr);
        return ExitInvalidInput;
    }
    const bool screenshot = !options.screenshotPath.isEmpty();
    if (options.pipelinePath.isEmpty() && QFileInfo::exists(defaultPipelinePath()))
        options.pipelinePath = defaultPipelinePath();

    applyLook(options.dark || qEnvironmentVariableIntValue("AQUEDUCT_DARK") == 1);
    QApplication::setWindowIcon(Ui::Icons::icon(QStringLiteral("aqueduct")));
    loadHandlerPlugins(options.pipelinePath);

    std::shared_ptr<Ui::UserPrompts> prompts;
    if (screenshot)
        prompts = std::make_shared<Ui::NonInteractivePrompts>();
    Ui::MainWindow window(prompts, screenshot ? Ui::MainWindow::Mode::Unattended
                                              : Ui::MainWindow::Mode::Interactive);
    if (screenshot)
        return takeScreenshot(window, options);

    window.show();
    // Recovering a crashed session's edits comes first; otherwise open the file asked for.
    QTimer::singleShot(0, &window, [&window, path = options.pipelinePath] {
        if (!window.documentController()->restoreAutosaveIfAny() && !path.isEmpty())
            window.openFile(path);
        window.fitCanvas();
    });
    return app.exec();
}

} // namespace Aqueduct::App
