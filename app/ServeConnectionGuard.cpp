#include "ServeConnectionGuard.h"

#include <QTcpSocket>

#include <sys/socket.h>

namespace Aqueduct::App {

namespace {

constexpr qint64 kLingerMs = 5000; ///< how long a rejected connection may keep sending

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

QByteArray statusName(int status) {
    switch (status) {
    case 408:
        return "request_timeout";
    case 413:
        return "too_large";
    case 431:
        return "headers_too_large";
    case 503:
        return "busy";
    default:
        return "bad_request";
    }
}

QByteArray jsonEscaped(const QString& text) {
    QByteArray out;
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) >= 0x20)
            out += c;
    }
    return out;
}

QByteArray rawResponse(int status, const QString& message) {
    const QByteArray body = "{\"_status\":\"" + statusName(status) + "\",\"_error\":\"" +
                            jsonEscaped(message) + "\"}\n";
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

ServeConnectionGuard::ServeConnectionGuard(Limits limits, QObject* parent)
    : QTcpServer(parent)
    , m_limits(limits) {
    m_clock.start();
    m_sweepTimer.setInterval(
        std::clamp(std::min(m_limits.readTimeoutMs, m_limits.idleTimeoutMs) / 4, 20, 1000));
    connect(&m_sweepTimer, &QTimer::timeout, this, &ServeConnectionGuard::sweep);
    m_sweepTimer.start();
}

ServeConnectionGuard::~ServeConnectionGuard() {
    for (const Connection& connection : std::as_const(m_connections)) {
        if (connection.socket)
            QObject::disconnect(connection.socket, nullptr, this, nullptr);
    }
}

void ServeConnectionGuard::incomingConnection(qintptr descriptor) {
    auto* socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_connections.size() >= m_limits.maxConnections) {
        // Never reaches QHttpServer: answer and close.
        socket->write(rawResponse(
            503, QStringLiteral("too many connections (%1)").arg(m_limits.maxConnections)));
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        QTimer::singleShot(kLingerMs, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        return;
    }
    Connection connection;
    connection.socket = socket;
    connection.lastActivityMs = m_clock.elapsed();
    // Connected before QHttpServer connects its own slot, so it sees each chunk first.
    connection.readyReadHook =
        connect(socket, &QIODevice::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket] { m_connections.remove(socket); });
    m_connections.insert(socket, connection);
    addPendingConnection(socket);
}

void ServeConnectionGuard::onReadyRead(QTcpSocket* socket) {
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection& connection = *it;
    if (connection.state == State::Closing) {
        if (socket->isTransactionStarted())
            socket->commitTransaction();
        socket->readAll(); // discard what a rejected client still sends
        return;
    }
    const qint64 now = m_clock.elapsed();
    const qint64 fresh = socket->bytesAvailable();
    if (connection.state == State::Idle) {
        connection.state = State::Receiving;
        connection.requestStartMs = now;
        connection.receivedBytes = 0;
    }
    connection.receivedBytes += fresh;
    connection.lastActivityMs = now;
    if (!connection.headersChecked) {
        // QHttpServer reads inside a transaction, so peek() shows exactly the new bytes.
        connection.headerBlock += socket->peek(std::min(fresh, kHeaderAllowanceBytes));
        inspectHeaders(connection, socket);
        if (connection.state == State::Closing)
            return;
    }
    if (connection.receivedBytes > m_limits.maxBodyBytes + kHeaderAllowanceBytes)
        reject(connection, 413,
               QStringLiteral("request body is larger than the limit of %1 bytes")
                   .arg(m_limits.maxBodyBytes));
}

