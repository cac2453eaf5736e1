#pragma once

#include <QByteArray>
#include <QStringList>

#include <string>
#include <sys/types.h>

namespace Aqueduct::Internal {

/// What a worker process needs to know: where the flow's shared memory is, the
/// pipeline, and which step / worker it is. Sent to the worker as JSON.
struct WorkerConfig {
    std::string segmentName;
    std::string arenaName; ///< empty when the flow has no arena
    QByteArray documentJson;
    int stepIndex = 0;
    int workerIndex = 0;       ///< within the step
    int globalWorkerIndex = 0; ///< index of its WorkerControl block
    pid_t parentPid = 0;
    int wakeFd = -1;         ///< the parent's eventfd (number in the worker process)
    QStringList pluginFiles; ///< plugins to load first (spawn start method)

    QByteArray toBytes() const;
    static bool fromBytes(const QByteArray& bytes, WorkerConfig& config);
};

} // namespace Aqueduct::Internal
