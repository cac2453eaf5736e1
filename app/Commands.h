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

/// Whether plugins in a pipeline's own folder are loaded (`--plugins-from-pipeline-dir`).
/// Never by default: a downloaded folder must not run code because it was opened.
enum class PipelineDirPlugins { Ignore, Load };

/// Loads plugins from the search path into the global registry (built-ins are
/// registered before). With PipelineDirPlugins::Load, `pipelinePath`'s folder is added
/// to the search path; with Ignore, plugins found there are named on stderr with the
/// flag that would load them (`commandName` prefixes the note; null = no note).
void loadHandlerPlugins(const QString& pipelinePath = {},
                        PipelineDirPlugins pipelineDir = PipelineDirPlugins::Ignore,
                        const char* commandName = nullptr);

} // namespace Aqueduct::App
