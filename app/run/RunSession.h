#pragma once

#include "ProgressReporter.h"
#include "RunInputReader.h"
#include "RunLatencyHistogram.h"
#include "RunOptions.h"
#include "RunOutputWriter.h"
#include "RunSummary.h"

#include <aqueduct/Flow.h>

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <array>
#include <coroutine>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace Aqueduct::App {

class SignalWatcher;

/// One `aqueduct run`: starts the flow, keeps `concurrency` tasks in flight from the input
/// (JSON lines or the generator), writes a record per task, stops cleanly on the end of
/// input, --duration, a signal or a failed flow, and reports the summary.
///
/// The in-flight bound is a fixed set of lanes: each lane is a coroutine that takes the
/// next item and co_awaits Flow::process, over and over (no per-task scheduling beyond
/// the engine's own), which keeps the per-task cost close to the engine benchmark's.
class RunSession : public QObject {
    Q_OBJECT
public:
    RunSession(RunOptions options, PipelineDocument document, QObject* parent = nullptr);
    ~RunSession() override;

    /// Runs to the end and returns the exit code (see Commands.h).
    QCoro::Task<int> run();

private:
    enum class StopReason {
        None,
        EndOfInput,
        Count,
        Duration,
        Signal,
        HardStop,
        FlowFailed,
        OutputError,
        ReadError
    };
    struct Item {
        std::uint64_t sequence = 0; ///< 0.. in input order
        std::uint64_t line = 0;     ///< input line (JSON lines), 0 when generated
        Task task;
        std::int64_t timeoutMs = 0;
        QString error; ///< bad input
    };
    class NextItem;

    QCoro::Task<void> lane();
    bool itemReady();
    bool sourceExhausted() const;
    bool tryTake(Item& item);
    void closeIntake(StopReason reason);
    void wakeWaiters();
    void scheduleWake();
    void armRateTimer();
    std::int64_t dueNs(std::uint64_t index) const;

    std::string& recordBuffer(std::uint64_t sequence);
    void commitRecord(std::uint64_t sequence);
    void recordResult(const Item& item, const TaskResult& result, std::int64_t latencyNs);
    void recordBadInput(const Item& item);

    void onSignal(int signalNumber);
    void hardStop();
    void onFlowStateChanged(FlowState state);
    void onReaderItems();
    ProgressReporter::Counters progressCounters() const;
    RunSummary summarize();
    static QString stopReasonName(StopReason reason);

    RunOptions m_options;
    std::unique_ptr<Flow> m_flow;
    std::unique_ptr<RunInputReader> m_reader;
    std::unique_ptr<SignalWatcher> m_signals;
    std::unique_ptr<ProgressReporter> m_progress;
    RunOutputWriter m_writer;
    RunLatencyHistogram m_latency;
    QTimer m_rateTimer;
    QTimer m_durationTimer;
    QTimer m_flushTimer;
    QElapsedTimer m_runClock; ///< since the lanes started

    // Intake
    std::deque<std::coroutine_handle<>> m_waiters; ///< lanes waiting for an item
    bool m_waking = false;
    bool m_wakeScheduled = false;
    bool m_intakeClosed = false;
    StopReason m_stopReason = StopReason::None;
    bool m_hardStop = false;
    std::uint64_t m_nextSequence = 0;
    std::uint64_t m_generated = 0;
    std::int64_t m_rateStartNs = 0;
    std::string m_payload;

    // Ordered output: records wait here until every earlier one is written.
    std::uint64_t m_window = 0;
    std::uint64_t m_nextWrite = 0;
    std::vector<std::string> m_pending;
    std::vector<char> m_pendingReady;

    // Counts
    std::uint64_t m_submitted = 0;
    std::uint64_t m_completed = 0;
    std::uint64_t m_badInput = 0;
    std::array<std::uint64_t, kErrorKindCount> m_failedByKind{};
    std::int64_t m_wallNs = 0;
    QString m_flowError;
    bool m_flowFailed = false;
    bool m_outputErrorReported = false;
};

} // namespace Aqueduct::App
