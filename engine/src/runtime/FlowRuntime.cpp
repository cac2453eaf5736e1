#include "runtime/FlowRuntime.h"

#include "process/ForkServer.h"

#include "payload/AutoShare.h"
#include "payload/SharedArena.h"
#include "payload/TaskCodec.h"
#include "runtime/MetricsSampler.h"
#include "shm/Clock.h"
#include "shm/Futex.h"
#include "shm/ResourceBudget.h"
#include "shm/WaitPolicy.h"

#include "aqueduct/HandlerRegistry.h"
#include "aqueduct/PipelineValidator.h"
#include "aqueduct/PluginLoader.h"

#include <qcoro/qcorotimer.h>

#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace Aqueduct::Internal {

namespace {

constexpr std::int64_t kPumpBudgetNs = 2'000'000; ///< then let the event loop breathe
constexpr std::chrono::milliseconds kGracefulExitWait{3000};
constexpr std::chrono::milliseconds kImmediateExitWait{200};

/// Whether /proc says the process is stopped by a signal (state T) or traced (t).
bool processIsStopped(qint64 pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    FILE* file = std::fopen(path, "re");
    if (!file)
        return false;
    char buffer[512];
    const std::size_t got = std::fread(buffer, 1, sizeof buffer - 1, file);
    std::fclose(file);
    buffer[got] = '\0';
    const char* close = std::strrchr(buffer, ')'); // the name may hold spaces or ')'
    return close && close[1] == ' ' && (close[2] == 'T' || close[2] == 't');
}

QString stepLabel(const PipelineDocument& document, int stepIndex) {
    return document.steps.value(stepIndex).id;
}

} // namespace

FlowRuntime::FlowRuntime(Flow* flow)
    : m_flow(flow) {
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &FlowRuntime::expireDeadlines);
    m_pumpTimer.setSingleShot(true);
    m_pumpTimer.setInterval(0);
    connect(&m_pumpTimer, &QTimer::timeout, this, [this] {
        m_pumpScheduled = false;
        pump();
    });
    connect(&m_metricsTimer, &QTimer::timeout, this, &FlowRuntime::sampleMetrics);
    connect(&m_watchdogTimer, &QTimer::timeout, this, &FlowRuntime::checkHandleTimeouts);
}

FlowRuntime::~FlowRuntime() {
    if (m_state != FlowState::Stopped) {
        failAllOutstanding(ErrorKind::NotRunning, QStringLiteral("flow destroyed"));
        resumeFinished();
        teardown();
    }
}

void FlowRuntime::setState(FlowState state) {
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT m_flow->stateChanged(state);
}

// ---------------------------------------------------------------------------------------
// Start / stop

