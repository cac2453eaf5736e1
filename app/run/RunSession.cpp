#include "RunSession.h"

#include "Commands.h"
#include "ExporterSetup.h"
#include "SignalWatcher.h"

#include <aqueduct/driver/JsonLinesTaskSource.h>
#include <aqueduct/driver/SyntheticTaskSource.h>
#include <aqueduct/driver/TaskJson.h>

#include <QFile>

#include <qcoro/qcorotimer.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace Aqueduct::App {

using Driver::StopReason;

namespace {

const char* signalName(int signalNumber) {
    const char* name = sigabbrev_np(signalNumber);
    return name ? name : "signal";
}

} // namespace

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

    m_flushTimer.setInterval(1000);
    // Readers of the output (tail -f, a pipe) see progress at least once a second.
    connect(&m_flushTimer, &QTimer::timeout, this, [this] { m_writer.flush(); });

    if (m_options.ordered) {
        m_window = std::uint64_t(m_options.effectiveReorderWindow());
        m_pending.resize(m_window);
        m_pendingReady.assign(m_window, 0);
    }
    m_progress = std::make_unique<ProgressReporter>([this] { return progressCounters(); },
                                                    ProgressReporter::defaultMode(m_options.quiet));
}

RunSession::~RunSession() = default;

// ---------------------------------------------------------------------------------------
// The run

QCoro::Task<int> RunSession::run() {
    QString error;
    if (!m_writer.open(m_options.outputPath, &error)) {
        std::fprintf(stderr, "aqueduct run: %s\n", qPrintable(error));
        co_return ExitInvalidInput;
    }
    if (m_options.generate) {
        m_source = std::make_unique<Driver::SyntheticTaskSource>(m_options.payloadBytes);
    } else {
        auto input = std::make_unique<Driver::JsonLinesTaskSource>();
        if (!input->open(m_options.inputPath, &error)) {
            std::fprintf(stderr, "aqueduct run: %s\n", qPrintable(error));
            co_return ExitInvalidInput;
        }
        m_input = input.get();
        m_source = std::move(input);
    }
    Driver::DriveSettings settings;
    settings.concurrency = m_options.concurrency;
    settings.ratePerS = m_options.ratePerS;
    settings.maxItems = m_options.generate ? m_options.generateCount : 0;
    settings.durationS = m_options.durationS;
    settings.timeoutMs = m_options.timeoutMs;
    m_driver = std::make_unique<Driver::FlowDriver>(*m_flow, *m_source, settings);
    m_driver->setSink(this);

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

    m_flushTimer.start();
    m_progress->start();
    co_await m_driver->run();

    m_progress->finish();
    m_flushTimer.stop();
    // Leave the engine's call stack (the last lane was resumed from it) before stopping.
    co_await QCoro::sleepFor(std::chrono::milliseconds(0));
    co_await m_flow->stop(m_hardStop ? StopMode::Immediate : StopMode::Graceful);
    m_writer.close();
    if (m_writer.failed() && !m_outputErrorReported) {
        std::fprintf(stderr, "aqueduct run: cannot write results: %s\n",
                     qPrintable(m_writer.error()));
        m_outputErrorReported = true;
    }
    if (m_input && !m_input->reader().readError().isEmpty())
        std::fprintf(stderr, "aqueduct run: reading input failed: %s\n",
                     qPrintable(m_input->reader().readError()));

    const Driver::RunSummary summary = summarize();
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

void RunSession::closeIntake(StopReason reason) {
    if (m_driver)
        m_driver->closeIntake(reason);
}

// ---------------------------------------------------------------------------------------
// Results

bool RunSession::mayTake(std::uint64_t sequence) {
    // With --ordered, a full reorder window waits for its oldest task.
    return !m_options.ordered || sequence < m_nextWrite + m_window;
}

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
        const std::uint64_t taken = m_driver->counters().taken;
        const bool windowWasFull = taken >= m_nextWrite + m_window;
        while (m_pendingReady[m_nextWrite % m_window]) {
            const std::size_t index = m_nextWrite % m_window;
            m_writer.buffer().append(m_pending[index]);
            m_pendingReady[index] = 0;
            m_writer.commit();
            ++m_nextWrite;
        }
        if (windowWasFull && taken < m_nextWrite + m_window)
            m_driver->wake();
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

void RunSession::taskFinished(const Driver::DriveItem& item, TaskResult& result,
                              std::int64_t startNs, std::int64_t endNs) {
    TaskJson::appendResultRecord(recordBuffer(item.sequence), result, endNs - startNs, item.line);
    commitRecord(item.sequence);
}

void RunSession::badInput(const Driver::DriveItem& item) {
    TaskJson::appendBadInputRecord(recordBuffer(item.sequence), item.line, item.error);
    commitRecord(item.sequence);
}

// ---------------------------------------------------------------------------------------
// Stopping

void RunSession::onSignal(int signalNumber) {
    if (m_signals->receivedCount() == 1 && !m_hardStop) {
        const std::uint64_t inFlight = m_driver ? m_driver->counters().inFlight() : 0;
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
    if (!m_driver)
        return counters;
    const Driver::FlowDriver::Counters& driven = m_driver->counters();
    counters.failed = driven.failed() + driven.badInput;
    counters.done = driven.completed + counters.failed;
    counters.inFlight = driven.taken - counters.done;
    if (m_options.generate)
        counters.total = m_options.generateCount;
    if (m_input && m_input->reader().totalBytes() > 0)
        counters.inputFraction =
            double(m_input->reader().bytesRead()) / double(m_input->reader().totalBytes());
    if (m_options.durationS > 0 && !m_driver->intakeClosed())
        counters.remainingS = std::max(0.0, m_options.durationS - m_driver->elapsedS());
    return counters;
}

Driver::RunSummary RunSession::summarize() const {
    Driver::RunSummary summary = m_driver->summary();
    summary.flowError = m_flowError;
    if (m_writer.failed())
        summary.outputError = m_writer.error();
    if (m_flowFailed)
        summary.exitCode = ExitFlowFailed;
    else if (summary.failed() + summary.badInputLines > 0 || m_writer.failed())
        summary.exitCode = ExitTasksFailed;
    else
        summary.exitCode = ExitOk;
    return summary;
}

} // namespace Aqueduct::App
