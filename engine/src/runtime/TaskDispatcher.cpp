#include "runtime/TaskDispatcher.h"

#include "payload/AutoShare.h"
#include "payload/SharedArena.h"
#include "payload/TaskCodec.h"
#include "shm/Clock.h"
#include "shm/WaitPolicy.h"

#include <sched.h>

#include <algorithm>
#include <cstring>

namespace Aqueduct::Internal {

namespace {

constexpr std::int64_t kPumpBudgetNs = 2'000'000; ///< then let the event loop breathe

} // namespace

TaskDispatcher::TaskDispatcher(const PipelineDocument& document, const FlowState& flowState,
                               FlowLayout& layout)
    : m_document(document)
    , m_flowState(flowState)
    , m_layout(layout) {
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_deadlineTimer, &QTimer::timeout, [this] { expireDeadlines(); });
    m_pumpTimer.setSingleShot(true);
    m_pumpTimer.setInterval(0);
    QObject::connect(&m_pumpTimer, &QTimer::timeout, [this] {
        m_pumpScheduled = false;
        pump();
    });
}

void TaskDispatcher::begin(SharedArena* arena, int wakeFd) {
    m_arena = arena;
    m_protocol.bind(&m_layout, m_arena, wakeFd);
    const int laneCount = m_layout.laneCount();
    m_records.clear();
    m_freeRecords.clear();
    m_freeSlots.clear();
    for (std::uint32_t slot = m_layout.slotCount(); slot-- > 0;)
        m_freeSlots.push_back(slot);
    m_slotRecord.assign(m_layout.slotCount(), kNoRecord);
    m_waitingSlot.assign(std::size_t(laneCount), {});
    m_waitingRoom.assign(std::size_t(laneCount * m_layout.stepCount()), {});
    m_waitingRoomCount = 0;
    m_deadlines.clear();
    m_outstanding = 0;
    m_inEngine = 0;
    m_submitted = 0;
    m_completed = 0;
    m_errorsByKind.fill(0);
    m_parentSkips.assign(std::size_t(m_document.steps.size()), 0);
}

void TaskDispatcher::stopTimers() {
    m_deadlineTimer.stop();
    m_pumpTimer.stop();
    m_pumpScheduled = false;
}

void TaskDispatcher::end() {
    m_freeSlots.clear();
    m_slotRecord.clear();
    m_inEngine = 0;
    m_arena = nullptr;
}

// ---------------------------------------------------------------------------------------
// Submission

std::uint32_t TaskDispatcher::allocateRecord() {
    if (!m_freeRecords.empty()) {
        const std::uint32_t index = m_freeRecords.back();
        m_freeRecords.pop_back();
        return index;
    }
    m_records.emplace_back();
    return std::uint32_t(m_records.size() - 1);
}

void TaskDispatcher::releaseRecord(std::uint32_t index) {
    Record& record = m_records[index];
    record.stage = Stage::Free;
    record.waiter = {};
    ++record.generation;
    m_freeRecords.push_back(index);
}

