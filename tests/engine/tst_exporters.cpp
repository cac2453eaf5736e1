// Metrics exporters (issue 6): Prometheus over HTTP checked by a real parser (promtool),
// StatsD lines received on a UDP socket, JSON lines in a file, and the ExporterSet that
// front ends use.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include <aqueduct/exporters/ExporterSet.h>
#include <aqueduct/exporters/JsonLinesExporter.h>
#include <aqueduct/exporters/PrometheusExporter.h>
#include <aqueduct/exporters/PrometheusFormatter.h>
#include <aqueduct/exporters/StatsdExporter.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUdpSocket>

#include <functional>
#include <limits>

using namespace Aqueduct;
using namespace Aqueduct::Test;

namespace {

PipelineDocument twoStepDocument() {
    PipelineDocument doc;
    doc.name = QStringLiteral("exporters-test");
    doc.steps = {step(QStringLiteral("inc"), QStringLiteral("increment")),
                 step(QStringLiteral("again"), QStringLiteral("increment"), {}, 2)};
    doc.flow.metrics.intervalMs = 20;
    doc.flow.queuePriorities = 2;
    return doc;
}

std::vector<Task> intTasks(int count) {
    std::vector<Task> tasks;
    for (int i = 0; i < count; ++i)
        tasks.push_back(intTask(i, i % 2));
    return tasks;
}

void spinUntil(const std::function<bool()>& done, int timeoutMs = 10000) {
    QElapsedTimer elapsed;
    elapsed.start();
    while (!done() && elapsed.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 10);
}

/// Waits for the next snapshot of `flow` (one taken after everything before the call).
bool waitNextSnapshot(Flow& flow) {
    QSignalSpy spy(&flow, &Flow::metricsSnapshot);
    spinUntil([&] { return spy.count() > 0; });
    return spy.count() > 0;
}

struct HttpReply {
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

HttpReply httpGet(const QString& url) {
    QNetworkAccessManager manager;
    QNetworkReply* reply = manager.get(QNetworkRequest(QUrl(url)));
    spinUntil([&] { return reply->isFinished(); });
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    result.body = reply->readAll();
    delete reply;
    return result;
}

/// Runs `promtool check metrics` on `text`. Empty result: passed. Sets `missing` when
/// promtool is not installed.
QString promtoolProblems(const QByteArray& text, bool* missing) {
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    *missing = promtool.isEmpty();
    if (*missing)
        return {};
    QProcess process;
    process.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!process.waitForStarted(10000))
        return QStringLiteral("promtool did not start");
    process.write(text);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000))
        return QStringLiteral("promtool did not finish");
    const QString output =
        QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("exit %1: %2").arg(process.exitCode()).arg(output);
    return {};
}

#define CHECK_WITH_PROMTOOL(text)                                                                  \
    do {                                                                                           \
        bool missing = false;                                                                      \
        const QString problems = promtoolProblems(text, &missing);                                 \
        if (missing) {                                                                             \
            if (qEnvironmentVariable("CI") == QLatin1String("true"))                               \
                QFAIL("promtool is not installed (Debian package 'prometheus'); CI must have it"); \
            QSKIP("promtool is not installed (Debian package 'prometheus')");                      \
        }                                                                                          \
        QVERIFY2(problems.isEmpty(), qPrintable(problems + QStringLiteral("\n") + text));          \
    } while (false)

/// The value of the sample `series` (name plus labels exactly as rendered), or -1.
double sampleValue(const QByteArray& text, const QByteArray& series) {
    for (const QByteArray& line : text.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

MetricsSnapshot syntheticSnapshot(const QString& stepId) {
    MetricsSnapshot snapshot;
    snapshot.flowState = QStringLiteral("running");
    snapshot.uptimeS = 1.5;
    StepMetrics step;
    step.stepId = stepId;
    step.handler = QStringLiteral("increment");
    step.queueDepthPerLane = {3};
    step.tasksOut = 7;
    snapshot.steps.append(step);
    ProcessMetrics parent;
    parent.worker.workerIndex = -1;
    parent.worker.pid = 1234;
    snapshot.processes.append(parent);
    return snapshot;
}

} // namespace

class TestExporters : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void prometheusServesMetricsOverHttp();
    void prometheusFollowsReplacedAndRestartedFlow();
    void prometheusEscapesLabels();
    void prometheusRefusesBadAddress();
    void statsdLinesReachUdpSocket();
    void statsdPacksUnderDatagramLimit();
    void jsonLinesFile();
    void jsonLinesFileErrors();
    void exporterSetFromSettings();
};