QCoro::Task<StartResult> FlowRuntime::start(std::chrono::milliseconds timeout) {
    if (m_state == FlowState::Starting || m_state == FlowState::Running ||
        m_state == FlowState::Stopping)
        co_return StartResult::failure(
            {}, QStringLiteral("flow is already %1").arg(flowStateName(m_state)));
    if (document.steps.isEmpty())
        co_return StartResult::failure({}, QStringLiteral("flow has no steps"));

    const QList<Problem> problems = PipelineValidator(HandlerRegistry::global()).validate(document);
    if (hasErrors(problems)) {
        QStringList lines;
        QString stepId;
        for (const Problem& problem : problems) {
            if (problem.severity != Problem::Severity::Error)
                continue;
            lines << problem.toString();
            if (stepId.isEmpty())
                stepId = problem.stepId;
        }
        co_return StartResult::failure(
            stepId, QStringLiteral("invalid pipeline: %1").arg(lines.join(QStringLiteral("; "))));
    }
    QString routeError;
    if (!m_router.build(document, &routeError))
        co_return StartResult::failure({}, routeError);

    // Resource budget (shm/ResourceBudget): refuse before creating anything when
    // /dev/shm cannot hold the segments, instead of a SIGBUS later.
    if (const QString spaceError = checkSharedMemorySpace(document); !spaceError.isEmpty())
        co_return StartResult::failure({}, spaceError);

    m_failureReason.clear();
    m_startError.clear();
    setState(FlowState::Starting);
    ShmSegment::reclaimStale();
    try {
        m_layout.create(document);
    } catch (const std::exception& error) {
        setState(FlowState::Stopped);
        co_return StartResult::failure({}, QString::fromLocal8Bit(error.what()));
    }
    if (document.flow.arenaBytes > 0) {
        try {
            m_arena = SharedArena::create(std::uint64_t(document.flow.arenaBytes));
        } catch (const std::exception& error) {
            m_layout.reset();
            setState(FlowState::Stopped);
            co_return StartResult::failure({}, QString::fromLocal8Bit(error.what()));
        }
    }
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_protocol.bind(&m_layout, m_arena, m_wakeFd);
    m_wakeNotifier = std::make_unique<QSocketNotifier>(m_wakeFd, QSocketNotifier::Read);
    connect(m_wakeNotifier.get(), &QSocketNotifier::activated, this, &FlowRuntime::onWakeFd);

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
    m_parentSkips.assign(std::size_t(document.steps.size()), 0);
    m_startMethod = document.flow.startMethod;

    // Plain fork needs a single-threaded parent: the arena's pre-fault thread ends first.
    if (m_startMethod == StartMethod::Fork && m_arena)
        m_arena->finishPrefault();
    // Launch every worker.
    m_workers.clear();
    int globalIndex = 0;
    for (int s = 0; s < document.steps.size(); ++s) {
        for (int w = 0; w < document.steps[s].nprocs; ++w, ++globalIndex) {
            WorkerSlot worker;
            worker.stepIndex = s;
            worker.workerIndex = w;
            worker.globalIndex = globalIndex;
            m_workers.push_back(std::move(worker));
        }
    }
    // The start timeout covers launching too; the event loop keeps running between
    // launches (a signal or stop() during a long start is seen at once).
    int startTimeoutMs = int(timeout.count());
    if (startTimeoutMs <= 0) {
        startTimeoutMs = document.flow.startTimeoutMs;
        int extra = 0;
        for (const StepSpec& step : document.steps)
            extra = std::max(extra, step.onStartWaitMs);
        startTimeoutMs += extra;
    }
    QElapsedTimer elapsed;
    elapsed.start();
    m_cancelStart = false;
    const std::weak_ptr<int> alive = m_aliveToken;
    m_workerDocumentJson = document.toJson(); // once, not once per worker
    QElapsedTimer sinceYield;
    sinceYield.start();
    for (WorkerSlot& worker : m_workers) {
        QString error;
        if (!launchWorker(worker, &error)) {
            const QString stepId = stepLabel(document, worker.stepIndex);
            teardown();
            setState(FlowState::Stopped);
            co_return StartResult::failure(
                stepId, QStringLiteral("step '%1': cannot start worker: %2").arg(stepId, error));
        }
        if (sinceYield.elapsed() >= 5) {
            co_await QCoro::sleepFor(std::chrono::milliseconds(0));
            if (alive.expired())
                co_return StartResult::failure({}, QStringLiteral("flow destroyed during start"));
            sinceYield.restart();
        }
        if (m_cancelStart || elapsed.elapsed() > startTimeoutMs) {
            const QString stepId = stepLabel(document, worker.stepIndex);
            const QString reason =
                m_cancelStart ? QStringLiteral("start cancelled: the flow was stopped")
                              : QStringLiteral("step '%1': workers did not launch within %2 ms")
                                    .arg(stepId)
                                    .arg(startTimeoutMs);
            teardown();
            setState(FlowState::Stopped);
            co_return StartResult::failure(m_cancelStart ? QString() : stepId, reason);
        }
    }

    // Wait for every worker to report ready (or for the first failure).
    for (;;) {
        checkStartProgress();
        if (!m_startError.isEmpty())
            break;
        if (m_cancelStart) {
            m_startError = QStringLiteral("start cancelled: the flow was stopped");
            break;
        }
        bool allReady = true;
        for (const WorkerSlot& worker : m_workers) {
            const auto shared = SharedWorkerState(
                m_layout.worker(worker.globalIndex).state.load(std::memory_order_acquire));
            if (shared == SharedWorkerState::Starting) {
                allReady = false;
                break;
            }
        }
        if (allReady)
            break;
        const qint64 remaining = startTimeoutMs - elapsed.elapsed();
        if (remaining <= 0) {
            for (const WorkerSlot& worker : m_workers) {
                if (SharedWorkerState(m_layout.worker(worker.globalIndex).state.load()) ==
                    SharedWorkerState::Starting) {
                    const QString stepId = stepLabel(document, worker.stepIndex);
                    m_startError = QStringLiteral("step '%1': onStart did not finish within %2 ms")
                                       .arg(stepId)
                                       .arg(startTimeoutMs);
                    m_startErrorStep = stepId;
                    break;
                }
            }
            break;
        }
        // Polling (1 ms) rather than awaiting a signal: resuming from inside a signal
        // emission would run teardown under the emitter's feet.
        co_await QCoro::sleepFor(std::chrono::milliseconds(1));
        if (alive.expired())
            co_return StartResult::failure({}, QStringLiteral("flow destroyed during start"));
    }
    if (!m_startError.isEmpty()) {
        const QString error = m_startError;
        const QString stepId = m_startErrorStep;
        teardown();
        setState(FlowState::Stopped);
        co_return StartResult::failure(stepId, error);
    }
    for (WorkerSlot& worker : m_workers)
        worker.state = WorkerState::Ready;

    m_uptime.start();
    m_sampler = std::make_unique<MetricsSampler>(document, m_layout);
    if (document.flow.metrics.enabled) {
        m_metricsTimer.start(std::max(10, document.flow.metrics.intervalMs));
    }
    int shortestHandleTimeoutMs = 0;
    for (const StepSpec& step : document.steps) {
        if (step.handleTimeoutMs > 0)
            shortestHandleTimeoutMs = shortestHandleTimeoutMs == 0
                                          ? step.handleTimeoutMs
                                          : std::min(shortestHandleTimeoutMs, step.handleTimeoutMs);
    }
    if (m_arena)
        SharedArena::setCurrent(m_arena);
    if (shortestHandleTimeoutMs > 0)
        m_watchdogTimer.start(std::clamp(shortestHandleTimeoutMs / 4, 5, 500));
    setState(FlowState::Running);
    Q_EMIT m_flow->engineEvent(QStringLiteral("flow started: %1 steps, %2 workers (%3)")
                                   .arg(document.steps.size())
                                   .arg(m_workers.size())
                                   .arg(startMethodName(m_startMethod)));
    co_return StartResult{};
}