std::uint32_t TaskDispatcher::submit(Task& task, std::int64_t timeoutNs, ErrorKind& immediateKind,
                                     QString& immediateMessage) {
    immediateKind = ErrorKind::None;
    if (m_flowState != FlowState::Running) {
        immediateKind = ErrorKind::NotRunning;
        immediateMessage =
            QStringLiteral("flow is not running (%1)").arg(flowStateName(m_flowState));
        return kNoRecord;
    }
    if (task.priority() < 0) {
        immediateKind = ErrorKind::Rejected;
        immediateMessage = QStringLiteral("priority %1 is negative; use 0..%2")
                               .arg(task.priority())
                               .arg(m_layout.laneCount() - 1);
        return kNoRecord;
    }
    ++m_submitted;
    const int firstStep = m_router.next(Router::kInputNode, task, m_parentSkips.data());
    if (firstStep == Router::kOutputNode) {
        // Every step skipped: the task is finished as it is.
        ++m_completed;
        return kNoRecord;
    }
    const std::uint32_t index = allocateRecord();
    Record& record = m_records[index];
    record.task = std::move(task);
    record.task.setId(m_nextTaskId++);
    record.submittedNs = m_pumping ? m_pumpNowNs : monotonicNs();
    record.timeoutNs = timeoutNs;
    record.deadlineNs = record.submittedNs + timeoutNs;
    record.lane = std::min(record.task.priority(), m_layout.laneCount() - 1);
    record.firstStep = firstStep;
    record.slot = kNoSlot;
    record.error = ErrorKind::None;
    record.message.clear();
    ++m_outstanding;

    const bool slotQueueEmpty =
        std::all_of(m_waitingSlot.begin() + record.lane, m_waitingSlot.end(),
                    [](const auto& queue) { return queue.empty(); });
    if (slotQueueEmpty && !m_freeSlots.empty()) {
        if (!placeInSlot(index)) {
            Record& rejected = m_records[index];
            immediateKind = rejected.error;
            immediateMessage = std::move(rejected.message);
            task = std::move(rejected.task); // the caller gets its task back
            --m_outstanding;
            releaseRecord(index);
            return kNoRecord;
        }
    } else {
        record.stage = Stage::WaitingSlot;
        m_waitingSlot[std::size_t(record.lane)].push_back({index, record.generation});
    }
    m_deadlines.insert(index, record.deadlineNs);
    if (m_armedDeadlineNs == 0 || record.deadlineNs < m_armedDeadlineNs)
        armDeadlineTimer();
    if (!m_pumping)
        schedulePump();
    return index;
}

bool TaskDispatcher::placeInSlot(std::uint32_t index) {
    Record& record = m_records[index];
    const std::uint32_t slot = m_freeSlots.back();
    SlotHeader& header = m_layout.slot(slot);
    QString blobError;
    if (blobsNeedPreparing(record.task) && !prepareBlobs(record.task, &blobError)) {
        ++m_errorsByKind[int(ErrorKind::Rejected)];
        record.error = ErrorKind::Rejected;
        record.message = blobError;
        return false;
    }
    const std::size_t written =
        TaskCodec::encode(record.task, m_layout.slotPayload(slot), m_layout.slotPayloadCapacity());
    if (written == 0) {
        const std::size_t needed = TaskCodec::encodedSize(record.task);
        ++m_errorsByKind[int(ErrorKind::Rejected)];
        record.error = ErrorKind::Rejected;
        record.message = needed == SIZE_MAX
                             ? QStringLiteral("a field name is longer than 255 bytes")
                             : QStringLiteral("task is %1 bytes, more than max_task_bytes (%2); "
                                              "share large fields as blobs")
                                   .arg(needed)
                                   .arg(m_layout.slotPayloadCapacity());
        return false;
    }
    m_freeSlots.pop_back();
    header.taskId = record.task.id();
    header.deadlineNs = record.deadlineNs;
    header.payloadBytes = std::uint32_t(written);
    header.priority = std::uint16_t(std::min(record.task.priority(), 0xffff));
    header.status = 0;
    header.lane = std::uint8_t(record.lane);
    header.timingCount = 0;
    header.lastStep = 0;
    header.blobs.counts[0] = header.blobs.counts[1] = 0;
    header.blobs.active.store(0, std::memory_order_relaxed);
    if (!m_protocol.replaceSlotBlobs(slot)) {
        ++m_errorsByKind[int(ErrorKind::Rejected)];
        record.error = ErrorKind::Rejected;
        record.message =
            QStringLiteral("task carries more than %1 shared blobs").arg(kMaxSlotBlobs);
        m_freeSlots.push_back(slot);
        return false;
    }
    record.slot = slot;
    m_slotRecord[slot] = index;
    if (!enqueueRecord(index)) {
        record.stage = Stage::WaitingRoom;
        // No room flag here: while the pump runs it polls for room itself; the flag that
        // makes a worker write our eventfd is raised only before we sleep (pump()).
        m_waitingRoom[std::size_t(record.firstStep * m_layout.laneCount() + record.lane)].push_back(
            {index, record.generation});
        ++m_waitingRoomCount;
        if (!m_pumping)
            schedulePump();
    }
    return true;
}