void ServeConnectionGuard::inspectHeaders(Connection& connection, QTcpSocket* socket) {
    const qsizetype end = connection.headerBlock.indexOf("\r\n\r\n");
    if (end < 0) {
        if (connection.headerBlock.size() >= kHeaderAllowanceBytes)
            reject(connection, 431,
                   QStringLiteral("request headers are larger than %1 bytes")
                       .arg(kHeaderAllowanceBytes));
        return;
    }
    connection.headersChecked = true;
    const QList<QByteArray> lines = connection.headerBlock.left(end).split('\n');
    connection.headerBlock.clear();
    bool expectContinue = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray& line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (ok && length > m_limits.maxBodyBytes) {
                reject(
                    connection, 413,
                    QStringLiteral("request body of %1 bytes is larger than the limit of %2 bytes")
                        .arg(length)
                        .arg(m_limits.maxBodyBytes));
                return;
            }
        } else if (name == "expect" && value.toLower().contains("100-continue")) {
            expectContinue = true;
        }
    }
    // QtHttpServer 6.4 does not answer Expect; without this, curl waits a second.
    if (expectContinue)
        socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

void ServeConnectionGuard::reject(Connection& connection, int status, const QString& message) {
    QTcpSocket* socket = connection.socket;
    if (!socket || connection.state == State::Closing)
        return;
    // Take the connection from QHttpServer: it must not parse (and buffer) any more of it.
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->readAll();
    connection.readyReadHook =
        connect(socket, &QIODevice::readyRead, this, [this, socket] { onReadyRead(socket); });
    connection.state = State::Closing;
    connection.closingSinceMs = m_clock.elapsed();
    connection.headerBlock.clear();
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    // Lingering close: send the answer, then end our side only, and keep reading (and
    // dropping) until the client closes, so it sees the status instead of a reset.
    connect(socket, &QIODevice::bytesWritten, socket, [socket] {
        if (socket->bytesToWrite() == 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    });
    socket->write(rawResponse(status, message));
}

void ServeConnectionGuard::requestDispatched(QTcpSocket* socket) {
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->state = State::Handling;
    it->receivedBytes = 0;
    it->headerBlock.clear();
    it->headersChecked = false;
}

void ServeConnectionGuard::responseWritten(QTcpSocket* socket) {
    const auto it = m_connections.find(socket);
    if (it == m_connections.end() || it->state == State::Closing)
        return;
    const qint64 now = m_clock.elapsed();
    it->lastActivityMs = now;
    if (it->receivedBytes > 0) { // the next request started while this one was handled
        it->state = State::Receiving;
        it->requestStartMs = now;
    } else {
        it->state = State::Idle;
    }
}

qint64 ServeConnectionGuard::pendingOutputBytes() const {
    qint64 total = 0;
    for (const Connection& connection : m_connections) {
        if (connection.socket && connection.socket->state() == QAbstractSocket::ConnectedState)
            total += connection.socket->bytesToWrite();
    }
    return total;
}

void ServeConnectionGuard::sweep() {
    const qint64 now = m_clock.elapsed();
    QList<QTcpSocket*> toReject400;
    QList<QTcpSocket*> toReject408;
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        Connection& connection = *it;
        QTcpSocket* socket = connection.socket;
        if (!socket) {
            it = m_connections.erase(it);
            continue;
        }
        switch (connection.state) {
        case State::Closing:
            if (now - connection.closingSinceMs > kLingerMs) {
                socket->abort();
                socket->deleteLater();
            }
            break;
        case State::Handling:
            break;
        case State::Idle:
        case State::Receiving:
            if (!connection
                     .readyReadHook) // QHttpServer disconnected it: it could not parse the request
                toReject400 << socket;
            else if (connection.state == State::Receiving &&
                     now - connection.requestStartMs > m_limits.readTimeoutMs)
                toReject408 << socket;
            else if (connection.state == State::Idle &&
                     now - connection.lastActivityMs > m_limits.idleTimeoutMs)
                socket->disconnectFromHost();
            break;
        }
        ++it;
    }
    for (QTcpSocket* socket : toReject400) {
        const auto it = m_connections.find(socket);
        if (it != m_connections.end())
            reject(*it, 400, QStringLiteral("malformed HTTP request"));
    }
    for (QTcpSocket* socket : toReject408) {
        const auto it = m_connections.find(socket);
        if (it != m_connections.end())
            reject(*it, 408,
                   QStringLiteral("the request did not arrive within %1 ms")
                       .arg(m_limits.readTimeoutMs));
    }
}

} // namespace Aqueduct::App