void FlowRuntime::checkStartProgress() {
    if (!m_startError.isEmpty())
        return;
    for (const WorkerSlot& worker : m_workers) {
        WorkerControl& control = m_layout.worker(worker.globalIndex);
        if (SharedWorkerState(control.state.load(std::memory_order_acquire)) ==
            SharedWorkerState::StartFailed) {
            m_startErrorStep = stepLabel(document, worker.stepIndex);
            m_startError = QStringLiteral("step '%1': %2")
                               .arg(m_startErrorStep, QString::fromUtf8(control.message));
            return;
        }
    }
}

QCoro::Task<void> FlowRuntime::stop(StopMode mode, std::chrono::milliseconds drainTimeout) {
    if (m_state == FlowState::Stopped)
        co_return;
    if (m_state == FlowState::Starting) {
        // start() owns the half-started flow: ask it to give up, and wait until it has.
        m_cancelStart = true;
        const std::weak_ptr<int> alive = m_aliveToken;
        while (!alive.expired() && m_state == FlowState::Starting)
            co_await QCoro::sleepFor(std::chrono::milliseconds(1));
        co_return;
    }
    if (m_state == FlowState::Stopping) {
        if (mode == StopMode::Immediate) {
            failAllOutstanding(ErrorKind::NotRunning, QStringLiteral("flow stopped"));
            const std::weak_ptr<int> alive = m_aliveToken;
            resumeFinished();
            if (alive.expired())
                co_return;
        }
        while (m_state == FlowState::Stopping)
            co_await QCoro::sleepFor(std::chrono::milliseconds(2));
        co_return;
    }
    const bool wasFailed = m_state == FlowState::Failed;
    setState(FlowState::Stopping);
    m_metricsTimer.stop();
    m_watchdogTimer.stop();
    if (mode == StopMode::Graceful && !wasFailed) {
        QElapsedTimer draining;
        draining.start();
        // Bounded: a caller's long timeout must not hold the stop for as long.
        while (m_outstanding > 0 && m_state == FlowState::Stopping &&
               draining.elapsed() < drainTimeout.count()) {
            schedulePump();
            co_await QCoro::sleepFor(std::chrono::milliseconds(1));
        }
    }
    failAllOutstanding(ErrorKind::NotRunning,
                       QStringLiteral("flow stopped before the task finished"));
    {
        const std::weak_ptr<int> alive = m_aliveToken;
        resumeFinished();
        if (alive.expired())
            co_return;
    }
    requestWorkersStop();
    const bool exited = co_await waitForWorkersExit(
        mode == StopMode::Graceful ? kGracefulExitWait : kImmediateExitWait);
    if (!exited) {
        killAllWorkers();
        co_await waitForWorkersExit(std::chrono::milliseconds(2000));
    }
    if (m_sampler && document.flow.metrics.enabled)
        sampleMetrics(); // final snapshot
    teardown();
    setState(FlowState::Stopped);
    Q_EMIT m_flow->engineEvent(QStringLiteral("flow stopped"));
}

