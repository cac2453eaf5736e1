// The worker process: takes batches from its step's queue, runs the handler, routes
// each task on (to the next step's queue or back to the parent).
#include "process/WorkerLoop.h"
#include "document/Router.h"
#include "payload/AutoShare.h"
#include "payload/SharedArena.h"
#include "payload/TaskCodec.h"
#include "process/WorkerConfig.h"
#include "shm/Clock.h"
#include "shm/FlowLayout.h"
#include "shm/Futex.h"
#include "shm/SlotProtocol.h"
#include "shm/WaitPolicy.h"

#include "aqueduct/HandlerRegistry.h"
#include "aqueduct/PipelineDocument.h"
#include "aqueduct/PluginLoader.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

namespace Aqueduct::Internal {

namespace {

class Worker {
public:
    explicit Worker(const WorkerConfig& config)
        : m_config(config) {}
    int run();

private:
    bool startHandler(const PipelineDocument& document);
    void reportStartFailure(const std::string& message);
    int takeBatch();
    int collectBatch();
    bool lockBatch();
    bool tryTakeOne(std::uint32_t& slot);
    void waitForWork();
    void processBatch(int count);
    void finishWithError(std::uint32_t slot, ErrorKind kind, std::string_view message);
    void forward(std::uint32_t slot, int targetStep, std::int64_t nowNs);
    void complete(std::uint32_t slot);
    void publishSkips();
    bool parentAlive() const;
    bool stopRequested() const {
        return m_layout.header().stopRequested.load(std::memory_order_acquire) != 0;
    }

    const WorkerConfig& m_config;
    FlowLayout m_layout;
    SharedArena* m_arena = nullptr;
    Router m_router;
    std::unique_ptr<Handler> m_handler;
    WorkerControl* m_control = nullptr;
    StepControl* m_step = nullptr;
    SlotProtocol m_protocol;
    std::uint32_t m_self = 0; ///< this worker's owner word (SlotProtocol::worker)
    int m_laneCount = 1;
    int m_batchSize = 1;
    std::vector<std::uint32_t> m_batchSlots; ///< slots taken this batch
    std::vector<std::uint32_t> m_liveSlots;  ///< slots whose task is in m_tasks
    std::vector<Task> m_tasks;
    std::vector<std::uint64_t> m_skipCounters;
    qint64 m_autoShareBytes = 0;
    QString m_stepId;
};

int Worker::run() {
    try {
        m_layout.attach(m_config.segmentName);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "aqueduct worker: %s\n", error.what());
        return 70;
    }
    if (!m_config.arenaName.empty()) {
        try {
            m_arena = SharedArena::attach(m_config.arenaName);
        } catch (const std::exception& error) {
            std::fprintf(stderr, "aqueduct worker: %s\n", error.what());
            return 70;
        }
        SharedArena::setCurrent(m_arena);
    }
    m_control = &m_layout.worker(m_config.globalWorkerIndex);
    m_control->pid.store(getpid(), std::memory_order_relaxed);
    m_step = &m_layout.step(m_config.stepIndex);
    m_protocol.bind(&m_layout, m_arena, m_config.wakeFd);
    m_self = SlotProtocol::worker(m_config.globalWorkerIndex);
    // Blobs this process creates stay provisional (freed if it dies) until a slot holds them.
    SharedArena::setProvisionalOwner(getpid());
    m_laneCount = m_layout.laneCount();
    m_batchSize = int(m_step->batchSize);

    const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(m_config.documentJson);
    if (!loaded.ok()) {
        reportStartFailure("the pipeline document did not load in the worker");
        return 71;
    }
    QString routeError;
    if (!m_router.build(loaded.document, &routeError)) {
        reportStartFailure(routeError.toStdString());
        return 71;
    }
    if (!m_config.pluginFiles.isEmpty())
        PluginLoader::loadFiles(m_config.pluginFiles, HandlerRegistry::global());
    m_skipCounters.assign(std::size_t(loaded.document.steps.size()), 0);
    m_autoShareBytes = loaded.document.flow.autoShareBytes;
    if (!startHandler(loaded.document))
        return 72;

