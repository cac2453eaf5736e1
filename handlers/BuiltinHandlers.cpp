#include "BuiltinHandlers.h"

#include "ChecksumHandler.h"
#include "CpuBurnHandler.h"
#include "CrashHandler.h"
#include "FailHandler.h"
#include "ImageGrayscaleHandler.h"
#include "IncrementHandler.h"
#include "PassthroughHandler.h"
#include "SetFieldHandler.h"
#include "Sha256Handler.h"
#include "SleepHandler.h"

#include <aqueduct/HandlerRegistry.h>

namespace Aqueduct {

namespace {

template <typename HandlerType> void addBuiltin(HandlerRegistry& registry) {
    HandlerInfo info = HandlerType::info();
    info.origin = QStringLiteral("builtin");
    registry.add(std::move(info), [] { return std::make_unique<HandlerType>(); });
}

} // namespace

void registerBuiltinHandlers(HandlerRegistry& registry) {
    addBuiltin<PassthroughHandler>(registry);
    addBuiltin<IncrementHandler>(registry);
    addBuiltin<SetFieldHandler>(registry);
    addBuiltin<SleepHandler>(registry);
    addBuiltin<CpuBurnHandler>(registry);
    addBuiltin<Sha256Handler>(registry);
    addBuiltin<ChecksumHandler>(registry);
    addBuiltin<FailHandler>(registry);
    addBuiltin<CrashHandler>(registry);
    addBuiltin<ImageGrayscaleHandler>(registry);
}

} // namespace Aqueduct