bool TaskDispatcher::enqueueRecord(std::uint32_t index) {
    Record& record = m_records[index];
    SlotHeader& header = m_layout.slot(record.slot);
    header.enqueueNs = monotonicNs(); // per task: a long drain would make a cached time stale
    if (m_protocol.send(record.slot, SlotProtocol::kParent, record.firstStep, record.lane,
                        nullptr) == SlotProtocol::Send::Full)
        return false;
    record.stage = Stage::InEngine;
    ++m_inEngine;
    return true;
}

int TaskDispatcher::serveWaitingRoom() {
    if (m_waitingRoomCount == 0)
        return 0;
    int served = 0;
    const int laneCount = m_layout.laneCount();
    for (int s = 0; s < m_layout.stepCount(); ++s) {
        for (int lane = laneCount - 1; lane >= 0; --lane) {
            std::deque<QueuedRecord>& queue = m_waitingRoom[std::size_t(s * laneCount + lane)];
            while (!queue.empty()) {
                const QueuedRecord queued = queue.front();
                if (m_records[queued.record].generation != queued.generation ||
                    m_records[queued.record].stage != Stage::WaitingRoom) {
                    queue.pop_front();
                    --m_waitingRoomCount;
                    continue;
                }
                if (!enqueueRecord(queued.record))
                    break;
                queue.pop_front();
                --m_waitingRoomCount;
                ++served;
            }
        }
    }
    return served;
}

void TaskDispatcher::serveWaitingSlots() {
    for (int lane = int(m_waitingSlot.size()) - 1; lane >= 0 && !m_freeSlots.empty(); --lane) {
        std::deque<QueuedRecord>& queue = m_waitingSlot[std::size_t(lane)];
        while (!queue.empty() && !m_freeSlots.empty()) {
            const QueuedRecord queued = queue.front();
            queue.pop_front();
            Record& record = m_records[queued.record];
            if (record.generation != queued.generation || record.stage != Stage::WaitingSlot)
                continue;
            if (!placeInSlot(queued.record)) {
                Record& rejected = m_records[queued.record];
                finishRecord(queued.record, rejected.error, std::move(rejected.message));
            }
        }
    }
}

void TaskDispatcher::freeSlot(std::uint32_t slot) {
    m_freeSlots.push_back(slot);
}

TaskResult TaskDispatcher::takeResult(std::uint32_t index) {
    Record& record = m_records[index];
    TaskResult result =
        record.error == ErrorKind::None
            ? TaskResult(std::move(record.task))
            : TaskResult(record.error, std::move(record.message), std::move(record.task));
    releaseRecord(index);
    return result;
}

void TaskDispatcher::finishRecord(std::uint32_t index, ErrorKind kind, QString message) {
    Record& record = m_records[index];
    if (record.stage == Stage::Done || record.stage == Stage::Free)
        return;
    if (kind == ErrorKind::None)
        ++m_completed;
    else
        ++m_errorsByKind[int(kind)];
    record.stage = Stage::Done;
    ++record.generation; // invalidates queue entries
    m_deadlines.remove(index);
    record.error = kind;
    record.message = std::move(message);
    --m_outstanding;
    if (record.waiter)
        m_toResume.push_back(record.waiter);
}

void TaskDispatcher::resumeFinished() {
    if (m_resuming)
        return; // a resumed caller's own submissions are resumed by the outer loop
    m_resuming = true;
    const std::weak_ptr<int> alive = m_aliveToken;
    while (!m_toResume.empty()) {
        const std::coroutine_handle<> waiter = m_toResume.front();
        m_toResume.pop_front();
        waiter.resume(); // may submit more work, stop the flow, or destroy it
        if (alive.expired())
            return;
    }
    m_resuming = false;
}

