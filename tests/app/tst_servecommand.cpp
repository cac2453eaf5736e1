// `aqueduct serve` end to end: the real program via QProcess, spoken to over real sockets
// by many concurrent clients (a small raw HTTP/1.1 client, so malformed, partial, slow and
// oversized requests can be sent too). Every status code the service promises, /healthz,
// /metrics, /v1/pipeline, and a clean exit on SIGTERM with nothing left behind.
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

namespace {

constexpr int kTimeoutMs = 30'000;

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

HttpResponse httpRequest(quint16 port, const QByteArray& method, const QByteArray& target,
                         const QByteArray& body = {}, const QList<QByteArray>& headers = {}) {
    HttpConnection connection(port);
    return connection.request(method, target, body, headers);
}

/// Waits until the server reports `count` tasks in flight (its /metrics gauge), so a test
/// knows its earlier requests reached the engine before it sends the next ones.
bool waitInFlight(quint16 port, int count, int timeoutMs = 15'000) {
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

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QJsonObject step(const QString& id, const QString& handler, const QJsonObject& params = {}) {
    QJsonObject object{{QStringLiteral("id"), id}, {QStringLiteral("handler"), handler}};
    if (!params.isEmpty())
        object.insert(QStringLiteral("params"), params);
    return object;
}

QByteArray pipelineJson(const QJsonArray& steps, const QJsonObject& flow = {}) {
    QJsonObject document{{QStringLiteral("format"), QStringLiteral("aqueduct-pipeline")},
                         {QStringLiteral("version"), 1},
                         {QStringLiteral("name"), QStringLiteral("served")},
                         {QStringLiteral("steps"), steps}};
    if (!flow.isEmpty())
        document.insert(QStringLiteral("flow"), flow);
    return QJsonDocument(document).toJson();
}

bool processGone(pid_t pid) {
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
    Server(const QString& pipeline, const QStringList& extra = {}) {
        m_process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                        QStringList{QStringLiteral("serve"), pipeline, QStringLiteral("--listen"),
                                    QStringLiteral("127.0.0.1:0")} +
                            extra);
        QElapsedTimer timer;
        timer.start();
        static const QRegularExpression listening(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        while (timer.elapsed() < kTimeoutMs && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(100);
            m_err += m_process.readAllStandardError();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_err));
            if (match.hasMatch()) {
                m_port = quint16(match.captured(1).toUInt());
                break;
            }
        }
        if (m_port != 0)
            m_children =
                Aqueduct::Test::ProcessLeakGuard::descendants(pid_t(m_process.processId()));
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

private:
    QProcess m_process;
    QByteArray m_err;
    quint16 m_port = 0;
    QList<pid_t> m_children;
};

} // namespace

class TestServeCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void help();
    void badArguments_data();
    void badArguments();
    void processJsonAndBinary();
    void concurrentClients();
    void badRequests();
    void bodyTooLarge();
    void rejectedTaskIs413();
    void handlerErrorIs500();
    void workerCrashIs502AndHealth();
    void timeoutIs504();
    void busyIs503();
    void slowAndBrokenClients();
    void metricsAndPipeline();
    void sigtermDrainsAndExits();
    void startFailureExits3();

private:
    QString writePipeline(const QString& name, const QByteArray& json);
    QTemporaryDir m_dir;
    QString m_increment;
    QString m_sleep;
};

QString TestServeCommand::writePipeline(const QString& name, const QByteArray& json) {
    const QString path = m_dir.filePath(name);
    return writeFile(path, json) ? path : QString();
}

