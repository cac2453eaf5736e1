#include "monitor/EngineController.h"

#include "monitor/EngineSession.h"

#include <QMetaObject>

namespace Aqueduct::Ui {

namespace {

void registerTypes() {
    qRegisterMetaType<Aqueduct::FlowState>("Aqueduct::FlowState");
    qRegisterMetaType<Aqueduct::MetricsSnapshotPtr>("Aqueduct::MetricsSnapshotPtr");
    qRegisterMetaType<Aqueduct::WorkerInfo>("Aqueduct::WorkerInfo");
    qRegisterMetaType<Aqueduct::Ui::MonitorRunSummary>("Aqueduct::Ui::MonitorRunSummary");
}

constexpr int kShutdownWaitMs = 10000;

} // namespace

EngineController::EngineController(QObject* parent)
    : QObject(parent)
    , m_mailbox(std::make_shared<SnapshotMailbox>())
    , m_session(new EngineSession(m_mailbox)) {
    registerTypes();
    m_thread.setObjectName(QStringLiteral("aqueduct-engine"));
    m_session->moveToThread(&m_thread);
    // Session -> GUI: queued (different threads).
    connect(m_session, &EngineSession::snapshotReady, this, &EngineController::onSnapshotReady);
    connect(m_session, &EngineSession::stateChanged, this, &EngineController::onSessionState);
    connect(m_session, &EngineSession::engineEvent, this, &EngineController::engineEvent);
    connect(m_session, &EngineSession::workerStateChanged, this,
            &EngineController::workerStateChanged);
    connect(m_session, &EngineSession::startFailed, this, &EngineController::startFailed);
    connect(m_session, &EngineSession::runFinished, this, [this](const MonitorRunSummary& summary) {
        deliverPending(); // the final snapshot before "stopped"
        m_active = false;
        m_stopAsked = false;
        setState(FlowState::Stopped);
        Q_EMIT runFinished(summary);
    });
    m_deliveryTimer.setSingleShot(true);
    connect(&m_deliveryTimer, &QTimer::timeout, this, &EngineController::deliverPending);
    m_thread.start();
}

EngineController::~EngineController() {
    if (m_active) {
        EngineSession* session = m_session;
        QMetaObject::invokeMethod(
            session, [session] { session->stop(StopMode::Immediate); }, Qt::QueuedConnection);
        // The engine thread runs on its own; waiting here (shutdown only) cannot deadlock.
        m_session->finishedSemaphore().tryAcquire(1, kShutdownWaitMs);
    }
    // Delete the session (and any Flow) in its own thread, then end the thread.
    EngineSession* session = m_session;
    QMetaObject::invokeMethod(
        session, [session] { delete session; }, Qt::BlockingQueuedConnection);
    m_session = nullptr;
    m_thread.quit();
    m_thread.wait();
}

void EngineController::start(const PipelineDocument& document, const LoadSettings& load) {
    if (m_active)
        return;
    m_active = true;
    m_stopAsked = false;
    // The previous run's "finished" token (its runFinished reached us, so it was released):
    // the destructor must wait for this run, not find that one.
    QSemaphore& finished = m_session->finishedSemaphore();
    finished.tryAcquire(finished.available());
    m_lastSnapshot.reset();
    m_pendingSnapshot.reset();
    m_mailbox->take(); // a stale snapshot of the previous run
    m_sinceDelivery.invalidate();
    setState(FlowState::Starting);
    EngineSession* session = m_session;
    QMetaObject::invokeMethod(
        session, [session, document, load] { session->start(document, load); },
        Qt::QueuedConnection);
}

void EngineController::stop(StopMode mode) {
    if (!m_active)
        return;
    // A second Stop while stopping means "now".
    if (m_stopAsked)
        mode = StopMode::Immediate;
    m_stopAsked = true;
    if (m_state == FlowState::Running || m_state == FlowState::Failed)
        setState(FlowState::Stopping);
    EngineSession* session = m_session;
    QMetaObject::invokeMethod(
        session, [session, mode] { session->stop(mode); }, Qt::QueuedConnection);
}

void EngineController::killWorker(const QString& stepId, int workerIndex) {
    EngineSession* session = m_session;
    QMetaObject::invokeMethod(
        session, [session, stepId, workerIndex] { session->killWorker(stepId, workerIndex); },
        Qt::QueuedConnection);
}

void EngineController::restartWorker(const QString& stepId, int workerIndex) {
    EngineSession* session = m_session;
    QMetaObject::invokeMethod(
        session, [session, stepId, workerIndex] { session->restartWorker(stepId, workerIndex); },
        Qt::QueuedConnection);
}

void EngineController::onSnapshotReady() {
    MetricsSnapshotPtr snapshot = m_mailbox->take();
    if (!snapshot || !m_active)
        return;
    ++m_snapshotsReceived;
    m_pendingSnapshot = std::move(snapshot); // replaces one still waiting for its turn
    const qint64 sinceMs = m_sinceDelivery.isValid() ? m_sinceDelivery.elapsed() : qint64(1) << 40;
    if (sinceMs >= m_snapshotIntervalMs) {
        deliverPending();
    } else if (!m_deliveryTimer.isActive()) {
        m_deliveryTimer.start(int(m_snapshotIntervalMs - sinceMs));
    }
}

void EngineController::deliverPending() {
    m_deliveryTimer.stop();
    if (!m_pendingSnapshot)
        return;
    m_lastSnapshot = std::exchange(m_pendingSnapshot, nullptr);
    m_sinceDelivery.start();
    ++m_snapshotsDelivered;
    Q_EMIT snapshot(m_lastSnapshot);
}

void EngineController::onSessionState(FlowState state) {
    if (!m_active)
        return;
    if (state == FlowState::Stopped) {
        // The run ended (runFinished follows and sets the state).
        return;
    }
    // Keep showing "stopping" once asked, even if the flow reports running a moment later.
    if (m_stopAsked && state == FlowState::Running)
        state = FlowState::Stopping;
    setState(state);
}

void EngineController::setState(FlowState state) {
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace Aqueduct::Ui
