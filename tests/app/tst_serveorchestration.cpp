// `aqueduct serve` under an orchestrator (issue 20) and a long soak (issue 16, item 5):
// /readyz is 503 while the flow starts and from the moment SIGTERM arrives, /healthz stays
// 200, requests in flight finish within --drain-timeout-s and the exit is 0; and 100,000
// requests with distinct client timeouts keep the server's memory flat.
#include "ServeTestSupport.h"

#include <mutex>

using namespace ServeTest;

namespace {

QByteArray headerValue(const HttpResponse& response, const QByteArray& name) {
    for (const QByteArray& line : response.headers.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

} // namespace

class TestServeOrchestration : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void readyzWhileStarting();
    void sigtermDrains();
    void drainTimeoutEndsTheRest();
    void distinctTimeoutsKeepMemoryFlat();

private:
    QString writePipeline(const QString& name, const QByteArray& json);
    QTemporaryDir m_dir;
};

QString TestServeOrchestration::writePipeline(const QString& name, const QByteArray& json) {
    const QString path = m_dir.filePath(name);
    return writeFile(path, json) ? path : QString();
}

void TestServeOrchestration::initTestCase() {
    QVERIFY(m_dir.isValid());
}

void TestServeOrchestration::readyzWhileStarting() {
    // A hundred workers to start: long enough to be asked while starting.
    QJsonArray steps;
    for (int i = 0; i < 100; ++i)
        steps.append(step(QStringLiteral("s%1").arg(i), QStringLiteral("passthrough")));
    const QString path = writePipeline(QStringLiteral("chain.json"), pipelineJson(steps));
    Server server(path, {QStringLiteral("--quiet")}, Server::Until::Bound);
    QVERIFY2(server.port() != 0, server.err().constData());
    QList<int> statuses;
    QStringList reasons;
    QElapsedTimer timer;
    timer.start();
    qint64 slowestAnswerMs = 0; // the event loop must keep answering while the flow starts
    while (timer.elapsed() < 30'000) {
        const qint64 askedAtMs = timer.elapsed();
        const HttpResponse ready = httpRequest(server.port(), "GET", "/readyz");
        slowestAnswerMs = std::max(slowestAnswerMs, timer.elapsed() - askedAtMs);
        if (statuses.isEmpty() || statuses.last() != ready.status) {
            statuses << ready.status;
            reasons << ready.json().value(QStringLiteral("reason")).toString();
        }
        if (ready.status == 200)
            break;
        // Work is refused while starting, with a hint to come back (unless the flow became
        // ready in between: then it is served).
        if (ready.status == 503) {
            const HttpResponse early = httpRequest(server.port(), "POST", "/v1/process", "{}");
            if (early.status == 503) {
                QCOMPARE(headerValue(early, "retry-after"), QByteArray("1"));
            } else {
                QVERIFY2(early.status == 200, qPrintable(early.describe()));
                QCOMPARE(httpRequest(server.port(), "GET", "/readyz").status, 200);
            }
        }
        QThread::msleep(2);
    }
    QVERIFY2(statuses.size() >= 2 && statuses.first() == 503 && statuses.last() == 200,
             qPrintable(QStringLiteral("first status %1 of %2, reasons '%3', slowest answer %4 ms "
                                       "(long: the flow's start blocked the event loop), %5")
                            .arg(statuses.first())
                            .arg(statuses.size())
                            .arg(reasons.join(QLatin1Char('|')))
                            .arg(slowestAnswerMs)
                            .arg(QString::fromUtf8(server.err()))));
    QCOMPARE(reasons.first(), QStringLiteral("starting"));
    // Liveness holds throughout.
    QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
    server.collectChildren();
    QCOMPARE(server.stop(), 0);
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
}

void TestServeOrchestration::sigtermDrains() {
    const QString path =
        writePipeline(QStringLiteral("sleep.json"),
                      pipelineJson({QJsonObject{
                          {QStringLiteral("id"), QStringLiteral("nap")},
                          {QStringLiteral("handler"), QStringLiteral("sleep")},
                          {QStringLiteral("params"), QJsonObject{{QStringLiteral("ms"), 1500}}},
                          {QStringLiteral("nprocs"), 2},
                      }}));
    Server server(path, {QStringLiteral("--quiet")});
    QVERIFY2(server.port() != 0, server.err().constData());
    QCOMPARE(httpRequest(server.port(), "GET", "/readyz").status, 200);
    HttpConnection a(server.port());
    HttpConnection b(server.port());
    HttpConnection probe(server.port()); // a keep-alive connection open before the signal
    QVERIFY(probe.request("GET", "/healthz").status == 200);
    QVERIFY(a.sendRaw("POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                      "12\r\n\r\n{\"value\": 1}"));
    QVERIFY(b.sendRaw("POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                      "12\r\n\r\n{\"value\": 2}"));
    QVERIFY(waitInFlight(server.port(), 2));
    QElapsedTimer sinceSignal;
    sinceSignal.start();
    ::kill(pid_t(server.pid()), SIGTERM);
    // Readiness turns off at once (well before the in-flight tasks can finish).
    HttpResponse ready;
    do {
        ready = httpRequest(server.port(), "GET", "/readyz");
    } while (ready.status == 200 && sinceSignal.elapsed() < 1000);
    QVERIFY2(ready.status == 503, qPrintable(ready.describe()));
    QVERIFY2(sinceSignal.elapsed() < 1000, qPrintable(QString::number(sinceSignal.elapsed())));
    QCOMPARE(ready.json().value(QStringLiteral("reason")).toString(), QStringLiteral("draining"));
    // New work is refused and its connection closed; liveness and metrics still answer.
    const HttpResponse refused = probe.request("POST", "/v1/process", "{\"value\": 3}");
    QVERIFY2(refused.status == 503, qPrintable(refused.describe()));
    QCOMPARE(headerValue(refused, "retry-after"), QByteArray("1"));
    QCOMPARE(headerValue(refused, "connection").toLower(), QByteArray("close"));
    QVERIFY(probe.waitClosed(10'000));
    QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
    const QByteArray metrics = httpRequest(server.port(), "GET", "/metrics").body;
    QVERIFY2(metrics.contains("aqueduct_serve_draining 1"), metrics.constData());
    QVERIFY2(metrics.contains("aqueduct_serve_ready 0"), metrics.constData());
    QVERIFY2(metrics.contains("aqueduct_serve_inflight_requests 2"), metrics.constData());
    // In-flight requests still get their answers, then the process exits 0.
    const HttpResponse first = a.readResponse();
    const HttpResponse second = b.readResponse();
    QVERIFY2(first.status == 200, qPrintable(first.describe()));
    QVERIFY2(second.status == 200, qPrintable(second.describe()));
    QCOMPARE(headerValue(first, "connection").toLower(), QByteArray("close"));
    QCOMPARE(server.waitExit(), 0);
    QVERIFY2(server.err().contains("SIGTERM"), server.err().constData());
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
    QVERIFY(!HttpConnection(server.port()).isOpen());
}

void TestServeOrchestration::drainTimeoutEndsTheRest() {
    const QString path =
        writePipeline(QStringLiteral("long-sleep.json"),
                      pipelineJson({QJsonObject{
                          {QStringLiteral("id"), QStringLiteral("nap")},
                          {QStringLiteral("handler"), QStringLiteral("sleep")},
                          {QStringLiteral("params"), QJsonObject{{QStringLiteral("ms"), 20'000}}},
                      }}));
    Server server(path, {QStringLiteral("--quiet"), QStringLiteral("--drain-timeout-s"),
                         QStringLiteral("1")});
    QVERIFY2(server.port() != 0, server.err().constData());
    HttpConnection slow(server.port());
    QVERIFY(slow.sendRaw("POST /v1/process HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                         "12\r\n\r\n{\"value\": 1}"));
    QVERIFY(waitInFlight(server.port(), 1));
    QElapsedTimer sinceSignal;
    sinceSignal.start();
    ::kill(pid_t(server.pid()), SIGTERM);
    const HttpResponse response = slow.readResponse(15'000);
    QVERIFY2(response.status == 503, qPrintable(response.describe()));
    QCOMPARE(response.json().value(QStringLiteral("_status")).toString(),
             QStringLiteral("not_running"));
    QCOMPARE(server.waitExit(), 0);
    // Well before the 20 s task could have finished.
    QVERIFY2(sinceSignal.elapsed() < 15'000, qPrintable(QString::number(sinceSignal.elapsed())));
    QVERIFY2(server.err().contains("--drain-timeout-s"), server.err().constData());
    QVERIFY2(server.leftovers().isEmpty(), qPrintable(server.leftovers()));
}

void TestServeOrchestration::distinctTimeoutsKeepMemoryFlat() {
    // Clients choose timeout_ms: 100,000 distinct values must not grow the server (issue 16,
    // item 5: one deadline class per distinct timeout, kept forever, scanned on every task).
    const QString path =
        writePipeline(QStringLiteral("increment.json"),
                      pipelineJson({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    Server server(path, {QStringLiteral("--quiet")}, Server::Until::Listening,
                  Server::Measuring::Memory);
    QVERIFY2(server.port() != 0, server.err().constData());
    constexpr int kClients = 4;
    constexpr int kTotal = 100'000;
    constexpr int kWarmUp = 10'000;
    constexpr qint64 kBudgetMs = 240'000; // a bound, not a speed goal
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::atomic<qint64> rssAfterWarmUpKiB{-1};
    QByteArray firstFailure;
    std::mutex failureMutex;
    QElapsedTimer timer;
    timer.start();
    const auto client = [&] {
        HttpConnection connection(server.port());
        for (;;) {
            const int i = next.fetch_add(1);
            if (i >= kTotal || timer.elapsed() > kBudgetMs)
                return;
            if (i == kWarmUp)
                rssAfterWarmUpKiB = server.anonKiB();
            // Distinct timeouts, all long enough never to fire: 100000..199999 ms.
            const HttpResponse response = connection.request(
                "POST", "/v1/process?timeout_ms=" + QByteArray::number(100'000 + i),
                "{\"value\": " + QByteArray::number(i) + "}");
            if (response.status != 200 ||
                response.json().value(QStringLiteral("value")).toInt() != i + 1) {
                if (failed.fetch_add(1) == 0) {
                    std::lock_guard lock(failureMutex);
                    firstFailure = response.describe().toUtf8();
                }
                if (!connection.isOpen())
                    return;
            }
        }
    };
    std::vector<std::thread> threads;
    for (int c = 0; c < kClients; ++c)
        threads.emplace_back(client);
    for (std::thread& thread : threads)
        thread.join();
    const qint64 elapsedMs = timer.elapsed();
    const qint64 rssEndKiB = server.anonKiB();
    const int done = std::min(next.load(), kTotal);
    qInfo("%d requests in %lld ms; server anonymous RSS %lld KiB after %d, %lld KiB at the end",
          done, static_cast<long long>(elapsedMs), static_cast<long long>(rssAfterWarmUpKiB.load()),
          kWarmUp, static_cast<long long>(rssEndKiB));
    QVERIFY2(failed.load() == 0, firstFailure.constData());
    QVERIFY2(done == kTotal && next.load() >= kTotal,
             qPrintable(QStringLiteral("only %1 of %2 requests within %3 ms")
                            .arg(done)
                            .arg(kTotal)
                            .arg(kBudgetMs)));
    QVERIFY(rssAfterWarmUpKiB.load() > 0 && rssEndKiB > 0);
    // 90,000 more distinct timeouts after the warm-up: a per-timeout entry of even 100 bytes
    // would add ~9 MB; allow allocator noise well below that.
    QVERIFY2(rssEndKiB - rssAfterWarmUpKiB.load() < 6 * 1024,
             qPrintable(QStringLiteral("server anonymous RSS grew from %1 KiB to %2 KiB")
                            .arg(rssAfterWarmUpKiB.load())
                            .arg(rssEndKiB)));
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestServeOrchestration)
#include "tst_serveorchestration.moc"
