// A small raw HTTP/1.1 client and an `aqueduct serve` process wrapper, shared by the serve
// tests (raw sockets, so malformed, partial, pipelined and oversized requests can be sent).
#pragma once

#include "ProcessLeakGuard.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace ServeTest {

inline constexpr int kTimeoutMs = 30'000;

struct HttpResponse {
    int status = 0; ///< 0 = no response (connection failed or closed)
    QByteArray headers;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString describe() const {
        return QStringLiteral("status %1: %2").arg(status).arg(QString::fromUtf8(body.left(500)));
    }
};

/// One client connection (keep-alive) speaking just enough HTTP/1.1 for these tests.
class HttpConnection {
public:
    explicit HttpConnection(quint16 port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        const int one = 1;
        if (m_fd >= 0)
            ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~HttpConnection() { close(); }
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    bool isOpen() const { return m_fd >= 0; }
    void close() {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    /// Sends raw bytes; false if the peer is gone.
    bool sendRaw(const QByteArray& bytes) {
        qsizetype sent = 0;
        while (m_fd >= 0 && sent < bytes.size()) {
            const ssize_t n =
                ::send(m_fd, bytes.constData() + sent, size_t(bytes.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            sent += n;
        }
        return m_fd >= 0;
    }

    HttpResponse request(const QByteArray& method, const QByteArray& target,
                         const QByteArray& body = {}, const QList<QByteArray>& headers = {},
                         int timeoutMs = kTimeoutMs) {
        QByteArray head = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const QByteArray& header : headers)
            head += header + "\r\n";
        if (!body.isEmpty() || method == "POST")
            head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        head += "\r\n";
        // The server may answer (413) before the body is all sent: keep going, then read.
        sendRaw(head + body);
        return readResponse(timeoutMs);
    }

    HttpResponse readResponse(int timeoutMs = kTimeoutMs) {
        HttpResponse response;
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd >= 0) {
                const QByteArray head = m_buffer.left(headerEnd);
                const int status = head.mid(9, 3).toInt();
                if (status == 100) { // interim: drop it and wait for the real answer
                    m_buffer.remove(0, headerEnd + 4);
                    continue;
                }
                qint64 length = -1;
                for (const QByteArray& line : head.split('\n')) {
                    if (line.toLower().startsWith("content-length:"))
                        length = line.mid(15).trimmed().toLongLong();
                }
                if (length >= 0 && m_buffer.size() >= headerEnd + 4 + length) {
                    response.status = status;
                    response.headers = head;
                    response.body = m_buffer.mid(headerEnd + 4, length);
                    m_buffer.remove(0, headerEnd + 4 + length);
                    return response;
                }
            }
            if (m_fd < 0)
                return response;
            const qint64 left = timeoutMs - timer.elapsed();
            pollfd pfd{m_fd, POLLIN, 0};
            if (left <= 0 || ::poll(&pfd, 1, int(left)) <= 0)
                return response;
            char chunk[65536];
            const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, 0);
            if (got <= 0) {
                m_peerClosed = true;
                close();
                continue; // parse what we have
            }
            m_buffer.append(chunk, got);
        }
    }

    /// True when the server closed the connection (EOF) within the timeout.
    bool waitClosed(int timeoutMs) {
        QElapsedTimer timer;
        timer.start();
        while (!m_peerClosed && m_fd >= 0 && timer.elapsed() < timeoutMs) {
            pollfd pfd{m_fd, POLLIN, 0};
            if (::poll(&pfd, 1, 50) > 0) {
                char chunk[4096];
                const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, 0);
                if (got <= 0)
                    m_peerClosed = true;
                else
                    m_buffer.append(chunk, got);
            }
        }
        return m_peerClosed;
    }

private:
    int m_fd = -1;
    bool m_peerClosed = false;
    QByteArray m_buffer;
};

inline HttpResponse httpRequest(quint16 port, const QByteArray& method, const QByteArray& target,
                                const QByteArray& body = {},
                                const QList<QByteArray>& headers = {}) {
    HttpConnection connection(port);
    return connection.request(method, target, body, headers);
}

/// Waits until the server reports `count` tasks in flight (its /metrics gauge), so a test
/// knows its earlier requests reached the engine before it sends the next ones.
inline bool waitInFlight(quint16 port, int count, int timeoutMs = 15'000) {
    static const QRegularExpression gauge(QStringLiteral("^aqueduct_tasks_in_flight (\\d+)$"),
                                          QRegularExpression::MultilineOption);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        const QByteArray body = httpRequest(port, "GET", "/metrics").body;
        const QRegularExpressionMatch match = gauge.match(QString::fromUtf8(body));
        if (match.hasMatch() && match.captured(1).toInt() == count)
            return true;
        QThread::msleep(20);
    }
    return false;
}

inline bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

inline QJsonObject step(const QString& id, const QString& handler, const QJsonObject& params = {}) {
    QJsonObject object{{QStringLiteral("id"), id}, {QStringLiteral("handler"), handler}};
    if (!params.isEmpty())
        object.insert(QStringLiteral("params"), params);
    return object;
}

