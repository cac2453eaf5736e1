// `aqueduct serve`'s HTTP layer against hostile clients (issue 16, items 4-6): strict
// framing (every request-smuggling shape gets 400 and nothing after it is read as a
// request), pipelined answers in request order, the global body budget (503 +
// Retry-After), the connection cap, the operator's cap on client timeouts, and the
// Host/Origin rules. The real program, raw sockets on loopback.
#include "ServeTestSupport.h"

using namespace ServeTest;

namespace {

const QByteArray kHost = "Host: 127.0.0.1\r\n";
const QByteArray kSmuggled = "GET /v1/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

QByteArray headerValue(const HttpResponse& response, const QByteArray& name) {
    for (const QByteArray& line : response.headers.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

} // namespace

class TestServeHttp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void framingErrors_data();
    void framingErrors();
    void chunkedStillWorks();
    void pipelinedAnswersInOrder();
    void clientThatNeverReads();
    void bodyBudget();
    void connectionCap();
    void timeoutCap();
    void hostAndOrigin();

private:
    QString writePipeline(const QString& name, const QByteArray& json);
    QTemporaryDir m_dir;
    QString m_increment;
    QString m_sleep;
    QString m_passthrough;
    std::unique_ptr<Server> m_server; ///< one increment server for the framing cases
};

QString TestServeHttp::writePipeline(const QString& name, const QByteArray& json) {
    const QString path = m_dir.filePath(name);
    return writeFile(path, json) ? path : QString();
}

void TestServeHttp::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_increment =
        writePipeline(QStringLiteral("increment.json"),
                      pipelineJson({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    m_sleep =
        writePipeline(QStringLiteral("sleep.json"),
                      pipelineJson({QJsonObject{
                          {QStringLiteral("id"), QStringLiteral("nap")},
                          {QStringLiteral("handler"), QStringLiteral("sleep")},
                          {QStringLiteral("params"), QJsonObject{{QStringLiteral("ms"), 400}}},
                          {QStringLiteral("nprocs"), 2},
                      }}));
    m_passthrough =
        writePipeline(QStringLiteral("pass.json"),
                      pipelineJson({step(QStringLiteral("pass"), QStringLiteral("passthrough"))}));
    QVERIFY(!m_increment.isEmpty() && !m_sleep.isEmpty() && !m_passthrough.isEmpty());
    m_server = std::make_unique<Server>(m_increment);
    QVERIFY2(m_server->port() != 0, m_server->err().constData());
}

void TestServeHttp::framingErrors_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    const QByteArray post = "POST /v1/process HTTP/1.1\r\n" + kHost;
    const QByteArray body = "{\"value\": 1}"; // 12 bytes
    // Each is followed by a second request: if the server mis-framed the first, that one
    // (or the "body") would be answered as a request of its own.
    QTest::newRow("content-length then transfer-encoding")
        << post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + kSmuggled
        << 400;
    QTest::newRow("transfer-encoding then content-length")
        << post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + kSmuggled
        << 400;
    QTest::newRow("duplicate content-length, same value")
        << post + "Content-Length: 12\r\nContent-Length: 12\r\n\r\n" + body + kSmuggled << 400;
    QTest::newRow("conflicting content-length")
        << post + "Content-Length: 12\r\nContent-Length: 0\r\n\r\n" + body + kSmuggled << 400;
    QTest::newRow("content-length list")
        << post + "Content-Length: 12, 12\r\n\r\n" + body + kSmuggled << 400;
    QTest::newRow("negative content-length")
        << post + "Content-Length: -5\r\n\r\n" + body + kSmuggled << 400;
    QTest::newRow("garbage content-length")
        << post + "Content-Length: 12abc\r\n\r\n" + body + kSmuggled << 400;
    QTest::newRow("huge content-length")
        << post + "Content-Length: 99999999999999999999999\r\n\r\n" + body + kSmuggled << 400;
    QTest::newRow("xchunked") << post + "Transfer-Encoding: xchunked\r\n\r\n" + kSmuggled << 400;
    QTest::newRow("gzip, chunked")
        << post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + kSmuggled << 400;
    QTest::newRow("two transfer-encodings")
        << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
               kSmuggled
        << 400;
    QTest::newRow("chunked in HTTP/1.0")
        << "POST /v1/process HTTP/1.0\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
               kSmuggled
        << 400;
    QTest::newRow("bad chunk size")
        << post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n" + kSmuggled
        << 400;
    QTest::newRow("malformed request line") << "BLAH\r\n\r\n" + kSmuggled << 400;
    QTest::newRow("request line without version")
        << "GET /healthz\r\n" + kHost + "\r\n" + kSmuggled << 400;
    QTest::newRow("space in target")
        << "GET /healthz x HTTP/1.1\r\n" + kHost + "\r\n" + kSmuggled << 400;
    QTest::newRow("absolute-form target")
        << "GET http://127.0.0.1/healthz HTTP/1.1\r\n" + kHost + "\r\n" + kSmuggled << 400;
    QTest::newRow("header without colon")
        << "GET /healthz HTTP/1.1\r\n" + kHost + "Bogus header\r\n\r\n" + kSmuggled << 400;
    QTest::newRow("two Host headers")
        << "GET /healthz HTTP/1.1\r\n" + kHost + kHost + "\r\n" + kSmuggled << 400;
    QTest::newRow("HTTP/2.0") << "GET /healthz HTTP/2.0\r\n" + kHost + "\r\n" + kSmuggled << 400;
    QTest::newRow("HTTP/1.2") << "GET /healthz HTTP/1.2\r\n" + kHost + "\r\n" + kSmuggled << 400;
    QTest::newRow("TLS hello")
        << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 GARBAGE\r\n\r\n", 24) +
               kSmuggled
        << 400;
}

void TestServeHttp::framingErrors() {
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    HttpConnection connection(m_server->port());
    QVERIFY(connection.isOpen());
    connection.sendRaw(request);
    const HttpResponse response = connection.readResponse(10'000);
    QVERIFY2(response.status == status, qPrintable(response.describe()));
    QVERIFY2(!response.json().value(QStringLiteral("_error")).toString().isEmpty(),
             qPrintable(response.describe()));
    QVERIFY2(headerValue(response, "connection").toLower() == "close",
             response.headers.constData());
    // Closed after the answer, and nothing else answered: the smuggled request was not read.
    QVERIFY(connection.waitClosed(10'000));
    const HttpResponse second = connection.readResponse(100);
    QVERIFY2(second.status == 0, qPrintable(second.describe()));
    // Still serving.
    const HttpResponse ok = httpRequest(m_server->port(), "POST", "/v1/process", "{\"value\": 1}");
    QVERIFY2(ok.status == 200, qPrintable(ok.describe()));
}

void TestServeHttp::chunkedStillWorks() {
    HttpConnection connection(m_server->port());
    connection.sendRaw(
        "POST /v1/process HTTP/1.1\r\n" + kHost +
        "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"val\r\n7\r\nue\": 7}\r\n0\r\n\r\n");
    HttpResponse response = connection.readResponse();
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("value")).toInt(), 8);
    // Keep-alive after a chunked request.
    response = connection.request("POST", "/v1/process", "{\"value\": 1}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
}

void TestServeHttp::pipelinedAnswersInOrder() {
    // Slow first, fast after: the answers must still come back in request order.
    {
        Server server(m_sleep);
        QVERIFY2(server.port() != 0, server.err().constData());
        HttpConnection connection(server.port());
        const QByteArray post = "POST /v1/process HTTP/1.1\r\n" + kHost;
        QVERIFY(connection.sendRaw(
            post + "Content-Length: 12\r\n\r\n{\"value\": 1}" + "GET /healthz HTTP/1.1\r\n" +
            kHost + "\r\n" + "POST /v1/process?timeout_ms=50 HTTP/1.1\r\n" + kHost +
            "Content-Length: 12\r\n\r\n{\"value\": 3}" + "GET /nope HTTP/1.1\r\n" + kHost + "\r\n" +
            post + "Content-Length: 12\r\n\r\n{\"value\": 5}"));
        const HttpResponse first = connection.readResponse();
        QVERIFY2(first.status == 200, qPrintable(first.describe()));
        QCOMPARE(first.json().value(QStringLiteral("value")).toInt(), 1);
        const HttpResponse second = connection.readResponse();
        QVERIFY2(second.status == 200, qPrintable(second.describe()));
        QCOMPARE(second.json().value(QStringLiteral("flow")).toString(), QStringLiteral("running"));
        const HttpResponse third = connection.readResponse();
        QVERIFY2(third.status == 504, qPrintable(third.describe()));
        const HttpResponse fourth = connection.readResponse();
        QVERIFY2(fourth.status == 404, qPrintable(fourth.describe()));
        const HttpResponse fifth = connection.readResponse();
        QVERIFY2(fifth.status == 200, qPrintable(fifth.describe()));
        QCOMPARE(fifth.json().value(QStringLiteral("value")).toInt(), 5);
        QCOMPARE(server.stop(), 0);
    }
    // Many at once (more than the per-connection read-ahead), in one write.
    HttpConnection connection(m_server->port());
    constexpr int kRequests = 200;
    QByteArray all;
    for (int i = 0; i < kRequests; ++i) {
        const QByteArray body = "{\"value\": " + QByteArray::number(i) + "}";
        all += "POST /v1/process HTTP/1.1\r\n" + kHost +
               "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    QVERIFY(connection.sendRaw(all));
    for (int i = 0; i < kRequests; ++i) {
        const HttpResponse response = connection.readResponse();
        QVERIFY2(response.status == 200, qPrintable(response.describe()));
        QCOMPARE(response.json().value(QStringLiteral("value")).toInt(), i + 1);
    }
}

void TestServeHttp::clientThatNeverReads() {
    // Pipelined requests from a client that never reads its answers: the server stops
    // reading from it (bounded buffers) and drops it after the idle timeout.
    Server server(m_increment, {QStringLiteral("--idle-timeout-ms"), QStringLiteral("1000")},
                  Server::Until::Listening, Server::Measuring::Memory);
    QVERIFY2(server.port() != 0, server.err().constData());
    static const QRegularExpression connections(
        QStringLiteral("^aqueduct_serve_connections (\\d+)$"), QRegularExpression::MultilineOption);
    const auto connectionCount = [&server] {
        const QRegularExpressionMatch match = connections.match(
            QString::fromUtf8(httpRequest(server.port(), "GET", "/metrics").body));
        return match.hasMatch() ? match.captured(1).toInt() : -1;
    };
    const qint64 rssBeforeKiB = server.anonKiB();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    const int smallBuffer = 64 << 10;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &smallBuffer, sizeof smallBuffer);
    const QByteArray request = "GET /metrics HTTP/1.1\r\n" + kHost + "\r\n";
    QByteArray burst;
    for (int i = 0; i < 1000; ++i)
        burst += request;
    qint64 sentRequests = 0;
    QElapsedTimer timer;
    timer.start();
    qint64 lastProgressMs = 0;
    // Send until the server stops taking requests (the kernel buffers fill) for 500 ms.
    while (timer.elapsed() - lastProgressMs < 500 && timer.elapsed() < 20'000) {
        const ssize_t n =
            ::send(fd, burst.constData(), size_t(burst.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sentRequests += n / request.size();
            lastProgressMs = timer.elapsed();
        } else {
            QThread::msleep(10);
        }
    }
    const qint64 rssStalledKiB = server.anonKiB();
    qInfo("%lld requests sent before the server stopped reading; server anonymous RSS %lld -> %lld "
          "KiB",
          static_cast<long long>(sentRequests), static_cast<long long>(rssBeforeKiB),
          static_cast<long long>(rssStalledKiB));
    // Each answer is kilobytes: answering all that was sent would take far more than this.
    QVERIFY2(rssStalledKiB - rssBeforeKiB < 8 * 1024,
             qPrintable(
                 QStringLiteral("anonymous RSS grew by %1 KiB").arg(rssStalledKiB - rssBeforeKiB)));
    // Others are still served, and the stalled client is dropped after the idle timeout.
    QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
    timer.restart();
    int count = connectionCount();
    while (count != 1 && timer.elapsed() < 10'000) {
        QThread::msleep(100);
        count = connectionCount();
    }
    QCOMPARE(count, 1); // the one asking
    ::close(fd);
    QCOMPARE(server.stop(), 0);
}

void TestServeHttp::bodyBudget() {
    // Bodies of up to 1 MiB each, 2 MiB held at once over all connections.
    constexpr int kBody = 900'000;
    Server server(m_passthrough,
                  {QStringLiteral("--max-body-bytes"), QString::number(1 << 20),
                   QStringLiteral("--max-body-budget-bytes"), QString::number(2 << 20)});
    QVERIFY2(server.port() != 0, server.err().constData());
    const QByteArray head = "POST /v1/process?field=data&output_field=data HTTP/1.1\r\n" + kHost +
                            "Content-Length: " + QByteArray::number(kBody) + "\r\n\r\n";
    const QByteArray body(kBody, 'b');
    // Two slow uploads hold 1.8 MB of the budget while their bodies trickle in.
    HttpConnection first(server.port());
    HttpConnection second(server.port());
    QVERIFY(first.sendRaw(head + body.left(1000)));
    QVERIFY(second.sendRaw(head + body.left(1000)));
    QElapsedTimer timer;
    timer.start();
    static const QRegularExpression held(QStringLiteral("^aqueduct_serve_body_bytes (\\d+)$"),
                                         QRegularExpression::MultilineOption);
    qint64 heldBytes = 0;
    while (timer.elapsed() < 10'000) {
        const QRegularExpressionMatch match =
            held.match(QString::fromUtf8(httpRequest(server.port(), "GET", "/metrics").body));
        heldBytes = match.hasMatch() ? match.captured(1).toLongLong() : -1;
        if (heldBytes == 2 * kBody)
            break;
        QThread::msleep(20);
    }
    QCOMPARE(heldBytes, qint64(2 * kBody));
    // A third is refused from its headers, with a hint when to come back.
    {
        HttpConnection third(server.port());
        third.sendRaw(head + body);
        const HttpResponse refused = third.readResponse();
        QVERIFY2(refused.status == 503, qPrintable(refused.describe()));
        QCOMPARE(refused.json().value(QStringLiteral("_status")).toString(),
                 QStringLiteral("busy"));
        QVERIFY2(refused.json()
                     .value(QStringLiteral("_error"))
                     .toString()
                     .contains(QStringLiteral("budget")),
                 qPrintable(refused.describe()));
        QCOMPARE(headerValue(refused, "retry-after"), QByteArray("1"));
        QVERIFY(third.waitClosed(10'000));
    }
    // The chunked way past the budget is refused too, once its bytes pass it.
    {
        HttpConnection chunked(server.port());
        QByteArray request = "POST /v1/process?field=data HTTP/1.1\r\n" + kHost +
                             "Transfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 60; ++i)
            request += "4000\r\n" + QByteArray(0x4000, 'c') + "\r\n";
        chunked.sendRaw(request);
        const HttpResponse refused = chunked.readResponse();
        QVERIFY2(refused.status == 503, qPrintable(refused.describe()));
        QCOMPARE(headerValue(refused, "retry-after"), QByteArray("1"));
    }
    // The held uploads complete and are served; the budget is free again afterwards.
    QVERIFY(first.sendRaw(body.mid(1000)));
    QVERIFY(second.sendRaw(body.mid(1000)));
    const HttpResponse firstResponse = first.readResponse();
    const HttpResponse secondResponse = second.readResponse();
    QVERIFY2(firstResponse.status == 200, qPrintable(firstResponse.describe()));
    QVERIFY2(secondResponse.status == 200, qPrintable(secondResponse.describe()));
    QCOMPARE(firstResponse.body, body);
    QCOMPARE(secondResponse.body, body);
    const HttpResponse again =
        httpRequest(server.port(), "POST", "/v1/process?field=data&output_field=data", body);
    QVERIFY2(again.status == 200, qPrintable(again.describe()));
    const QRegularExpressionMatch match =
        held.match(QString::fromUtf8(httpRequest(server.port(), "GET", "/metrics").body));
    QVERIFY(match.hasMatch());
    QCOMPARE(match.captured(1).toLongLong(), 0);
    QCOMPARE(server.stop(), 0);
}

void TestServeHttp::connectionCap() {
    Server server(m_increment, {QStringLiteral("--max-connections"), QStringLiteral("3")});
    QVERIFY2(server.port() != 0, server.err().constData());
    std::vector<std::unique_ptr<HttpConnection>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(std::make_unique<HttpConnection>(server.port()));
        const HttpResponse response = open.back()->request("GET", "/healthz");
        QVERIFY2(response.status == 200, qPrintable(response.describe()));
    }
    HttpConnection extra(server.port());
    const HttpResponse refused = extra.request("GET", "/healthz");
    QVERIFY2(refused.status == 503, qPrintable(refused.describe()));
    QCOMPARE(headerValue(refused, "retry-after"), QByteArray("1"));
    QVERIFY(extra.waitClosed(10'000));
    open.pop_back();
    // The freed place is taken again.
    QElapsedTimer timer;
    timer.start();
    HttpResponse response;
    do {
        response = httpRequest(server.port(), "GET", "/healthz");
    } while (response.status != 200 && timer.elapsed() < 10'000);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(server.stop(), 0);
}

void TestServeHttp::timeoutCap() {
    Server server(m_increment, {QStringLiteral("--max-timeout-ms"), QStringLiteral("1000"),
                                QStringLiteral("--timeout-ms"), QStringLiteral("5000")});
    QVERIFY2(server.port() != 0, server.err().constData());
    const quint16 port = server.port();
    HttpResponse response =
        httpRequest(port, "POST", "/v1/process?timeout_ms=1000", "{\"value\": 1}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    for (const QByteArray& target : {QByteArray("/v1/process?timeout_ms=1001"),
                                     QByteArray("/v1/process?timeout_ms=31536000000"),
                                     QByteArray("/v1/process?timeout_ms=9223372036854775807")}) {
        response = httpRequest(port, "POST", target, "{\"value\": 1}");
        QVERIFY2(response.status == 400, qPrintable(response.describe()));
    }
    response = httpRequest(port, "POST", "/v1/process?timeout_ms=1001", "{\"value\": 1}");
    QVERIFY2(response.json()
                 .value(QStringLiteral("_error"))
                 .toString()
                 .contains(QStringLiteral("--max-timeout-ms")),
             qPrintable(response.describe()));
    response = httpRequest(port, "POST", "/v1/process", "{\"value\": 1, \"_timeout_ms\": 2000}");
    QVERIFY2(response.status == 400, qPrintable(response.describe()));
    response = httpRequest(port, "POST", "/v1/process", "{\"value\": 1, \"_timeout_ms\": 900}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    // The operator's own default (5000 here) is above the clients' cap: that is allowed.
    response = httpRequest(port, "POST", "/v1/process", "{\"value\": 1}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(server.stop(), 0);
}

void TestServeHttp::hostAndOrigin() {
    const quint16 port = m_server->port();
    const auto raw = [port](const QByteArray& request) {
        HttpConnection connection(port);
        connection.sendRaw(request);
        return connection.readResponse(10'000);
    };
    const QByteArray portText = QByteArray::number(port);
    // Host: loopback names and addresses pass; other names do not (DNS rebinding).
    for (const QByteArray& host :
         QList<QByteArray>{"localhost", "localhost:" + portText, "LOCALHOST.",
                           "127.0.0.1:" + portText, "[::1]", "[::1]:" + portText, "10.1.2.3"}) {
        const HttpResponse response = raw("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        QVERIFY2(response.status == 200, qPrintable(host + ": " + response.describe()));
    }
    for (const QByteArray& host :
         QList<QByteArray>{QByteArray("evil.example"), "evil.example:" + portText,
                           QByteArray("localhost.evil.example"), QByteArray("[::1")}) {
        const HttpResponse response = raw("POST /v1/process HTTP/1.1\r\nHost: " + host +
                                          "\r\nContent-Length: 12\r\n\r\n{\"value\": 1}");
        QVERIFY2(response.status == 403, qPrintable(host + ": " + response.describe()));
    }
    QCOMPARE(raw("GET /healthz HTTP/1.1\r\nHost: evil.example\r\n\r\n")
                 .json()
                 .value(QStringLiteral("_status"))
                 .toString(),
             QStringLiteral("forbidden_host"));
    // HTTP/1.1 needs a Host; HTTP/1.0 (e.g. a balancer's health check) may omit it.
    QCOMPARE(raw("GET /healthz HTTP/1.1\r\n\r\n").status, 400);
    QCOMPARE(raw("GET /healthz HTTP/1.0\r\n\r\n").status, 200);

    // Browsers: an Origin not allowed, or a cross-site simple POST, is refused.
    const QByteArray post = "POST /v1/process HTTP/1.1\r\n" + kHost;
    const QByteArray body = "Content-Length: 12\r\n\r\n{\"value\": 1}";
    struct Case {
        const char* name;
        QByteArray headers;
        int status;
    };
    const QList<Case> cases = {
        {"foreign origin", "Origin: http://evil.example\r\nContent-Type: application/json\r\n",
         403},
        {"null origin", "Origin: null\r\n", 403},
        {"text/plain with origin", "Origin: http://evil.example\r\nContent-Type: text/plain\r\n",
         403},
        {"form, cross-site fetch metadata",
         "Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: cross-site\r\n", 403},
        {"text/plain with referer",
         "Content-Type: text/plain;charset=UTF-8\r\nReferer: http://evil.example/\r\n", 403},
        {"multipart with referer",
         "Content-Type: multipart/form-data; boundary=x\r\nReferer: http://evil.example/\r\n", 403},
        {"same-site fetch metadata", "Sec-Fetch-Site: same-site\r\n", 403},
        // Not a browser (curl sends form-urlencoded by default): served.
        {"curl-like form", "Content-Type: application/x-www-form-urlencoded\r\n", 200},
        {"json", "Content-Type: application/json\r\n", 200},
        {"user typed the URL", "Sec-Fetch-Site: none\r\n", 200},
    };
    for (const Case& c : cases) {
        const HttpResponse response = raw(post + c.headers + body);
        QVERIFY2(response.status == c.status, qPrintable(QStringLiteral("%1: %2").arg(
                                                  QLatin1String(c.name), response.describe())));
        if (c.status == 403)
            QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
                     QStringLiteral("forbidden_origin"));
    }

    // What the operator allows.
    Server allowing(m_increment,
                    {QStringLiteral("--allow-host"), QStringLiteral("api.example"),
                     QStringLiteral("--allow-origin"), QStringLiteral("http://app.example:3000")});
    QVERIFY2(allowing.port() != 0, allowing.err().constData());
    HttpConnection connection(allowing.port());
    connection.sendRaw("POST /v1/process HTTP/1.1\r\nHost: api.example\r\nOrigin: "
                       "http://app.example:3000\r\nContent-Type: text/plain\r\n" +
                       body);
    HttpResponse response = connection.readResponse();
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    connection.sendRaw("POST /v1/process HTTP/1.1\r\nHost: api.example\r\nOrigin: "
                       "http://app.example:3001\r\n" +
                       body);
    response = connection.readResponse();
    QVERIFY2(response.status == 403, qPrintable(response.describe()));
    QCOMPARE(allowing.stop(), 0);

    Server anyHost(m_increment, {QStringLiteral("--allow-host"), QStringLiteral("*")});
    QVERIFY2(anyHost.port() != 0, anyHost.err().constData());
    HttpConnection anywhere(anyHost.port());
    anywhere.sendRaw("GET /healthz HTTP/1.1\r\nHost: whatever.example\r\n\r\n");
    response = anywhere.readResponse();
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(anyHost.stop(), 0);
}

QTEST_GUILESS_MAIN(TestServeHttp)
#include "tst_servehttp.moc"
