#pragma once

#include "ProgressReporter.h"
#include "RunOptions.h"
#include "RunOutputWriter.h"

#include <aqueduct/Flow.h>
#include <aqueduct/driver/FlowDriver.h>
#include <aqueduct/driver/RunSummary.h>

#include <QObject>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <memory>
#include <string>
#include <vector>

namespace Aqueduct::Driver {
class JsonLinesTaskSource;
}

namespace Aqueduct::App {

class SignalWatcher;

/// One `aqueduct run`: starts the flow, lets a Driver::FlowDriver keep `concurrency`
/// tasks in flight from the input (JSON lines or the generator), writes a record per task
/// (in input order with --ordered), stops cleanly on the end of input, --duration, a signal
/// or a failed flow, and reports the summary.
class RunSession : public QObject, private Driver::DriveSink {
    Q_OBJECT
public:
    RunSession(RunOptions options, PipelineDocument document, QObject* parent = nullptr);
    ~RunSession() override;

    /// Runs to the end and returns the exit code (see Commands.h).
    QCoro::Task<int> run();

private:
    // Driver::DriveSink
    void taskFinished(const Driver::DriveItem& item, TaskResult& result, std::int64_t startNs,
                      std::int64_t endNs) override;
    void badInput(const Driver::DriveItem& item) override;
    bool mayTake(std::uint64_t sequence) override;

    std::string& recordBuffer(std::uint64_t sequence);
    void commitRecord(std::uint64_t sequence);
    void closeIntake(Driver::StopReason reason);

    void onSignal(int signalNumber);
    void hardStop();
    void onFlowStateChanged(FlowState state);
    ProgressReporter::Counters progressCounters() const;
    Driver::RunSummary summarize() const;

    RunOptions m_options;
    std::unique_ptr<Flow> m_flow;
    std::unique_ptr<Driver::TaskSource> m_source;
    Driver::JsonLinesTaskSource* m_input = nullptr; ///< m_source when reading JSON lines
    std::unique_ptr<Driver::FlowDriver> m_driver;
    std::unique_ptr<SignalWatcher> m_signals;
    std::unique_ptr<ProgressReporter> m_progress;
    RunOutputWriter m_writer;
    QTimer m_flushTimer;

    // Ordered output: records wait here until every earlier one is written.
    std::uint64_t m_window = 0;
    std::uint64_t m_nextWrite = 0;
    std::vector<std::string> m_pending;
    std::vector<char> m_pendingReady;

    bool m_hardStop = false;
    QString m_flowError;
    bool m_flowFailed = false;
    bool m_outputErrorReported = false;
};

} // namespace Aqueduct::App
