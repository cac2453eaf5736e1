#pragma once

#include "HttpTaskServer.h"
#include "ServeOptions.h"
#include "SignalWatcher.h"

#include <aqueduct/Flow.h>

#include <QObject>

#include <qcoro/qcorotask.h>

#include <memory>

namespace Aqueduct::App {

/// One `aqueduct serve` from start to exit: binds, starts the flow, serves until a signal
/// (or a failed flow), then drains requests, stops the flow and lets responses leave.
class ServeSession : public QObject {
    Q_OBJECT
public:
    ServeSession(ServeOptions options, PipelineDocument document, QObject* parent = nullptr);
    ~ServeSession() override;

    /// Serves until stopped; returns the exit code (see Commands.h).
    QCoro::Task<int> run();

Q_SIGNALS:
    void stopRequested();

private:
    void beginStop();
    void onSignal(int signalNumber);

    ServeOptions m_options;
    Flow m_flow;
    SignalWatcher m_signals;
    std::unique_ptr<HttpTaskServer> m_server;
    bool m_stopRequested = false;
    bool m_hardStop = false;
    bool m_flowFailed = false;
};

} // namespace Aqueduct::App
