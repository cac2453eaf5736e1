#pragma once

#include "aqueduct/Bootstrap.h"

#include "aqueduct/MetricsSnapshot.h"
#include "aqueduct/PipelineDocument.h"
#include "aqueduct/TaskResult.h"
#include "aqueduct/WorkerInfo.h"

#include <QObject>
#include <QString>

#include <qcoro/qcoroasyncgenerator.h>
#include <qcoro/qcorotask.h>

#include <chrono>
#include <memory>
#include <vector>

namespace Aqueduct {

namespace Internal {
class FlowRuntime;
}

enum class FlowState { Stopped, Starting, Running, Stopping, Failed };
/// "stopped", "starting", "running", "stopping", "failed"
QString flowStateName(FlowState state);

enum class StopMode { Graceful, Immediate };

/// Why start() failed (empty when it succeeded).
struct StartResult {
    bool ok = true;
    QString stepId; ///< the step that could not start, if one is to blame
    QString error;  ///< plain reason
    static StartResult failure(QString stepId, QString error) {
        return {false, std::move(stepId), std::move(error)};
    }
};

/// A pipeline of steps, each running its handler in worker processes, with bounded
/// shared-memory queues between them. Lives in one thread (the one that created it);
/// all coroutines resume there. Build it from a document, or add steps in code.
class Flow : public QObject {
    Q_OBJECT
public:
    explicit Flow(QObject* parent = nullptr);
    /// The document should have passed PipelineValidator; start() re-checks it.
    explicit Flow(PipelineDocument document, QObject* parent = nullptr);
    ~Flow() override; ///< stops immediately if still running

    /// Programmatic building (while stopped). With no edges, steps chain in order.
    void addStep(StepSpec step);
    void addEdge(EdgeSpec edge);
    FlowSettings& settings();
    const PipelineDocument& document() const;
    void setDocument(PipelineDocument document);

    FlowState state() const;
    /// Reason for the Failed state (e.g. "step 'resize' could not be kept alive: ...").
    QString failureReason() const;

    /// Starts every worker and waits until all ran onStart and are ready. On failure
    /// nothing is left running. Can be called again after stop().
    QCoro::Task<StartResult> start(std::chrono::milliseconds timeout = std::chrono::milliseconds{
                                       0});
    /// Graceful: waits for in-flight tasks, then ends workers. Immediate: in-flight tasks
    /// end with NotRunning at once. Never blocks the caller's event loop.
    /// Graceful waits for the tasks in flight, but at most `drainTimeout`; the rest then
    /// end with NotRunning.
    QCoro::Task<void> stop(StopMode mode = StopMode::Graceful,
                           std::chrono::milliseconds drainTimeout = std::chrono::seconds(30));

    /// Sends a task through the flow. Timeout 0 = the flow's default_timeout_ms.
    QCoro::Task<TaskResult>
    process(Task task, std::chrono::milliseconds timeout = std::chrono::milliseconds{0});
    /// Bulk submission: results in input order. Tasks enter the flow as room frees up
    /// (a window a little larger than the flow's slots); each task's timeout runs from
    /// its own submission.
    QCoro::Task<std::vector<TaskResult>>
    processMany(std::vector<Task> tasks,
                std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

    /// Workers as of now (supervision state, pids, restarts).
    QList<WorkerInfo> workers() const;
    /// Kills one worker with SIGKILL (testing supervision from the GUI); false if none.
    bool killWorker(const QString& stepId, int workerIndex);
    /// Last metrics snapshot taken (null before the first one or with metrics off).
    MetricsSnapshotPtr lastSnapshot() const;
    /// Tasks submitted and not yet finished.
    std::uint64_t inFlight() const;
    /// Shared memory in use now: task slots taken (queued, in workers, or waiting in the
    /// parent) and arena blobs. With nothing in flight every slot is free again.
    struct SharedMemoryUsage {
        std::uint32_t slotsTotal = 0;
        std::uint32_t slotsInUse = 0;
        std::uint64_t arenaBytesUsed = 0;
        std::uint64_t arenaBlobs = 0;
    };
    SharedMemoryUsage sharedMemoryUsage() const;
    /// The metrics snapshots as an awaitable stream:
    /// `QCORO_FOREACH(auto snapshot, flow.metricsSnapshots()) { ... }`. It ends when no
    /// snapshot arrives for `idleTimeout` (negative = never). Snapshots wait for a busy
    /// consumer; one more than 1,024 behind loses the oldest.
    QCoro::AsyncGenerator<MetricsSnapshotPtr>
    metricsSnapshots(std::chrono::milliseconds idleTimeout = std::chrono::milliseconds{-1});

Q_SIGNALS:
    void stateChanged(Aqueduct::FlowState state);
    /// Emitted every metrics interval while running (and once after stop).
    void metricsSnapshot(Aqueduct::MetricsSnapshotPtr snapshot);
    /// Human-readable engine events for logs: started, worker died/restarted, errors.
    void engineEvent(const QString& message);
    void workerStateChanged(const Aqueduct::WorkerInfo& worker);

private:
    friend class Internal::FlowRuntime;
    std::unique_ptr<Internal::FlowRuntime> m_runtime;
};

} // namespace Aqueduct

Q_DECLARE_METATYPE(Aqueduct::FlowState)
Q_DECLARE_METATYPE(Aqueduct::WorkerInfo)
