// Entry point: registers built-in handlers, starts the fork server before any thread
// exists, then dispatches to the desktop app or a subcommand.
#include "Commands.h"
#include "DesktopOptions.h"

#include "BuiltinHandlers.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <cstdio>
#include <cstring>

namespace {

[[maybe_unused]] bool hasDisplay() {
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (!platform.isEmpty())
        return true;
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

} // namespace

QString Aqueduct::App::defaultPipelinePath() {
    const QString installed = QFileInfo(QStringLiteral("/proc/self/exe")).canonicalPath() +
                              QStringLiteral("/../share/aqueduct/pipelines/three-step.json");
    if (QFileInfo::exists(installed))
        return QFileInfo(installed).canonicalFilePath();
    return QStringLiteral(AQUEDUCT_DEFAULT_PIPELINE);
}

int main(int argc, char** argv) {
    Aqueduct::registerBuiltinHandlers(Aqueduct::HandlerRegistry::global());
    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    const bool runsFlows =
        !(command == QLatin1String("validate") || command == QLatin1String("handlers") ||
          command == QLatin1String("--version") || command == QLatin1String("--help") ||
          command == QLatin1String("-h") || command == QLatin1String("-V"));
    const auto forkServer =
        runsFlows ? Aqueduct::ForkServerMode::Start : Aqueduct::ForkServerMode::Skip;
    if (const int workerExit = Aqueduct::bootstrapProcess(argc, argv, forkServer); workerExit >= 0)
        return workerExit;

    if (command == QLatin1String("--version") || command == QLatin1String("-V")) {
        std::fputs(qPrintable(Aqueduct::App::CommandLine::versionText()), stdout);
        return 0;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        std::fputs(qPrintable(Aqueduct::App::guiHelpText()), stdout);
        return 0;
    }

    using CommandFunction = int (*)(const QStringList&);
    struct CommandEntry {
        const char* name;
        CommandFunction function;
    };
    static constexpr CommandEntry kCommands[] = {
        {"run", Aqueduct::App::runRunCommand},
        {"serve", Aqueduct::App::runServeCommand},
        {"validate", Aqueduct::App::runValidateCommand},
        {"handlers", Aqueduct::App::runHandlersCommand},
    };
    for (const CommandEntry& entry : kCommands) {
        if (command == QLatin1String(entry.name)) {
            QCoreApplication app(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("aqueduct"));
            QCoreApplication::setApplicationVersion(QStringLiteral(AQUEDUCT_VERSION));
            QStringList arguments = app.arguments().mid(2);
            return entry.function(arguments);
        }
    }
    // Anything else is the desktop app: [options] [FILE]; its parser reports bad options.
#ifdef AQUEDUCT_WITH_GUI
    if (hasDisplay())
        return Aqueduct::App::runGui(argc, argv);
#endif
    // No display (or built without the GUI): run the pipeline as a short headless demo.
    QCoreApplication app(argc, argv);
    if (command.startsWith(QLatin1Char('-'))) {
        std::fprintf(stderr,
                     "aqueduct: '%s' is a desktop app option, but there is no display "
                     "(set DISPLAY, or QT_QPA_PLATFORM=offscreen)\n\n",
                     argv[1]);
        std::fputs(qPrintable(Aqueduct::App::guiHelpText()), stderr);
        return Aqueduct::App::ExitInvalidInput;
    }
    QStringList demoArguments;
    demoArguments << (command.isEmpty() ? Aqueduct::App::defaultPipelinePath() : command)
                  << QStringLiteral("--generate") << QStringLiteral("200000")
                  << QStringLiteral("--duration") << QStringLiteral("5")
                  << QStringLiteral("--output") << QStringLiteral("/dev/null");
    std::fprintf(stderr,
                 "aqueduct: no display found; running a 5 s headless demo "
                 "(aqueduct run %s --generate 200000 --duration 5)\n",
                 qPrintable(demoArguments.first()));
    return Aqueduct::App::runRunCommand(demoArguments);
}
