#include "aqueduct/Bootstrap.h"

#include "process/ForkServer.h"

#include <cstdlib>
#include <cstring>

namespace Aqueduct {

namespace Internal {
int runSpawnedWorker(int configFd);
}

int bootstrapProcess(int argc, char** argv, ForkServerMode mode) {
    // A worker exec'd by the spawn start method: `<program> --aqueduct-worker <fd>`.
    if (argc >= 3 && std::strcmp(argv[1], "--aqueduct-worker") == 0)
        return Internal::runSpawnedWorker(std::atoi(argv[2]));
    // A fork server restarted after the first one died: exec'd, so single-threaded.
    if (argc >= 4 && std::strcmp(argv[1], "--aqueduct-forkserver") == 0)
        Internal::ForkServer::runExecuted(std::atoi(argv[2]), pid_t(std::atoi(argv[3])));
    Internal::ForkServer::noteBootstrapped();
    if (mode == ForkServerMode::Start && !std::getenv("AQUEDUCT_NO_FORKSERVER"))
        Internal::ForkServer::start();
    return -1;
}

} // namespace Aqueduct
