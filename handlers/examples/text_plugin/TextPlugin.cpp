// The plugin's entry point: registers its handlers with their schemas.
#include "ReverseStringHandler.h"
#include "WordCountHandler.h"

#include <aqueduct/HandlerPlugin.h>

#include <memory>

namespace {

void registerTextHandlers(Aqueduct::HandlerRegistry& registry) {
    registry.add(TextPlugin::ReverseStringHandler::info(),
                 [] { return std::make_unique<TextPlugin::ReverseStringHandler>(); });
    registry.add(TextPlugin::WordCountHandler::info(),
                 [] { return std::make_unique<TextPlugin::WordCountHandler>(); });
}

} // namespace

AQUEDUCT_HANDLER_PLUGIN(registerTextHandlers)
