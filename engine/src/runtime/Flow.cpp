#include "aqueduct/Flow.h"

#include "runtime/FlowRuntime.h"

#include <QMetaType>
#include <QScopeGuard>
#include <QTimer>

#include <deque>
#include <memory>
#include <utility>

namespace Aqueduct {

namespace {

/// The awaitable behind Flow::process: submits in await_ready (no allocation beyond the
/// caller's coroutine frame) and is resumed by the TaskDispatcher when the task ends.
class ProcessAwaiter {
public:
    ProcessAwaiter(Internal::TaskDispatcher& dispatcher, Task& task, std::int64_t timeoutNs)
        : m_dispatcher(dispatcher)
        , m_task(task)
        , m_timeoutNs(timeoutNs) {}

    bool await_ready() {
        m_record = m_dispatcher.submit(m_task, m_timeoutNs, m_immediateKind, m_immediateMessage);
        return m_record == Internal::TaskDispatcher::kNoRecord;
    }
    void await_suspend(std::coroutine_handle<> waiter) {
        m_dispatcher.attachWaiter(m_record, waiter);
    }
    TaskResult await_resume() {
        if (m_record != Internal::TaskDispatcher::kNoRecord)
            return m_dispatcher.takeResult(m_record);
        if (m_immediateKind == ErrorKind::None)
            return TaskResult(std::move(m_task));
        return TaskResult(m_immediateKind, std::move(m_immediateMessage), std::move(m_task));
    }

private:
    Internal::TaskDispatcher& m_dispatcher;
    Task& m_task; ///< process()'s parameter, in the coroutine frame
    std::int64_t m_timeoutNs;
    std::uint32_t m_record = Internal::TaskDispatcher::kNoRecord;
    ErrorKind m_immediateKind = ErrorKind::None;
    QString m_immediateMessage;
};

void registerMetaTypes() {
    static const bool registered = [] {
        qRegisterMetaType<Aqueduct::FlowState>("Aqueduct::FlowState");
        qRegisterMetaType<Aqueduct::WorkerInfo>("Aqueduct::WorkerInfo");
        qRegisterMetaType<Aqueduct::MetricsSnapshotPtr>("Aqueduct::MetricsSnapshotPtr");
        return true;
    }();
    (void)registered;
}

/// Snapshots between the flow's signal and a metricsSnapshots() consumer. The callbacks
/// share it, so a wake-up still queued when the consumer has stopped finds `closed` and does
/// nothing. (Not qCoroSignalListener: in QCoro 0.8 such calls reach the freed listener and
/// crash, qcoro/qcoro#167.)
struct SnapshotQueue {
    static constexpr std::size_t kMaxQueued = 1024; ///< a consumer this far behind loses the oldest

    std::deque<MetricsSnapshotPtr> items;
    std::coroutine_handle<> waiting;
    std::uint64_t wait = 0; ///< which wait a wake-up belongs to
    bool closed = false;

    static void wake(const std::shared_ptr<SnapshotQueue>& queue, std::uint64_t wait) {
        if (queue->closed || !queue->waiting || queue->wait != wait)
            return;
        std::exchange(queue->waiting, {}).resume();
    }
};

/// The next snapshot, resumed from the event loop (never inside the emitting code); false
/// when `idleTimeout` passed with none.
class NextSnapshot {
public:
    NextSnapshot(std::shared_ptr<SnapshotQueue> queue, std::chrono::milliseconds idleTimeout)
        : m_queue(std::move(queue))
        , m_idleTimeout(idleTimeout) {}