void TestExporters::prometheusServesMetricsOverHttp() {
    ProcessLeakGuard guard;
    {
        Flow flow(twoStepDocument());
        PrometheusExporter exporter;
        QString error;
        QVERIFY2(exporter.listen(QStringLiteral("127.0.0.1"), 0, &error), qPrintable(error));
        QVERIFY(exporter.port() != 0);
        QCOMPARE(exporter.address(), QHostAddress(QHostAddress::LocalHost));
        exporter.setFlow(&flow);

        // Before any snapshot: a valid exposition saying the flow is not up.
        HttpReply empty = httpGet(exporter.url());
        QCOMPARE(empty.status, 200);
        QCOMPARE(sampleValue(empty.body, "aqueduct_flow_up"), 0.0);

        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));
        auto results = runFor(flow.processMany(intTasks(100)));
        QVERIFY(results);
        for (const TaskResult& result : *results)
            QVERIFY2(result.ok(), qPrintable(result.message()));
        QVERIFY(waitNextSnapshot(flow));

        const HttpReply reply = httpGet(exporter.url());
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.contentType.startsWith("text/plain; version=0.0.4"),
                 reply.contentType.constData());
        const QByteArray& text = reply.body;
        QCOMPARE(sampleValue(text, "aqueduct_flow_up"), 1.0);
        QCOMPARE(sampleValue(text, "aqueduct_tasks_submitted_total"), 100.0);
        QCOMPARE(sampleValue(text, "aqueduct_tasks_completed_total"), 100.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_tasks_in_total{step=\"inc\"}"), 100.0);
        // Every task reached the handler in some batch, however the batches fell.
        QCOMPARE(sampleValue(text, "aqueduct_step_batched_tasks_total{step=\"inc\"}"), 100.0);
        QVERIFY(sampleValue(text, "aqueduct_step_batches_total{step=\"inc\"}") >= 1.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_tasks_out_total{step=\"again\"}"), 100.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_queue_depth{step=\"inc\",lane=\"1\"}"), 0.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_workers_alive{step=\"again\"}"), 2.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_handle_seconds_count{step=\"inc\"}"), 100.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_handle_seconds_bucket{step=\"inc\",le=\"+Inf\"}"),
                 100.0);
        QCOMPARE(sampleValue(text, "aqueduct_step_batch_fill_bucket{step=\"inc\",le=\"1\"}"),
                 100.0);
        QCOMPARE(sampleValue(text, "aqueduct_tasks_failed_total{kind=\"handler_error\"}"), 0.0);
        QCOMPARE(sampleValue(text, "aqueduct_flow_state{state=\"running\"}"), 1.0);
        QCOMPARE(
            sampleValue(
                text,
                "aqueduct_process_state{role=\"worker\",step=\"inc\",worker=\"0\",state=\"dead\"}"),
            0.0);
        QVERIFY(text.contains("aqueduct_process_resident_memory_bytes{role=\"parent\",pid=\""));
        CHECK_WITH_PROMTOOL(text);

        QCOMPARE(
            httpGet(exporter.url().replace(QStringLiteral("/metrics"), QStringLiteral("/nope")))
                .status,
            404);
        QCOMPARE(
            httpGet(exporter.url().replace(QStringLiteral("/metrics"), QStringLiteral("/"))).status,
            404);
        QVERIFY(exporter.scrapes() >= 2);
        QVERIFY(runFor(flow.stop()));

        // The final snapshot, taken while stopping: the flow is no longer up.
        const HttpReply stopped = httpGet(exporter.url());
        QCOMPARE(sampleValue(stopped.body, "aqueduct_flow_up"), 0.0);
        QCOMPARE(sampleValue(stopped.body, "aqueduct_flow_state{state=\"running\"}"), 0.0);
        QCOMPARE(sampleValue(stopped.body, "aqueduct_tasks_completed_total"), 100.0);
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestExporters::prometheusFollowsReplacedAndRestartedFlow() {
    ProcessLeakGuard guard;
    {
        PrometheusExporter exporter;
        QVERIFY(exporter.listen());
        auto first = std::make_unique<Flow>(twoStepDocument());
        exporter.setFlow(first.get());
        for (int run = 0; run < 2; ++run) { // the same flow started twice
            auto started = runFor(first->start());
            QVERIFY(started && started->ok);
            QVERIFY(runFor(first->processMany(intTasks(10 + run))));
            QVERIFY(waitNextSnapshot(*first));
            const QByteArray text = httpGet(exporter.url()).body;
            // Counters start over with each run.
            QCOMPARE(sampleValue(text, "aqueduct_tasks_completed_total"), double(10 + run));
            QVERIFY(runFor(first->stop()));
        }

        // Replaced by another flow with another step.
        PipelineDocument other;
        other.steps = {step(QStringLiteral("other"), QStringLiteral("passthrough"))};
        other.flow.metrics.intervalMs = 20;
        Flow second(other);
        exporter.setFlow(&second);
        QCOMPARE(sampleValue(httpGet(exporter.url()).body, "aqueduct_flow_up"),
                 0.0); // nothing of the old flow
        auto started = runFor(second.start());
        QVERIFY(started && started->ok);
        QVERIFY(runFor(second.processMany(intTasks(3))));
        QVERIFY(waitNextSnapshot(second));
        const QByteArray text = httpGet(exporter.url()).body;
        QCOMPARE(sampleValue(text, "aqueduct_step_tasks_out_total{step=\"other\"}"), 3.0);
        QVERIFY(!text.contains("step=\"inc\""));
        // Deleting the old flow does not disturb the exporter.
        first.reset();
        QCOMPARE(exporter.flow(), &second);
        QVERIFY(waitNextSnapshot(second));
        QCOMPARE(sampleValue(httpGet(exporter.url()).body, "aqueduct_flow_up"), 1.0);
        QVERIFY(runFor(second.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestExporters::prometheusEscapesLabels() {
    QCOMPARE(PrometheusFormatter::escapeLabelValue(u"a\"b\\c\nd"), QByteArray("a\\\"b\\\\c\\nd"));
    QCOMPARE(PrometheusFormatter::formatValue(0.5), QByteArray("0.5"));
    QCOMPARE(PrometheusFormatter::formatValue(2e-06), QByteArray("2e-06"));
    QCOMPARE(PrometheusFormatter::formatValue(std::numeric_limits<double>::infinity()),
             QByteArray("+Inf"));
    // A step id no pipeline file allows, but code can build: still a valid exposition.
    const MetricsSnapshot snapshot = syntheticSnapshot(QStringLiteral("we\"ird\\st\nep"));
    const QByteArray text = PrometheusFormatter::format(&snapshot);
    QCOMPARE(sampleValue(text, "aqueduct_step_tasks_out_total{step=\"we\\\"ird\\\\st\\nep\"}"),
             7.0);
    CHECK_WITH_PROMTOOL(text);
    const QByteArray empty = PrometheusFormatter::format(nullptr);
    QCOMPARE(sampleValue(empty, "aqueduct_flow_up"), 0.0);
    CHECK_WITH_PROMTOOL(empty);
}

void TestExporters::prometheusRefusesBadAddress() {
    PrometheusExporter exporter;
    QString error;
    QVERIFY(!exporter.listen(QStringLiteral("not an address"), 0, &error));
    QVERIFY2(error.contains(QStringLiteral("not an IP address")), qPrintable(error));
    QVERIFY(!exporter.isListening());

    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QVERIFY(!exporter.listen(QStringLiteral("127.0.0.1"), taken.serverPort(), &error));
    QVERIFY2(error.contains(QStringLiteral("cannot listen")), qPrintable(error));
    QCOMPARE(exporter.port(), quint16(0));
}

void TestExporters::statsdLinesReachUdpSocket() {
    ProcessLeakGuard guard;
    {
        QUdpSocket receiver;
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0));
        QList<QByteArray> datagrams;
        connect(&receiver, &QUdpSocket::readyRead, &receiver, [&] {
            while (receiver.hasPendingDatagrams()) {
                QByteArray datagram(int(receiver.pendingDatagramSize()), Qt::Uninitialized);
                receiver.readDatagram(datagram.data(), datagram.size());
                datagrams.append(datagram);
            }
        });

        Flow flow(twoStepDocument());
        StatsdExporter exporter;
        QVERIFY(exporter.setTarget(QStringLiteral("127.0.0.1"), receiver.localPort()));
        exporter.setPrefix(QStringLiteral("test.aq"));
        exporter.setFlow(&flow);
        auto started = runFor(flow.start());
        QVERIFY(started && started->ok);
        constexpr int kTasks = 50;
        QVERIFY(runFor(flow.processMany(intTasks(kTasks))));

        // Counter lines carry deltas: they add up to the totals.
        static const QRegularExpression linePattern(
            QStringLiteral("^([A-Za-z0-9_.-]+):([0-9]+(\\.[0-9]+)?)\\|(c|g|ms)$"));
        QHash<QString, double> counters;
        QSet<QString> names;
        auto collect = [&] {
            for (const QByteArray& datagram : std::as_const(datagrams)) {
                QVERIFY2(datagram.size() <= StatsdExporter::kMaxDatagramBytes,
                         datagram.constData());
                for (const QByteArray& line : datagram.split('\n')) {
                    const QRegularExpressionMatch match =
                        linePattern.match(QString::fromUtf8(line));
                    QVERIFY2(match.hasMatch(), line.constData());
                    names.insert(match.captured(1) + QLatin1Char('|') + match.captured(4));
                    if (match.captured(4) == QLatin1String("c"))
                        counters[match.captured(1)] += match.captured(2).toDouble();
                }
            }
            datagrams.clear();
        };
        spinUntil([&] {
            collect();
            return counters.value(QStringLiteral("test.aq.step.again.tasks_out")) >= kTasks;
        });
        QCOMPARE(counters.value(QStringLiteral("test.aq.flow.submitted")), double(kTasks));
        QCOMPARE(counters.value(QStringLiteral("test.aq.flow.completed")), double(kTasks));
        QCOMPARE(counters.value(QStringLiteral("test.aq.step.inc.tasks_in")), double(kTasks));
        QCOMPARE(counters.value(QStringLiteral("test.aq.step.inc.batched_tasks")), double(kTasks));
        QCOMPARE(counters.value(QStringLiteral("test.aq.step.inc.tasks_out")), double(kTasks));
        QCOMPARE(counters.value(QStringLiteral("test.aq.step.again.tasks_out")), double(kTasks));
        QVERIFY(names.contains(QStringLiteral("test.aq.flow.up|g")));
        QVERIFY(names.contains(QStringLiteral("test.aq.step.inc.queue_depth|g")));
        QVERIFY(names.contains(QStringLiteral("test.aq.step.inc.queue_depth.lane_1|g")));
        QVERIFY(names.contains(QStringLiteral("test.aq.step.inc.handle_time.p50|ms")));
        QVERIFY(names.contains(QStringLiteral("test.aq.step.inc.queue_wait.p99|ms")));
        QVERIFY(names.contains(QStringLiteral("test.aq.process.parent.rss_bytes|g")));
        QVERIFY(names.contains(QStringLiteral("test.aq.process.again.1.cpu_percent|g")));
        QVERIFY(exporter.datagramsSent() > 0);

        // Idle intervals send no counter line (no zero deltas) and no timings.
        QVERIFY(waitNextSnapshot(flow));
        collect();
        counters.clear();
        names.clear();
        QVERIFY(waitNextSnapshot(flow));
        spinUntil([&] { return !datagrams.isEmpty(); }, 2000);
        collect();
        QVERIFY(counters.isEmpty());
        QVERIFY(!names.contains(QStringLiteral("test.aq.step.inc.handle_time.p50|ms")));
        QVERIFY(names.contains(QStringLiteral("test.aq.flow.in_flight|g")));
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestExporters::statsdPacksUnderDatagramLimit() {
    MetricsSnapshot snapshot = syntheticSnapshot(QStringLiteral("s0"));
    for (int i = 1; i < 60; ++i) {
        StepMetrics step = snapshot.steps[0];
        step.stepId = QStringLiteral("a_rather_long_step_name_%1").arg(i);
        snapshot.steps.append(step);
    }
    StatsdExporter exporter;
    const QList<QByteArray> lines = exporter.formatLines(snapshot);
    QVERIFY(lines.size() > 60 * 5);
    const QList<QByteArray> datagrams = StatsdExporter::pack(lines);
    QVERIFY(datagrams.size() > 1);
    QList<QByteArray> unpacked;
    for (const QByteArray& datagram : datagrams) {
        QVERIFY(datagram.size() <= StatsdExporter::kMaxDatagramBytes);
        unpacked += datagram.split('\n');
    }
    QCOMPARE(unpacked, lines);
    QVERIFY(lines.contains("aqueduct.step.a_rather_long_step_name_7.tasks_out:7|c"));

    // Deltas: the same snapshot again sends no counter; a higher count sends the step.
    for (const QByteArray& line : exporter.formatLines(snapshot))
        QVERIFY2(!line.endsWith("|c"), line.constData());
    snapshot.steps[3].tasksOut = 10;
    QVERIFY(exporter.formatLines(snapshot).contains(
        "aqueduct.step.a_rather_long_step_name_3.tasks_out:3|c"));
    QCOMPARE(StatsdExporter::sanitize(u"a.b:c|d@e f"), QByteArray("a_b_c_d_e_f"));
}

void TestExporters::jsonLinesFile() {
    ProcessLeakGuard guard;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("metrics.jsonl"));
    {
        QFile existing(path);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("{\"earlier\":true}\n"); // appended to, never truncated
    }
    quint64 written = 0;
    {
        Flow flow(twoStepDocument());
        JsonLinesExporter exporter;
        QString error;
        QVERIFY2(exporter.open(path, &error), qPrintable(error));
        exporter.setFlow(&flow);
        auto started = runFor(flow.start());
        QVERIFY(started && started->ok);
        QVERIFY(runFor(flow.processMany(intTasks(30))));
        QVERIFY(waitNextSnapshot(flow));
        QVERIFY(runFor(flow.stop()));
        written = exporter.linesWritten();
        QVERIFY(written >= 2);
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.takeLast(), QByteArray()); // every line ends with a newline
    QCOMPARE(lines.takeFirst(), QByteArray("{\"earlier\":true}"));
    QCOMPARE(quint64(lines.size()), written);
    QJsonObject last;
    for (const QByteArray& line : std::as_const(lines)) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        QVERIFY2(document.isObject(), qPrintable(parseError.errorString()));
        last = document.object();
    }
    // The last line is the final snapshot, taken as the flow stopped.
    QVERIFY(last.value(QStringLiteral("flow_state")).toString().startsWith(QStringLiteral("stop")));
    QVERIFY(last.value(QStringLiteral("timestamp_ms")).toDouble() > 1.6e12);
    const QJsonObject totals = last.value(QStringLiteral("totals")).toObject();
    QCOMPARE(totals.value(QStringLiteral("completed")).toInt(), 30);
    QCOMPARE(totals.value(QStringLiteral("submitted")).toInt(), 30);
    QCOMPARE(totals.value(QStringLiteral("errors_by_kind"))
                 .toObject()
                 .value(QStringLiteral("timeout"))
                 .toInt(),
             0);
    const QJsonArray steps = last.value(QStringLiteral("steps")).toArray();
    QCOMPARE(steps.size(), 2);
    const QJsonObject again = steps[1].toObject();
    QCOMPARE(again.value(QStringLiteral("step")).toString(), QStringLiteral("again"));
    QCOMPARE(again.value(QStringLiteral("tasks_out")).toInt(), 30);
    QCOMPARE(again.value(QStringLiteral("queue_depth_per_lane")).toArray().size(), 2);
    const QJsonObject histogram = again.value(QStringLiteral("handle_time_histogram")).toObject();
    QCOMPARE(histogram.value(QStringLiteral("count")).toInt(), 30);
    QCOMPARE(histogram.value(QStringLiteral("cumulative_counts")).toArray().size(),
             histogram.value(QStringLiteral("upper_bounds")).toArray().size() + 1);
    QVERIFY(
        again.value(QStringLiteral("handle_time")).toObject().contains(QStringLiteral("p99_us")));
    const QJsonArray processes = last.value(QStringLiteral("processes")).toArray();
    QCOMPARE(processes.size(), 4); // parent + 1 + 2 workers
    QCOMPARE(processes[0].toObject().value(QStringLiteral("role")).toString(),
             QStringLiteral("parent"));
    QCOMPARE(processes[3].toObject().value(QStringLiteral("worker")).toInt(), 1);
    QVERIFY(processes[0].toObject().value(QStringLiteral("rss_bytes")).toDouble() > 0);
}

void TestExporters::jsonLinesFileErrors() {
    JsonLinesExporter exporter;
    QSignalSpy failures(&exporter, &JsonLinesExporter::writeFailed);
    QString error;
    QVERIFY(!exporter.open(QStringLiteral("/nonexistent-aqueduct-dir/metrics.jsonl"), &error));
    QVERIFY2(error.contains(QStringLiteral("cannot open")), qPrintable(error));
    const MetricsSnapshot snapshot = syntheticSnapshot(QStringLiteral("s"));
    QVERIFY(!exporter.write(snapshot, &error)); // not open: reported, not a crash
    QCOMPARE(failures.count(), 1);

    // A full disk: every write fails, reported once per failure streak.
    QVERIFY2(exporter.open(QStringLiteral("/dev/full"), &error), qPrintable(error));
    failures.clear();
    QVERIFY(!exporter.write(snapshot, &error));
    QVERIFY2(error.contains(QStringLiteral("cannot write")), qPrintable(error));
    exporter.consume(std::make_shared<const MetricsSnapshot>(snapshot));
    QCOMPARE(failures.count(), 1);
    QCOMPARE(exporter.linesWritten(), quint64(0));
}

void TestExporters::exporterSetFromSettings() {
    ProcessLeakGuard guard;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        QUdpSocket receiver;
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0));
        const PipelineDocument doc = twoStepDocument();
        // A copy, as `aqueduct run` passes its overrides (port 0 is for tests: a file
        // must name a real port).
        MetricsSettings settings = doc.flow.metrics;
        settings.prometheusEnabled = true;
        settings.prometheusPort = 0;
        settings.statsdEnabled = true;
        settings.statsdPort = receiver.localPort();
        settings.statsdPrefix = QStringLiteral("set");
        settings.jsonlPath = dir.filePath(QStringLiteral("m.jsonl"));
        Flow flow(doc);
        QObject owner;
        QStringList errors;
        ExporterSet* set = attachExporters(flow, settings, &owner, &errors);
        QVERIFY(set);
        QCOMPARE(set->parent(), &owner);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QVERIFY(set->prometheus() && set->statsd() && set->jsonLines());
        QCOMPARE(set->describe().size(), 3);
        QVERIFY(set->describe()[0].startsWith(QStringLiteral("prometheus: http://127.0.0.1:")));

        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));
        QVERIFY(runFor(flow.processMany(intTasks(5))));
        QVERIFY(waitNextSnapshot(flow));
        spinUntil([&] { return receiver.hasPendingDatagrams(); });
        QVERIFY(receiver.hasPendingDatagrams());
        QCOMPARE(
            sampleValue(httpGet(set->prometheus()->url()).body, "aqueduct_tasks_completed_total"),
            5.0);
        QVERIFY(set->jsonLines()->linesWritten() > 0);
        QVERIFY(runFor(flow.stop()));

        // Problems are reported per exporter; the rest still start.
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        settings.prometheusPort = taken.serverPort();
        settings.jsonlPath = QStringLiteral("/nonexistent-aqueduct-dir/m.jsonl");
        errors = set->configure(settings, &flow);
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors[0].startsWith(QStringLiteral("prometheus: cannot listen")),
                 qPrintable(errors[0]));
        QVERIFY2(errors[1].startsWith(QStringLiteral("jsonl: cannot open")), qPrintable(errors[1]));
        QVERIFY(!set->prometheus() && set->statsd() && !set->jsonLines());

        // Metrics off: nothing starts, and the requested exporters are reported.
        settings.enabled = false;
        errors = set->configure(settings, &flow);
        QCOMPARE(errors.size(), 1);
        QVERIFY(set->isEmpty());
        settings.prometheusEnabled = settings.statsdEnabled = false;
        settings.jsonlPath.clear();
        QVERIFY(set->configure(settings, &flow).isEmpty());
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

AQUEDUCT_TEST_MAIN(TestExporters)
#include "tst_exporters.moc"