void TaskDispatcher::failAllOutstanding(ErrorKind kind, const QString& message) {
    for (std::uint32_t index = 0; index < m_records.size(); ++index) {
        Record& record = m_records[index];
        if (record.stage == Stage::WaitingSlot || record.stage == Stage::WaitingRoom ||
            record.stage == Stage::InEngine) {
            if (record.slot != kNoSlot && record.slot < m_slotRecord.size()) {
                if (record.stage == Stage::WaitingRoom) {
                    releaseSlotBlobs(record.slot);
                    freeSlot(record.slot);
                } else
                    m_slotRecord[record.slot] = kNoRecord; // comes back later, or never
                record.slot = kNoSlot;
            }
            finishRecord(index, kind, message);
        }
    }
    for (auto& queue : m_waitingSlot)
        queue.clear();
    for (auto& queue : m_waitingRoom)
        queue.clear();
    m_waitingRoomCount = 0;
}

// ---------------------------------------------------------------------------------------
// Completions and the pump

int TaskDispatcher::drainCompletions() {
    if (!m_layout.isValid())
        return 0;
    int drained = 0;
    std::uint32_t slot = kNoSlot;
    while (m_protocol.collect(slot)) {
        ++drained;
        finishCollected(slot);
        // Refill the first queue as we go, so workers are not starved while a long
        // run of results is collected.
        if (m_waitingRoomCount > 0)
            serveWaitingRoom();
    }
    return drained;
}

void TaskDispatcher::finishCollected(std::uint32_t slot) {
    --m_inEngine;
    const std::uint32_t index = m_slotRecord[slot];
    m_slotRecord[slot] = kNoRecord;
    if (index == kNoRecord) {
        releaseSlotBlobs(slot);
        freeSlot(slot); // its caller already gave up (deadline) or the flow failed it
        serveWaitingSlots();
        return;
    }
    Record& record = m_records[index];
    record.slot = kNoSlot;
    SlotHeader& header = m_layout.slot(slot);
    ErrorKind kind = ErrorKind(header.status);
    QString text;
    if (kind == ErrorKind::None) {
        // Decode into the caller's own task: its storage is reused.
        Task& task = record.task;
        if (TaskCodec::decode(m_layout.slotPayload(slot), header.payloadBytes, task, m_arena,
                              BlobHold::Owned)) {
            task.timings().assign(header.timings, header.timings + std::min<int>(header.timingCount,
                                                                                 kMaxStepTimings));
        } else {
            kind = ErrorKind::Rejected;
            text = QStringLiteral("result could not be decoded");
        }
    } else {
        const std::string_view message =
            TaskCodec::decodeMessage(m_layout.slotPayload(slot), header.payloadBytes);
        text = QString::fromUtf8(message.data(), qsizetype(message.size()));
        if (kind == ErrorKind::HandlerError)
            text = QStringLiteral("step '%1': %2")
                       .arg(m_document.steps.value(header.lastStep).id, text);
    }
    releaseSlotBlobs(slot);
    freeSlot(slot);
    serveWaitingSlots();
    finishRecord(index, kind, std::move(text));
}

void TaskDispatcher::schedulePump() {
    if (m_pumpScheduled || m_pumping)
        return;
    m_pumpScheduled = true;
    m_pumpTimer.start();
}

