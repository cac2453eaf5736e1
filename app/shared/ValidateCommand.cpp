// `aqueduct validate FILE...`: loads and checks pipeline files, one line per problem.
#include "CommandLine.h"
#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QTextStream>

#include <cstdio>

namespace Aqueduct::App {

namespace {

/// Declares the options of `aqueduct validate`.
CommandLine validateCommandLine(bool* quiet, bool* pipelineDir) {
    CommandLine line(
        "validate", QStringLiteral("[--quiet] [--plugins-from-pipeline-dir] FILE..."),
        QStringLiteral(
            "Checks pipeline files: JSON syntax, field types, handler names and parameters,\n"
            "the step graph (unknown steps, cycles, unreachable steps) and expressions.\n"
            "\n"
            "Prints one line per problem:\n"
            "  FILE:JSON-PATH: reason      e.g. pipeline.json:$.steps[1].nprocs: must be "
            "between 1 and 256, got 0\n"
            "  FILE:LINE:COLUMN: reason    for JSON syntax errors\n"
            "and 'FILE: ok' for each valid file. Warnings (unknown keys, migrated versions)\n"
            "are printed as 'warning:' lines and do not make a file invalid.\n"),
        QStringLiteral("Exit status: 0 when every file is valid, 2 when any file is invalid or "
                       "unreadable.\n"));
    line.addPositional(QStringLiteral("FILE"), QStringLiteral("pipeline files to check"),
                       QStringLiteral("FILE..."));
    line.addFlag({QStringLiteral("q"), QStringLiteral("quiet")},
                 QStringLiteral("print problems only, not 'FILE: ok'"), quiet);
    line.addFlag({QStringLiteral("plugins-from-pipeline-dir")},
                 QStringLiteral("also load handler plugins (*.so) from each file's folder (off "
                                "by default: loading a plugin runs its code)"),
                 pipelineDir);
    return line;
}

QString locationOf(const Problem& problem) {
    if (!problem.path.isEmpty())
        return problem.path;
    if (problem.line > 0)
        return QStringLiteral("%1:%2").arg(problem.line).arg(problem.column);
    return {};
}

} // namespace

int runValidateCommand(const QStringList& arguments) {
    bool quiet = false;
    bool loadPipelineDirPlugins = false;
    CommandLine line = validateCommandLine(&quiet, &loadPipelineDirPlugins);
    const auto usageError = [&line](const QString& message) {
        std::fprintf(stderr, "aqueduct validate: %s\n\n", qPrintable(message));
        std::fputs(qPrintable(line.helpText()), stderr);
        return ExitInvalidInput;
    };
    switch (line.parse(arguments)) {
    case ParseOutcome::Help:
        std::fputs(qPrintable(line.helpText()), stdout);
        return ExitOk;
    case ParseOutcome::Version:
        std::fputs(qPrintable(CommandLine::versionText()), stdout);
        return ExitOk;
    case ParseOutcome::Invalid:
        return usageError(line.error());
    case ParseOutcome::Run:
        break;
    }
    const QStringList files = line.positional();
    if (files.isEmpty())
        return usageError(QStringLiteral("no file given"));
    const PipelineDirPlugins pipelineDir =
        loadPipelineDirPlugins ? PipelineDirPlugins::Load : PipelineDirPlugins::Ignore;

    QTextStream out(stdout);
    bool allValid = true;
    for (const QString& file : files) {
        // Plugins next to the pipeline provide its handlers only when asked for.
        loadHandlerPlugins(file, pipelineDir, "validate");
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validateFile(file);
        for (const Problem& problem : problems) {
            const QString location = locationOf(problem);
            out << escapeControlCharacters(file) << ':';
            if (!location.isEmpty())
                out << escapeControlCharacters(location) << ':';
            out << ' ';
            if (problem.severity == Problem::Severity::Warning)
                out << "warning: ";
            out << escapeControlCharacters(problem.message) << '\n';
        }
        if (hasErrors(problems))
            allValid = false;
        else if (!quiet)
            out << file << ": ok\n";
    }
    // Plugins that did not load: their handlers may be the "unknown handler" above.
    for (const Problem& problem : HandlerRegistry::global().loadProblems())
        out << escapeControlCharacters(problem.path)
            << ": warning: " << escapeControlCharacters(problem.message) << '\n';
    out.flush();
    return allValid ? ExitOk : ExitInvalidInput;
}

} // namespace Aqueduct::App
