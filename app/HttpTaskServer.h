#pragma once

#include "ServeConnectionGuard.h"

#include <aqueduct/Flow.h>

#include <QHttpServer>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <cstdint>
#include <deque>
#include <memory>

class QTcpSocket;

namespace Aqueduct::App {

/// `aqueduct serve`'s HTTP front: QHttpServer routes over a ServeConnectionGuard, with
/// POST /v1/process answered when Flow::process finishes (the responder is kept, not the
/// event loop), a bound on requests in flight with a bounded waiting line, and the
/// engine's error kinds mapped to status codes.
class HttpTaskServer : public QObject {
    Q_OBJECT
public:
    struct Limits {
        int maxInFlight = 1024;
        int maxQueued = 1024;
        std::int64_t timeoutMs = 0; ///< 0 = the flow's default
        ServeConnectionGuard::Limits connection;
    };

    HttpTaskServer(Flow& flow, Limits limits, QObject* parent = nullptr);
    ~HttpTaskServer() override;

    bool listen(const QString& host, quint16 port, QString* error);
    quint16 port() const;
    QString url() const;

    /// Stops accepting connections; requests arriving on open ones get 503.
    void beginShutdown();
    /// Requests being processed or waiting for a slot.
    int pendingRequests() const { return m_inFlight + int(m_waiting.size()); }
    qint64 pendingOutputBytes() const { return m_guard ? m_guard->pendingOutputBytes() : 0; }

Q_SIGNALS:
    /// pendingRequests() dropped to zero.
    void drained();

private:
    struct Pending;

    void handleProcess(const QHttpServerRequest& request, QHttpServerResponder&& responder);
    bool parseRequest(const QHttpServerRequest& request, Pending& pending, QString* error) const;
    void dispatch(std::unique_ptr<Pending> pending);
    QCoro::Task<void> process(std::unique_ptr<Pending> pending);
    void admitWaiting();
    void expireWaiting();
    void armWaitingTimer();
    void finishPending(Pending& pending, int status, const QByteArray& body,
                       const QByteArray& contentType);
    void respond(QHttpServerResponder& responder, int status, const QByteArray& body,
                 const QByteArray& contentType);
    void respondError(QHttpServerResponder& responder, int status, const QString& statusName,
                      const QString& message);
    QByteArray healthJson(bool* healthy) const;

    Flow& m_flow;
    Limits m_limits;
    QHttpServer m_http;
    QPointer<ServeConnectionGuard> m_guard;
    QHostAddress m_address;
    int m_inFlight = 0;
    std::deque<std::unique_ptr<Pending>> m_waiting;
    QTimer m_waitingTimer;
    bool m_shuttingDown = false;
};

} // namespace Aqueduct::App
