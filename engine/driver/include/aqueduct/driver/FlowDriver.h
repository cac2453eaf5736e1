#pragma once

#include <aqueduct/TaskResult.h>
#include <aqueduct/driver/LatencyHistogram.h>
#include <aqueduct/driver/RunSummary.h>
#include <aqueduct/driver/TaskSource.h>

#include <QObject>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <array>
#include <coroutine>
#include <cstdint>
#include <deque>

namespace Aqueduct {
class Flow;
}

namespace Aqueduct::Driver {

/// Limits and pacing of a driven run.
struct DriveSettings {
    int concurrency = 256;      ///< lanes = tasks in flight at most (1..65536)
    double ratePerS = 0;        ///< items taken per second; 0 = as fast as the flow takes them
    std::uint64_t maxItems = 0; ///< count limit on items taken; 0 = none
    double durationS = 0;       ///< stop taking after this long; 0 = no limit
    std::int64_t timeoutMs = 0; ///< per task unless the item says; 0 = the flow's default
};

/// Told of every outcome, on the driver's thread, in completion order.
class DriveSink {
public:
    virtual ~DriveSink() = default;
    /// A task came back (ok or failed); `startNs`/`endNs` are steady-clock times around
    /// Flow::process. The task in `result` may be taken (its storage is not reused then).
    virtual void taskFinished(const DriveItem& item, TaskResult& result, std::int64_t startNs,
                              std::int64_t endNs) = 0;
    /// An item that was not a task (never submitted).
    virtual void badInput(const DriveItem&) {}
    /// Whether item `sequence` may be taken now (e.g. a reorder window); when it says no,
    /// call FlowDriver::wake() once it would say yes.
    virtual bool mayTake(std::uint64_t /*sequence*/) { return true; }
};

/// The one loop that keeps tasks in flight against a Flow (`aqueduct run`, the monitor's
/// load, `aqueduct-bench`): `concurrency` lanes, each a coroutine that takes the next item
/// from the source and co_awaits Flow::process, over and over (no per-task scheduling
/// beyond the engine's own, which keeps the per-task cost close to the engine's). Intake
/// closes on the source running dry, the count or duration limit, or closeIntake(); run()
/// returns once every task taken has its outcome.
class FlowDriver final : public QObject {
    Q_OBJECT
public:
    struct Counters {
        std::uint64_t taken = 0;     ///< items taken (tasks and bad input)
        std::uint64_t submitted = 0; ///< tasks handed to the flow
        std::uint64_t completed = 0;
        std::array<std::uint64_t, kErrorKindCount> failedByKind{};
        std::uint64_t badInput = 0;
        std::uint64_t failed() const;
        std::uint64_t inFlight() const;
    };

    FlowDriver(Flow& flow, TaskSource& source, DriveSettings settings, QObject* parent = nullptr);
    ~FlowDriver() override;

    void setSink(DriveSink* sink) { m_sink = sink; }
    /// Drives to the end. Call once, with the flow running.
    QCoro::Task<void> run();
    /// Stops taking items (tasks in flight still finish). A HardStop or FlowFailed reason
    /// replaces an earlier one; any other closes only once. Safe to call any time.
    void closeIntake(StopReason reason);
    /// Lanes look for items again (after DriveSink::mayTake said no).
    void wake();

    bool intakeClosed() const { return m_intakeClosed; }
    StopReason stopReason() const { return m_stopReason; }
    const Counters& counters() const { return m_counters; }
    const LatencyHistogram& latency() const { return m_latency; }
    const DriveSettings& settings() const { return m_settings; }
    /// Since run() started taking items (0 before); frozen once run() returned.
    double elapsedS() const;
    /// Counts, latency quantiles, wall time and stopped_by (no exit code or errors).
    RunSummary summary() const;

Q_SIGNALS:
    /// Intake closed (once); lanes are still finishing their tasks.
    void intakeClosedWith(Aqueduct::Driver::StopReason reason);

private:
    class NextItem;

    QCoro::Task<void> lane();
    bool itemReady();
    bool tryTake(DriveItem& item);
    void onSourceAvailable();
    void scheduleWake();
    void wakeWaiters();
    void armRateTimer();
    std::int64_t dueNs(std::uint64_t index) const;
    /// The duration is up, by the clock a lane just read after its task (no clock read per
    /// take; the duration timer covers lanes that wait).
    bool pastDeadline() const { return m_deadlineNs > 0 && m_lastEndNs >= m_deadlineNs; }

    Flow& m_flow;
    TaskSource& m_source;
    DriveSettings m_settings;
    DriveSink* m_sink = nullptr;
    QTimer m_rateTimer;
    QTimer m_durationTimer;
    std::int64_t m_startNs = 0;
    std::int64_t m_deadlineNs = 0; ///< 0 = no duration limit
    std::int64_t m_wallNs = -1;    ///< set when run() returns
    std::int64_t m_lastEndNs = 0;  ///< when the last task came back

    std::deque<std::coroutine_handle<>> m_waiters; ///< lanes waiting for an item
    bool m_waking = false;
    bool m_wakeScheduled = false;
    bool m_intakeClosed = false;
    StopReason m_stopReason = StopReason::None;
    Counters m_counters;
    LatencyHistogram m_latency;
};

} // namespace Aqueduct::Driver
