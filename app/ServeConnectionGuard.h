#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>

class QTcpSocket;

namespace Aqueduct::App {

/// The listening socket under QHttpServer, guarding what QtHttpServer 6.4 does not: it
/// buffers any request body whole with no size limit and never times out a connection.
/// Each connection's bytes are watched before QHttpServer reads them (our readyRead slot
/// is connected first): a body over the limit gets 413 (at once when Content-Length says
/// so), a request not complete within the read timeout gets 408, idle keep-alive
/// connections are closed, connections beyond the limit are refused, and a connection
/// QHttpServer dropped after a malformed request gets 400 and is closed.
class ServeConnectionGuard : public QTcpServer {
    Q_OBJECT
public:
    struct Limits {
        qint64 maxBodyBytes = qint64(64) << 20;
        int readTimeoutMs = 30'000;
        int idleTimeoutMs = 60'000;
        int maxConnections = 10'000;
    };

    explicit ServeConnectionGuard(Limits limits, QObject* parent = nullptr);
    ~ServeConnectionGuard() override;

    /// A complete request from `socket` went to a route: its bytes are QHttpServer's now.
    void requestDispatched(QTcpSocket* socket);
    /// The response to that request was written.
    void responseWritten(QTcpSocket* socket);
    int connectionCount() const { return int(m_connections.size()); }
    /// Bytes still waiting to go out on any connection (for a clean exit).
    qint64 pendingOutputBytes() const;

    /// The largest header block we look into for Content-Length.
    static constexpr qint64 kHeaderAllowanceBytes = 64 << 10;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    enum class State { Idle, Receiving, Handling, Closing };
    struct Connection {
        QPointer<QTcpSocket> socket;
        QMetaObject::Connection readyReadHook; ///< goes invalid when QHttpServer drops the socket
        State state = State::Idle;
        qint64 receivedBytes = 0; ///< of the request being received
        qint64 requestStartMs = 0;
        qint64 lastActivityMs = 0;
        qint64 closingSinceMs = 0;
        QByteArray headerBlock; ///< start of the request until its blank line
        bool headersChecked = false;
    };

    void onReadyRead(QTcpSocket* socket);
    void inspectHeaders(Connection& connection, QTcpSocket* socket);
    void reject(Connection& connection, int status, const QString& message);
    void sweep();

    Limits m_limits;
    QHash<QTcpSocket*, Connection> m_connections;
    QTimer m_sweepTimer;
    QElapsedTimer m_clock;
};

} // namespace Aqueduct::App
