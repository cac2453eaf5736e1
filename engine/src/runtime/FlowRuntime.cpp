#include "runtime/FlowRuntime.h"

#include "payload/SharedArena.h"
#include "runtime/MetricsSampler.h"
#include "shm/ResourceBudget.h"

#include "aqueduct/HandlerRegistry.h"
#include "aqueduct/PipelineValidator.h"

#include <qcoro/qcorotimer.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

namespace Aqueduct::Internal {

namespace {

constexpr std::chrono::milliseconds kGracefulExitWait{3000};
constexpr std::chrono::milliseconds kImmediateExitWait{200};

} // namespace

FlowRuntime::FlowRuntime(Flow* flow)
    : m_flow(flow)
    , m_dispatcher(document, m_state, m_layout)
    , m_supervisor(*this, m_dispatcher) {
    connect(&m_metricsTimer, &QTimer::timeout, this, &FlowRuntime::sampleMetrics);
}

FlowRuntime::~FlowRuntime() {
    if (m_state != FlowState::Stopped) {
        m_dispatcher.failAllOutstanding(ErrorKind::NotRunning, QStringLiteral("flow destroyed"));
        m_dispatcher.resumeFinished();
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
    if (!m_dispatcher.router().build(document, &routeError))
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
    m_dispatcher.begin(m_arena, m_wakeFd);
    m_wakeNotifier = std::make_unique<QSocketNotifier>(m_wakeFd, QSocketNotifier::Read);
    connect(m_wakeNotifier.get(), &QSocketNotifier::activated, this, &FlowRuntime::onWakeFd);
    m_supervisor.createWorkers(); // not launched yet

    // Plain fork needs a single-threaded parent: the arena's pre-fault thread ends first.
    if (m_supervisor.startMethod() == StartMethod::Fork && m_arena)
        m_arena->finishPrefault();
    // Launch every worker. The start timeout covers launching too; the event loop keeps running
    // between launches (a signal or stop() during a long start is seen at once).
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
    QElapsedTimer sinceYield;
    sinceYield.start();
    for (int worker = 0; worker < m_supervisor.workerCount(); ++worker) {
        QString error;
        if (!m_supervisor.launch(worker, &error)) {
            const QString stepId = m_supervisor.stepIdOf(worker);
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
            const QString stepId = m_supervisor.stepIdOf(worker);
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
        if (m_supervisor.firstStillStarting() < 0)
            break; // all ready
        const qint64 remaining = startTimeoutMs - elapsed.elapsed();
        if (remaining <= 0) {
            if (const int worker = m_supervisor.firstStillStarting(); worker >= 0) {
                const QString stepId = m_supervisor.stepIdOf(worker);
                m_startError = QStringLiteral("step '%1': onStart did not finish within %2 ms")
                                   .arg(stepId)
                                   .arg(startTimeoutMs);
                m_startErrorStep = stepId;
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
    m_supervisor.markAllReady();

    m_uptime.start();
    m_sampler = std::make_unique<MetricsSampler>(document, m_layout);
    if (document.flow.metrics.enabled) {
        m_metricsTimer.start(std::max(10, document.flow.metrics.intervalMs));
    }
    if (m_arena)
        SharedArena::setCurrent(m_arena);
    m_supervisor.startWatchdog();
    setState(FlowState::Running);
    Q_EMIT m_flow->engineEvent(QStringLiteral("flow started: %1 steps, %2 workers (%3)")
                                   .arg(document.steps.size())
                                   .arg(m_supervisor.workerCount())
                                   .arg(startMethodName(m_supervisor.startMethod())));
    co_return StartResult{};
}

void FlowRuntime::checkStartProgress() {
    if (!m_startError.isEmpty())
        return;
    m_supervisor.findStartFailure(m_startErrorStep, m_startError);
}

void FlowRuntime::workerExitedDuringStart(const QString& stepId, const QString& cause) {
    if (m_startError.isEmpty()) {
        checkStartProgress();
        if (m_startError.isEmpty()) {
            m_startErrorStep = stepId;
            m_startError =
                QStringLiteral("step '%1': worker exited during start (%2)").arg(stepId, cause);
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
            m_dispatcher.failAllOutstanding(ErrorKind::NotRunning, QStringLiteral("flow stopped"));
            const std::weak_ptr<int> alive = m_aliveToken;
            m_dispatcher.resumeFinished();
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
    m_supervisor.stopWatchdog();
    if (mode == StopMode::Graceful && !wasFailed) {
        QElapsedTimer draining;
        draining.start();
        // Bounded: a caller's long timeout must not hold the stop for as long.
        while (m_dispatcher.outstanding() > 0 && m_state == FlowState::Stopping &&
               draining.elapsed() < drainTimeout.count()) {
            m_dispatcher.schedulePump();
            co_await QCoro::sleepFor(std::chrono::milliseconds(1));
        }
    }
    m_dispatcher.failAllOutstanding(ErrorKind::NotRunning,
                                    QStringLiteral("flow stopped before the task finished"));
    {
        const std::weak_ptr<int> alive = m_aliveToken;
        m_dispatcher.resumeFinished();
        if (alive.expired())
            co_return;
    }
    m_supervisor.requestWorkersStop();
    const bool exited = co_await m_supervisor.waitForWorkersExit(
        mode == StopMode::Graceful ? kGracefulExitWait : kImmediateExitWait);
    if (!exited) {
        m_supervisor.killAllWorkers();
        co_await m_supervisor.waitForWorkersExit(std::chrono::milliseconds(2000));
    }
    if (m_sampler && document.flow.metrics.enabled)
        sampleMetrics(); // final snapshot
    teardown();
    setState(FlowState::Stopped);
    Q_EMIT m_flow->engineEvent(QStringLiteral("flow stopped"));
}

void FlowRuntime::teardown() {
    m_metricsTimer.stop();
    m_supervisor.stopWatchdog();
    m_dispatcher.stopTimers();
    if (m_layout.isValid())
        m_layout.header().stopRequested.store(1);
    m_supervisor.terminateAll();
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
    m_dispatcher.end();
}

// ---------------------------------------------------------------------------------------
// Failure, the wake-up eventfd, shared-memory usage

void FlowRuntime::failFlow(const QString& reason) {
    if (m_state == FlowState::Failed)
        return;
    m_failureReason = reason;
    Q_EMIT m_flow->engineEvent(QStringLiteral("flow failed: %1").arg(reason));
    setState(FlowState::Failed);
    m_dispatcher.failAllOutstanding(ErrorKind::WorkerCrashed, reason);
    m_supervisor.requestWorkersStop();
    m_supervisor.killAllWorkers();
}

Flow::SharedMemoryUsage FlowRuntime::sharedMemoryUsage() const {
    Flow::SharedMemoryUsage usage;
    if (m_layout.isValid()) {
        usage.slotsTotal = m_layout.slotCount();
        usage.slotsInUse = usage.slotsTotal - std::uint32_t(m_dispatcher.freeSlotCount());
    }
    if (m_arena) {
        usage.arenaBytesUsed = m_arena->bytesUsed();
        usage.arenaBlobs = m_arena->blobCount();
    }
    return usage;
}

void FlowRuntime::onWakeFd() {
    std::uint64_t counter = 0;
    [[maybe_unused]] ssize_t got = ::read(m_wakeFd, &counter, sizeof counter);
    if (m_state == FlowState::Starting) {
        checkStartProgress(); // start() polls the result
        return;
    }
    m_dispatcher.pump();
}

// ---------------------------------------------------------------------------------------
// Metrics

void FlowRuntime::sampleMetrics() {
    if (!m_sampler || !m_layout.isValid())
        return;
    MetricsSampler::ParentCounters parent;
    parent.submitted = m_dispatcher.submitted();
    parent.completed = m_dispatcher.completed();
    parent.errorsByKind = m_dispatcher.errorsByKind();
    parent.inFlight = m_dispatcher.outstanding();
    parent.parentSkips = m_dispatcher.parentSkips();
    parent.flowState = flowStateName(m_state);
    parent.uptimeS = double(m_uptime.elapsed()) / 1000.0;
    if (m_arena) {
        parent.arenaBytesUsed = qint64(m_arena->bytesUsed());
        parent.arenaBytesTotal = qint64(m_arena->capacityBytes());
        parent.arenaBlobs = m_arena->blobCount();
    }
    m_lastSnapshot = m_sampler->sample(parent, m_supervisor.workers());
    Q_EMIT m_flow->metricsSnapshot(m_lastSnapshot);
}

} // namespace Aqueduct::Internal
