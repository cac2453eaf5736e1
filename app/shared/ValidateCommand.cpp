// `aqueduct validate FILE...`: loads and checks pipeline files, one line per problem.
#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QTextStream>

#include <cstdio>

namespace Aqueduct::App {

namespace {

void printHelp(FILE* out) {
    std::fputs(
        "Usage: aqueduct validate [--quiet] [--plugins-from-pipeline-dir] FILE...\n"
        "\n"
        "Checks pipeline files: JSON syntax, field types, handler names and parameters,\n"
        "the step graph (unknown steps, cycles, unreachable steps) and expressions.\n"
        "\n"
        "Prints one line per problem:\n"
        "  FILE:JSON-PATH: reason      e.g. pipeline.json:$.steps[1].nprocs: must be between 1 and "
        "256, got 0\n"
        "  FILE:LINE:COLUMN: reason    for JSON syntax errors\n"
        "and 'FILE: ok' for each valid file. Warnings (unknown keys, migrated versions)\n"
        "are printed as 'warning:' lines and do not make a file invalid.\n"
        "\n"
        "Options:\n"
        "  -q, --quiet   print problems only, not 'FILE: ok'\n"
        "  --plugins-from-pipeline-dir\n"
        "                also load handler plugins (*.so) from each file's folder (off by\n"
        "                default: loading a plugin runs its code)\n"
        "  -h, --help    show this help\n"
        "\n"
        "Exit status: 0 when every file is valid, 2 when any file is invalid or unreadable.\n",
        out);
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
    QStringList files;
    bool quiet = false;
    PipelineDirPlugins pipelineDir = PipelineDirPlugins::Ignore;
    bool optionsEnded = false;
    for (const QString& argument : arguments) {
        if (!optionsEnded && argument.startsWith(QLatin1Char('-')) && argument.size() > 1) {
            if (argument == QLatin1String("--")) {
                optionsEnded = true;
            } else if (argument == QLatin1String("-h") || argument == QLatin1String("--help")) {
                printHelp(stdout);
                return ExitOk;
            } else if (argument == QLatin1String("-q") || argument == QLatin1String("--quiet")) {
                quiet = true;
            } else if (argument == QLatin1String("--plugins-from-pipeline-dir")) {
                pipelineDir = PipelineDirPlugins::Load;
            } else {
                std::fprintf(stderr, "aqueduct validate: unknown option '%s'\n\n",
                             qPrintable(argument));
                printHelp(stderr);
                return ExitInvalidInput;
            }
            continue;
        }
        files.append(argument);
    }
    if (files.isEmpty()) {
        std::fputs("aqueduct validate: no file given\n\n", stderr);
        printHelp(stderr);
        return ExitInvalidInput;
    }

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
