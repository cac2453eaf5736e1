#pragma once

#include "monitor/LoadSettings.h"
#include "monitor/MonitorRunSummary.h"

#include <aqueduct/Flow.h>
#include <aqueduct/MetricsSnapshot.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QMutex>
#include <QObject>
#include <QSemaphore>

#include <qcoro/qcorotask.h>

#include <coroutine>
#include <memory>

namespace Aqueduct::Ui {

class LoadGenerator;

/// Latest-wins hand-over of snapshots from the engine thread to the GUI thread: the
/// engine overwrites, the GUI takes; at most one wake-up is queued at a time, so a busy
/// GUI thread never builds up a backlog of stale snapshots.
class SnapshotMailbox {
public:
    /// Stores the snapshot; true when the reader must be woken (nothing queued yet).
    bool put(MetricsSnapshotPtr snapshot);
    /// Takes the latest snapshot (null when none arrived since the last take).
    MetricsSnapshotPtr take();

private:
    QMutex m_mutex;
    MetricsSnapshotPtr m_latest;
    bool m_wakePending = false;
};

/// One run at a time, living in the engine thread: owns the Flow and the LoadGenerator,
/// starts, feeds and stops them, and reports through queued signals. Only
/// EngineController talks to it (through queued calls).
class EngineSession final : public QObject {
    Q_OBJECT
public:
    EngineSession(std::shared_ptr<SnapshotMailbox> mailbox, QObject* parent = nullptr);
    ~EngineSession() override;

    /// Released once per finished run (start failure included): lets the controller's
    /// destructor wait for a clean stop without an event loop.
    QSemaphore& finishedSemaphore() { return m_finished; }

public Q_SLOTS:
    void start(const Aqueduct::PipelineDocument& document, const Aqueduct::Ui::LoadSettings& load);
    void stop(Aqueduct::StopMode mode);
    void killWorker(const QString& stepId, int workerIndex);
    void restartWorker(const QString& stepId, int workerIndex);

Q_SIGNALS:
    void stateChanged(Aqueduct::FlowState state);
    void snapshotReady();
    void engineEvent(const QString& message);
    void workerStateChanged(const Aqueduct::WorkerInfo& worker);
    void startFailed(const QString& stepId, const QString& message);
    void runFinished(const Aqueduct::Ui::MonitorRunSummary& summary);

private:
    class StopRequested;
    QCoro::Task<void> run(LoadSettings load);
    QCoro::Task<void> stopFlowNow(StopMode mode);
    void onFlowStateChanged(FlowState state);
    void requestStop(StopMode mode, const QString& reason);
    MonitorRunSummary summarize(const LoadSettings& load) const;

    std::shared_ptr<SnapshotMailbox> m_mailbox;
    std::unique_ptr<Flow> m_flow;
    std::unique_ptr<LoadGenerator> m_generator;
    bool m_active = false;
    bool m_stopRequested = false;
    bool m_flowStopping = false;
    StopMode m_stopMode = StopMode::Graceful;
    QString m_endReason;
    QDateTime m_startedAt;
    QElapsedTimer m_wall;
    double m_wallS = 0;
    std::coroutine_handle<> m_stopWaiter;
    QSemaphore m_finished;
};

} // namespace Aqueduct::Ui
