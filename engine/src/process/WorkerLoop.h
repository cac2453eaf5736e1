#pragma once

namespace Aqueduct::Internal {

struct WorkerConfig;

/// The worker's whole life: attach, onStart, report ready, take batches until told to
/// stop, onStop. Returns the process exit code.
int runWorker(const WorkerConfig& config);

} // namespace Aqueduct::Internal
