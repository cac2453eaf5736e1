#include "RunSession.h"

#include "Commands.h"
#include "ExporterSetup.h"
#include "SignalWatcher.h"
#include "TaskJson.h"

#include <QFile>

#include <qcoro/qcorotimer.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <numeric>

namespace Aqueduct::App {

namespace {

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

const char* signalName(int signalNumber) {
    const char* name = sigabbrev_np(signalNumber);
    return name ? name : "signal";
}

} // namespace

/// co_await NextItem: the lane's next item, or false once the intake is closed.
class RunSession::NextItem {
public:
    NextItem(RunSession* session, Item* item)
        : m_session(session)
        , m_item(item) {}
    bool await_ready() {
        m_got = m_session->tryTake(*m_item);
        return m_got || m_session->m_intakeClosed;
    }
    void await_suspend(std::coroutine_handle<> waiter) { m_session->m_waiters.push_back(waiter); }
    bool await_resume() {
        if (!m_got)
            m_got = m_session->tryTake(*m_item);
        return m_got;
    }

private:
    RunSession* m_session;
    Item* m_item;
    bool m_got = false;
};

RunSession::RunSession(RunOptions options, PipelineDocument document, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options)) {
    if (m_options.metricsPort >= 0)
        document.flow.metrics.enabled = true;
    m_flow = std::make_unique<Flow>(std::move(document));
    connect(m_flow.get(), &Flow::stateChanged, this, &RunSession::onFlowStateChanged);
    connect(m_flow.get(), &Flow::engineEvent, this, [this](const QString& event) {
        if (!m_options.quiet && m_progress)
            m_progress->message(QStringLiteral("aqueduct run: %1").arg(event));
    });

    m_rateTimer.setSingleShot(true);
    m_rateTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_rateTimer, &QTimer::timeout, this, &RunSession::wakeWaiters);
    m_durationTimer.setSingleShot(true);
    m_durationTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_durationTimer, &QTimer::timeout, this,
            [this] { closeIntake(StopReason::Duration); });
    m_flushTimer.setInterval(1000);
    // Readers of the output (tail -f, a pipe) see progress at least once a second.
    connect(&m_flushTimer, &QTimer::timeout, this, [this] { m_writer.flush(); });

    if (m_options.ordered) {
        m_window = std::uint64_t(m_options.effectiveReorderWindow());
        m_pending.resize(m_window);
        m_pendingReady.assign(m_window, 0);
    }
    if (m_options.payloadBytes > 0) {
        m_payload.resize(std::size_t(m_options.payloadBytes));
        for (std::size_t i = 0; i < m_payload.size(); ++i)
            m_payload[i] = char(i * 131 + 7);
    }
    m_progress = std::make_unique<ProgressReporter>([this] { return progressCounters(); },
                                                    ProgressReporter::defaultMode(m_options.quiet));
}

RunSession::~RunSession() = default;

QString RunSession::stopReasonName(StopReason reason) {
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
    }
    return QStringLiteral("unknown");
}

// ---------------------------------------------------------------------------------------
// The run

