#pragma once

#include <QStringList>

namespace Aqueduct::App {

/// Exit codes shared by every subcommand (contract: see README "Exit codes").
enum ExitCode : int {
    ExitOk = 0,
    ExitTasksFailed = 1,
    ExitInvalidInput = 2, ///< invalid pipeline or arguments
    ExitFlowFailed = 3,   ///< the flow could not start or failed
};

/// Each command gets the arguments after its name and runs with a Q*Application
/// already constructed by main().
int runValidateCommand(const QStringList& arguments);
int runHandlersCommand(const QStringList& arguments);
int runRunCommand(const QStringList& arguments);
int runServeCommand(const QStringList& arguments);
/// Desktop app; `arguments` are everything after the program name.
int runGui(int& argc, char** argv);

/// The example pipeline opened (GUI) or run (headless demo) when no file is given:
/// the installed copy next to the program if there is one, else the source tree's.
QString defaultPipelinePath();

/// Loads plugins from the search path into the global registry (built-ins are
/// registered before). `pipelinePath` adds that file's folder to the search path.
void loadHandlerPlugins(const QString& pipelinePath = {});

} // namespace Aqueduct::App