void TestServeCommand::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_increment =
        writePipeline(QStringLiteral("increment.json"),
                      pipelineJson({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    m_sleep =
        writePipeline(QStringLiteral("sleep.json"),
                      pipelineJson({QJsonObject{
                          {QStringLiteral("id"), QStringLiteral("nap")},
                          {QStringLiteral("handler"), QStringLiteral("sleep")},
                          {QStringLiteral("params"), QJsonObject{{QStringLiteral("ms"), 600}}},
                          {QStringLiteral("nprocs"), 2},
                      }}));
    QVERIFY(!m_increment.isEmpty() && !m_sleep.isEmpty());
}

void TestServeCommand::help() {
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  {QStringLiteral("serve"), QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitCode(), 0);
    const QByteArray out = process.readAllStandardOutput();
    for (const char* text : {"--listen", "/v1/process", "/healthz", "/metrics", "/v1/pipeline",
                             "--max-in-flight", "--max-body-bytes", "413", "503", "504"})
        QVERIFY2(out.contains(text), text);
}

void TestServeCommand::badArguments_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("nothing") << QStringList{};
    QTest::newRow("bad-listen") << QStringList{
        QStringLiteral("PIPELINE"), QStringLiteral("--listen"), QStringLiteral("nowhere")};
    QTest::newRow("bad-port") << QStringList{QStringLiteral("PIPELINE"), QStringLiteral("--listen"),
                                             QStringLiteral("127.0.0.1:99999")};
    QTest::newRow("unknown-option")
        << QStringList{QStringLiteral("PIPELINE"), QStringLiteral("--frobnicate")};
    QTest::newRow("zero-in-flight") << QStringList{
        QStringLiteral("PIPELINE"), QStringLiteral("--max-in-flight"), QStringLiteral("0")};
    QTest::newRow("missing-file") << QStringList{QStringLiteral("/nonexistent.json")};
    QTest::newRow("invalid-pipeline") << QStringList{QStringLiteral("INVALID")};
}

void TestServeCommand::badArguments() {
    QFETCH(QStringList, arguments);
    const QString invalid =
        writePipeline(QStringLiteral("invalid.json"),
                      pipelineJson({step(QStringLiteral("a"), QStringLiteral("no_such_handler"))}));
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_increment);
    arguments.replaceInStrings(QStringLiteral("INVALID"), invalid);
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  QStringList{QStringLiteral("serve")} + arguments);
    QVERIFY(process.waitForFinished(kTimeoutMs));
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == 2, err.constData());
    if (arguments.contains(invalid))
        QVERIFY2(err.contains((invalid + QStringLiteral(":$.steps[0].handler: ")).toUtf8()),
                 err.constData());
}

void TestServeCommand::processJsonAndBinary() {
    Server server(m_increment);
    QVERIFY2(server.port() != 0, server.err().constData());
    HttpConnection connection(server.port());
    // Keep-alive: several requests on one connection, answered in turn.
    for (int i = 0; i < 5; ++i) {
        const HttpResponse response = connection.request(
            "POST", "/v1/process", "{\"value\": " + QByteArray::number(i) + ", \"tag\": \"t\"}");
        QVERIFY2(response.status == 200, qPrintable(response.describe()));
        QVERIFY(response.headers.toLower().contains("content-type: application/json"));
        const QJsonObject result = response.json();
        QCOMPARE(result.value(QStringLiteral("value")).toInt(), i + 1);
        QCOMPARE(result.value(QStringLiteral("tag")).toString(), QStringLiteral("t"));
        QCOMPARE(result.value(QStringLiteral("_status")).toString(), QStringLiteral("ok"));
        QVERIFY(result.value(QStringLiteral("_latency_ms")).toDouble() >= 0);
    }
    // A raw body lands in the named bytes field; the result carries it as {"$bytes": ...}.
    QByteArray binary;
    for (int i = 0; i < 3000; ++i)
        binary.append(char(i * 7));
    HttpResponse response = connection.request("POST", "/v1/process?field=data", binary);
    QVERIFY2(response.status == 500,
             qPrintable(response.describe())); // no "value" field to increment
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("handler_error"));

    const QString sha = writePipeline(
        QStringLiteral("sha.json"),
        pipelineJson({step(QStringLiteral("hash"), QStringLiteral("sha256"),
                           {{QStringLiteral("field"), QStringLiteral("data")},
                            {QStringLiteral("output_field"), QStringLiteral("digest")}})}));
    Server hashing(sha);
    QVERIFY2(hashing.port() != 0, hashing.err().constData());
    const QByteArray expected =
        QCryptographicHash::hash(binary, QCryptographicHash::Sha256).toHex();
    response =
        httpRequest(hashing.port(), "POST", "/v1/process", binary, {"X-Aqueduct-Field: data"});
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("digest")).toString().toLatin1(), expected);
    QCOMPARE(QByteArray::fromBase64(response.json()
                                        .value(QStringLiteral("data"))
                                        .toObject()
                                        .value(QStringLiteral("$bytes"))
                                        .toString()
                                        .toLatin1()),
             binary);
    // output_field answers with that field alone.
    response =
        httpRequest(hashing.port(), "POST", "/v1/process?field=data&output_field=digest", binary);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.body, expected);
    response =
        httpRequest(hashing.port(), "POST", "/v1/process?field=data&output_field=data", binary);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QVERIFY(response.headers.toLower().contains("application/octet-stream"));
    QCOMPARE(response.body, binary);
    QCOMPARE(server.stop(), 0);
    QCOMPARE(hashing.stop(), 0);
}