inline QByteArray pipelineJson(const QJsonArray& steps, const QJsonObject& flow = {}) {
    QJsonObject document{{QStringLiteral("format"), QStringLiteral("aqueduct-pipeline")},
                         {QStringLiteral("version"), 1},
                         {QStringLiteral("name"), QStringLiteral("served")},
                         {QStringLiteral("steps"), steps}};
    if (!flow.isEmpty())
        document.insert(QStringLiteral("flow"), flow);
    return QJsonDocument(document).toJson();
}

inline bool processGone(pid_t pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && line.mid(close + 2, 1) == "Z";
}

/// `aqueduct serve` on a free port, stopped (and checked for leftovers) at the end.
class Server {
public:
    /// When `until` is Bound, returns once the port is bound, before the flow has started.
    enum class Until { Listening, Bound };
    /// `Measuring::Memory`: under AddressSanitizer, freed memory is reused at once (no
    /// quarantine), so the server's memory shows what it keeps, not what it churned.
    enum class Measuring { Nothing, Memory };
    Server(const QString& pipeline, const QStringList& extra = {}, Until until = Until::Listening,
           Measuring measuring = Measuring::Nothing) {
        if (measuring == Measuring::Memory) {
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            const QString asan = environment.value(QStringLiteral("ASAN_OPTIONS"));
            environment.insert(QStringLiteral("ASAN_OPTIONS"),
                               asan + (asan.isEmpty() ? "" : ":") + "quarantine_size_mb=0");
            m_process.setProcessEnvironment(environment);
        }
        m_process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                        QStringList{QStringLiteral("serve"), pipeline, QStringLiteral("--listen"),
                                    QStringLiteral("127.0.0.1:0")} +
                            extra);
        QElapsedTimer timer;
        timer.start();
        static const QRegularExpression listening(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        static const QRegularExpression bound(
            QStringLiteral("bound to http://127\\.0\\.0\\.1:(\\d+)"));
        while (timer.elapsed() < kTimeoutMs && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(100);
            m_err += m_process.readAllStandardError();
            const QRegularExpressionMatch match =
                (until == Until::Bound ? bound : listening).match(QString::fromUtf8(m_err));
            if (match.hasMatch()) {
                m_port = quint16(match.captured(1).toUInt());
                break;
            }
        }
        if (m_port != 0 && until == Until::Listening) // Bound: the caller must be quick
            collectChildren();
    }
    ~Server() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    QByteArray err() {
        m_err += m_process.readAllStandardError();
        return m_err;
    }
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    /// SIGTERM and wait; returns the exit code (-1 if it did not exit normally).
    int stop(int signalNumber = SIGTERM) {
        ::kill(pid_t(m_process.processId()), signalNumber);
        if (!m_process.waitForFinished(kTimeoutMs) ||
            m_process.exitStatus() != QProcess::NormalExit)
            return -1;
        m_err += m_process.readAllStandardError();
        return m_process.exitCode();
    }
    int waitExit() {
        if (!m_process.waitForFinished(kTimeoutMs) ||
            m_process.exitStatus() != QProcess::NormalExit)
            return -1;
        m_err += m_process.readAllStandardError();
        return m_process.exitCode();
    }
    /// After stop(): the fork server and workers are gone, and so are our segments.
    QString leftovers() const {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 3000 &&
               !std::all_of(m_children.begin(), m_children.end(),
                            [](pid_t child) { return processGone(child); }))
            QThread::msleep(20);
        QStringList problems;
        for (const pid_t child : m_children)
            if (!processGone(child))
                problems << QStringLiteral("process %1 left behind").arg(child);
        const QStringList segments =
            QDir(QStringLiteral("/dev/shm"))
                .entryList({QStringLiteral("aqueduct-%1-*").arg(m_process.processId())},
                           QDir::Files | QDir::System);
        problems << segments;
        return problems.join(QLatin1Char(' '));
    }
    int childCount() const { return int(m_children.size()); }
    /// Notes the fork server and workers, so leftovers() can check they are gone.
    void collectChildren() {
        m_children = Aqueduct::Test::ProcessLeakGuard::descendants(pid_t(m_process.processId()));
    }
    /// Resident anonymous memory (heap, stacks; not the shared-memory segments, whose pages
    /// count in VmRSS once touched) of the server process, in KiB; -1 if unknown.
    qint64 anonKiB() const {
        QFile status(QStringLiteral("/proc/%1/status").arg(m_process.processId()));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray& line : status.readAll().split('\n'))
            if (line.startsWith("RssAnon:"))
                return line.mid(8).trimmed().split(' ').first().toLongLong();
        return -1;
    }

private:
    QProcess m_process;
    QByteArray m_err;
    quint16 m_port = 0;
    QList<pid_t> m_children;
};

} // namespace ServeTest