void FlowRuntime::requestWorkersStop() {
    for (WorkerSlot& worker : m_workers)
        worker.expectedExit = true;
    if (!m_layout.isValid())
        return;
    m_layout.header().stopRequested.store(1, std::memory_order_seq_cst);
    wakeAllSleepers();
}

void FlowRuntime::wakeAllSleepers() {
    for (int s = 0; s < m_layout.stepCount(); ++s) {
        StepControl& step = m_layout.step(s);
        step.consumerSeq.fetch_add(1);
        futexWake(&step.consumerSeq, 0);
        step.producerSeq.fetch_add(1);
        futexWake(&step.producerSeq, 0);
    }
}

QCoro::Task<bool> FlowRuntime::waitForWorkersExit(std::chrono::milliseconds timeout) {
    QElapsedTimer elapsed;
    elapsed.start();
    auto anyRunning = [this] {
        return std::any_of(m_workers.begin(), m_workers.end(), [](const WorkerSlot& worker) {
            return worker.process && worker.process->isRunning();
        });
    };
    while (anyRunning()) {
        const qint64 remaining = timeout.count() - elapsed.elapsed();
        if (remaining <= 0)
            co_return false;
        co_await QCoro::sleepFor(std::chrono::milliseconds(1));
    }
    co_return true;
}

void FlowRuntime::killAllWorkers() {
    for (WorkerSlot& worker : m_workers) {
        if (worker.process)
            worker.process->kill(SIGKILL);
    }
}

void FlowRuntime::teardown() {
    m_metricsTimer.stop();
    m_watchdogTimer.stop();
    m_deadlineTimer.stop();
    m_pumpTimer.stop();
    m_pumpScheduled = false;
    if (m_layout.isValid())
        m_layout.header().stopRequested.store(1);
    for (WorkerSlot& worker : m_workers) {
        worker.expectedExit = true;
        worker.exitNotifier.reset();
        if (worker.process) {
            worker.process->terminate(); // SIGKILL + reap if still running
            worker.process.reset();
        }
        worker.state = WorkerState::Dead;
    }
    m_wakeNotifier.reset();
    if (m_wakeFd >= 0) {
        close(m_wakeFd);
        m_wakeFd = -1;
    }
    m_sampler.reset();
    m_layout.reset();
    if (m_arena) {
        if (SharedArena::current() == m_arena)
            SharedArena::setCurrent(nullptr);
        // The name goes now; the mapping stays while a caller still holds a blob.
        m_arena->unlinkName();
        m_arena->finishPrefault();
        m_arena->deref();
        m_arena = nullptr;
    }
    m_freeSlots.clear();
    m_slotRecord.clear();
    m_inEngine = 0;
}

// ---------------------------------------------------------------------------------------
// Workers

