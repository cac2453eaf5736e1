#pragma once

namespace Aqueduct {

class HandlerRegistry;

/// Registers every built-in handler (origin "builtin") in `registry`. Calling it again
/// replaces the same entries, so it is safe to call more than once.
void registerBuiltinHandlers(HandlerRegistry& registry);

} // namespace Aqueduct