    bool await_ready() const noexcept { return !m_queue->items.empty(); }
    void await_suspend(std::coroutine_handle<> waiting) {
        m_queue->waiting = waiting;
        const std::uint64_t wait = ++m_queue->wait;
        if (m_idleTimeout.count() >= 0)
            QTimer::singleShot(m_idleTimeout,
                               [queue = m_queue, wait] { SnapshotQueue::wake(queue, wait); });
    }
    bool await_resume() const noexcept { return !m_queue->items.empty(); }

private:
    std::shared_ptr<SnapshotQueue> m_queue;
    std::chrono::milliseconds m_idleTimeout;
};

} // namespace

Flow::Flow(QObject* parent)
    : QObject(parent)
    , m_runtime(std::make_unique<Internal::FlowRuntime>(this)) {
    registerMetaTypes();
}

Flow::Flow(PipelineDocument document, QObject* parent)
    : Flow(parent) {
    m_runtime->document = std::move(document);
}

Flow::~Flow() = default;

void Flow::addStep(StepSpec step) {
    m_runtime->document.steps.append(std::move(step));
}

void Flow::addEdge(EdgeSpec edge) {
    m_runtime->document.edges.append(std::move(edge));
}

FlowSettings& Flow::settings() {
    return m_runtime->document.flow;
}

const PipelineDocument& Flow::document() const {
    return m_runtime->document;
}

void Flow::setDocument(PipelineDocument document) {
    m_runtime->document = std::move(document);
}

FlowState Flow::state() const {
    return m_runtime->state();
}

QString Flow::failureReason() const {
    return m_runtime->failureReason();
}

QCoro::Task<StartResult> Flow::start(std::chrono::milliseconds timeout) {
    return m_runtime->start(timeout);
}

QCoro::Task<void> Flow::stop(StopMode mode, std::chrono::milliseconds drainTimeout) {
    return m_runtime->stop(mode, drainTimeout);
}

QCoro::Task<TaskResult> Flow::process(Task task, std::chrono::milliseconds timeout) {
    const std::int64_t timeoutMs =
        timeout.count() > 0 ? timeout.count() : m_runtime->document.flow.defaultTimeoutMs;
    co_return co_await ProcessAwaiter(m_runtime->dispatcher(), task, timeoutMs * 1'000'000);
}

QCoro::Task<std::vector<TaskResult>> Flow::processMany(std::vector<Task> tasks,
                                                       std::chrono::milliseconds timeout) {
    // A bounded window of lanes, each awaiting the submission directly: no coroutine
    // frame, record or deadline per task beyond the ones in flight (a million tasks
    // cost a million of nothing up front). Enough lanes to keep every slot busy.
    const std::int64_t timeoutMs =
        timeout.count() > 0 ? timeout.count() : m_runtime->document.flow.defaultTimeoutMs;
    const std::int64_t timeoutNs = timeoutMs * 1'000'000;
    std::vector<TaskResult> results(tasks.size());
    std::size_t next = 0;
    Internal::FlowRuntime* runtime = m_runtime.get();
    auto lane = [&]() -> QCoro::Task<void> {
        while (next < tasks.size()) {
            const std::size_t index = next++;
            results[index] =
                co_await ProcessAwaiter(runtime->dispatcher(), tasks[index], timeoutNs);
        }
    };
    const std::size_t slots =
        std::max<std::size_t>(256, 2 * std::size_t(runtime->sharedMemoryUsage().slotsTotal));
    const std::size_t laneCount = std::min(tasks.size(), slots);
    std::vector<QCoro::Task<void>> lanes;
    lanes.reserve(laneCount);
    for (std::size_t i = 0; i < laneCount; ++i)
        lanes.push_back(lane());
    for (QCoro::Task<void>& running : lanes)
        co_await running;
    co_return results;
}

QList<WorkerInfo> Flow::workers() const {
    return m_runtime->workers();
}

bool Flow::killWorker(const QString& stepId, int workerIndex) {
    return m_runtime->killWorker(stepId, workerIndex);
}

MetricsSnapshotPtr Flow::lastSnapshot() const {
    return m_runtime->lastSnapshot();
}

std::uint64_t Flow::inFlight() const {
    return m_runtime->inFlight();
}

Flow::SharedMemoryUsage Flow::sharedMemoryUsage() const {
    return m_runtime ? m_runtime->sharedMemoryUsage() : SharedMemoryUsage{};
}

QCoro::AsyncGenerator<MetricsSnapshotPtr>
Flow::metricsSnapshots(std::chrono::milliseconds idleTimeout) {
    auto queue = std::make_shared<SnapshotQueue>();
    const QMetaObject::Connection connection = connect(
        this, &Flow::metricsSnapshot, this,
        [this, queue](const MetricsSnapshotPtr& snapshot) {
            if (queue->items.size() == SnapshotQueue::kMaxQueued)
                queue->items.pop_front();
            queue->items.push_back(snapshot);
            if (queue->waiting)
                QMetaObject::invokeMethod(
                    this, [queue, wait = queue->wait] { SnapshotQueue::wake(queue, wait); },
                    Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    const auto close = qScopeGuard([&] {
        QObject::disconnect(connection);
        queue->closed = true;
    });
    while (co_await NextSnapshot(queue, idleTimeout)) {
        MetricsSnapshotPtr next = std::move(queue->items.front());
        queue->items.pop_front();
        co_yield next;
    }
}

QString flowStateName(FlowState state) {
    switch (state) {
    case FlowState::Stopped:
        return QStringLiteral("stopped");
    case FlowState::Starting:
        return QStringLiteral("starting");
    case FlowState::Running:
        return QStringLiteral("running");
    case FlowState::Stopping:
        return QStringLiteral("stopping");
    case FlowState::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("unknown");
}

QString errorKindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::None:
        return QStringLiteral("ok");
    case ErrorKind::Timeout:
        return QStringLiteral("timeout");
    case ErrorKind::HandlerError:
        return QStringLiteral("handler_error");
    case ErrorKind::WorkerCrashed:
        return QStringLiteral("worker_crashed");
    case ErrorKind::NotRunning:
        return QStringLiteral("not_running");
    case ErrorKind::Rejected:
        return QStringLiteral("rejected");
    case ErrorKind::HandleTimeout:
        return QStringLiteral("handle_timeout");
    }
    return QStringLiteral("unknown");
}

QString workerStateName(WorkerState state) {
    switch (state) {
    case WorkerState::Starting:
        return QStringLiteral("starting");
    case WorkerState::Ready:
        return QStringLiteral("ready");
    case WorkerState::Busy:
        return QStringLiteral("busy");
    case WorkerState::Idle:
        return QStringLiteral("idle");
    case WorkerState::Restarting:
        return QStringLiteral("restarting");
    case WorkerState::Dead:
        return QStringLiteral("dead");
    case WorkerState::Stopped:
        return QStringLiteral("stopped");
    }
    return QStringLiteral("unknown");
}

} // namespace Aqueduct
