// `aqueduct run PIPELINE.json`: the headless batch mode (see RunSession, docs/headless.md).
#include "Commands.h"

#include "PipelineLoading.h"
#include "RunOptions.h"
#include "RunSession.h"

#include <QCoreApplication>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace Aqueduct::App {

namespace {

QCoro::Task<void> runAndQuit(RunSession* session) {
    const int exitCode = co_await session->run();
    QCoreApplication::exit(exitCode);
}

} // namespace

int runRunCommand(const QStringList& arguments) {
    RunOptions options;
    QString error;
    switch (parseRunOptions(arguments, options, &error)) {
    case ParseOutcome::Help:
        std::fputs(qPrintable(runHelpText()), stdout);
        return ExitOk;
    case ParseOutcome::Version:
        std::fputs(qPrintable(CommandLine::versionText()), stdout);
        return ExitOk;
    case ParseOutcome::Invalid:
        std::fprintf(stderr, "aqueduct run: %s\n(see aqueduct run --help)\n", qPrintable(error));
        return ExitInvalidInput;
    case ParseOutcome::Run:
        break;
    }
    std::optional<PipelineDocument> document = loadValidatedPipeline(
        options.pipelinePath, "run",
        options.pluginsFromPipelineDir ? PipelineDirPlugins::Load : PipelineDirPlugins::Ignore);
    if (!document)
        return ExitInvalidInput;

    // A closed stdout (e.g. `| head`) must be a write error we report, not a silent death.
    std::signal(SIGPIPE, SIG_IGN);
    RunSession session(std::move(options), std::move(*document));
    QTimer::singleShot(0, &session, [&session] { runAndQuit(&session); });
    return QCoreApplication::exec();
}

} // namespace Aqueduct::App
