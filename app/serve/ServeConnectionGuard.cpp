#include "ServeConnectionGuard.h"

#include <QTcpSocket>

#include <chrono>

namespace Aqueduct::App {

ServeConnectionGuard::ServeConnectionGuard(Limits limits, ServeBodyBudget* budget,
                                           ServeHttpConnection::Screen screen,
                                           ServeHttpConnection::Handler handler, QObject* parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_budget(budget)
    , m_screen(std::move(screen))
    , m_handler(std::move(handler)) {
    const std::int64_t shortest =
        std::min(m_limits.connection.readTimeoutMs, m_limits.connection.idleTimeoutMs);
    m_sweepTimer.setInterval(int(std::clamp<std::int64_t>(shortest / 4, 20, 1000)));
    connect(&m_sweepTimer, &QTimer::timeout, this, &ServeConnectionGuard::sweep);
    m_sweepTimer.start();
}

ServeConnectionGuard::~ServeConnectionGuard() {
    // The connections are our children; they must not call back into a half-destroyed us.
    for (ServeHttpConnection* connection : std::as_const(m_connections))
        QObject::disconnect(connection, nullptr, this, nullptr);
}

void ServeConnectionGuard::incomingConnection(qintptr descriptor) {
    auto* socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_connections.size() >= m_limits.maxConnections) {
        ServeResponse refusal =
            errorResponse(503, QStringLiteral("busy"),
                          QStringLiteral("too many connections (%1)").arg(m_limits.maxConnections));
        refusal.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
        refusal.close = true;
        socket->write(serializeResponse(refusal));
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        QTimer::singleShot(ServeHttpConnection::kLingerMs, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        return;
    }
    auto* connection =
        new ServeHttpConnection(socket, m_limits.connection, m_budget, m_screen, m_handler, this);
    m_connections.insert(connection);
    connect(connection, &QObject::destroyed, this,
            [this, connection] { m_connections.remove(connection); });
}

std::int64_t ServeConnectionGuard::pendingOutputBytes() const {
    std::int64_t total = 0;
    for (const ServeHttpConnection* connection : m_connections)
        total += connection->pendingOutputBytes();
    return total;
}

void ServeConnectionGuard::sweep() {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    const QList<ServeHttpConnection*> connections = m_connections.values();
    for (ServeHttpConnection* connection : connections)
        connection->sweep(now);
}

} // namespace Aqueduct::App
