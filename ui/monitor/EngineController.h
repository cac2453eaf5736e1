#pragma once

#include "monitor/LoadSettings.h"
#include "monitor/MonitorRunSummary.h"

#include <aqueduct/Flow.h>
#include <aqueduct/MetricsSnapshot.h>
#include <aqueduct/PipelineDocument.h>

#include <QElapsedTimer>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>

namespace Aqueduct::Ui {

class EngineSession;
class SnapshotMailbox;

/// The one gate between the GUI and the engine (RenderDoc's replay manager, obs' frontend
/// signals): a QThread in which the Flow and its load generator live. Calls go in as
/// queued invocations, results come back as queued signals, so the GUI thread never waits
/// on the engine. Snapshots are coalesced: the newest wins, at most one per
/// snapshotIntervalMs reaches the GUI.
class EngineController final : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    /// Stops a run still in progress (immediately) and joins the engine thread: nothing
    /// is left running when this returns.
    ~EngineController() override;

    /// Stopped (idle), Starting, Running, Stopping or Failed (until the run has ended).
    FlowState state() const { return m_state; }
    /// From start() until runFinished.
    bool isActive() const { return m_active; }
    /// The newest snapshot delivered to the GUI (null before the first of a run).
    MetricsSnapshotPtr lastSnapshot() const { return m_lastSnapshot; }

    /// Minimum time between two snapshot() signals (default 100 ms: at most 10 per second).
    void setSnapshotIntervalMs(int intervalMs) { m_snapshotIntervalMs = qMax(0, intervalMs); }
    int snapshotIntervalMs() const { return m_snapshotIntervalMs; }
    /// Snapshots that reached the GUI thread, and how many of those were passed on (the
    /// rest were replaced by a newer one before their turn).
    quint64 snapshotsReceived() const { return m_snapshotsReceived; }
    quint64 snapshotsDelivered() const { return m_snapshotsDelivered; }

public Q_SLOTS:
    /// Starts a run of `document` fed by `load`. Ignored while a run is active.
    void start(const Aqueduct::PipelineDocument& document, const Aqueduct::Ui::LoadSettings& load);
    /// Graceful: stop feeding, let tasks in flight finish, then stop the workers. Asking
    /// again (or Immediate) fails what is in flight at once.
    void stop(Aqueduct::StopMode mode = Aqueduct::StopMode::Graceful);
    /// SIGKILLs one worker (supervision restarts it, per the restart policy).
    void killWorker(const QString& stepId, int workerIndex);
    /// Restarts one worker: it is killed and supervision starts a fresh one.
    void restartWorker(const QString& stepId, int workerIndex);

Q_SIGNALS:
    void stateChanged(Aqueduct::FlowState state);
    void snapshot(Aqueduct::MetricsSnapshotPtr snapshot);
    void engineEvent(const QString& message);
    void workerStateChanged(const Aqueduct::WorkerInfo& worker);
    /// The flow could not start: `stepId` is the step to blame (may be empty).
    void startFailed(const QString& stepId, const QString& message);
    /// The run is over (stopped, load finished, failed, or could not start).
    void runFinished(const Aqueduct::Ui::MonitorRunSummary& summary);

private:
    void onSnapshotReady();
    void deliverPending();
    void onSessionState(FlowState state);
    void setState(FlowState state);

    QThread m_thread;
    std::shared_ptr<SnapshotMailbox> m_mailbox;
    EngineSession* m_session;
    FlowState m_state = FlowState::Stopped;
    bool m_active = false;
    bool m_stopAsked = false;
    MetricsSnapshotPtr m_lastSnapshot;
    MetricsSnapshotPtr m_pendingSnapshot;
    QTimer m_deliveryTimer;
    QElapsedTimer m_sinceDelivery;
    int m_snapshotIntervalMs = 100;
    quint64 m_snapshotsReceived = 0;
    quint64 m_snapshotsDelivered = 0;
};

} // namespace Aqueduct::Ui
