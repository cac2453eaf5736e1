#include <aqueduct/driver/FlowDriver.h>

#include <aqueduct/Flow.h>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace Aqueduct::Driver {

namespace {

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

QString stopReasonName(StopReason reason) {
    switch (reason) {
    case StopReason::None:
    case StopReason::EndOfInput:
        return QStringLiteral("end_of_input");
    case StopReason::Count:
        return QStringLiteral("count");
    case StopReason::Duration:
        return QStringLiteral("duration");
    case StopReason::Signal:
        return QStringLiteral("signal");
    case StopReason::HardStop:
        return QStringLiteral("hard_stop");
    case StopReason::FlowFailed:
        return QStringLiteral("flow_failed");
    case StopReason::OutputError:
        return QStringLiteral("output_error");
    case StopReason::ReadError:
        return QStringLiteral("read_error");
    case StopReason::Stopped:
        return QStringLiteral("stopped");
    }
    return QStringLiteral("unknown");
}

std::uint64_t FlowDriver::Counters::failed() const {
    return std::accumulate(failedByKind.cbegin(), failedByKind.cend(), std::uint64_t(0));
}

std::uint64_t FlowDriver::Counters::inFlight() const {
    return submitted - completed - failed();
}

/// co_await NextItem: the lane's next item, or false once the intake is closed.
class FlowDriver::NextItem {
public:
    NextItem(FlowDriver* driver, DriveItem* item)
        : m_driver(driver)
        , m_item(item) {}
    bool await_ready() {
        m_got = m_driver->tryTake(*m_item);
        return m_got || m_driver->m_intakeClosed;
    }
    void await_suspend(std::coroutine_handle<> waiter) { m_driver->m_waiters.push_back(waiter); }
    bool await_resume() {
        if (!m_got)
            m_got = m_driver->tryTake(*m_item);
        return m_got;
    }

private:
    FlowDriver* m_driver;
    DriveItem* m_item;
    bool m_got = false;
};

FlowDriver::FlowDriver(Flow& flow, TaskSource& source, DriveSettings settings, QObject* parent)
    : QObject(parent)
    , m_flow(flow)
    , m_source(source)
    , m_settings(settings) {
    m_settings.concurrency = std::clamp(m_settings.concurrency, 1, 65536);
    m_rateTimer.setSingleShot(true);
    m_rateTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_rateTimer, &QTimer::timeout, this, &FlowDriver::wakeWaiters);
    m_durationTimer.setSingleShot(true);
    m_durationTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_durationTimer, &QTimer::timeout, this,
            [this] { closeIntake(StopReason::Duration); });
}

FlowDriver::~FlowDriver() {
    m_source.setAvailableCallback({});
}

double FlowDriver::elapsedS() const {
    if (m_startNs == 0)
        return 0;
    return double(m_wallNs >= 0 ? m_wallNs : nowNs() - m_startNs) / 1e9;
}

QCoro::Task<void> FlowDriver::run() {
    m_startNs = nowNs();
    if (m_settings.durationS > 0) {
        m_deadlineNs = m_startNs + std::int64_t(m_settings.durationS * 1e9);
        m_durationTimer.start(std::chrono::milliseconds(qint64(m_settings.durationS * 1000)));
    }
    m_source.setAvailableCallback([this] { onSourceAvailable(); });
    if (!m_intakeClosed)
        m_source.start();

    std::vector<QCoro::Task<void>> lanes;
    lanes.reserve(std::size_t(m_settings.concurrency));
    for (int i = 0; i < m_settings.concurrency; ++i)
        lanes.push_back(lane());
    for (QCoro::Task<void>& running : lanes)
        co_await running;

    m_wallNs = nowNs() - m_startNs;
    m_rateTimer.stop();
    m_durationTimer.stop();
    m_source.stop();
}

QCoro::Task<void> FlowDriver::lane() {
    DriveItem item;
    for (;;) {
        if (!co_await NextItem(this, &item))
            co_return;
        if (!item.error.isEmpty()) {
            ++m_counters.badInput;
            if (m_sink)
                m_sink->badInput(item);
            continue;
        }
        const std::int64_t startNs = nowNs();
        TaskResult result = co_await m_flow.process(std::move(item.task),
                                                    std::chrono::milliseconds(item.timeoutMs));
        const std::int64_t endNs = nowNs();
        m_lastEndNs = endNs;
        if (result.ok())
            ++m_counters.completed;
        else
            ++m_counters.failedByKind[std::size_t(result.error())];
        m_latency.record(endNs - startNs);
        if (m_sink)
            m_sink->taskFinished(item, result, startNs, endNs);
        item.task = result.takeTask(); // its storage serves the next generated task
    }
}