void TestServeCommand::concurrentClients() {
    Server server(m_increment);
    QVERIFY2(server.port() != 0, server.err().constData());
    constexpr int kClients = 16;
    constexpr int kRequestsEach = 60;
    std::atomic<int> ok{0};
    std::atomic<int> wrong{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            // Half keep one connection, half open one per request.
            std::unique_ptr<HttpConnection> kept =
                c % 2 == 0 ? std::make_unique<HttpConnection>(server.port()) : nullptr;
            for (int i = 0; i < kRequestsEach; ++i) {
                const int value = c * 1000 + i;
                const QByteArray body = "{\"value\": " + QByteArray::number(value) + "}";
                const HttpResponse response =
                    kept ? kept->request("POST", "/v1/process", body)
                         : httpRequest(server.port(), "POST", "/v1/process", body);
                if (response.status == 200 &&
                    response.json().value(QStringLiteral("value")).toInt() == value + 1)
                    ++ok;
                else
                    ++wrong;
            }
        });
    }
    for (std::thread& client : clients)
        client.join();
    QCOMPARE(wrong.load(), 0);
    QCOMPARE(ok.load(), kClients * kRequestsEach);
    QCOMPARE(server.stop(), 0);
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
}

void TestServeCommand::badRequests() {
    Server server(m_increment);
    QVERIFY2(server.port() != 0, server.err().constData());
    const quint16 port = server.port();
    struct Case {
        QByteArray method;
        QByteArray target;
        QByteArray body;
        int status;
    };
    const QList<Case> cases = {
        {"POST", "/v1/process", "{not json", 400},
        {"POST", "/v1/process", "[1, 2]", 400},
        {"POST", "/v1/process", "\"just a string\"", 400},
        {"POST", "/v1/process", "", 400},
        {"POST", "/v1/process", "{\"a\": {\"nested\": 1}}", 400},
        {"POST", "/v1/process", "{\"a\": [1]}", 400},
        {"POST", "/v1/process", "{\"b\": {\"$bytes\": \"!!!\"}}", 400},
        {"POST", "/v1/process", "{\"value\": 1, \"_priority\": -3}", 400},
        {"POST", "/v1/process", "{\"value\": 1, \"_timeout_ms\": \"soon\"}", 400},
        {"POST", "/v1/process?bogus=1", "{\"value\": 1}", 400},
        {"POST", "/v1/process?timeout_ms=-5", "{\"value\": 1}", 400},
        {"POST", "/v1/process", QByteArray("{\"value\": 1, \"s\": \"\xff\xfe\"}"),
         400}, // not UTF-8
        {"GET", "/v1/process", "", 405},
        {"POST", "/healthz", "x", 405},
        {"GET", "/no/such/path", "", 404},
    };
    for (const Case& c : cases) {
        const HttpResponse response = httpRequest(port, c.method, c.target, c.body);
        QVERIFY2(response.status == c.status,
                 qPrintable(QStringLiteral("%1 %2 %3 -> %4")
                                .arg(QString::fromUtf8(c.method), QString::fromUtf8(c.target),
                                     QString::fromUtf8(c.body), response.describe())));
        if (c.status >= 400) {
            QVERIFY2(!response.json().value(QStringLiteral("_error")).toString().isEmpty(),
                     qPrintable(response.describe()));
        }
    }
    // Still serving.
    QCOMPARE(httpRequest(port, "POST", "/v1/process", "{\"value\": 1}").status, 200);
    QCOMPARE(server.stop(), 0);
}