QCoro::Task<int> RunSession::run() {
    QString error;
    if (!m_writer.open(m_options.outputPath, &error)) {
        std::fprintf(stderr, "aqueduct run: %s\n", qPrintable(error));
        co_return ExitInvalidInput;
    }
    if (!m_options.generate) {
        m_reader = std::make_unique<RunInputReader>();
        if (!m_reader->open(m_options.inputPath, &error)) {
            std::fprintf(stderr, "aqueduct run: %s\n", qPrintable(error));
            co_return ExitInvalidInput;
        }
        connect(m_reader.get(), &RunInputReader::itemsAvailable, this, &RunSession::onReaderItems);
    }

    // Exporters asked for on the command line must work; those in the pipeline only warn.
    QStringList exporterLines;
    QStringList exporterErrors;
    startExporters(*m_flow, m_flow->document().flow.metrics, m_options.metricsPort,
                   m_options.metricsHost, this, &exporterLines, &exporterErrors);
    for (const QString& line : exporterErrors)
        std::fprintf(stderr, "aqueduct run: metrics: %s\n", qPrintable(line));
    if (m_options.metricsPort >= 0 && !exporterErrors.isEmpty())
        co_return ExitInvalidInput;
    for (const QString& line : exporterLines)
        std::fprintf(stderr, "aqueduct run: metrics: %s\n", qPrintable(line));

    m_signals = std::make_unique<SignalWatcher>();
    if (!m_signals->watch({SIGINT, SIGTERM}, &error))
        std::fprintf(stderr, "aqueduct run: %s\n", qPrintable(error));
    connect(m_signals.get(), &SignalWatcher::signalReceived, this, &RunSession::onSignal);

    const StartResult started = co_await m_flow->start();
    if (!started.ok) {
        std::fprintf(stderr, "aqueduct run: the flow could not start: %s\n",
                     qPrintable(started.error));
        co_return ExitFlowFailed;
    }
    if (m_hardStop) // asked twice while starting
        closeIntake(StopReason::HardStop);

    if (m_reader)
        m_reader->start();
    if (m_options.durationS > 0)
        m_durationTimer.start(std::chrono::milliseconds(qint64(m_options.durationS * 1000)));
    m_flushTimer.start();
    m_progress->start();
    m_runClock.start();
    m_rateStartNs = nowNs();
    const std::int64_t runStartNs = m_rateStartNs;

    std::vector<QCoro::Task<void>> lanes;
    lanes.reserve(std::size_t(m_options.concurrency));
    for (int i = 0; i < m_options.concurrency; ++i)
        lanes.push_back(lane());
    for (QCoro::Task<void>& running : lanes)
        co_await running;
    m_wallNs = nowNs() - runStartNs;

    m_progress->finish();
    m_flushTimer.stop();
    m_rateTimer.stop();
    m_durationTimer.stop();
    if (m_reader)
        m_reader->stop();
    // Leave the engine's call stack (the last lane was resumed from it) before stopping.
    co_await QCoro::sleepFor(std::chrono::milliseconds(0));
    co_await m_flow->stop(m_hardStop ? StopMode::Immediate : StopMode::Graceful);
    m_writer.close();
    if (m_writer.failed() && !m_outputErrorReported) {
        std::fprintf(stderr, "aqueduct run: cannot write results: %s\n",
                     qPrintable(m_writer.error()));
        m_outputErrorReported = true;
    }
    if (m_reader && !m_reader->readError().isEmpty())
        std::fprintf(stderr, "aqueduct run: reading input failed: %s\n",
                     qPrintable(m_reader->readError()));

    const RunSummary summary = summarize();
    const QByteArray json = summary.toJson();
    std::fprintf(stderr, "%s\n", json.constData());
    std::fflush(stderr);
    if (!m_options.summaryPath.isEmpty()) {
        QFile file(m_options.summaryPath);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(json + '\n') != json.size() + 1)
            std::fprintf(stderr, "aqueduct run: cannot write the summary to %s: %s\n",
                         qPrintable(m_options.summaryPath), qPrintable(file.errorString()));
    }
    co_return summary.exitCode;
}

QCoro::Task<void> RunSession::lane() {
    Item item;
    for (;;) {
        if (!co_await NextItem(this, &item))
            co_return;
        if (!item.error.isEmpty()) {
            recordBadInput(item);
            continue;
        }
        const std::int64_t startNs = nowNs();
        TaskResult result = co_await m_flow->process(std::move(item.task),
                                                     std::chrono::milliseconds(item.timeoutMs));
        recordResult(item, result, nowNs() - startNs);
        item.task = result.takeTask(); // its storage serves the next generated task
    }
}

// ---------------------------------------------------------------------------------------
// Intake

std::int64_t RunSession::dueNs(std::uint64_t index) const {
    return m_rateStartNs + std::int64_t(double(index) * 1e9 / m_options.ratePerS);
}

bool RunSession::sourceExhausted() const {
    if (m_reader)
        return m_reader->finished();
    return m_options.generateCount > 0 && m_generated >= m_options.generateCount;
}

