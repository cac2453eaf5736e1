#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PluginLoader.h>
#include <aqueduct/Problem.h>

#include <QFileInfo>

#include <cstdio>

namespace Aqueduct::App {

// Idempotent (the loader opens each file once per process), so the GUI may call it again
// for every pipeline it opens and a spawned worker may call it during its bootstrap.
void loadHandlerPlugins(const QString& pipelinePath, PipelineDirPlugins pipelineDir,
                        const char* commandName) {
    if (pipelineDir == PipelineDirPlugins::Load) {
        PluginLoader::loadSearchPath(HandlerRegistry::global(), pipelinePath);
        return;
    }
    PluginLoader::loadSearchPath(HandlerRegistry::global());
    if (commandName == nullptr)
        return;
    // Say what was left alone, so a missing handler is not a mystery.
    const QStringList searched = PluginLoader::searchPath();
    QStringList ignored;
    for (const QString& file : PluginLoader::pipelineFolderPlugins(pipelinePath)) {
        const QString folder = QFileInfo(file).canonicalPath();
        if (!searched.contains(folder))
            ignored << QFileInfo(file).fileName();
    }
    if (!ignored.isEmpty())
        std::fprintf(stderr,
                     "aqueduct %s: note: not loading the plugins beside %s (%s); pass "
                     "--plugins-from-pipeline-dir to load them\n",
                     commandName, qPrintable(escapeControlCharacters(pipelinePath)),
                     qPrintable(escapeControlCharacters(ignored.join(QStringLiteral(", ")))));
}

} // namespace Aqueduct::App