bool FlowRuntime::launchWorker(WorkerSlot& worker, QString* error) {
    WorkerControl& control = m_layout.worker(worker.globalIndex);
    control.state.store(std::uint32_t(SharedWorkerState::Starting), std::memory_order_release);
    control.message[0] = '\0';
    control.heldCount.store(0);
    control.handoffSlot.store(kNoSlot);

    WorkerConfig config;
    config.segmentName = m_layout.segmentName();
    config.arenaName = m_arena ? m_arena->name() : std::string();
    // Workers from the fork server (forked before plugins loaded) or spawn load these.
    config.pluginFiles = PluginLoader::loadedFiles();
    config.documentJson = m_workerDocumentJson.isEmpty() ? document.toJson() : m_workerDocumentJson;
    config.stepIndex = worker.stepIndex;
    config.workerIndex = worker.workerIndex;
    config.globalWorkerIndex = worker.globalIndex;
    config.parentPid = getpid();
    config.wakeFd = m_wakeFd;

    worker.process = std::make_unique<WorkerProcess>();
    const int forkServerRestarts = ForkServer::restarts();
    if (!worker.process->launch(m_startMethod, config, error)) {
        worker.process.reset();
        return false;
    }
    if (ForkServer::restarts() != forkServerRestarts)
        Q_EMIT m_flow->engineEvent(QStringLiteral("the fork server had died; restarted it (pid %1)")
                                       .arg(ForkServer::zygotePid()));
    worker.lastPid = worker.process->pid();
    worker.expectedExit = false;
    worker.handleTimedOut = false;
    worker.state = WorkerState::Starting;
    worker.exitNotifier =
        std::make_unique<QSocketNotifier>(worker.process->pidFd(), QSocketNotifier::Read);
    const int globalIndex = worker.globalIndex;
    connect(worker.exitNotifier.get(), &QSocketNotifier::activated, this,
            [this, globalIndex] { onWorkerExited(globalIndex); });
    return true;
}

void FlowRuntime::onWorkerExited(int globalIndex) {
    WorkerSlot& worker = m_workers[std::size_t(globalIndex)];
    worker.exitNotifier.reset();
    if (!worker.process)
        return;
    const QString cause = worker.process->collectExit();
    worker.process.reset();
    worker.lastExitCause = cause;
    worker.state = WorkerState::Dead;
    const QString stepId = stepLabel(document, worker.stepIndex);

    if (m_state == FlowState::Starting) {
        if (m_startError.isEmpty()) {
            checkStartProgress();
            if (m_startError.isEmpty()) {
                m_startErrorStep = stepId;
                m_startError =
                    QStringLiteral("step '%1': worker exited during start (%2)").arg(stepId, cause);
            }
        }
    } else if (!worker.expectedExit && m_state == FlowState::Running) {
        handleUnexpectedExit(worker, cause);
    }
    Q_EMIT m_flow->workerStateChanged(WorkerInfo{stepId, worker.stepIndex, worker.workerIndex,
                                                 worker.lastPid, worker.state, worker.restarts,
                                                 worker.lastExitCause});
    resumeFinished();
}

