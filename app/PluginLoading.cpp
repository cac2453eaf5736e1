#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PluginLoader.h>

namespace Aqueduct::App {

// Idempotent (the loader opens each file once per process), so the GUI may call it again
// for every pipeline it opens and a spawned worker may call it during its bootstrap.
void loadHandlerPlugins(const QString& pipelinePath) {
    PluginLoader::loadSearchPath(HandlerRegistry::global(), pipelinePath);
}

} // namespace Aqueduct::App
