#include "runtime/WorkerSupervisor.h"

#include "process/ForkServer.h"

#include "payload/SharedArena.h"
#include "runtime/FlowRuntime.h"
#include "runtime/TaskDispatcher.h"
#include "shm/Clock.h"
#include "shm/SlotProtocol.h"

#include "aqueduct/PluginLoader.h"

#include <qcoro/qcorotimer.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace Aqueduct::Internal {

namespace {

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

WorkerSupervisor::WorkerSupervisor(FlowRuntime& runtime, TaskDispatcher& dispatcher)
    : m_runtime(runtime)
    , m_dispatcher(dispatcher)
    , m_document(runtime.document)
    , m_layout(runtime.layout()) {
    connect(&m_watchdogTimer, &QTimer::timeout, this, &WorkerSupervisor::checkHandleTimeouts);
}

// ---------------------------------------------------------------------------------------
// Start and stop

void WorkerSupervisor::createWorkers() {
    m_startMethod = m_document.flow.startMethod;
    m_workers.clear();
    int globalIndex = 0;
    for (int s = 0; s < m_document.steps.size(); ++s) {
        for (int w = 0; w < m_document.steps[s].nprocs; ++w, ++globalIndex) {
            WorkerSlot worker;
            worker.stepIndex = s;
            worker.workerIndex = w;
            worker.globalIndex = globalIndex;
            m_workers.push_back(std::move(worker));
        }
    }
    m_workerDocumentJson = m_document.toJson(); // once, not once per worker
}

QString WorkerSupervisor::stepIdOf(int globalIndex) const {
    return stepLabel(m_document, m_workers[std::size_t(globalIndex)].stepIndex);
}

bool WorkerSupervisor::findStartFailure(QString& stepId, QString& message) const {
    for (const WorkerSlot& worker : m_workers) {
        WorkerControl& control = m_layout.worker(worker.globalIndex);
        if (SharedWorkerState(control.state.load(std::memory_order_acquire)) ==
            SharedWorkerState::StartFailed) {
            stepId = stepLabel(m_document, worker.stepIndex);
            message =
                QStringLiteral("step '%1': %2").arg(stepId, QString::fromUtf8(control.message));
            return true;
        }
    }
    return false;
}

int WorkerSupervisor::firstStillStarting() const {
    for (const WorkerSlot& worker : m_workers) {
        if (SharedWorkerState(
                m_layout.worker(worker.globalIndex).state.load(std::memory_order_acquire)) ==
            SharedWorkerState::Starting)
            return worker.globalIndex;
    }
    return -1;
}

void WorkerSupervisor::markAllReady() {
    for (WorkerSlot& worker : m_workers)
        worker.state = WorkerState::Ready;
}

void WorkerSupervisor::startWatchdog() {
    int shortestHandleTimeoutMs = 0;
    for (const StepSpec& step : m_document.steps) {
        if (step.handleTimeoutMs > 0)
            shortestHandleTimeoutMs = shortestHandleTimeoutMs == 0
                                          ? step.handleTimeoutMs
                                          : std::min(shortestHandleTimeoutMs, step.handleTimeoutMs);
    }
    if (shortestHandleTimeoutMs > 0)
        m_watchdogTimer.start(std::clamp(shortestHandleTimeoutMs / 4, 5, 500));
}

void WorkerSupervisor::requestWorkersStop() {
    for (WorkerSlot& worker : m_workers)
        worker.expectedExit = true;
    if (!m_layout.isValid())
        return;
    m_layout.header().stopRequested.store(1, std::memory_order_seq_cst);
    wakeAllSleepers();
}

void WorkerSupervisor::wakeAllSleepers() {
    for (int s = 0; s < m_layout.stepCount(); ++s)
        SlotProtocol::wakeEverySleeper(m_layout.step(s));
}

QCoro::Task<bool> WorkerSupervisor::waitForWorkersExit(std::chrono::milliseconds timeout) {
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

void WorkerSupervisor::killAllWorkers() {
    for (WorkerSlot& worker : m_workers) {
        if (worker.process)
            worker.process->kill(SIGKILL);
    }
}

void WorkerSupervisor::terminateAll() {
    for (WorkerSlot& worker : m_workers) {
        worker.expectedExit = true;
        worker.exitNotifier.reset();
        if (worker.process) {
            worker.process->terminate(); // SIGKILL + reap if still running
            worker.process.reset();
        }
        worker.state = WorkerState::Dead;
    }
}

// ---------------------------------------------------------------------------------------
// Workers

bool WorkerSupervisor::launchWorker(WorkerSlot& worker, QString* error) {
    WorkerControl& control = m_layout.worker(worker.globalIndex);
    control.state.store(std::uint32_t(SharedWorkerState::Starting), std::memory_order_release);
    control.message[0] = '\0';
    control.heldCount.store(0);
    control.handoffSlot.store(kNoSlot);

    WorkerConfig config;
    config.segmentName = m_layout.segmentName();
    config.arenaName = m_runtime.arena() ? m_runtime.arena()->name() : std::string();
    // Workers from the fork server (forked before plugins loaded) or spawn load these.
    config.pluginFiles = PluginLoader::loadedFiles();
    config.documentJson =
        m_workerDocumentJson.isEmpty() ? m_document.toJson() : m_workerDocumentJson;
    config.stepIndex = worker.stepIndex;
    config.workerIndex = worker.workerIndex;
    config.globalWorkerIndex = worker.globalIndex;
    config.parentPid = getpid();
    config.wakeFd = m_runtime.wakeFd();

    worker.process = std::make_unique<WorkerProcess>();
    const int forkServerRestarts = ForkServer::restarts();
    if (!worker.process->launch(m_startMethod, config, error)) {
        worker.process.reset();
        return false;
    }
    if (ForkServer::restarts() != forkServerRestarts)
        Q_EMIT m_runtime.flow()->engineEvent(
            QStringLiteral("the fork server had died; restarted it (pid %1)")
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

void WorkerSupervisor::onWorkerExited(int globalIndex) {
    WorkerSlot& worker = m_workers[std::size_t(globalIndex)];
    worker.exitNotifier.reset();
    if (!worker.process)
        return;
    const QString cause = worker.process->collectExit();
    worker.process.reset();
    worker.lastExitCause = cause;
    worker.state = WorkerState::Dead;
    const QString stepId = stepLabel(m_document, worker.stepIndex);

    if (m_runtime.state() == FlowState::Starting)
        m_runtime.workerExitedDuringStart(stepId, cause);
    else if (!worker.expectedExit && m_runtime.state() == FlowState::Running)
        handleUnexpectedExit(worker, cause);
    Q_EMIT m_runtime.flow()->workerStateChanged(
        WorkerInfo{stepId, worker.stepIndex, worker.workerIndex, worker.lastPid, worker.state,
                   worker.restarts, worker.lastExitCause});
    m_dispatcher.resumeFinished();
}

void WorkerSupervisor::handleUnexpectedExit(WorkerSlot& worker, const QString& cause) {
    const QString stepId = stepLabel(m_document, worker.stepIndex);
    const StepSpec& spec = m_document.steps[worker.stepIndex];
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
    Q_EMIT m_runtime.flow()->engineEvent(message);

    reclaimFromDeadWorker(worker, kind, message);
    if (m_runtime.arena())
        m_runtime.arena()->sweepProvisional(std::int32_t(worker.lastPid));

    // Restart policy.
    const RestartSettings& policy = spec.restart ? *spec.restart : m_document.flow.restart;
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
        m_runtime.failFlow(
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

void WorkerSupervisor::reclaimFromDeadWorker(const WorkerSlot& worker, ErrorKind kind,
                                             const QString& message) {
    // Results it handed back before dying are results, not crashes.
    m_dispatcher.drainCompletions();
    WorkerControl& control = m_layout.worker(worker.globalIndex);
    // A hand-off cut short: the slot says Queued (maybe without a ring entry) or Done
    // (maybe not in the completion ring). Take it back and finish the hand-off ourselves.
    const std::uint32_t handoff = control.handoffSlot.exchange(kNoSlot);
    if (handoff < m_layout.slotCount()) {
        const std::uint32_t owner = m_layout.slot(handoff).owner.load(std::memory_order_acquire);
        if (SlotProtocol::isQueued(owner) &&
            m_dispatcher.protocol().reclaim(handoff, owner) == owner) {
            m_dispatcher.requeueRecord(handoff, SlotProtocol::queuedStep(owner),
                                       SlotProtocol::queuedLane(owner));
        } else if (owner == SlotProtocol::kDone) {
            // Its entry may be in the ring; if not, collect it directly.
            m_dispatcher.drainCompletions();
        }
        if (m_layout.slot(handoff).owner.load(std::memory_order_acquire) == SlotProtocol::kDone &&
            m_dispatcher.protocol().reclaim(handoff, SlotProtocol::kDone) == SlotProtocol::kDone)
            m_dispatcher.finishCollected(handoff);
    }
    // Every slot still in its hands fails with WorkerCrashed (or HandleTimeout).
    const std::uint32_t self = SlotProtocol::worker(worker.globalIndex);
    for (std::uint32_t slot = 0; slot < m_layout.slotCount(); ++slot) {
        if (m_layout.slot(slot).owner.load(std::memory_order_acquire) != self ||
            m_dispatcher.protocol().reclaim(slot, self) != self)
            continue;
        m_dispatcher.failReclaimedSlot(slot, kind, message);
    }
    control.heldCount.store(0);
    m_dispatcher.serveWaitingSlots();
}

void WorkerSupervisor::restartWorker(int globalIndex) {
    if (m_runtime.state() != FlowState::Running)
        return;
    WorkerSlot& worker = m_workers[std::size_t(globalIndex)];
    QString error;
    if (!launchWorker(worker, &error)) {
        m_runtime.failFlow(QStringLiteral("step '%1': cannot restart worker: %2")
                               .arg(stepLabel(m_document, worker.stepIndex), error));
        m_dispatcher.resumeFinished();
        return;
    }
    ++worker.restarts;
    Q_EMIT m_runtime.flow()->engineEvent(
        QStringLiteral("worker %1 of step '%2' restarted (pid %3, restart %4)")
            .arg(worker.workerIndex)
            .arg(stepLabel(m_document, worker.stepIndex))
            .arg(worker.lastPid)
            .arg(worker.restarts));
    Q_EMIT m_runtime.flow()->workerStateChanged(
        WorkerInfo{stepLabel(m_document, worker.stepIndex), worker.stepIndex, worker.workerIndex,
                   worker.lastPid, WorkerState::Starting, worker.restarts, worker.lastExitCause});
}

WorkerState WorkerSupervisor::currentState(const WorkerSlot& worker) const {
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

QList<WorkerInfo> WorkerSupervisor::workers() const {
    QList<WorkerInfo> result;
    for (const WorkerSlot& worker : m_workers) {
        result.append(WorkerInfo{stepLabel(m_document, worker.stepIndex), worker.stepIndex,
                                 worker.workerIndex, worker.lastPid, currentState(worker),
                                 worker.restarts, worker.lastExitCause});
    }
    return result;
}

bool WorkerSupervisor::killWorker(const QString& stepId, int workerIndex) {
    for (WorkerSlot& worker : m_workers) {
        if (stepLabel(m_document, worker.stepIndex) == stepId &&
            worker.workerIndex == workerIndex && worker.process && worker.process->isRunning()) {
            worker.process->kill(SIGKILL);
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// The handle_timeout watchdog

void WorkerSupervisor::checkHandleTimeouts() {
    if (m_runtime.state() != FlowState::Running || !m_layout.isValid())
        return;
    const std::int64_t now = monotonicNs();
    for (WorkerSlot& worker : m_workers) {
        const int timeoutMs = m_document.steps[worker.stepIndex].handleTimeoutMs;
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

} // namespace Aqueduct::Internal
