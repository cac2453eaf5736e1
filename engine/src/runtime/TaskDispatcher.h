#pragma once

#include "document/Router.h"
#include "runtime/DeadlineHeap.h"
#include "shm/FlowLayout.h"
#include "shm/SlotProtocol.h"

#include "aqueduct/Flow.h"

#include <QTimer>

#include <array>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace Aqueduct::Internal {

class SharedArena;

/// The parent's side of the task traffic: one record per task in flight, the free slots,
/// the queues of tasks waiting for a slot or for room in a step's ring, submission, the
/// pump that collects completions and resumes callers, deadlines, and blob preparation.
/// It owns the parent's SlotProtocol endpoint. FlowRuntime starts and ends a run of it;
/// WorkerSupervisor hands back the slots of a dead worker. Runs in the Flow's thread.
class TaskDispatcher {
public:
    static constexpr std::uint32_t kNoRecord = 0xffffffffu;

    /// `flowState` is the runtime's: tasks are accepted only while it says Running.
    TaskDispatcher(const PipelineDocument& document, const FlowState& flowState,
                   FlowLayout& layout);
    TaskDispatcher(const TaskDispatcher&) = delete;
    TaskDispatcher& operator=(const TaskDispatcher&) = delete;

    // A run (FlowRuntime::start and teardown)
    Router& router() { return m_router; }
    /// Binds the protocol to the new segments and empties every table.
    void begin(SharedArena* arena, int wakeFd);
    void stopTimers();
    /// The segments are going: forget the slots.
    void end();

    // Flow::process (see ProcessAwaiter in Flow.cpp)
    /// Submits `task` (moved from when accepted). Returns kNoRecord when the outcome is
    /// known now: `immediateKind` None = finished as is, else the error (task untouched).
    std::uint32_t submit(Task& task, std::int64_t timeoutNs, ErrorKind& immediateKind,
                         QString& immediateMessage);
    void attachWaiter(std::uint32_t record, std::coroutine_handle<> waiter) {
        m_records[record].waiter = waiter;
    }
    TaskResult takeResult(std::uint32_t record);

    // The pump
    void pump();
    void schedulePump();
    int drainCompletions();
    /// Resumes the callers of finished records, never from inside a loop that walks
    /// shared memory or our own tables (a resumed caller may stop or destroy the flow).
    void resumeFinished();
    void failAllOutstanding(ErrorKind kind, const QString& message);

    // A dead worker's slots (WorkerSupervisor::reclaimFromDeadWorker)
    SlotProtocol& protocol() { return m_protocol; }
    /// A slot collected from the completion ring, or reclaimed as Done.
    void finishCollected(std::uint32_t slot);
    /// A slot taken back from a cut-short hand-off, still Queued for (step, lane).
    void requeueRecord(std::uint32_t slot, int step, int lane);
    /// A slot taken back from a dead worker's hands: its task fails with `kind`.
    void failReclaimedSlot(std::uint32_t slot, ErrorKind kind, const QString& message);
    void serveWaitingSlots();

    // Observers (metrics, Flow::inFlight, Flow::sharedMemoryUsage)
    std::uint64_t outstanding() const { return m_outstanding; }
    std::size_t freeSlotCount() const { return m_freeSlots.size(); }
    std::uint64_t submitted() const { return m_submitted; }
    std::uint64_t completed() const { return m_completed; }
    const std::array<std::uint64_t, kErrorKindCount>& errorsByKind() const {
        return m_errorsByKind;
    }
    const std::vector<std::uint64_t>& parentSkips() const { return m_parentSkips; }

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

    std::uint32_t allocateRecord();
    void releaseRecord(std::uint32_t index);
    void finishRecord(std::uint32_t index, ErrorKind kind, QString message);
    bool placeInSlot(std::uint32_t index);
    bool enqueueRecord(std::uint32_t index);
    int serveWaitingRoom();
    void freeSlot(std::uint32_t slot);
    void releaseSlotBlobs(std::uint32_t slot);
    void armDeadlineTimer();
    void expireDeadlines();
    bool blobsNeedPreparing(const Task& task) const;
    bool prepareBlobs(Task& task, QString* error);

    const PipelineDocument& m_document;
    const FlowState& m_flowState;
    FlowLayout& m_layout;
    Router m_router;
    SlotProtocol m_protocol;
    SharedArena* m_arena = nullptr; ///< the run's arena (FlowRuntime holds the reference)

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
    std::shared_ptr<int> m_aliveToken = std::make_shared<int>(0); ///< expires with this
    bool m_pumping = false;
    std::int64_t m_pumpNowNs = 0; ///< clock read once per pump round (clock reads cost ~25-60 ns)
    bool m_pumpScheduled = false;
    QTimer m_pumpTimer;

    // Parent-side counters for metrics.
    std::uint64_t m_submitted = 0;
    std::uint64_t m_completed = 0;
    std::array<std::uint64_t, kErrorKindCount> m_errorsByKind{};
    std::vector<std::uint64_t> m_parentSkips;
};

} // namespace Aqueduct::Internal
