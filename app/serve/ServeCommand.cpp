// `aqueduct serve PIPELINE.json --listen HOST:PORT`: the pipeline as an HTTP service (see
// HttpTaskServer, docs/headless.md).
#include "Commands.h"

#include "PipelineLoading.h"
#include "ServeOptions.h"
#include "ServeSession.h"

#include <QCoreApplication>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>

namespace Aqueduct::App {

namespace {

QCoro::Task<void> serveAndQuit(ServeSession* session) {
    const int exitCode = co_await session->run();
    QCoreApplication::exit(exitCode);
}

/// Many keep-alive clients need many descriptors: raise the soft limit to the hard one.
void raiseDescriptorLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int runServeCommand(const QStringList& arguments) {
    ServeOptions options;
    QString error;
    switch (parseServeOptions(arguments, options, &error)) {
    case ParseOutcome::Help:
        std::fputs(qPrintable(serveHelpText()), stdout);
        return ExitOk;
    case ParseOutcome::Version:
        std::fputs(qPrintable(CommandLine::versionText()), stdout);
        return ExitOk;
    case ParseOutcome::Invalid:
        std::fprintf(stderr, "aqueduct serve: %s\n(see aqueduct serve --help)\n",
                     qPrintable(error));
        return ExitInvalidInput;
    case ParseOutcome::Run:
        break;
    }
    std::optional<PipelineDocument> document = loadValidatedPipeline(
        options.pipelinePath, "serve",
        options.pluginsFromPipelineDir ? PipelineDirPlugins::Load : PipelineDirPlugins::Ignore);
    if (!document)
        return ExitInvalidInput;

    std::signal(SIGPIPE, SIG_IGN);
    raiseDescriptorLimit();
    ServeSession session(std::move(options), std::move(*document));
    QTimer::singleShot(0, &session, [&session] { serveAndQuit(&session); });
    return QCoreApplication::exec();
}

} // namespace Aqueduct::App