// ---------------------------------------------------------------------------------------
// Intake

std::int64_t FlowDriver::dueNs(std::uint64_t index) const {
    return m_startNs + std::int64_t(double(index) * 1e9 / m_settings.ratePerS);
}

bool FlowDriver::itemReady() {
    if (m_intakeClosed)
        return false;
    if (m_settings.maxItems > 0 && m_counters.taken >= m_settings.maxItems)
        return false;
    if (pastDeadline())
        return false;
    if (m_sink && !m_sink->mayTake(m_counters.taken))
        return false;
    if (!m_source.ready())
        return false;
    if (m_settings.ratePerS > 0 && nowNs() < dueNs(m_counters.taken)) {
        armRateTimer();
        return false;
    }
    return true;
}

void FlowDriver::armRateTimer() {
    if (m_rateTimer.isActive())
        return;
    const std::int64_t waitNs = std::max<std::int64_t>(0, dueNs(m_counters.taken) - nowNs());
    m_rateTimer.start(int((waitNs + 999'999) / 1'000'000));
}

bool FlowDriver::tryTake(DriveItem& item) {
    if (!itemReady()) {
        if (m_intakeClosed)
            return false;
        if (m_settings.maxItems > 0 && m_counters.taken >= m_settings.maxItems)
            closeIntake(StopReason::Count);
        else if (pastDeadline())
            closeIntake(StopReason::Duration);
        else if (m_source.exhausted())
            closeIntake(m_source.exhaustedReason());
        return false;
    }
    item.timeoutMs = 0;
    m_source.take(item);
    if (item.timeoutMs <= 0)
        item.timeoutMs = m_settings.timeoutMs;
    item.sequence = m_counters.taken++;
    if (item.error.isEmpty())
        ++m_counters.submitted;
    return true;
}

void FlowDriver::closeIntake(StopReason reason) {
    if (m_intakeClosed) {
        if (reason == StopReason::HardStop || reason == StopReason::FlowFailed)
            m_stopReason = reason;
        return;
    }
    m_intakeClosed = true;
    m_stopReason = reason;
    m_rateTimer.stop();
    m_durationTimer.stop();
    m_source.stop();
    Q_EMIT intakeClosedWith(reason);
    // Release the waiting lanes from the event loop, not from whatever call stack closed
    // the intake (it may be a lane in the middle of taking an item).
    scheduleWake();
}

void FlowDriver::wake() {
    wakeWaiters();
}

void FlowDriver::onSourceAvailable() {
    if (!m_intakeClosed && !m_source.ready() && m_source.exhausted()) {
        closeIntake(m_source.exhaustedReason());
        return;
    }
    wakeWaiters();
}

void FlowDriver::scheduleWake() {
    if (m_wakeScheduled)
        return;
    m_wakeScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_wakeScheduled = false;
            wakeWaiters();
        },
        Qt::QueuedConnection);
}

void FlowDriver::wakeWaiters() {
    if (m_waking)
        return;
    m_waking = true;
    while (!m_waiters.empty() && (m_intakeClosed || itemReady())) {
        const std::coroutine_handle<> waiter = m_waiters.front();
        m_waiters.pop_front();
        waiter.resume();
    }
    m_waking = false;
}

// ---------------------------------------------------------------------------------------
// Reporting

RunSummary FlowDriver::summary() const {
    RunSummary summary;
    summary.submitted = m_counters.submitted;
    summary.completed = m_counters.completed;
    summary.failedByKind = m_counters.failedByKind;
    summary.badInputLines = m_counters.badInput;
    summary.wallS = elapsedS();
    summary.latencyP50Ms = m_latency.quantileMs(0.50);
    summary.latencyP95Ms = m_latency.quantileMs(0.95);
    summary.latencyP99Ms = m_latency.quantileMs(0.99);
    summary.stoppedBy = stopReasonName(m_stopReason);
    return summary;
}

} // namespace Aqueduct::Driver