void FlowRuntime::handleUnexpectedExit(WorkerSlot& worker, const QString& cause) {
    const QString stepId = stepLabel(document, worker.stepIndex);
    const StepSpec& spec = document.steps[worker.stepIndex];
    const ErrorKind kind =
        worker.handleTimedOut ? ErrorKind::HandleTimeout : ErrorKind::WorkerCrashed;
    const QString message = worker.handleTimedOut
                                ? QStringLiteral("step '%1': handle_timeout of %2 ms passed; "
                                                 "worker %3 (pid %4) was killed and restarted")
                                      .arg(stepId)
                                      .arg(spec.handleTimeoutMs)
                                      .arg(worker.workerIndex)
                                      .arg(worker.lastPid)
                                : QStringLiteral("worker %1 of step '%2' (pid %3) died: %4")
                                      .arg(worker.workerIndex)
                                      .arg(stepId)
                                      .arg(worker.lastPid)
                                      .arg(cause);
    Q_EMIT m_flow->engineEvent(message);

    reclaimFromDeadWorker(worker, kind, message);
    if (m_arena)
        m_arena->sweepProvisional(std::int32_t(worker.lastPid));

    // Restart policy.
    const RestartSettings& policy = spec.restart ? *spec.restart : document.flow.restart;
    const std::int64_t now = monotonicNs();
    const std::int64_t windowNs = std::int64_t(policy.windowS) * 1'000'000'000;
    while (!worker.restartTimesNs.empty() && now - worker.restartTimesNs.front() > windowNs)
        worker.restartTimesNs.pop_front();
    if (policy.policy == RestartPolicy::Never ||
        int(worker.restartTimesNs.size()) >= policy.maxRestarts) {
        const bool stepHasLiveWorkers =
            std::any_of(m_workers.begin(), m_workers.end(), [&](const WorkerSlot& other) {
                return other.stepIndex == worker.stepIndex && other.process &&
                       other.process->isRunning();
            });
        if (policy.policy == RestartPolicy::Never && stepHasLiveWorkers)
            return; // the step still serves with fewer workers
        failFlow(
            QStringLiteral(
                "step '%1' could not be kept alive: %2 (restart policy %3, %4 restarts in %5 s)")
                .arg(stepId, message, restartPolicyName(policy.policy))
                .arg(worker.restartTimesNs.size())
                .arg(policy.windowS));
        return;
    }
    const int restartsInWindow = int(worker.restartTimesNs.size());
    // In 64 bits and capped: a large initial back-off must not overflow when doubled.
    const std::int64_t backoffMs =
        std::min<std::int64_t>(policy.backoffMaxMs, std::int64_t(policy.backoffInitialMs)
                                                        << std::min(restartsInWindow, 16));
    worker.restartTimesNs.push_back(now);
    worker.state = WorkerState::Restarting;
    const int globalIndex = worker.globalIndex;
    QTimer::singleShot(restartsInWindow == 0 ? 0 : int(std::max<std::int64_t>(0, backoffMs)), this,
                       [this, globalIndex] { restartWorker(globalIndex); });
}

