// `aqueduct serve` end to end: the real program via QProcess, spoken to over real sockets
// by many concurrent clients (a small raw HTTP/1.1 client, so malformed, partial, slow and
// oversized requests can be sent too). Every status code the service promises, /healthz,
// /metrics, /v1/pipeline, and a clean exit on SIGTERM with nothing left behind.
#include "ServeTestSupport.h"

using namespace ServeTest;

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
    for (const char* text : {"--listen",
                             "/v1/process",
                             "/healthz",
                             "/readyz",
                             "/metrics",
                             "/v1/pipeline",
                             "--max-in-flight",
                             "--max-body-bytes",
                             "--max-body-budget-bytes",
                             "--max-timeout-ms",
                             "--drain-timeout-s",
                             "--allow-host",
                             "--allow-origin",
                             "--expose-pipeline",
                             "--expose-pids",
                             "403",
                             "413",
                             "503",
                             "504",
                             "Retry-After"})
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
    QTest::newRow("budget-below-body-limit") << QStringList{
        QStringLiteral("PIPELINE"), QStringLiteral("--max-body-bytes"), QStringLiteral("1000"),
        QStringLiteral("--max-body-budget-bytes"), QStringLiteral("999")};
    QTest::newRow("bad-allow-host") << QStringList{
        QStringLiteral("PIPELINE"), QStringLiteral("--allow-host"), QStringLiteral("a b/c")};
    QTest::newRow("bad-allow-origin") << QStringList{
        QStringLiteral("PIPELINE"), QStringLiteral("--allow-origin"), QStringLiteral("evil.com")};
    QTest::newRow("zero-max-timeout") << QStringList{
        QStringLiteral("PIPELINE"), QStringLiteral("--max-timeout-ms"), QStringLiteral("0")};
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
        QByteArray chunked = "POST /v1/process?field=data HTTP/1.1\r\nHost: "
                             "localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
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
    // Restarted at once: ready again, and serving.
    QElapsedTimer timer;
    timer.start();
    do {
        health = httpRequest(server.port(), "GET", "/readyz");
    } while (health.status != 200 && timer.elapsed() < 10'000);
    QVERIFY2(health.status == 200, qPrintable(health.describe()));
    response = httpRequest(server.port(), "POST", "/v1/process", "{\"poison\": false}");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));

    response = httpRequest(server.port(), "POST", "/v1/process", "{\"poison\": true}");
    QVERIFY2(response.status == 502, qPrintable(response.describe()));
    // The restart is 20 s away: not ready (no live worker), but alive (liveness must not
    // make an orchestrator kill a process that is waiting out a back-off).
    HttpResponse ready = httpRequest(server.port(), "GET", "/readyz");
    QVERIFY2(ready.status == 503, qPrintable(ready.describe()));
    QCOMPARE(ready.json().value(QStringLiteral("status")).toString(), QStringLiteral("not_ready"));
    QVERIFY2(ready.json()
                 .value(QStringLiteral("reason"))
                 .toString()
                 .contains(QStringLiteral("no live worker")),
             qPrintable(ready.describe()));
    QCOMPARE(ready.json()
                 .value(QStringLiteral("steps"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("alive"))
                 .toInt(),
             0);
    health = httpRequest(server.port(), "GET", "/healthz");
    QVERIFY2(health.status == 200, qPrintable(health.describe()));
    QCOMPARE(health.json().value(QStringLiteral("ready")).toBool(), false);
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
        QVERIFY(first.sendRaw(
            "POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"));
        QVERIFY(waitInFlight(server.port(), 1));
        const HttpResponse second = httpRequest(server.port(), "POST", "/v1/process", "{}");
        QVERIFY2(second.status == 503, qPrintable(second.describe()));
        QCOMPARE(second.json().value(QStringLiteral("_status")).toString(), QStringLiteral("busy"));
        QVERIFY2(second.headers.contains("Retry-After: 1"), second.headers.constData());
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
        QVERIFY(first.sendRaw("POST /v1/process?timeout_ms=5000 HTTP/1.1\r\nHost: "
                              "localhost\r\nContent-Length: 2\r\n\r\n{}"));
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
            "POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"va"));
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
            "POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"));
    }
    {
        HttpConnection halfway(server.port());
        QVERIFY(halfway.sendRaw(
            "POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n" +
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
    } while (!(metrics.body.contains("aqueduct_flow_up 1") &&
               metrics.body.contains("aqueduct_process_info{role=\"worker\"")) &&
             timer.elapsed() < 10'000);
    QVERIFY2(metrics.body.contains("aqueduct_process_info{role=\"worker\""),
             metrics.body.left(3000).constData());
    QVERIFY2(metrics.status == 200, qPrintable(metrics.describe()));
    QVERIFY2(metrics.headers.contains("text/plain"), metrics.headers.constData());
    QVERIFY2(metrics.body.contains("aqueduct_flow_up 1"), metrics.body.left(1000).constData());
    QVERIFY(metrics.body.contains("# TYPE "));

    // Worker pids and the pipeline are not shown unless the operator asks.
    QVERIFY2(!metrics.body.contains("pid=\""), metrics.body.left(3000).constData());
    for (const char* gauge :
         {"aqueduct_serve_ready 1", "aqueduct_serve_inflight_requests 0",
          "aqueduct_serve_queued_requests 0", "aqueduct_serve_queue_fill 0",
          "# TYPE aqueduct_serve_queue_fill gauge", "aqueduct_serve_body_budget_bytes 268435456"})
        QVERIFY2(metrics.body.contains(gauge), gauge);
    HttpResponse hidden = httpRequest(server.port(), "GET", "/v1/pipeline");
    QVERIFY2(hidden.status == 404, qPrintable(hidden.describe()));
    QVERIFY2(hidden.json()
                 .value(QStringLiteral("_error"))
                 .toString()
                 .contains(QStringLiteral("--expose-pipeline")),
             qPrintable(hidden.describe()));
    QCOMPARE(server.stop(), 0);

    Server exposing(m_increment,
                    {QStringLiteral("--expose-pipeline"), QStringLiteral("--expose-pids")});
    QVERIFY2(exposing.port() != 0, exposing.err().constData());
    timer.restart();
    do {
        metrics = httpRequest(exposing.port(), "GET", "/metrics");
    } while (!metrics.body.contains("pid=\"") && timer.elapsed() < 10'000);
    QVERIFY2(metrics.body.contains("pid=\""), metrics.body.left(3000).constData());
    const HttpResponse pipeline = httpRequest(exposing.port(), "GET", "/v1/pipeline");
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
    QCOMPARE(exposing.stop(), 0);
}

void TestServeCommand::sigtermDrainsAndExits() {
    Server server(m_sleep);
    QVERIFY2(server.port() != 0, server.err().constData());
    QVERIFY(server.childCount() >= 3); // fork server and two workers
    HttpConnection a(server.port());
    HttpConnection b(server.port());
    QVERIFY(a.sendRaw("POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                      "12\r\n\r\n{\"value\": 1}"));
    QVERIFY(b.sendRaw("POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                      "12\r\n\r\n{\"value\": 2}"));
    QVERIFY(waitInFlight(server.port(), 2));
    ::kill(pid_t(server.pid()), SIGTERM);
    // In-flight requests still get their answers.
    const HttpResponse first = a.readResponse();
    const HttpResponse second = b.readResponse();
    const int exitCode = server.waitExit();
    const QString err = QString::fromUtf8(server.err()) + QStringLiteral("exit: %1").arg(exitCode);
    QVERIFY2(first.status == 200, qPrintable(first.describe() + QLatin1Char('\n') + err));
    QVERIFY2(second.status == 200, qPrintable(second.describe() + QLatin1Char('\n') + err));
    QVERIFY2(exitCode == 0, qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("SIGTERM")), qPrintable(err));
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
    // Not listening any more.
    QVERIFY(!HttpConnection(server.port()).isOpen());
}

void TestServeCommand::startFailureExits3() {
    // A model file that is not there: onnx_infer cannot start (the document is valid).
    const QString path = writePipeline(
        QStringLiteral("start-fails.json"),
        pipelineJson({step(QStringLiteral("tag"), QStringLiteral("onnx_infer"),
                           {{QStringLiteral("model"), QStringLiteral("no-such-model.onnx")}})}));
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