void TaskDispatcher::pump() {
    if (m_pumping || !m_layout.isValid())
        return;
    m_pumping = true;
    ControlHeader& header = m_layout.header();
    header.parentSleeping.store(0, std::memory_order_relaxed);
    const std::int64_t startNs = monotonicNs();
    std::int64_t idleSinceNs = 0;
    bool budgetExhausted = false;
    m_pumpNowNs = startNs;
    const std::weak_ptr<int> alive = m_aliveToken;
    for (;;) {
        int progress = drainCompletions();
        resumeFinished(); // after the ring walk, never inside it
        if (alive.expired())
            return; // a resumed caller destroyed the flow
        if (!m_layout.isValid())
            break; // a resumed caller stopped the flow
        progress += serveWaitingRoom();
        const std::int64_t now = monotonicNs();
        m_pumpNowNs = now;
        if (progress > 0) {
            idleSinceNs = 0;
            if (now - startNs > kPumpBudgetNs) {
                budgetExhausted = true;
                break;
            }
            continue;
        }
        if (m_inEngine == 0 && m_waitingRoomCount == 0)
            break;
        if (!header.spinAllowed)
            break;
        if (idleSinceNs == 0)
            idleSinceNs = now;
        else if (now - idleSinceNs > kSpinNs)
            break;
        sched_yield();
    }
    m_pumping = false;
    if (!m_layout.isValid())
        return;
    if (budgetExhausted) {
        schedulePump();
        return;
    }
    // About to sleep in the event loop: ask workers to write the eventfd, then look once
    // more so a completion pushed just before the flag was seen is not missed.
    header.parentSleeping.store(1, std::memory_order_seq_cst);
    if (m_waitingRoomCount > 0) {
        const int laneCount = m_layout.laneCount();
        for (int s = 0; s < m_layout.stepCount(); ++s) {
            for (int lane = 0; lane < laneCount; ++lane) {
                if (!m_waitingRoom[std::size_t(s * laneCount + lane)].empty()) {
                    m_layout.step(s).parentWaitingForRoom.store(1, std::memory_order_seq_cst);
                    break;
                }
            }
        }
    }
    if (m_layout.completion().looksNonEmpty() || (m_waitingRoomCount > 0 && serveWaitingRoom() > 0))
        schedulePump();
}

// ---------------------------------------------------------------------------------------
// A dead worker's slots

void TaskDispatcher::requeueRecord(std::uint32_t slot, int step, int lane) {
    // The slot is the parent's again, still counted in the engine until it is queued.
    --m_inEngine;
    const std::uint32_t index = m_slotRecord[slot];
    if (index == kNoRecord) {
        releaseSlotBlobs(slot); // its caller gave up meanwhile
        freeSlot(slot);
        return;
    }
    Record& record = m_records[index];
    record.firstStep = step;
    record.lane = lane;
    if (!enqueueRecord(index)) {
        record.stage = Stage::WaitingRoom;
        m_waitingRoom[std::size_t(step * m_layout.laneCount() + lane)].push_back(
            {index, record.generation});
        ++m_waitingRoomCount;
        schedulePump();
    }
}

void TaskDispatcher::failReclaimedSlot(std::uint32_t slot, ErrorKind kind, const QString& message) {
    --m_inEngine;
    const std::uint32_t record = m_slotRecord[slot];
    m_slotRecord[slot] = kNoRecord;
    releaseSlotBlobs(slot);
    freeSlot(slot);
    if (record != kNoRecord) {
        m_records[record].slot = kNoSlot;
        finishRecord(record, kind, message);
    }
}

// ---------------------------------------------------------------------------------------
// Deadlines

