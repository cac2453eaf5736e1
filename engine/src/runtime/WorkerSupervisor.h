#pragma once

#include "process/WorkerProcess.h"
#include "shm/FlowLayout.h"

#include "aqueduct/Flow.h"

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace Aqueduct::Internal {

class FlowRuntime;
class TaskDispatcher;

/// The worker processes of a running flow: launch, exit handling, restart with back-off,
/// taking back a dead worker's slots (through the TaskDispatcher), and the handle_timeout
/// watchdog. A death the flow cannot survive fails it through FlowRuntime::failFlow.
/// Runs in the Flow's thread; a worker's exit is seen through its pidfd.
class WorkerSupervisor : public QObject {
    Q_OBJECT
public:
    WorkerSupervisor(FlowRuntime& runtime, TaskDispatcher& dispatcher);

    // Start (FlowRuntime::start): one worker per step and process, in step order.
    void createWorkers();
    int workerCount() const { return int(m_workers.size()); }
    QString stepIdOf(int globalIndex) const;
    StartMethod startMethod() const { return m_startMethod; }
    bool launch(int globalIndex, QString* error) {
        return launchWorker(m_workers[std::size_t(globalIndex)], error);
    }
    /// The first worker whose onStart failed, as a start error; false if none.
    bool findStartFailure(QString& stepId, QString& message) const;
    /// The first worker that has not finished onStart yet, or -1.
    int firstStillStarting() const;
    void markAllReady();
    void startWatchdog();

    // Stop and teardown
    void stopWatchdog() { m_watchdogTimer.stop(); }
    void requestWorkersStop();
    QCoro::Task<bool> waitForWorkersExit(std::chrono::milliseconds timeout);
    void killAllWorkers();
    /// Kills and reaps every worker still running; none is restarted.
    void terminateAll();

    QList<WorkerInfo> workers() const;
    bool killWorker(const QString& stepId, int workerIndex);

private:
    struct WorkerSlot {
        int stepIndex = 0;
        int workerIndex = 0;
        int globalIndex = 0;
        std::unique_ptr<WorkerProcess> process;
        std::unique_ptr<QSocketNotifier> exitNotifier;
        WorkerState state = WorkerState::Starting;
        int restarts = 0;
        std::deque<std::int64_t> restartTimesNs; ///< within the policy window
        QString lastExitCause;
        qint64 lastPid = 0;
        bool expectedExit = false;
        bool handleTimedOut = false; ///< killed by the handle_timeout watchdog
    };

    bool launchWorker(WorkerSlot& worker, QString* error);
    void onWorkerExited(int globalIndex);
    void handleUnexpectedExit(WorkerSlot& worker, const QString& cause);
    void reclaimFromDeadWorker(const WorkerSlot& worker, ErrorKind kind, const QString& message);
    void restartWorker(int globalIndex);
    void wakeAllSleepers();
    WorkerState currentState(const WorkerSlot& worker) const;
    void checkHandleTimeouts();

    FlowRuntime& m_runtime;
    TaskDispatcher& m_dispatcher;
    const PipelineDocument& m_document;
    FlowLayout& m_layout;
    std::vector<WorkerSlot> m_workers;
    StartMethod m_startMethod = StartMethod::ForkServer;
    QByteArray m_workerDocumentJson; ///< the document as workers get it, made once per start
    QTimer m_watchdogTimer;          ///< handle_timeout checks
};

} // namespace Aqueduct::Internal
