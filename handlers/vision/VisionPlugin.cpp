// The vision plugin's entry point: registers its handlers with their schemas.
#include "ImageDecodeHandler.h"
#include "ImageNormalizeHandler.h"
#include "ImageResizeHandler.h"
#include "OnnxInferHandler.h"
#include "TopKHandler.h"

#include <aqueduct/HandlerPlugin.h>

#include <memory>

namespace {

void registerVisionHandlers(Aqueduct::HandlerRegistry& registry) {
    using namespace AqueductVision;
    registry.add(ImageDecodeHandler::info(), [] { return std::make_unique<ImageDecodeHandler>(); });
    registry.add(ImageResizeHandler::info(), [] { return std::make_unique<ImageResizeHandler>(); });
    registry.add(ImageNormalizeHandler::info(),
                 [] { return std::make_unique<ImageNormalizeHandler>(); });
    registry.add(OnnxInferHandler::info(), [] { return std::make_unique<OnnxInferHandler>(); });
    registry.add(TopKHandler::info(), [] { return std::make_unique<TopKHandler>(); });
}

} // namespace

AQUEDUCT_HANDLER_PLUGIN(registerVisionHandlers)
