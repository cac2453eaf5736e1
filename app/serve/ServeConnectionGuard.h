#pragma once

#include "ServeHttpConnection.h"

#include <QSet>
#include <QTcpServer>
#include <QTimer>

namespace Aqueduct::App {

/// `serve`'s listening socket: one ServeHttpConnection per client, at most
/// `maxConnections` of them (more get 503 and are closed), and a sweep that applies their
/// read and idle timeouts.
class ServeConnectionGuard : public QTcpServer {
    Q_OBJECT
public:
    struct Limits {
        ServeHttpConnection::Limits connection;
        int maxConnections = 1024;
    };

    ServeConnectionGuard(Limits limits, ServeBodyBudget* budget, ServeHttpConnection::Screen screen,
                         ServeHttpConnection::Handler handler, QObject* parent = nullptr);
    ~ServeConnectionGuard() override;

    int connectionCount() const { return int(m_connections.size()); }
    /// Bytes still waiting to go out on any connection (for a clean exit).
    std::int64_t pendingOutputBytes() const;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void sweep();

    Limits m_limits;
    ServeBodyBudget* m_budget;
    ServeHttpConnection::Screen m_screen;
    ServeHttpConnection::Handler m_handler;
    QSet<ServeHttpConnection*> m_connections;
    QTimer m_sweepTimer;
};

} // namespace Aqueduct::App