bool RunSession::itemReady() {
    if (m_intakeClosed)
        return false;
    if (m_options.ordered && m_nextSequence >= m_nextWrite + m_window)
        return false; // the reorder window is full: wait for the oldest task
    if (m_reader)
        return m_reader->hasItem();
    if (sourceExhausted())
        return false;
    if (m_options.ratePerS > 0 && nowNs() < dueNs(m_generated)) {
        armRateTimer();
        return false;
    }
    return true;
}

void RunSession::armRateTimer() {
    if (m_rateTimer.isActive())
        return;
    const std::int64_t waitNs = std::max<std::int64_t>(0, dueNs(m_generated) - nowNs());
    m_rateTimer.start(int((waitNs + 999'999) / 1'000'000));
}

bool RunSession::tryTake(Item& item) {
    if (!itemReady()) {
        if (!m_intakeClosed && sourceExhausted()) {
            const bool readFailed = m_reader && !m_reader->readError().isEmpty();
            closeIntake(m_reader ? (readFailed ? StopReason::ReadError : StopReason::EndOfInput)
                                 : StopReason::Count);
        }
        return false;
    }
    item.error.clear();
    item.timeoutMs = m_options.timeoutMs;
    if (m_reader) {
        RunInputReader::Item read;
        if (!m_reader->take(read))
            return false;
        item.line = read.line;
        if (!read.error.isEmpty()) {
            item.error = std::move(read.error);
            item.task.reset();
        } else {
            item.task = std::move(read.parsed.task);
            if (read.parsed.timeoutMs > 0)
                item.timeoutMs = read.parsed.timeoutMs;
        }
    } else {
        item.line = 0;
        item.task.reset(); // keeps the field storage of the previous task
        item.task.appendField("value").setInt(std::int64_t(m_generated));
        if (!m_payload.empty())
            item.task.appendField("payload").setBytes(m_payload);
        ++m_generated;
    }
    item.sequence = m_nextSequence++;
    ++m_submitted;
    return true;
}

void RunSession::closeIntake(StopReason reason) {
    if (m_intakeClosed) {
        if (reason == StopReason::HardStop || reason == StopReason::FlowFailed)
            m_stopReason = reason;
        return;
    }
    m_intakeClosed = true;
    m_stopReason = reason;
    m_rateTimer.stop();
    if (m_reader)
        m_reader->stop();
    // Release the waiting lanes from the event loop, not from whatever call stack closed
    // the intake (it may be a lane in the middle of taking an item).
    scheduleWake();
}

void RunSession::scheduleWake() {
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

void RunSession::wakeWaiters() {
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

void RunSession::onReaderItems() {
    if (!m_intakeClosed && !m_reader->hasItem() && m_reader->finished()) {
        const bool readFailed = !m_reader->readError().isEmpty();
        closeIntake(readFailed ? StopReason::ReadError : StopReason::EndOfInput);
        return;
    }
    wakeWaiters();
}

// ---------------------------------------------------------------------------------------
// Results

std::string& RunSession::recordBuffer(std::uint64_t sequence) {
    if (!m_options.ordered)
        return m_writer.buffer();
    std::string& slot = m_pending[sequence % m_window];
    slot.clear();
    return slot;
}

void RunSession::commitRecord(std::uint64_t sequence) {
    if (m_options.ordered) {
        m_pendingReady[sequence % m_window] = 1;
        const bool windowWasFull = m_nextSequence >= m_nextWrite + m_window;
        while (m_pendingReady[m_nextWrite % m_window]) {
            const std::size_t index = m_nextWrite % m_window;
            m_writer.buffer().append(m_pending[index]);
            m_pendingReady[index] = 0;
            m_writer.commit();
            ++m_nextWrite;
        }
        if (windowWasFull && m_nextSequence < m_nextWrite + m_window)
            wakeWaiters();
    } else {
        m_writer.commit();
    }
    if (m_writer.failed() && !m_outputErrorReported) {
        m_outputErrorReported = true;
        m_progress->message(QStringLiteral("aqueduct run: cannot write results: %1; stopping")
                                .arg(m_writer.error()));
        closeIntake(StopReason::OutputError);
    }
}

void RunSession::recordResult(const Item& item, const TaskResult& result, std::int64_t latencyNs) {
    if (result.ok())
        ++m_completed;
    else
        ++m_failedByKind[std::size_t(result.error())];
    m_latency.record(latencyNs);
    TaskJson::appendResultRecord(recordBuffer(item.sequence), result, latencyNs, item.line);
    commitRecord(item.sequence);
}

void RunSession::recordBadInput(const Item& item) {
    ++m_badInput;
    TaskJson::appendBadInputRecord(recordBuffer(item.sequence), item.line, item.error);
    commitRecord(item.sequence);
}

// ---------------------------------------------------------------------------------------
// Stopping

void RunSession::onSignal(int signalNumber) {
    if (m_signals->receivedCount() == 1 && !m_hardStop) {
        const std::uint64_t inFlight =
            m_submitted - m_completed - m_badInput -
            std::accumulate(m_failedByKind.begin(), m_failedByKind.end(), std::uint64_t(0));
        m_progress->message(
            QStringLiteral(
                "aqueduct run: SIG%1: finishing %2 tasks in flight (again to stop at once)")
                .arg(QLatin1String(signalName(signalNumber)))
                .arg(inFlight));
        closeIntake(StopReason::Signal);
        return;
    }
    if (!m_hardStop) {
        m_progress->message(QStringLiteral("aqueduct run: SIG%1 again: stopping now")
                                .arg(QLatin1String(signalName(signalNumber))));
        hardStop();
    }
}

void RunSession::hardStop() {
    m_hardStop = true;
    closeIntake(StopReason::HardStop);
    // While starting, the flow is stopped right after start() returns (see run()).
    if (m_flow->state() == FlowState::Running || m_flow->state() == FlowState::Stopping)
        m_flow->stop(StopMode::Immediate); // in-flight tasks end with NotRunning now
}

void RunSession::onFlowStateChanged(FlowState state) {
    if (state != FlowState::Failed)
        return;
    m_flowFailed = true;
    m_flowError = m_flow->failureReason();
    m_progress->message(QStringLiteral("aqueduct run: the flow failed: %1").arg(m_flowError));
    closeIntake(StopReason::FlowFailed);
}

// ---------------------------------------------------------------------------------------
// Reporting

ProgressReporter::Counters RunSession::progressCounters() const {
    ProgressReporter::Counters counters;
    std::uint64_t failed = m_badInput;
    for (const std::uint64_t count : m_failedByKind)
        failed += count;
    counters.failed = failed;
    counters.done = m_completed + failed;
    counters.inFlight = m_submitted - counters.done;
    if (m_options.generate)
        counters.total = m_options.generateCount;
    if (m_reader && m_reader->totalBytes() > 0)
        counters.inputFraction = double(m_reader->bytesRead()) / double(m_reader->totalBytes());
    if (m_options.durationS > 0 && !m_intakeClosed)
        counters.remainingS =
            std::max(0.0, m_options.durationS - double(m_runClock.elapsed()) / 1000.0);
    return counters;
}

RunSummary RunSession::summarize() {
    RunSummary summary;
    summary.submitted = m_submitted;
    summary.completed = m_completed;
    for (int kind = 0; kind < kErrorKindCount; ++kind) {
        if (m_failedByKind[std::size_t(kind)] > 0)
            summary.failed.insert(errorKindName(ErrorKind(kind)),
                                  m_failedByKind[std::size_t(kind)]);
    }
    if (m_badInput > 0)
        summary.failed.insert(QLatin1String(TaskJson::kBadInputStatus), m_badInput);
    summary.wallS = double(m_wallNs) / 1e9;
    summary.latencyP50Ms = m_latency.quantileNs(0.50) / 1e6;
    summary.latencyP95Ms = m_latency.quantileNs(0.95) / 1e6;
    summary.latencyP99Ms = m_latency.quantileNs(0.99) / 1e6;
    summary.stoppedBy = stopReasonName(m_stopReason);
    summary.flowError = m_flowError;
    if (m_writer.failed())
        summary.outputError = m_writer.error();
    if (m_flowFailed)
        summary.exitCode = ExitFlowFailed;
    else if (summary.failedTotal() > 0 || m_writer.failed())
        summary.exitCode = ExitTasksFailed;
    else
        summary.exitCode = ExitOk;
    return summary;
}

} // namespace Aqueduct::App