void TestServeCommand::bodyTooLarge() {
    Server server(m_increment, {QStringLiteral("--max-body-bytes"), QStringLiteral("4096")});
    QVERIFY2(server.port() != 0, server.err().constData());
    const QByteArray big(200'000, 'x');
    // Content-Length over the limit: refused from the headers, before the body is read.
    HttpResponse response = httpRequest(server.port(), "POST", "/v1/process?field=data", big);
    QVERIFY2(response.status == 413, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("too_large"));
    // Chunked, so no length up front: refused once the bytes pass the limit.
    {
        HttpConnection connection(server.port());
        QByteArray chunked =
            "POST /v1/process?field=data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 40; ++i)
            chunked += "1000\r\n" + QByteArray(4096, 'y') + "\r\n";
        connection.sendRaw(chunked);
        response = connection.readResponse();
        QVERIFY2(response.status == 413, qPrintable(response.describe()));
        QVERIFY(connection.waitClosed(10'000));
    }
    // Just under the limit is fine.
    response = httpRequest(server.port(), "POST", "/v1/process",
                           "{\"value\": 5, \"pad\": \"" + QByteArray(3000, 'p') + "\"}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("value")).toInt(), 6);
    QCOMPARE(server.stop(), 0);
}

void TestServeCommand::rejectedTaskIs413() {
    // The engine rejects a task it cannot carry: a string field beyond the flow's inline
    // task limit (strings are never moved to shared memory), or bytes beyond the arena.
    const QString path =
        writePipeline(QStringLiteral("small-tasks.json"),
                      pipelineJson({step(QStringLiteral("pass"), QStringLiteral("passthrough"))},
                                   {{QStringLiteral("max_task_bytes"), 1024},
                                    {QStringLiteral("shared_memory"),
                                     QJsonObject{{QStringLiteral("arena_bytes"), 1 << 20}}}}));
    Server server(path);
    QVERIFY2(server.port() != 0, server.err().constData());
    HttpResponse response = httpRequest(server.port(), "POST", "/v1/process",
                                        "{\"s\": \"" + QByteArray(8000, 'z') + "\"}");
    QVERIFY2(response.status == 413, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("rejected"));
    response =
        httpRequest(server.port(), "POST", "/v1/process?field=data", QByteArray(3 << 20, 'z'));
    QVERIFY2(response.status == 413, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("rejected"));
    // Large bytes that fit the arena travel as a blob.
    response = httpRequest(server.port(), "POST", "/v1/process?field=data&output_field=data",
                           QByteArray(100'000, 'q'));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.body, QByteArray(100'000, 'q'));
    QCOMPARE(server.stop(), 0);
}

void TestServeCommand::handlerErrorIs500() {
    const QString path = writePipeline(
        QStringLiteral("fail.json"),
        pipelineJson({step(QStringLiteral("f"), QStringLiteral("fail"),
                           {{QStringLiteral("probability"), 1.0},
                            {QStringLiteral("message"), QStringLiteral("no luck today")}})}));
    Server server(path);
    QVERIFY2(server.port() != 0, server.err().constData());
    const HttpResponse response =
        httpRequest(server.port(), "POST", "/v1/process", "{\"value\": 1}");
    QVERIFY2(response.status == 500, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("handler_error"));
    QVERIFY2(response.json()
                 .value(QStringLiteral("_error"))
                 .toString()
                 .contains(QStringLiteral("no luck today")),
             qPrintable(response.describe()));
    QCOMPARE(server.stop(), 0);
}

void TestServeCommand::workerCrashIs502AndHealth() {
    // A poisoned task kills its worker. The first restart is immediate; the second waits
    // out a long back-off, during which the step has no live worker.
    const QString path =
        writePipeline(QStringLiteral("poison.json"),
                      pipelineJson({step(QStringLiteral("risky"), QStringLiteral("crash"),
                                         {{QStringLiteral("probability"), 0.0},
                                          {QStringLiteral("field"), QStringLiteral("poison")}})},
                                   {{QStringLiteral("restart"),
                                     QJsonObject{{QStringLiteral("backoff_initial_ms"), 20000},
                                                 {QStringLiteral("backoff_max_ms"), 20000}}}}));
    Server server(path, {QStringLiteral("--quiet")});
    QVERIFY2(server.port() != 0, server.err().constData());
    HttpResponse health = httpRequest(server.port(), "GET", "/healthz");
    QVERIFY2(health.status == 200, qPrintable(health.describe()));
    QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(health.json()
                 .value(QStringLiteral("steps"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("alive"))
                 .toInt(),
             1);

    HttpResponse response = httpRequest(server.port(), "POST", "/v1/process", "{\"poison\": true}");
    QVERIFY2(response.status == 502, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("worker_crashed"));
    // Restarted at once: healthy again, and serving.
    QElapsedTimer timer;
    timer.start();
    do {
        health = httpRequest(server.port(), "GET", "/healthz");
    } while (health.status != 200 && timer.elapsed() < 10'000);
    QVERIFY2(health.status == 200, qPrintable(health.describe()));
    response = httpRequest(server.port(), "POST", "/v1/process", "{\"poison\": false}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));

    response = httpRequest(server.port(), "POST", "/v1/process", "{\"poison\": true}");
    QVERIFY2(response.status == 502, qPrintable(response.describe()));
    health = httpRequest(server.port(), "GET", "/healthz"); // the restart is 20 s away
    QVERIFY2(health.status == 503, qPrintable(health.describe()));
    QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("unhealthy"));
    QCOMPARE(health.json()
                 .value(QStringLiteral("steps"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("alive"))
                 .toInt(),
             0);
    QCOMPARE(server.stop(), 0);
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
}

void TestServeCommand::timeoutIs504() {
    Server server(m_sleep);
    QVERIFY2(server.port() != 0, server.err().constData());
    HttpResponse response =
        httpRequest(server.port(), "POST", "/v1/process?timeout_ms=100", "{\"value\": 1}");
    QVERIFY2(response.status == 504, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("timeout"));
    response =
        httpRequest(server.port(), "POST", "/v1/process", "{\"value\": 1, \"_timeout_ms\": 100}");
    QVERIFY2(response.status == 504, qPrintable(response.describe()));
    response = httpRequest(server.port(), "POST", "/v1/process", "{\"value\": 1}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(server.stop(), 0);
}

void TestServeCommand::busyIs503() {
    // One request at a time, none waiting: a second one while the first runs is refused.
    {
        Server server(m_sleep, {QStringLiteral("--max-in-flight"), QStringLiteral("1"),
                                QStringLiteral("--max-queued"), QStringLiteral("0")});
        QVERIFY2(server.port() != 0, server.err().constData());
        HttpConnection first(server.port());
        QVERIFY(
            first.sendRaw("POST /v1/process HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
        QVERIFY(waitInFlight(server.port(), 1));
        const HttpResponse second = httpRequest(server.port(), "POST", "/v1/process", "{}");
        QVERIFY2(second.status == 503, qPrintable(second.describe()));
        QCOMPARE(second.json().value(QStringLiteral("_status")).toString(), QStringLiteral("busy"));
        const HttpResponse firstResponse = first.readResponse();
        QVERIFY2(firstResponse.status == 200, qPrintable(firstResponse.describe()));
        QCOMPARE(server.stop(), 0);
    }
    // One waiting place: the waiting request gets 503 when its deadline passes first.
    {
        Server server(m_sleep, {QStringLiteral("--max-in-flight"), QStringLiteral("1"),
                                QStringLiteral("--max-queued"), QStringLiteral("1")});
        QVERIFY2(server.port() != 0, server.err().constData());
        HttpConnection first(server.port());
        QVERIFY(first.sendRaw(
            "POST /v1/process?timeout_ms=5000 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
        QVERIFY(waitInFlight(server.port(), 1));
        const HttpResponse waiting =
            httpRequest(server.port(), "POST", "/v1/process?timeout_ms=200", "{}");
        QVERIFY2(waiting.status == 503, qPrintable(waiting.describe()));
        QVERIFY2(waiting.json()
                     .value(QStringLiteral("_error"))
                     .toString()
                     .contains(QStringLiteral("deadline")),
                 qPrintable(waiting.describe()));
        const HttpResponse firstResponse = first.readResponse();
        QVERIFY2(firstResponse.status == 200, qPrintable(firstResponse.describe()));
        QCOMPARE(server.stop(), 0);
    }
}

void TestServeCommand::slowAndBrokenClients() {
    Server server(m_sleep, {QStringLiteral("--read-timeout-ms"), QStringLiteral("300")});
    QVERIFY2(server.port() != 0, server.err().constData());
    // A request that never completes: 408, then the connection closes.
    {
        HttpConnection slow(server.port());
        QVERIFY(slow.sendRaw(
            "POST /v1/process HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"va"));
        const HttpResponse response = slow.readResponse(10'000);
        QVERIFY2(response.status == 408, qPrintable(response.describe()));
        QVERIFY(slow.waitClosed(10'000));
    }
    // Garbage instead of HTTP: 400 (or a closed connection), never a crash.
    {
        HttpConnection garbage(server.port());
        static const char kGarbage[] =
            "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 GARBAGE\r\n\r\n";
        QVERIFY(garbage.sendRaw(QByteArray(kGarbage, sizeof kGarbage - 1)));
        const HttpResponse response = garbage.readResponse(10'000);
        QVERIFY2(response.status == 400 || response.status == 0, qPrintable(response.describe()));
        QVERIFY(garbage.waitClosed(10'000));
    }
    // Clients that give up while their task runs, and one that disconnects mid-body.
    for (int i = 0; i < 10; ++i) {
        HttpConnection impatient(server.port());
        QVERIFY(impatient.sendRaw(
            "POST /v1/process HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
    }
    {
        HttpConnection halfway(server.port());
        QVERIFY(
            halfway.sendRaw("POST /v1/process HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                            QByteArray(100, 'a')));
    }
    QThread::msleep(1500); // their tasks finish with nobody to answer
    QVERIFY(server.isRunning());
    const HttpResponse response =
        httpRequest(server.port(), "POST", "/v1/process", "{\"value\": 1}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(server.stop(), 0);
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
}

void TestServeCommand::metricsAndPipeline() {
    Server server(m_increment);
    QVERIFY2(server.port() != 0, server.err().constData());
    for (int i = 0; i < 20; ++i)
        QCOMPARE(httpRequest(server.port(), "POST", "/v1/process", "{\"value\": 1}").status, 200);
    HttpResponse metrics;
    QElapsedTimer timer;
    timer.start();
    do { // the first snapshot comes after one metrics interval
        metrics = httpRequest(server.port(), "GET", "/metrics");
    } while (!metrics.body.contains("aqueduct_flow_up 1") && timer.elapsed() < 10'000);
    QVERIFY2(metrics.status == 200, qPrintable(metrics.describe()));
    QVERIFY2(metrics.headers.contains("text/plain"), metrics.headers.constData());
    QVERIFY2(metrics.body.contains("aqueduct_flow_up 1"), metrics.body.left(1000).constData());
    QVERIFY(metrics.body.contains("# TYPE "));

    const HttpResponse pipeline = httpRequest(server.port(), "GET", "/v1/pipeline");
    QVERIFY2(pipeline.status == 200, qPrintable(pipeline.describe()));
    const QJsonObject document = pipeline.json();
    QCOMPARE(document.value(QStringLiteral("format")).toString(),
             QStringLiteral("aqueduct-pipeline"));
    QCOMPARE(document.value(QStringLiteral("name")).toString(), QStringLiteral("served"));
    QCOMPARE(document.value(QStringLiteral("steps"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("handler"))
                 .toString(),
             QStringLiteral("increment"));
    QCOMPARE(server.stop(), 0);
}

void TestServeCommand::sigtermDrainsAndExits() {
    Server server(m_sleep);
    QVERIFY2(server.port() != 0, server.err().constData());
    QVERIFY(server.childCount() >= 3); // fork server and two workers
    HttpConnection a(server.port());
    HttpConnection b(server.port());
    QVERIFY(a.sendRaw(
        "POST /v1/process HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"value\": 1}"));
    QVERIFY(b.sendRaw(
        "POST /v1/process HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"value\": 2}"));
    QVERIFY(waitInFlight(server.port(), 2));
    ::kill(pid_t(server.pid()), SIGTERM);
    // In-flight requests still get their answers.
    const HttpResponse first = a.readResponse();
    const HttpResponse second = b.readResponse();
    QVERIFY2(first.status == 200, qPrintable(first.describe()));
    QVERIFY2(second.status == 200, qPrintable(second.describe()));
    QCOMPARE(server.waitExit(), 0);
    QVERIFY2(server.err().contains("SIGTERM"), server.err().constData());
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
    // Not listening any more.
    QVERIFY(!HttpConnection(server.port()).isOpen());
}

void TestServeCommand::startFailureExits3() {
    const QString path =
        writePipeline(QStringLiteral("start-fails.json"),
                      pipelineJson({step(QStringLiteral("tag"), QStringLiteral("set_field"),
                                         {{QStringLiteral("field"), QStringLiteral("n")},
                                          {QStringLiteral("type"), QStringLiteral("int")},
                                          {QStringLiteral("value"), QStringLiteral("abc")}})}));
    QProcess process;
    process.start(
        QStringLiteral(AQUEDUCT_APP_PATH),
        {QStringLiteral("serve"), path, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(process.exitCode() == 3, err.constData());
    QVERIFY2(err.contains("could not start"), err.constData());
}

QTEST_GUILESS_MAIN(TestServeCommand)
#include "tst_servecommand.moc"