    m_batchSlots.resize(std::size_t(m_batchSize));
    m_liveSlots.resize(std::size_t(m_batchSize));
    m_tasks.resize(std::size_t(m_batchSize));
    m_control->state.store(std::uint32_t(SharedWorkerState::Ready), std::memory_order_release);
    // Always write: start() may be waiting whatever the sleep flag says.
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(m_config.wakeFd, &one, sizeof one);

    for (;;) {
        const int count = takeBatch();
        if (count == 0)
            break;
        processBatch(count);
    }
    try {
        m_handler->onStop();
    } catch (...) {
        // onStop failing must not turn a clean stop into a crash report.
    }
    m_control->state.store(std::uint32_t(SharedWorkerState::Stopped), std::memory_order_release);
    return 0;
}

bool Worker::startHandler(const PipelineDocument& document) {
    const StepSpec& spec = document.steps[m_config.stepIndex];
    m_stepId = spec.id;
    const HandlerRegistry& registry = HandlerRegistry::global();
    const HandlerInfo* info = registry.find(spec.handler);
    m_handler = info ? registry.create(spec.handler) : nullptr;
    if (!m_handler) {
        reportStartFailure("unknown handler '" + spec.handler.toStdString() + "'");
        return false;
    }
    try {
        m_handler->onStart(HandlerParams(HandlerRegistry::withDefaults(*info, spec.params), spec.id,
                                         m_config.workerIndex));
    } catch (const std::exception& error) {
        reportStartFailure(std::string("onStart failed: ") + error.what());
        return false;
    } catch (...) {
        reportStartFailure("onStart failed with an unknown exception");
        return false;
    }
    return true;
}

void Worker::reportStartFailure(const std::string& message) {
    std::snprintf(m_control->message, sizeof m_control->message, "%s", message.c_str());
    m_control->state.store(std::uint32_t(SharedWorkerState::StartFailed),
                           std::memory_order_release);
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(m_config.wakeFd, &one, sizeof one);
}

bool Worker::tryTakeOne(std::uint32_t& slot) {
    const std::int64_t agingNs = m_layout.header().priorityAgingNs;
    if (agingNs > 0 && m_laneCount > 1) {
        // A low-priority task that waited past the aging limit goes first.
        const std::int64_t now = monotonicNs();
        for (int lane = 0; lane < m_laneCount - 1; ++lane) {
            std::uint32_t head = kNoSlot;
            if (m_layout.lane(m_config.stepIndex, lane).peek(head) && head < m_layout.slotCount() &&
                now - m_layout.slot(head).enqueueNs > agingNs &&
                m_protocol.take(m_config.stepIndex, lane, m_self, slot))
                return true;
        }
    }
    for (int lane = m_laneCount - 1; lane >= 0; --lane) {
        if (m_protocol.take(m_config.stepIndex, lane, m_self, slot))
            return true;
    }
    return false;
}

bool Worker::lockBatch() {
    // Only one worker of a step fills a batch at a time (the Python original's batch
    // lock): with nprocs > 1, 16 queued tasks make one batch of 16, not 8 + 8. The lock
    // is robust, so a holder killed mid-collection hands it on; its claimed slots are
    // the parent's to fail (SlotProtocol).
    for (;;) {
        if (m_step->batchLock.lock(kIdleCheckNs) != RobustMutex::Acquired::TimedOut)
            return true;
        if (stopRequested())
            return false;
        if (!parentAlive())
            _exit(0);
    }
}

int Worker::takeBatch() {
    if (m_step->nprocs <= 1)
        return collectBatch();
    if (!lockBatch())
        return 0;
    const int count = collectBatch();
    m_step->batchLock.unlock();
    return count;
}

int Worker::collectBatch() {
    int count = 0;
    std::int64_t batchDeadlineNs = 0;
    auto took = [&](std::uint32_t slot) {
        m_batchSlots[std::size_t(count)] = slot;
        ++count;
        m_protocol.wakeProducers(*m_step);
        if (count == 1 && m_step->batchTimeoutNs > 0)
            batchDeadlineNs = monotonicNs() + m_step->batchTimeoutNs;
    };
    while (count < m_batchSize) {
        std::uint32_t slot = kNoSlot;
        if (tryTakeOne(slot)) {
            took(slot);
            continue;
        }
        if (count > 0) {
            if (m_step->batchTimeoutNs == 0 || monotonicNs() >= batchDeadlineNs || stopRequested())
                break; // dynamic batching: take what is queued now
            const std::int64_t remaining = batchDeadlineNs - monotonicNs();
            if (remaining > kSpinNs) {
                const std::uint32_t seq = m_step->consumerSeq.load(std::memory_order_acquire);
                m_step->sleepingConsumers.fetch_add(1, std::memory_order_seq_cst);
                if (tryTakeOne(slot))
                    took(slot);
                else
                    futexWait(&m_step->consumerSeq, seq,
                              std::min<std::int64_t>(remaining, 100'000'000));
                m_step->sleepingConsumers.fetch_sub(1, std::memory_order_relaxed);
            } else {
                sched_yield();
            }
            continue;
        }
        if (stopRequested())
            return 0;
        waitForWork();
    }
    m_control->heldCount.store(std::uint32_t(count), std::memory_order_relaxed);
    return count;
}

void Worker::waitForWork() {
    auto anyQueued = [this] {
        for (int lane = m_laneCount - 1; lane >= 0; --lane) {
            if (m_layout.lane(m_config.stepIndex, lane).looksNonEmpty())
                return true;
        }
        return false;
    };
    const std::int64_t spinUntil = monotonicNs() + (m_layout.header().spinAllowed ? kSpinNs : 0);
    while (monotonicNs() < spinUntil) {
        if (anyQueued() || stopRequested())
            return;
        sched_yield();
    }
    m_control->state.store(std::uint32_t(SharedWorkerState::Idle), std::memory_order_relaxed);
    const std::uint32_t seq = m_step->consumerSeq.load(std::memory_order_acquire);
    m_step->sleepingConsumers.fetch_add(1, std::memory_order_seq_cst);
    if (!anyQueued() && !stopRequested())
        futexWait(&m_step->consumerSeq, seq, kIdleCheckNs);
    m_step->sleepingConsumers.fetch_sub(1, std::memory_order_relaxed);
    if (!parentAlive())
        _exit(0); // the parent is gone: nobody can use our results
}

void Worker::processBatch(int count) {
    WorkerCounters& counters = m_control->counters;
    m_control->state.store(std::uint32_t(SharedWorkerState::Busy), std::memory_order_relaxed);
    const std::int64_t takenNs = monotonicNs();
    int live = 0;
    for (int i = 0; i < count; ++i) {
        const std::uint32_t slot = m_batchSlots[std::size_t(i)];
        SlotHeader& header = m_layout.slot(slot);
        bump(counters.tasksIn);
        const std::int64_t waitedUs =
            std::max<std::int64_t>(0, (takenNs - header.enqueueNs) / 1000);
        bump(counters.queueWaitUsBuckets[histogramBucket(std::uint64_t(waitedUs))]);
        bump(counters.queueWaitUsSum, std::uint64_t(waitedUs));
        if (header.deadlineNs != 0 && takenNs > header.deadlineNs) {
            finishWithError(slot, ErrorKind::Timeout,
                            "deadline passed while queued; dropped unhandled");
            continue;
        }
        Task& task = m_tasks[std::size_t(live)];
        if (!TaskCodec::decode(m_layout.slotPayload(slot), header.payloadBytes, task, m_arena,
                               BlobHold::Borrowed)) {
            finishWithError(slot, ErrorKind::Rejected, "task could not be decoded");
            continue;
        }
        task.setId(header.taskId);
        task.setPriority(header.priority);
        task.clearFailure();
        if (header.timingCount < kMaxStepTimings) {
            StepTiming& timing = header.timings[header.timingCount];
            timing.stepIndex = std::uint16_t(m_config.stepIndex);
            timing.queueWaitUs = std::uint32_t(std::min<std::int64_t>(waitedUs, UINT32_MAX));
        }
        m_liveSlots[std::size_t(live)] = slot;
        ++live;
    }
    if (live == 0)
        return;

    std::string batchError;
    bool batchFailed = false;
    m_control->batchStartNs.store(takenNs, std::memory_order_relaxed);
    const std::int64_t startNs = takenNs; // one clock read less per batch; decoding is ~50 ns
    try {
        m_handler->handle(std::span<Task>(m_tasks.data(), std::size_t(live)));
    } catch (const std::exception& error) {
        batchFailed = true;
        batchError = error.what();
    } catch (...) {
        batchFailed = true;
        batchError = "handler threw an unknown exception";
    }
    const std::int64_t endNs = monotonicNs();
    m_control->batchStartNs.store(0, std::memory_order_relaxed);
    const std::uint64_t handleUs =
        std::uint64_t(std::max<std::int64_t>(0, (endNs - startNs) / 1000));
    bump(counters.batches);
    bump(counters.batchedTasks, std::uint64_t(live));
    bump(counters.handleUsBuckets[histogramBucket(handleUs)]);
    bump(counters.handleUsSum, handleUs);
    bump(counters.busyNs, std::uint64_t(endNs - startNs));
    const int fillBucket = std::clamp((live * kBatchFillBuckets + m_batchSize - 1) / m_batchSize, 1,
                                      kBatchFillBuckets) -
                           1;
    bump(counters.batchFillBuckets[fillBucket]);

    for (int i = 0; i < live; ++i) {
        const std::uint32_t slot = m_liveSlots[std::size_t(i)];
        Task& task = m_tasks[std::size_t(i)];
        SlotHeader& header = m_layout.slot(slot);
        if (header.timingCount < kMaxStepTimings) {
            StepTiming& timing = header.timings[header.timingCount];
            timing.handleUs = std::uint32_t(std::min<std::uint64_t>(handleUs, UINT32_MAX));
            timing.batchSize = std::uint16_t(std::min(live, 0xffff));
            ++header.timingCount;
        }
        header.lastStep = std::uint16_t(m_config.stepIndex);
        if (batchFailed) {
            finishWithError(slot, ErrorKind::HandlerError, batchError);
            continue;
        }
        if (task.isFailed()) {
            finishWithError(slot, ErrorKind::HandlerError, task.failureMessage());
            continue;
        }
        // Large outputs travel as blobs (the same rule as the parent's).
        if (m_arena)
            shareToFit(task, m_layout.slotPayloadCapacity(), m_autoShareBytes, nullptr);
        const std::size_t written =
            TaskCodec::encode(task, m_layout.slotPayload(slot), m_layout.slotPayloadCapacity());
        if (written == 0) {
            const std::size_t needed = TaskCodec::encodedSize(task);
            task.clearFields();
            finishWithError(slot, ErrorKind::Rejected,
                            "result of step '" + m_stepId.toStdString() + "' is " +
                                std::to_string(needed) + " bytes, more than max_task_bytes (" +
                                std::to_string(m_layout.slotPayloadCapacity()) +
                                "); share large fields as blobs");
            continue;
        }
        header.payloadBytes = std::uint32_t(written);
        // The slot's blob list follows the new payload (SlotProtocol: retain, commit,
        // release; a blob passed through unchanged costs nothing).
        if (!m_protocol.replaceSlotBlobs(slot)) {
            task.clearFields();
            finishWithError(slot, ErrorKind::Rejected,
                            "result of step '" + m_stepId.toStdString() + "' carries more than " +
                                std::to_string(kMaxSlotBlobs) + " shared blobs");
            continue;
        }
        bump(counters.tasksOut);
        const int target = m_router.next(m_config.stepIndex, task, m_skipCounters.data());
        publishSkips();
        task.clearFields(); // drop blob holds now, not at the next batch
        if (target == Router::kOutputNode)
            complete(slot);
        else
            forward(slot, target, endNs);
    }
    m_control->heldCount.store(0, std::memory_order_relaxed);
}

void Worker::finishWithError(std::uint32_t slot, ErrorKind kind, std::string_view message) {
    SlotHeader& header = m_layout.slot(slot);
    m_protocol.releaseSlotBlobs(slot); // the payload becomes a message: its blob references go
    header.status = std::uint8_t(kind);
    header.lastStep = std::uint16_t(m_config.stepIndex);
    header.payloadBytes = std::uint32_t(TaskCodec::encodeMessage(
        message, m_layout.slotPayload(slot), m_layout.slotPayloadCapacity()));
    bump(m_control->counters.errors[int(kind)]);
    complete(slot);
}

void Worker::complete(std::uint32_t slot) {
    m_protocol.complete(slot, m_self, *m_control);
}

void Worker::forward(std::uint32_t slot, int targetStep, std::int64_t nowNs) {
    SlotHeader& header = m_layout.slot(slot);
    StepControl& target = m_layout.step(targetStep);
    const int lane = std::min<int>(header.lane, int(target.laneCount) - 1);
    header.enqueueNs = nowNs;
    // While we wait for room the slot stays ours (owner Worker): if we die waiting, the
    // parent fails it with WorkerCrashed instead of losing it.
    auto attempt = [&] {
        return m_protocol.send(slot, m_self, targetStep, lane, m_control) ==
               SlotProtocol::Send::Queued;
    };
    if (attempt())
        return;
    // Backpressure: spin briefly, then sleep until a consumer makes room.
    const std::int64_t spinUntil = monotonicNs() + (m_layout.header().spinAllowed ? kSpinNs : 0);
    for (;;) {
        if (stopRequested())
            return; // flow is going away; the parent reclaims every slot
        if (monotonicNs() < spinUntil) {
            sched_yield();
            if (attempt())
                return;
            continue;
        }
        const std::uint32_t seq = target.producerSeq.load(std::memory_order_acquire);
        target.sleepingProducers.fetch_add(1, std::memory_order_seq_cst);
        const bool sent = attempt();
        if (!sent)
            futexWait(&target.producerSeq, seq, kIdleCheckNs);
        target.sleepingProducers.fetch_sub(1, std::memory_order_relaxed);
        if (sent || attempt())
            return;
        if (!parentAlive())
            _exit(0);
    }
}

void Worker::publishSkips() {
    // Router counts skips locally; move them to the skipped steps' shared counters.
    for (std::size_t step = 0; step < m_skipCounters.size(); ++step) {
        if (m_skipCounters[step] != 0) {
            m_layout.step(int(step)).skipped.fetch_add(m_skipCounters[step],
                                                       std::memory_order_relaxed);
            m_skipCounters[step] = 0;
        }
    }
}

bool Worker::parentAlive() const {
    return ::kill(m_config.parentPid, 0) == 0;
}

} // namespace

int runWorker(const WorkerConfig& config) {
    // Start with only the fds we need: stdio and the parent's eventfd. Whatever the
    // parent had open (listening sockets, pidfds, files) must not live on in workers.
    if (config.wakeFd > 3)
        close_range(3, unsigned(config.wakeFd) - 1, 0);
    if (config.wakeFd >= 0)
        close_range(unsigned(config.wakeFd) + 1, ~0u, 0);
    else
        close_range(3, ~0u, 0);
    // Own process group: a terminal's Ctrl+C goes to the parent, which stops us cleanly.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if (::kill(config.parentPid, 0) != 0)
        return 0;
    char name[16];
    std::snprintf(name, sizeof name, "aq-w%d", config.globalWorkerIndex);
    prctl(PR_SET_NAME, name);
    Worker worker(config);
    return worker.run();
}

} // namespace Aqueduct::Internal
