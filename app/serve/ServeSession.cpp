#include "ServeSession.h"

#include "Commands.h"
#include "ExporterSetup.h"
#include "SignalWait.h"

#include <QElapsedTimer>

#include <qcoro/qcorotimer.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace Aqueduct::App {

ServeSession::ServeSession(ServeOptions options, PipelineDocument document, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_flow(std::move(document)) {
    connect(&m_flow, &Flow::engineEvent, this, [this](const QString& event) {
        if (!m_options.quiet)
            std::fprintf(stderr, "aqueduct serve: %s\n", qPrintable(event));
    });
    connect(&m_flow, &Flow::stateChanged, this, [this](FlowState state) {
        if (state != FlowState::Failed || m_flowFailed)
            return;
        m_flowFailed = true;
        std::fprintf(stderr, "aqueduct serve: the flow failed: %s; shutting down\n",
                     qPrintable(m_flow.failureReason()));
        beginStop();
    });
}

ServeSession::~ServeSession() = default;

QCoro::Task<int> ServeSession::run() {
    QString error;
    if (!m_signals.watch({SIGINT, SIGTERM}, &error))
        std::fprintf(stderr, "aqueduct serve: %s\n", qPrintable(error));
    connect(&m_signals, &SignalWatcher::signalReceived, this,
            [this](int signalNumber) { onSignal(signalNumber); });

    HttpTaskServer::Limits limits;
    limits.maxInFlight = m_options.maxInFlight;
    limits.maxQueued = m_options.effectiveMaxQueued();
    limits.timeoutMs = m_options.timeoutMs;
    limits.maxTimeoutMs = m_options.maxTimeoutMs;
    limits.maxBodyBudgetBytes = m_options.maxBodyBudgetBytes;
    limits.connection.connection.maxBodyBytes = m_options.maxBodyBytes;
    limits.connection.connection.readTimeoutMs = m_options.readTimeoutMs;
    limits.connection.connection.idleTimeoutMs = m_options.idleTimeoutMs;
    limits.connection.maxConnections = m_options.maxConnections;
    limits.access.allowedHosts << m_options.allowHosts;
    limits.access.allowedOrigins = m_options.allowOrigins;
    limits.exposePipeline = m_options.exposePipeline;
    limits.exposePids = m_options.exposePids;
    m_server = std::make_unique<HttpTaskServer>(m_flow, limits);
    // Bind first: a busy port is an argument problem, found before workers start.
    if (!m_server->listen(m_options.host, m_options.port, &error)) {
        std::fprintf(stderr, "aqueduct serve: %s\n", qPrintable(error));
        co_return ExitInvalidInput;
    }
    // Exporters the pipeline asks for (StatsD, JSON lines, its own Prometheus port) run
    // too; GET /metrics on the service port works either way. Their problems only warn.
    QStringList exporterLines;
    QStringList exporterErrors;
    startExporters(m_flow, m_flow.document().flow.metrics, -1, {}, this, &exporterLines,
                   &exporterErrors);
    for (const QString& line : exporterErrors)
        std::fprintf(stderr, "aqueduct serve: metrics: %s\n", qPrintable(line));
    for (const QString& line : exporterLines)
        std::fprintf(stderr, "aqueduct serve: metrics: %s\n", qPrintable(line));

    // Bound before the flow starts: probes see /readyz 503 "starting" meanwhile.
    std::fprintf(stderr, "aqueduct serve: bound to %s, starting the flow\n",
                 qPrintable(m_server->url()));
    std::fflush(stderr);
    const StartResult started = co_await m_flow.start();
    if (!started.ok) {
        std::fprintf(stderr, "aqueduct serve: the flow could not start: %s\n",
                     qPrintable(started.error));
        co_return ExitFlowFailed;
    }
    std::fprintf(stderr, "aqueduct serve: listening on %s (pipeline '%s', %d steps)\n",
                 qPrintable(m_server->url()), qPrintable(m_flow.document().name),
                 int(m_flow.document().steps.size()));
    std::fflush(stderr);
    while (!m_stopRequested)
        co_await signalOrTimeout(this, &ServeSession::stopRequested,
                                 std::chrono::milliseconds(1000));

    // Drain: readiness is 503 and new work is refused since beginStop(); what is in flight
    // gets --drain-timeout-s to finish (a second signal makes the flow fail it at once).
    QElapsedTimer draining;
    draining.start();
    const std::int64_t drainMs = m_options.drainTimeoutS * 1000;
    while (m_server->pendingRequests() > 0 && !m_hardStop && draining.elapsed() < drainMs)
        co_await signalOrTimeout(m_server.get(), &HttpTaskServer::drained,
                                 std::chrono::milliseconds(100));
    if (m_server->pendingRequests() > 0 && !m_hardStop) {
        std::fprintf(stderr,
                     "aqueduct serve: %d requests still in flight after --drain-timeout-s %lld; "
                     "stopping them\n",
                     m_server->pendingRequests(), static_cast<long long>(m_options.drainTimeoutS));
        m_hardStop = true;
        m_flow.stop(StopMode::Immediate);
    }
    while (m_server->pendingRequests() > 0)
        co_await signalOrTimeout(m_server.get(), &HttpTaskServer::drained,
                                 std::chrono::milliseconds(100));
    co_await m_flow.stop(m_hardStop ? StopMode::Immediate : StopMode::Graceful);
    m_server->closeListener();
    // Let the last responses leave before the sockets close with the process.
    QElapsedTimer flushing;
    flushing.start();
    while (m_server->pendingOutputBytes() > 0 && flushing.elapsed() < 2000)
        co_await QCoro::sleepFor(std::chrono::milliseconds(10));
    std::fprintf(stderr, "aqueduct serve: stopped\n");
    co_return m_flowFailed ? ExitFlowFailed : ExitOk;
}

void ServeSession::beginStop() {
    if (m_stopRequested)
        return;
    m_stopRequested = true;
    if (m_server)
        m_server->beginDrain();
    // Wake run() from the event loop (it waits on stopRequested).
    QMetaObject::invokeMethod(this, &ServeSession::stopRequested, Qt::QueuedConnection);
}

void ServeSession::onSignal(int signalNumber) {
    const char* name = sigabbrev_np(signalNumber);
    if (m_signals.receivedCount() == 1) {
        std::fprintf(stderr,
                     "aqueduct serve: SIG%s: draining, finishing %d requests (again to stop at "
                     "once)\n",
                     name ? name : "?", m_server ? m_server->pendingRequests() : 0);
        beginStop();
        return;
    }
    if (!m_hardStop) {
        std::fprintf(stderr, "aqueduct serve: SIG%s again: stopping now\n", name ? name : "?");
        m_hardStop = true;
        beginStop();
        if (m_flow.state() == FlowState::Running || m_flow.state() == FlowState::Stopping)
            m_flow.stop(StopMode::Immediate);
    }
}

} // namespace Aqueduct::App