void TaskDispatcher::armDeadlineTimer() {
    m_armedDeadlineNs = m_deadlines.empty() ? 0 : m_deadlines.earliestNs();
    if (m_armedDeadlineNs == 0) {
        m_deadlineTimer.stop();
        return;
    }
    // 64-bit all the way; a deadline beyond a day re-arms when the timer fires.
    const std::int64_t delayNs = std::max<std::int64_t>(0, m_armedDeadlineNs - monotonicNs());
    const std::int64_t delayMs =
        std::min<std::int64_t>((delayNs + 999'999) / 1'000'000, 24ll * 3600 * 1000);
    m_deadlineTimer.start(int(delayMs));
}

void TaskDispatcher::expireDeadlines() {
    // Collect completions first: a task that finished just in time is not a timeout.
    if (!m_pumping)
        drainCompletions();
    const std::int64_t now = monotonicNs();
    while (!m_deadlines.empty() && m_deadlines.earliestNs() <= now) {
        const std::uint32_t index = m_deadlines.earliestRecord();
        m_deadlines.remove(index);
        Record& record = m_records[index];
        if (record.stage == Stage::Done || record.stage == Stage::Free)
            continue;
        if (record.stage == Stage::WaitingRoom && record.slot != kNoSlot) {
            m_slotRecord[record.slot] = kNoRecord;
            releaseSlotBlobs(record.slot);
            freeSlot(record.slot);
            record.slot = kNoSlot;
        } else if (record.stage == Stage::InEngine && record.slot != kNoSlot) {
            m_slotRecord[record.slot] = kNoRecord; // the worker drops it; the slot returns later
            record.slot = kNoSlot;
        }
        const double timeoutMs = double(record.timeoutNs) / 1e6;
        finishRecord(index, ErrorKind::Timeout,
                     QStringLiteral("deadline of %1 ms passed").arg(timeoutMs));
    }
    serveWaitingSlots();
    armDeadlineTimer();
    resumeFinished();
}

// ---------------------------------------------------------------------------------------
// Blobs a task brings in (before its slot is written)

bool TaskDispatcher::blobsNeedPreparing(const Task& task) const {
    // The common case (small inline fields) must cost one pass over the fields.
    const qint64 autoShareBytes = m_document.flow.autoShareBytes;
    std::size_t bytes = 2;
    for (std::size_t i = 0; i < task.fieldCount(); ++i) {
        const Task::Field& field = task.fieldAt(i);
        const Value& value = field.value;
        if (value.type() == ValueType::Blob) {
            if (value.blob().arena != m_arena)
                return true;
        } else if (value.type() == ValueType::Bytes || value.type() == ValueType::String) {
            if (autoShareBytes > 0 && value.type() == ValueType::Bytes &&
                qint64(value.view().size()) >= autoShareBytes)
                return true;
            bytes += value.view().size() + 4;
        } else if (value.type() == ValueType::Tensor && !value.isSharedTensor()) {
            bytes += value.tensorData().size() + 96; // data + dtype, rank, dims
        }
        bytes += field.name.size() + 10;
    }
    return m_arena && bytes > m_layout.slotPayloadCapacity();
}

bool TaskDispatcher::prepareBlobs(Task& task, QString* error) {
    const qint64 autoShareBytes = m_document.flow.autoShareBytes;
    // Task::share uses the process's current arena; make it ours for this task.
    struct CurrentArenaScope {
        SharedArena* previous;
        explicit CurrentArenaScope(SharedArena* arena)
            : previous(SharedArena::current()) {
            SharedArena::setCurrent(arena);
        }
        ~CurrentArenaScope() { SharedArena::setCurrent(previous); }
    } scope(m_arena);
    for (std::size_t i = 0; i < task.fieldCount(); ++i) {
        Value& value = task.fieldAt(i).value;
        if (value.type() == ValueType::Blob && value.blob().arena != m_arena) {
            // A blob of another flow's arena: our workers cannot see it; copy it over.
            if (!m_arena) {
                *error =
                    QStringLiteral(
                        "field '%1' is a shared blob but this flow has no arena (arena_bytes is 0)")
                        .arg(QString::fromStdString(task.fieldAt(i).name));
                return false;
            }
            BlobRef copy;
            if (!m_arena->allocate(value.blob().size, copy, error))
                return false;
            std::memcpy(const_cast<char*>(copy.data), value.blob().data, value.blob().size);
            value.adoptBlob(copy);
        }
    }
    // Then the one auto-share rule, the same a worker applies to its results.
    if (m_arena && !shareToFit(task, m_layout.slotPayloadCapacity(), autoShareBytes, error))
        return false;
    return true;
}

void TaskDispatcher::releaseSlotBlobs(std::uint32_t slot) {
    m_protocol.releaseSlotBlobs(slot);
}

} // namespace Aqueduct::Internal
