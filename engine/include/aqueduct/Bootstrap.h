#pragma once

namespace Aqueduct {

enum class ForkServerMode { Start, Skip };

/// Call first in main(), before any thread or Q*Application exists: starts the fork
/// server (zygote) and, when this process was exec'd as a worker (spawn start method),
/// runs the worker. Returns >= 0 when the caller must exit with that code, -1 otherwise.
/// Skip the fork server in programs that never run a flow (it costs one small process).
int bootstrapProcess(int argc, char** argv, ForkServerMode mode = ForkServerMode::Start);

} // namespace Aqueduct