void FlowRuntime::reclaimFromDeadWorker(const WorkerSlot& worker, ErrorKind kind,
                                        const QString& message) {
    // Results it handed back before dying are results, not crashes.
    drainCompletions();
    WorkerControl& control = m_layout.worker(worker.globalIndex);
    // A hand-off cut short: the slot says Queued (maybe without a ring entry) or Done
    // (maybe not in the completion ring). Take it back and finish the hand-off ourselves.
    const std::uint32_t handoff = control.handoffSlot.exchange(kNoSlot);
    if (handoff < m_layout.slotCount()) {
        const std::uint32_t owner = m_layout.slot(handoff).owner.load(std::memory_order_acquire);
        if (SlotProtocol::isQueued(owner) && m_protocol.reclaim(handoff, owner) == owner)
            requeueRecord(handoff, SlotProtocol::queuedStep(owner),
                          SlotProtocol::queuedLane(owner));
        else if (owner == SlotProtocol::kDone)
            drainCompletions(); // its entry may be in the ring; if not, collect it directly
        if (m_layout.slot(handoff).owner.load(std::memory_order_acquire) == SlotProtocol::kDone &&
            m_protocol.reclaim(handoff, SlotProtocol::kDone) == SlotProtocol::kDone)
            finishCollected(handoff);
    }
    // Every slot still in its hands fails with WorkerCrashed (or HandleTimeout).
    const std::uint32_t self = SlotProtocol::worker(worker.globalIndex);
    for (std::uint32_t slot = 0; slot < m_layout.slotCount(); ++slot) {
        if (m_layout.slot(slot).owner.load(std::memory_order_acquire) != self ||
            m_protocol.reclaim(slot, self) != self)
            continue;
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
    control.heldCount.store(0);
    serveWaitingSlots();
}

void FlowRuntime::requeueRecord(std::uint32_t slot, int step, int lane) {
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

void FlowRuntime::restartWorker(int globalIndex) {
    if (m_state != FlowState::Running)
        return;
    WorkerSlot& worker = m_workers[std::size_t(globalIndex)];
    QString error;
    if (!launchWorker(worker, &error)) {
        failFlow(QStringLiteral("step '%1': cannot restart worker: %2")
                     .arg(stepLabel(document, worker.stepIndex), error));
        resumeFinished();
        return;
    }
    ++worker.restarts;
    Q_EMIT m_flow->engineEvent(
        QStringLiteral("worker %1 of step '%2' restarted (pid %3, restart %4)")
            .arg(worker.workerIndex)
            .arg(stepLabel(document, worker.stepIndex))
            .arg(worker.lastPid)
            .arg(worker.restarts));
    Q_EMIT m_flow->workerStateChanged(
        WorkerInfo{stepLabel(document, worker.stepIndex), worker.stepIndex, worker.workerIndex,
                   worker.lastPid, WorkerState::Starting, worker.restarts, worker.lastExitCause});
}

void FlowRuntime::failFlow(const QString& reason) {
    if (m_state == FlowState::Failed)
        return;
    m_failureReason = reason;
    Q_EMIT m_flow->engineEvent(QStringLiteral("flow failed: %1").arg(reason));
    setState(FlowState::Failed);
    failAllOutstanding(ErrorKind::WorkerCrashed, reason);
    requestWorkersStop();
    killAllWorkers();
}

WorkerState FlowRuntime::currentState(const WorkerSlot& worker) const {
    if (!worker.process || !worker.process->isRunning())
        return worker.state == WorkerState::Restarting ? WorkerState::Restarting
                                                       : WorkerState::Dead;
    if (!m_layout.isValid())
        return worker.state;
    if (processIsStopped(worker.process->pid()))
        return WorkerState::Stopped; // SIGSTOPped: alive, but not busy whatever it last said
    switch (SharedWorkerState(
        m_layout.worker(worker.globalIndex).state.load(std::memory_order_relaxed))) {
    case SharedWorkerState::Starting:
        return WorkerState::Starting;
    case SharedWorkerState::Ready:
        return WorkerState::Ready;
    case SharedWorkerState::Busy:
        return WorkerState::Busy;
    case SharedWorkerState::Idle:
        return WorkerState::Idle;
    case SharedWorkerState::StartFailed:
    case SharedWorkerState::Stopped:
        return WorkerState::Dead;
    }
    return worker.state;
}

QList<WorkerInfo> FlowRuntime::workers() const {
    QList<WorkerInfo> result;
    for (const WorkerSlot& worker : m_workers) {
        result.append(WorkerInfo{stepLabel(document, worker.stepIndex), worker.stepIndex,
                                 worker.workerIndex, worker.lastPid, currentState(worker),
                                 worker.restarts, worker.lastExitCause});
    }
    return result;
}

Flow::SharedMemoryUsage FlowRuntime::sharedMemoryUsage() const {
    Flow::SharedMemoryUsage usage;
    if (m_layout.isValid()) {
        usage.slotsTotal = m_layout.slotCount();
        usage.slotsInUse = usage.slotsTotal - std::uint32_t(m_freeSlots.size());
    }
    if (m_arena) {
        usage.arenaBytesUsed = m_arena->bytesUsed();
        usage.arenaBlobs = m_arena->blobCount();
    }
    return usage;
}

bool FlowRuntime::killWorker(const QString& stepId, int workerIndex) {
    for (WorkerSlot& worker : m_workers) {
        if (stepLabel(document, worker.stepIndex) == stepId && worker.workerIndex == workerIndex &&
            worker.process && worker.process->isRunning()) {
            worker.process->kill(SIGKILL);
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// Submission

std::uint32_t FlowRuntime::allocateRecord() {
    if (!m_freeRecords.empty()) {
        const std::uint32_t index = m_freeRecords.back();
        m_freeRecords.pop_back();
        return index;
    }
    m_records.emplace_back();
    return std::uint32_t(m_records.size() - 1);
}

void FlowRuntime::releaseRecord(std::uint32_t index) {
    Record& record = m_records[index];
    record.stage = Stage::Free;
    record.waiter = {};
    ++record.generation;
    m_freeRecords.push_back(index);
}

std::uint32_t FlowRuntime::submit(Task& task, std::int64_t timeoutNs, ErrorKind& immediateKind,
                                  QString& immediateMessage) {
    immediateKind = ErrorKind::None;
    if (m_state != FlowState::Running) {
        immediateKind = ErrorKind::NotRunning;
        immediateMessage = QStringLiteral("flow is not running (%1)").arg(flowStateName(m_state));
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

bool FlowRuntime::placeInSlot(std::uint32_t index) {
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

bool FlowRuntime::enqueueRecord(std::uint32_t index) {
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

int FlowRuntime::serveWaitingRoom() {
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

void FlowRuntime::serveWaitingSlots() {
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

void FlowRuntime::freeSlot(std::uint32_t slot) {
    m_freeSlots.push_back(slot);
}

void FlowRuntime::attachWaiter(std::uint32_t record, std::coroutine_handle<> waiter) {
    m_records[record].waiter = waiter;
}

TaskResult FlowRuntime::takeResult(std::uint32_t index) {
    Record& record = m_records[index];
    TaskResult result =
        record.error == ErrorKind::None
            ? TaskResult(std::move(record.task))
            : TaskResult(record.error, std::move(record.message), std::move(record.task));
    releaseRecord(index);
    return result;
}

void FlowRuntime::finishRecord(std::uint32_t index, ErrorKind kind, QString message) {
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

void FlowRuntime::resumeFinished() {
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

void FlowRuntime::failAllOutstanding(ErrorKind kind, const QString& message) {
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

int FlowRuntime::drainCompletions() {
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

void FlowRuntime::finishCollected(std::uint32_t slot) {
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
            text = QStringLiteral("step '%1': %2").arg(stepLabel(document, header.lastStep), text);
    }
    releaseSlotBlobs(slot);
    freeSlot(slot);
    serveWaitingSlots();
    finishRecord(index, kind, std::move(text));
}

void FlowRuntime::onWakeFd() {
    std::uint64_t counter = 0;
    [[maybe_unused]] ssize_t got = ::read(m_wakeFd, &counter, sizeof counter);
    if (m_state == FlowState::Starting) {
        checkStartProgress(); // start() polls the result
        return;
    }
    pump();
}

void FlowRuntime::schedulePump() {
    if (m_pumpScheduled || m_pumping)
        return;
    m_pumpScheduled = true;
    m_pumpTimer.start();
}

void FlowRuntime::pump() {
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
// Deadlines

void FlowRuntime::armDeadlineTimer() {
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

void FlowRuntime::expireDeadlines() {
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

bool FlowRuntime::blobsNeedPreparing(const Task& task) const {
    // The common case (small inline fields) must cost one pass over the fields.
    const qint64 autoShareBytes = document.flow.autoShareBytes;
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

bool FlowRuntime::prepareBlobs(Task& task, QString* error) {
    const qint64 autoShareBytes = document.flow.autoShareBytes;
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

void FlowRuntime::releaseSlotBlobs(std::uint32_t slot) {
    m_protocol.releaseSlotBlobs(slot);
}

void FlowRuntime::checkHandleTimeouts() {
    if (m_state != FlowState::Running || !m_layout.isValid())
        return;
    const std::int64_t now = monotonicNs();
    for (WorkerSlot& worker : m_workers) {
        const int timeoutMs = document.steps[worker.stepIndex].handleTimeoutMs;
        if (timeoutMs <= 0 || !worker.process || !worker.process->isRunning() ||
            worker.handleTimedOut)
            continue;
        const std::int64_t batchStartNs =
            m_layout.worker(worker.globalIndex).batchStartNs.load(std::memory_order_relaxed);
        if (batchStartNs != 0 && now - batchStartNs > std::int64_t(timeoutMs) * 1'000'000) {
            worker.handleTimedOut = true;
            worker.process->kill(SIGKILL);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Metrics

void FlowRuntime::sampleMetrics() {
    if (!m_sampler || !m_layout.isValid())
        return;
    MetricsSampler::ParentCounters parent;
    parent.submitted = m_submitted;
    parent.completed = m_completed;
    parent.errorsByKind = m_errorsByKind;
    parent.inFlight = m_outstanding;
    parent.parentSkips = m_parentSkips;
    parent.flowState = flowStateName(m_state);
    parent.uptimeS = double(m_uptime.elapsed()) / 1000.0;
    if (m_arena) {
        parent.arenaBytesUsed = qint64(m_arena->bytesUsed());
        parent.arenaBytesTotal = qint64(m_arena->capacityBytes());
        parent.arenaBlobs = m_arena->blobCount();
    }
    m_lastSnapshot = m_sampler->sample(parent, workers());
    Q_EMIT m_flow->metricsSnapshot(m_lastSnapshot);
}

} // namespace Aqueduct::Internal
