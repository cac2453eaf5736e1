#pragma once

#include "runtime/TaskDispatcher.h"
#include "runtime/WorkerSupervisor.h"
#include "shm/FlowLayout.h"

#include "aqueduct/Flow.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <memory>

namespace Aqueduct::Internal {

class MetricsSampler;
class SharedArena;

/// The parent side of a running flow, its lifecycle: start (segments, arena, eventfd,
/// workers launched and ready), stop (drain, then workers end), the flow's state and
/// events, metrics. The work is done by its two parts: the TaskDispatcher moves tasks
/// through shared memory and resumes callers; the WorkerSupervisor keeps the workers
/// alive. Everything here runs in the Flow's thread; workers reach it only through
/// shared memory and one eventfd.
class FlowRuntime : public QObject {
    Q_OBJECT
public:
    explicit FlowRuntime(Flow* flow);
    ~FlowRuntime() override;

    PipelineDocument document;
    FlowState state() const { return m_state; }
    QString failureReason() const { return m_failureReason; }

    QCoro::Task<StartResult> start(std::chrono::milliseconds timeout);
    QCoro::Task<void> stop(StopMode mode,
                           std::chrono::milliseconds drainTimeout = std::chrono::seconds(30));

    /// Flow::process submits here (see ProcessAwaiter in Flow.cpp).
    TaskDispatcher& dispatcher() { return m_dispatcher; }

    QList<WorkerInfo> workers() const { return m_supervisor.workers(); }
    bool killWorker(const QString& stepId, int workerIndex) {
        return m_supervisor.killWorker(stepId, workerIndex);
    }
    std::uint64_t inFlight() const { return m_dispatcher.outstanding(); }
    Flow::SharedMemoryUsage sharedMemoryUsage() const;
    MetricsSnapshotPtr lastSnapshot() const { return m_lastSnapshot; }
    QString lastStartError() const { return m_startError; }

    // For the WorkerSupervisor.
    Flow* flow() const { return m_flow; }
    FlowLayout& layout() { return m_layout; }
    SharedArena* arena() const { return m_arena; }
    int wakeFd() const { return m_wakeFd; }
    /// A worker died while the flow was starting: the start fails (with the onStart
    /// failure it reported, if any).
    void workerExitedDuringStart(const QString& stepId, const QString& cause);
    /// The flow cannot go on: every task in flight fails and the workers are stopped.
    void failFlow(const QString& reason);

private:
    void setState(FlowState state);
    void checkStartProgress();
    void onWakeFd();
    void teardown();
    void sampleMetrics();

    Flow* m_flow;
    FlowState m_state = FlowState::Stopped;
    QString m_failureReason;
    QString m_startError;
    QString m_startErrorStep;
    FlowLayout m_layout;
    SharedArena* m_arena = nullptr; ///< blobs; one in-process reference held by the runtime
    int m_wakeFd = -1;
    std::unique_ptr<QSocketNotifier> m_wakeNotifier;
    TaskDispatcher m_dispatcher;
    WorkerSupervisor m_supervisor;
    bool m_cancelStart = false; ///< stop() asked a start in progress to give up
    std::shared_ptr<int> m_aliveToken = std::make_shared<int>(0); ///< expires with this runtime

    QTimer m_metricsTimer;
    MetricsSnapshotPtr m_lastSnapshot;
    std::unique_ptr<MetricsSampler> m_sampler;
    QElapsedTimer m_uptime;
};

} // namespace Aqueduct::Internal
