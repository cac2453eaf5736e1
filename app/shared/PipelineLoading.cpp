#include "PipelineLoading.h"

#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QFileInfo>

#include <cstdio>

namespace Aqueduct::App {

std::optional<PipelineDocument> loadValidatedPipeline(const QString& path, const char* commandName,
                                                      PipelineDirPlugins pipelineDir) {
    const QFileInfo info(path);
    if (info.isDir()) {
        std::fprintf(stderr, "aqueduct %s: %s: is a directory\n", commandName,
                     qPrintable(escapeControlCharacters(path)));
        return std::nullopt;
    }
    if (!info.exists() || !info.isFile()) {
        std::fprintf(stderr, "aqueduct %s: %s: no such file\n", commandName,
                     qPrintable(escapeControlCharacters(path)));
        return std::nullopt;
    }
    loadHandlerPlugins(path, pipelineDir, commandName);
    PipelineDocument::LoadResult loaded = PipelineDocument::fromFile(path);
    const PipelineValidator validator(HandlerRegistry::global());
    const QList<Problem> problems = validator.validateLoaded(loaded.problems, loaded.document);
    for (const Problem& problem : problems) {
        QString location = problem.path;
        if (location.isEmpty() && problem.line > 0)
            location = QStringLiteral("%1:%2").arg(problem.line).arg(problem.column);
        const QString prefix = location.isEmpty() ? path : path + QLatin1Char(':') + location;
        const char* severity = problem.severity == Problem::Severity::Warning ? "warning: " : "";
        std::fprintf(stderr, "%s: %s%s\n", qPrintable(escapeControlCharacters(prefix)), severity,
                     qPrintable(escapeControlCharacters(problem.message)));
    }
    if (hasErrors(problems))
        return std::nullopt;
    // Workers may run in another directory: they get absolute paths.
    resolveFilePathParams(loaded.document, HandlerRegistry::global(), info.absolutePath());
    return std::move(loaded.document);
}

} // namespace Aqueduct::App
