#include "monitor/EngineSession.h"

#include "monitor/LoadGenerator.h"

#include <QTimer>

#include <qcoro/qcorotimer.h>

#include <chrono>

namespace Aqueduct::Ui {

bool SnapshotMailbox::put(MetricsSnapshotPtr snapshot) {
    QMutexLocker lock(&m_mutex);
    m_latest = std::move(snapshot);
    if (m_wakePending)
        return false;
    m_wakePending = true;
    return true;
}

MetricsSnapshotPtr SnapshotMailbox::take() {
    QMutexLocker lock(&m_mutex);
    m_wakePending = false;
    return std::exchange(m_latest, nullptr);
}

/// co_await StopRequested: resumes once stop() was called (at once if it already was).
class EngineSession::StopRequested {
public:
    explicit StopRequested(EngineSession* session)
        : m_session(session) {}
    bool await_ready() const { return m_session->m_stopRequested; }
    void await_suspend(std::coroutine_handle<> waiter) { m_session->m_stopWaiter = waiter; }
    void await_resume() const {}

private:
    EngineSession* m_session;
};

EngineSession::EngineSession(std::shared_ptr<SnapshotMailbox> mailbox, QObject* parent)
    : QObject(parent)
    , m_mailbox(std::move(mailbox)) {}

EngineSession::~EngineSession() {
    // The controller waits for the run to finish before deleting us; a Flow still here
    // stops immediately in its destructor (nothing may be left behind).
    m_generator.reset();
    m_flow.reset();
}

void EngineSession::start(const PipelineDocument& document, const LoadSettings& load) {
    if (m_active) {
        Q_EMIT engineEvent(tr("a run is already in progress"));
        return;
    }
    m_active = true;
    m_stopRequested = false;
    m_flowStopping = false;
    m_stopMode = StopMode::Graceful;
    m_endReason.clear();
    m_startedAt = QDateTime::currentDateTime();
    m_wall.start();
    m_wallS = 0;
    m_flow = std::make_unique<Flow>(document);
    connect(m_flow.get(), &Flow::stateChanged, this, &EngineSession::onFlowStateChanged);
    connect(m_flow.get(), &Flow::engineEvent, this, &EngineSession::engineEvent);
    connect(m_flow.get(), &Flow::workerStateChanged, this, &EngineSession::workerStateChanged);
    connect(m_flow.get(), &Flow::metricsSnapshot, this, [this](MetricsSnapshotPtr snapshot) {
        if (m_mailbox->put(std::move(snapshot)))
            Q_EMIT snapshotReady();
    });
    // Fire and forget: the coroutine frame frees itself when the run ends.
    run(load);
}

QCoro::Task<void> EngineSession::run(LoadSettings load) {
    Flow* flow = m_flow.get();
    const StartResult started = co_await flow->start();
    if (!started.ok) {
        // Leave the engine's call stack before dropping the flow.
        co_await QCoro::sleepFor(std::chrono::milliseconds(0));
        m_endReason = tr("start failed");
        Q_EMIT startFailed(started.stepId, started.error);
        m_wallS = double(m_wall.nsecsElapsed()) / 1e9;
        const MonitorRunSummary summary = summarize(load);
        m_flow.reset();
        m_active = false;
        Q_EMIT stateChanged(FlowState::Stopped);
        Q_EMIT runFinished(summary);
        m_finished.release();
        co_return;
    }
    m_generator = std::make_unique<LoadGenerator>(flow, load);
    connect(m_generator.get(), &LoadGenerator::message, this, &EngineSession::engineEvent);
    // With no load, only a duration ends it: then the flow stops too (if asked).
    const bool stopAtEnd = load.onEnd == LoadEndAction::StopFlow;
    connect(m_generator.get(), &LoadGenerator::exhausted, this,
            [this, stopAtEnd](const QString& reason) {
                if (m_stopRequested)
                    return;
                Q_EMIT engineEvent(tr("load finished: %1").arg(reason));
                if (stopAtEnd)
                    requestStop(StopMode::Graceful, tr("load finished (%1)").arg(reason));
            });
    if (m_stopRequested)
        m_generator->closeIntake();
    else if (load.source != LoadSource::None)
        Q_EMIT engineEvent(tr("load: %1").arg(load.describe()));

    co_await m_generator->run();
    co_await StopRequested(this);
    // Leave whichever call stack resumed us (a lane resumed from the engine) first.
    co_await QCoro::sleepFor(std::chrono::milliseconds(0));
    m_flowStopping = true;
    co_await flow->stop(m_stopMode);
    co_await QCoro::sleepFor(std::chrono::milliseconds(0));
    m_wallS = double(m_wall.nsecsElapsed()) / 1e9;
    const MonitorRunSummary summary = summarize(load);
    m_generator.reset();
    m_flow.reset();
    m_active = false;
    Q_EMIT stateChanged(FlowState::Stopped);
    Q_EMIT runFinished(summary);
    m_finished.release();
}

void EngineSession::onFlowStateChanged(FlowState state) {
    if (state == FlowState::Stopped)
        return; // reported once the whole run has ended (summary first)
    Q_EMIT stateChanged(state);
    if (state == FlowState::Failed && m_flow)
        requestStop(StopMode::Graceful, tr("flow failed: %1").arg(m_flow->failureReason()));
}

void EngineSession::stop(StopMode mode) {
    if (!m_active)
        return;
    requestStop(mode, tr("stopped"));
}

void EngineSession::requestStop(StopMode mode, const QString& reason) {
    const bool escalate = mode == StopMode::Immediate && m_stopMode == StopMode::Graceful;
    if (m_stopRequested && !escalate)
        return;
    if (!m_stopRequested && m_endReason.isEmpty())
        m_endReason = reason;
    m_stopRequested = true;
    if (mode == StopMode::Immediate)
        m_stopMode = StopMode::Immediate;
    if (m_flow && m_flow->state() != FlowState::Starting)
        Q_EMIT stateChanged(FlowState::Stopping);
    if (m_generator)
        m_generator->closeIntake();
    // Tasks in flight end with NotRunning at once: the flow stops under the lanes.
    if (mode == StopMode::Immediate && m_flow && m_flow->state() == FlowState::Running)
        stopFlowNow(StopMode::Immediate);
    else if (escalate && m_flowStopping && m_flow)
        stopFlowNow(StopMode::Immediate);
    if (m_stopWaiter) {
        const std::coroutine_handle<> waiter = std::exchange(m_stopWaiter, nullptr);
        QTimer::singleShot(0, this, [waiter] { waiter.resume(); });
    }
}

QCoro::Task<void> EngineSession::stopFlowNow(StopMode mode) {
    Flow* flow = m_flow.get();
    co_await flow->stop(mode);
}

void EngineSession::killWorker(const QString& stepId, int workerIndex) {
    if (!m_flow || !m_flow->killWorker(stepId, workerIndex))
        Q_EMIT engineEvent(
            tr("no live worker %1 in step '%2' to kill").arg(workerIndex).arg(stepId));
    else
        Q_EMIT engineEvent(tr("killed worker %1 of step '%2' (SIGKILL, from the monitor)")
                               .arg(workerIndex)
                               .arg(stepId));
}

void EngineSession::restartWorker(const QString& stepId, int workerIndex) {
    // Supervision restarts a dead worker; a kill is the restart.
    if (!m_flow || !m_flow->killWorker(stepId, workerIndex))
        Q_EMIT engineEvent(
            tr("no live worker %1 in step '%2' to restart").arg(workerIndex).arg(stepId));
    else
        Q_EMIT engineEvent(tr("restarting worker %1 of step '%2' (from the monitor)")
                               .arg(workerIndex)
                               .arg(stepId));
}

MonitorRunSummary EngineSession::summarize(const LoadSettings& load) const {
    MonitorRunSummary summary;
    if (m_generator)
        static_cast<Driver::RunSummary&>(summary) = m_generator->summary();
    else
        summary.wallS = m_wallS; // never got to drive: the time it took to fail
    summary.pipelineName = m_flow ? m_flow->document().name : QString();
    summary.load = load.describe();
    summary.startedAt = m_startedAt;
    summary.endReason = m_endReason;
    summary.finalState =
        m_flow ? flowStateName(m_flow->state()) : flowStateName(FlowState::Stopped);
    if (MetricsSnapshotPtr last = m_flow ? m_flow->lastSnapshot() : nullptr) {
        for (const StepMetrics& step : last->steps) {
            MonitorRunSummary::Step entry;
            entry.stepId = step.stepId;
            entry.tasksOut = step.tasksOut;
            for (std::uint64_t errors : step.errorsByKind)
                entry.errors += errors;
            entry.handleP99Ms = step.handleTime.p99Us / 1000.0;
            entry.queueWaitP99Ms = step.queueWait.p99Us / 1000.0;
            for (const ProcessMetrics& process : last->processes) {
                if (process.worker.workerIndex >= 0 && process.worker.stepId == step.stepId)
                    entry.restarts += process.worker.restarts;
            }
            summary.steps.append(entry);
        }
    }
    return summary;
}

} // namespace Aqueduct::Ui
