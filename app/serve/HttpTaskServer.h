#pragma once

#include "ServeAccessPolicy.h"
#include "ServeBodyBudget.h"
#include "ServeConnectionGuard.h"

#include <aqueduct/Flow.h>

#include <QHostAddress>
#include <QPointer>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <set>

namespace Aqueduct::App {

/// `aqueduct serve`'s HTTP front: routes over ServeConnectionGuard/ServeHttpConnection
/// (strict HTTP/1.1 framing, ordered pipelined answers, the body budget), with
/// POST /v1/process answered when Flow::process finishes (the event loop never waits), a
/// bound on requests in flight with a bounded waiting line, readiness that turns off while
/// starting or draining, and the engine's error kinds mapped to status codes.
class HttpTaskServer : public QObject {
    Q_OBJECT
public:
    struct Limits {
        int maxInFlight = 1024;
        int maxQueued = 1024;
        std::int64_t timeoutMs = 0;          ///< 0 = the flow's default
        std::int64_t maxTimeoutMs = 300'000; ///< larger client timeouts get 400
        std::int64_t maxBodyBudgetBytes = std::int64_t(256) << 20;
        ServeConnectionGuard::Limits connection;
        ServeAccessPolicy access;
        bool exposePipeline = false; ///< GET /v1/pipeline
        bool exposePids = false;     ///< pid labels in /metrics
    };

    HttpTaskServer(Flow& flow, Limits limits, QObject* parent = nullptr);
    ~HttpTaskServer() override;

    bool listen(const QString& host, quint16 port, QString* error);
    quint16 port() const;
    QString url() const;

    /// Takes no new work (503, readiness 503) but keeps answering probes and in-flight
    /// requests; keep-alive connections are closed after their next answer.
    void beginDrain();
    /// Stops listening.
    void closeListener();
    /// Requests being processed or waiting for a slot.
    int pendingRequests() const { return m_inFlight + int(m_waiting.size()); }
    std::int64_t pendingOutputBytes() const { return m_guard ? m_guard->pendingOutputBytes() : 0; }

Q_SIGNALS:
    /// pendingRequests() dropped to zero.
    void drained();

private:
    struct Pending;

    std::optional<ServeResponse> screen(const ServeRequestHead& head) const;
    void handle(ServeHttpConnection* connection, ServeRequest request);
    void handleProcess(ServeHttpConnection* connection, ServeRequest request);
    bool parseRequest(const ServeRequest& request, Pending& pending, int* status,
                      QString* error) const;
    bool checkClientTimeout(std::int64_t timeoutMs, QString* error) const;
    void dispatch(std::unique_ptr<Pending> pending);
    QCoro::Task<void> process(std::unique_ptr<Pending> pending);
    void admitWaiting();
    void expireWaiting();
    void armWaitingTimer();
    void removeWaitingDeadline(std::int64_t deadlineNs);
    void finishPending(Pending& pending, ServeResponse response);
    void answer(ServeHttpConnection* connection, std::uint64_t sequence, ServeResponse response);
    QByteArray probeJson(bool* ready) const;
    QByteArray metricsText() const;

    Flow& m_flow;
    Limits m_limits;
    ServeBodyBudget m_budget;
    QPointer<ServeConnectionGuard> m_guard;
    QHostAddress m_address;
    int m_inFlight = 0;
    std::deque<std::unique_ptr<Pending>> m_waiting;
    std::multiset<std::int64_t> m_waitingDeadlines; ///< of m_waiting, earliest first
    QTimer m_waitingTimer;
    bool m_draining = false;
};

} // namespace Aqueduct::App
