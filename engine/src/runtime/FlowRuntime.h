#pragma once

#include "document/Router.h"
#include "process/WorkerProcess.h"
#include "runtime/DeadlineHeap.h"
#include "shm/FlowLayout.h"
#include "shm/SlotProtocol.h"

#include "aqueduct/Flow.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace Aqueduct::Internal {

class MetricsSampler;
class SharedArena;

/// The parent side of a running flow: submits tasks into shared memory, collects
/// completions, resumes callers, enforces deadlines, supervises workers.
/// Everything here runs in the Flow's thread; workers reach it only through shared
/// memory and one eventfd.
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

    // process(): see ProcessAwaiter in Flow.cpp
    /// Submits `task` (moved from when accepted). Returns kNoRecord when the outcome is
    /// known now: `immediateKind` None = finished as is, else the error (task untouched).
    std::uint32_t submit(Task& task, std::int64_t timeoutNs, ErrorKind& immediateKind,
                         QString& immediateMessage);
    void attachWaiter(std::uint32_t record, std::coroutine_handle<> waiter);
    TaskResult takeResult(std::uint32_t record);
    static constexpr std::uint32_t kNoRecord = 0xffffffffu;

    QList<WorkerInfo> workers() const;
    bool killWorker(const QString& stepId, int workerIndex);
    std::uint64_t inFlight() const { return m_outstanding; }
    Flow::SharedMemoryUsage sharedMemoryUsage() const;
    MetricsSnapshotPtr lastSnapshot() const { return m_lastSnapshot; }
    QString lastStartError() const { return m_startError; }

private:
    enum class Stage : std::uint8_t { Free, WaitingSlot, WaitingRoom, InEngine, Done };
    struct Record {
        std::coroutine_handle<> waiter;
        Task task;
        ErrorKind error = ErrorKind::None;
        QString message;
        std::int64_t deadlineNs = 0;
        std::int64_t timeoutNs = 0;
        std::int64_t submittedNs = 0;
        std::uint32_t slot = kNoSlot;
        std::uint32_t generation = 0;
        int lane = 0;
        int firstStep = 0;
        Stage stage = Stage::Free;
    };
    struct QueuedRecord {
        std::uint32_t record;
        std::uint32_t generation;
    };
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

    void setState(FlowState state);
    std::uint32_t allocateRecord();
    void releaseRecord(std::uint32_t index);
    void finishRecord(std::uint32_t index, ErrorKind kind, QString message);
    /// Resumes the callers of finished records, never from inside a loop that walks
    /// shared memory or our own tables (a resumed caller may stop or destroy the flow).
    void resumeFinished();
    void reclaimFromDeadWorker(const WorkerSlot& worker, ErrorKind kind, const QString& message);
    void requeueRecord(std::uint32_t slot, int step, int lane);
    bool placeInSlot(std::uint32_t index);
    bool enqueueRecord(std::uint32_t index);
    void serveWaitingSlots();
    int serveWaitingRoom();
    void freeSlot(std::uint32_t slot);
    int drainCompletions();
    void finishCollected(std::uint32_t slot);
    void armDeadlineTimer();
    void expireDeadlines();
    void failAllOutstanding(ErrorKind kind, const QString& message);

    void onWakeFd();
    void pump();
    void schedulePump();

    bool launchWorker(WorkerSlot& worker, QString* error);
    void onWorkerExited(int globalIndex);
    void handleUnexpectedExit(WorkerSlot& worker, const QString& cause);
    void restartWorker(int globalIndex);
    void checkStartProgress();
    void requestWorkersStop();
    void wakeAllSleepers();
    QCoro::Task<bool> waitForWorkersExit(std::chrono::milliseconds timeout);
    void killAllWorkers();
    void teardown();
    void failFlow(const QString& reason);
    WorkerState currentState(const WorkerSlot& worker) const;
    void sampleMetrics();
    bool blobsNeedPreparing(const Task& task) const;
    bool prepareBlobs(Task& task, QString* error);
    void releaseSlotBlobs(std::uint32_t slot);
    void checkHandleTimeouts();

    Flow* m_flow;
    FlowState m_state = FlowState::Stopped;
    QString m_failureReason;
    QString m_startError;
    QString m_startErrorStep;
    Router m_router;
    FlowLayout m_layout;
    SlotProtocol m_protocol;
    SharedArena* m_arena = nullptr; ///< blobs; one in-process reference held by the runtime
    int m_wakeFd = -1;
    std::unique_ptr<QSocketNotifier> m_wakeNotifier;
    std::vector<WorkerSlot> m_workers;
    StartMethod m_startMethod = StartMethod::ForkServer;

    std::vector<Record> m_records;
    std::vector<std::uint32_t> m_freeRecords;
    std::vector<std::uint32_t> m_freeSlots;
    std::vector<std::uint32_t> m_slotRecord; ///< slot -> record (kNoRecord when abandoned)
    std::vector<std::deque<QueuedRecord>> m_waitingSlot; ///< per lane
    std::vector<std::deque<QueuedRecord>> m_waitingRoom; ///< per step * lanes + lane
    std::size_t m_waitingRoomCount = 0;
    DeadlineHeap m_deadlines;
    QTimer m_deadlineTimer;
    std::int64_t m_armedDeadlineNs = 0;
    std::uint64_t m_outstanding = 0; ///< records not yet finished
    std::uint64_t m_inEngine = 0;    ///< slots handed to workers, not yet back
    std::uint64_t m_nextTaskId = 1;
    std::deque<std::coroutine_handle<>> m_toResume;
    bool m_resuming = false;
    bool m_cancelStart = false;      ///< stop() asked a start in progress to give up
    QByteArray m_workerDocumentJson; ///< the document as workers get it, made once per start
    std::shared_ptr<int> m_aliveToken = std::make_shared<int>(0); ///< expires with this runtime
    bool m_pumping = false;
    std::int64_t m_pumpNowNs = 0; ///< clock read once per pump round (clock reads cost ~25-60 ns)
    bool m_pumpScheduled = false;
    QTimer m_pumpTimer;

    // Parent-side counters for metrics.
    std::uint64_t m_submitted = 0;
    std::uint64_t m_completed = 0;
    std::array<std::uint64_t, kErrorKindCount> m_errorsByKind{};
    std::vector<std::uint64_t> m_parentSkips;

    QTimer m_metricsTimer;
    QTimer m_watchdogTimer; ///< handle_timeout checks
    MetricsSnapshotPtr m_lastSnapshot;
    std::unique_ptr<MetricsSampler> m_sampler;
    QElapsedTimer m_uptime;
};

} // namespace Aqueduct::Internal
