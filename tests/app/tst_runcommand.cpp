// `aqueduct run` as users run it: the real program via QProcess, pipelines written to a
// temporary folder. JSON lines in and out (good and malformed lines), ordered output,
// generated load, --duration, SIGINT/SIGTERM (graceful, then hard) with no process or
// shared-memory segment left behind, a flow that fails while running, and exit codes 2/3.
#include "ProcessLeakGuard.h"

#include <QDir>
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
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kRunTimeoutMs = 50'000;

struct Run {
    bool finished = false;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QString describe() const {
        return QStringLiteral("exit %1 (%2)\n--- stdout\n%3\n--- stderr\n%4")
            .arg(exitCode)
            .arg(!finished                        ? QStringLiteral("did not finish")
                 : status == QProcess::NormalExit ? QStringLiteral("normal")
                                                  : QStringLiteral("CRASHED"))
            .arg(QString::fromUtf8(out.left(3000)), QString::fromUtf8(err.right(3000)));
    }
};

Run runApp(const QStringList& arguments, const QByteArray& input = {}) {
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  QStringList{QStringLiteral("run")} + arguments);
    Run run;
    if (!process.waitForStarted(kRunTimeoutMs))
        return run;
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    run.finished = process.waitForFinished(kRunTimeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished();
    }
    run.status = process.exitStatus();
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
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
                         {QStringLiteral("name"), QStringLiteral("test")},
                         {QStringLiteral("steps"), steps}};
    if (!flow.isEmpty())
        document.insert(QStringLiteral("flow"), flow);
    return QJsonDocument(document).toJson();
}

QList<QJsonObject> jsonLines(const QByteArray& text, QString* error = nullptr) {
    QList<QJsonObject> lines;
    for (const QByteArray& line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject()) {
            if (error)
                *error = QStringLiteral("not a JSON object: %1").arg(QString::fromUtf8(line));
            return {};
        }
        lines << document.object();
    }
    return lines;
}

/// The summary is the last line of stderr.
QJsonObject summaryOf(const QByteArray& err) {
    const QList<QByteArray> lines = err.trimmed().split('\n');
    return lines.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(lines.last()).object();
}

qint64 failedCount(const QJsonObject& summary, const QString& kind) {
    return summary.value(QStringLiteral("failed")).toObject().value(kind).toInteger();
}

qint64 failedTotal(const QJsonObject& summary) {
    qint64 total = 0;
    const QJsonObject failed = summary.value(QStringLiteral("failed")).toObject();
    for (auto it = failed.constBegin(); it != failed.constEnd(); ++it)
        total += it.value().toInteger();
    return total;
}

bool processGone(pid_t pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && line.mid(close + 2, 1) == "Z";
}

QStringList segmentsOf(qint64 pid) {
    return QDir(QStringLiteral("/dev/shm"))
        .entryList({QStringLiteral("aqueduct-%1-*").arg(pid)}, QDir::Files | QDir::System);
}

/// A `run` started in the background, for signal tests.
class BackgroundRun {
public:
    explicit BackgroundRun(const QStringList& arguments) {
        m_process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                        QStringList{QStringLiteral("run")} + arguments);
    }
    ~BackgroundRun() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    qint64 pid() const { return m_process.processId(); }
    /// Waits until stderr contains `text`.
    bool waitForStderr(const QByteArray& text, int timeoutMs = 20'000) {
        QElapsedTimer timer;
        timer.start();
        while (!m_err.contains(text) && timer.elapsed() < timeoutMs) {
            m_process.waitForReadyRead(100);
            m_err += m_process.readAllStandardError();
            m_out += m_process.readAllStandardOutput();
            if (m_process.state() == QProcess::NotRunning)
                break;
        }
        return m_err.contains(text);
    }
    /// Waits until at least `count` result lines arrived on stdout.
    bool waitForLines(int count, int timeoutMs = 20'000) {
        QElapsedTimer timer;
        timer.start();
        while (m_out.count('\n') < count && timer.elapsed() < timeoutMs &&
               m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(100);
            m_out += m_process.readAllStandardOutput();
            m_err += m_process.readAllStandardError();
        }
        return m_out.count('\n') >= count;
    }
    void signal(int signalNumber) { ::kill(pid_t(m_process.processId()), signalNumber); }
    QByteArray err() const { return m_err; }
    Run finish() {
        Run run;
        run.finished = m_process.waitForFinished(kRunTimeoutMs);
        run.status = m_process.exitStatus();
        run.exitCode = m_process.exitCode();
        run.out = m_out + m_process.readAllStandardOutput();
        run.err = m_err + m_process.readAllStandardError();
        return run;
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

/// Minimal HTTP GET over a raw socket (the test links no QtNetwork).
QByteArray httpGet(quint16 port, const QByteArray& path) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QByteArray response;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        const QByteArray request =
            "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        [[maybe_unused]] ssize_t sent =
            ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL);
        char buffer[65536];
        for (;;) {
            pollfd pfd{fd, POLLIN, 0};
            if (::poll(&pfd, 1, 3000) <= 0)
                break;
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0)
                break;
            response.append(buffer, got);
            const qsizetype headerEnd = response.indexOf("\r\n\r\n");
            const qsizetype lengthAt = response.toLower().indexOf("content-length:");
            if (headerEnd > 0 && lengthAt > 0 && lengthAt < headerEnd) {
                const qsizetype lineEnd = response.indexOf("\r\n", lengthAt);
                const qint64 length =
                    response.mid(lengthAt + 15, lineEnd - lengthAt - 15).trimmed().toLongLong();
                if (response.size() >= headerEnd + 4 + length)
                    break;
            }
        }
    }
    ::close(fd);
    return response;
}

} // namespace

class TestRunCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void help();
    void badArguments_data();
    void badArguments();
    void invalidPipelineExits2();
    void startFailureExits3();
    void flowFailureExits3();
    void jsonLinesGoodAndMalformed();
    void stdinToStdoutAllOk();
    void orderedOutput();
    void generatedLoad();
    void rateAndDuration();
    void sigintFinishesInFlight();
    void secondSignalStopsAtOnce();
    void sigtermFinishesInFlight();
    void metricsPortServesPrometheus();
    void directoryIsNamedAsSuch();
    void smallDevShmFailsCleanlyOrRuns_data();
    void smallDevShmFailsCleanlyOrRuns();

private:
    QString writePipeline(const QString& name, const QByteArray& json);
    QTemporaryDir m_dir;
    QString m_increment;
};

QString TestRunCommand::writePipeline(const QString& name, const QByteArray& json) {
    const QString path = m_dir.filePath(name);
    if (!writeFile(path, json))
        return {};
    return path;
}

void TestRunCommand::initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(QStringLiteral(AQUEDUCT_APP_PATH)));
    m_increment =
        writePipeline(QStringLiteral("increment.json"),
                      pipelineJson({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    QVERIFY(!m_increment.isEmpty());
}

void TestRunCommand::help() {
    const Run run = runApp({QStringLiteral("--help")});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    for (const char* option :
         {"--input", "--generate", "--rate", "--payload-bytes", "--concurrency", "--duration",
          "--output", "--ordered", "--summary", "--metrics-port", "--quiet"})
        QVERIFY2(run.out.contains(option), option);
}

void TestRunCommand::badArguments_data() {
    QTest::addColumn<QStringList>("arguments");
    const QString pipeline = QStringLiteral("PIPELINE");
    QTest::newRow("nothing") << QStringList{};
    QTest::newRow("no-input") << QStringList{pipeline};
    QTest::newRow("both-inputs") << QStringList{pipeline, QStringLiteral("--input"),
                                                QStringLiteral("-"), QStringLiteral("--generate"),
                                                QStringLiteral("5")};
    QTest::newRow("unknown-option")
        << QStringList{pipeline, QStringLiteral("--generate"), QStringLiteral("5"),
                       QStringLiteral("--frobnicate")};
    QTest::newRow("zero-concurrency")
        << QStringList{pipeline, QStringLiteral("--generate"), QStringLiteral("5"),
                       QStringLiteral("--concurrency"), QStringLiteral("0")};
    QTest::newRow("negative-rate")
        << QStringList{pipeline, QStringLiteral("--generate"), QStringLiteral("5"),
                       QStringLiteral("--rate"), QStringLiteral("-1")};
    QTest::newRow("rate-without-generate")
        << QStringList{pipeline, QStringLiteral("--input"), QStringLiteral("-"),
                       QStringLiteral("--rate"), QStringLiteral("10")};
    QTest::newRow("missing-value") << QStringList{pipeline, QStringLiteral("--generate")};
    QTest::newRow("two-pipelines")
        << QStringList{pipeline, pipeline, QStringLiteral("--generate"), QStringLiteral("5")};
    QTest::newRow("missing-file") << QStringList{QStringLiteral("/nonexistent/pipeline.json"),
                                                 QStringLiteral("--generate"), QStringLiteral("5")};
    QTest::newRow("missing-input-file") << QStringList{pipeline, QStringLiteral("--input"),
                                                       QStringLiteral("/nonexistent/tasks.jsonl")};
    QTest::newRow("bad-metrics-port")
        << QStringList{pipeline, QStringLiteral("--generate"), QStringLiteral("5"),
                       QStringLiteral("--metrics-port"), QStringLiteral("70000")};
}

void TestRunCommand::badArguments() {
    QFETCH(QStringList, arguments);
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_increment);
    const Run run = runApp(arguments);
    QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.err.contains("aqueduct run:"), qPrintable(run.describe()));
    QVERIFY(run.out.isEmpty());
}

void TestRunCommand::invalidPipelineExits2() {
    const QString path =
        writePipeline(QStringLiteral("invalid.json"),
                      pipelineJson({step(QStringLiteral("a"), QStringLiteral("no_such_handler")),
                                    step(QStringLiteral("b"), QStringLiteral("sleep"),
                                         {{QStringLiteral("ms"), QStringLiteral("slow")}})}));
    const Run run = runApp({path, QStringLiteral("--generate"), QStringLiteral("10")});
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(run.describe()));
    // Every problem as FILE:PATH: reason.
    QVERIFY2(run.err.contains((path + QStringLiteral(":$.steps[0].handler: ")).toUtf8()),
             qPrintable(run.describe()));
    QVERIFY2(run.err.contains((path + QStringLiteral(":$.steps[1].params.ms: ")).toUtf8()),
             qPrintable(run.describe()));

    const QString broken =
        writePipeline(QStringLiteral("broken.json"), "{\"format\": \"aqueduct-pipeline\",\n  oops");
    const Run syntax = runApp({broken, QStringLiteral("--generate"), QStringLiteral("10")});
    QVERIFY2(syntax.finished && syntax.exitCode == 2, qPrintable(syntax.describe()));
    QVERIFY2(syntax.err.contains(broken.toUtf8() + ':'), qPrintable(syntax.describe()));
}

void TestRunCommand::startFailureExits3() {
    // onnx_infer loads its model in onStart: a model file that is not there stops the
    // step from starting. The document itself is valid (the path is just a string).
    const QString path = writePipeline(
        QStringLiteral("start-fails.json"),
        pipelineJson({step(QStringLiteral("tag"), QStringLiteral("onnx_infer"),
                           {{QStringLiteral("model"), QStringLiteral("no-such-model.onnx")}})}));
    const Run validate = [&] {
        QProcess process;
        process.start(QStringLiteral(AQUEDUCT_APP_PATH), {QStringLiteral("validate"), path});
        process.waitForFinished(kRunTimeoutMs);
        Run result;
        result.finished = true;
        result.exitCode = process.exitCode();
        result.out = process.readAllStandardOutput();
        return result;
    }();
    QVERIFY2(validate.exitCode == 0, qPrintable(validate.describe()));

    const Run run = runApp({path, QStringLiteral("--generate"), QStringLiteral("10")});
    QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
    QVERIFY2(run.exitCode == 3, qPrintable(run.describe()));
    QVERIFY2(run.err.contains("could not start"), qPrintable(run.describe()));
    QVERIFY2(run.err.contains("tag"), qPrintable(run.describe()));
}

void TestRunCommand::flowFailureExits3() {
    // The only worker dies on its first task and may not be restarted: the flow fails.
    const QString path = writePipeline(
        QStringLiteral("crash-never.json"),
        pipelineJson({step(QStringLiteral("boom"), QStringLiteral("crash"),
                           {{QStringLiteral("probability"), 1.0}})},
                     {{QStringLiteral("restart"),
                       QJsonObject{{QStringLiteral("policy"), QStringLiteral("never")}}}}));
    const Run run =
        runApp({path, QStringLiteral("--generate"), QStringLiteral("1000"),
                QStringLiteral("--concurrency"), QStringLiteral("4"), QStringLiteral("--output"),
                m_dir.filePath(QStringLiteral("crash.jsonl"))});
    QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
    QVERIFY2(run.exitCode == 3, qPrintable(run.describe()));
    QVERIFY2(run.err.contains("the flow failed"), qPrintable(run.describe()));
    const QJsonObject summary = summaryOf(run.err);
    QCOMPARE(summary.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("flow_failed"));
    const qint64 submitted = summary.value(QStringLiteral("submitted")).toInteger();
    QVERIFY(submitted > 0 && submitted < 1000); // it stopped taking tasks
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger() + failedTotal(summary),
             submitted);
    QVERIFY(failedCount(summary, QStringLiteral("worker_crashed")) > 0);
    QCOMPARE(jsonLines(readFile(m_dir.filePath(QStringLiteral("crash.jsonl")))).size(), submitted);
}

void TestRunCommand::jsonLinesGoodAndMalformed() {
    const QString input = m_dir.filePath(QStringLiteral("mixed.jsonl"));
    const QString output = m_dir.filePath(QStringLiteral("mixed-out.jsonl"));
    const QString summaryFile = m_dir.filePath(QStringLiteral("mixed-summary.json"));
    const QByteArray lines =
        "{\"value\": 1, \"name\": \"a \\\"quoted\\\" \\u00e9 line\\n\"}\n"         // 1
        "{\"value\": 2, \"blob\": {\"$bytes\": \"AAEC/w==\"}, \"_priority\": 0}\n" // 2
        "this is not json\n"                                                       // 3
        "\n"                                                                       // 4 blank
        "[1, 2, 3]\n"                                                              // 5
        "{\"value\": 3, \"blob\": {\"$bytes\": \"%%%\"}}\n"                        // 6
        "{\"value\": 4, \"_timeout_ms\": 4000, \"flag\": true, \"x\": null, \"d\": 2.5}\n" // 7
        "{\"value\": 5, \"_priority\": -1}\n"                                              // 8
        "{\"value\": \"text\"}\n" // 9: handler error
        "{\"value\": 6}";         // 10, no newline
    QVERIFY(writeFile(input, lines));
    const Run run = runApp({m_increment, QStringLiteral("--input"), input,
                            QStringLiteral("--output"), output, QStringLiteral("--summary"),
                            summaryFile, QStringLiteral("--concurrency"), QStringLiteral("3")});
    QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
    QVERIFY2(run.exitCode == 1, qPrintable(run.describe()));
    QString error;
    const QList<QJsonObject> records = jsonLines(readFile(output), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(records.size(), 9); // every line but the blank one

    QMap<int, QJsonObject> byLine;
    for (const QJsonObject& record : records)
        byLine.insert(record.value(QStringLiteral("_line")).toInt(), record);
    QCOMPARE(byLine.keys(), (QList<int>{1, 2, 3, 5, 6, 7, 8, 9, 10}));
    for (int line : {1, 2, 7, 10}) {
        QCOMPARE(byLine[line].value(QStringLiteral("_status")).toString(), QStringLiteral("ok"));
        QVERIFY(byLine[line].value(QStringLiteral("_latency_ms")).toDouble() >= 0);
        QVERIFY(!byLine[line].contains(QStringLiteral("_error")));
    }
    QCOMPARE(byLine[1].value(QStringLiteral("value")).toInt(), 2);
    QCOMPARE(byLine[1].value(QStringLiteral("name")).toString(),
             QStringLiteral("a \"quoted\" \u00e9 line\n"));
    QCOMPARE(byLine[2].value(QStringLiteral("value")).toInt(), 3);
    QCOMPARE(byLine[2]
                 .value(QStringLiteral("blob"))
                 .toObject()
                 .value(QStringLiteral("$bytes"))
                 .toString(),
             QStringLiteral("AAEC/w=="));
    QVERIFY(!byLine[2].contains(QStringLiteral("_priority")));
    QCOMPARE(byLine[7].value(QStringLiteral("value")).toInt(), 5);
    QCOMPARE(byLine[7].value(QStringLiteral("flag")).toBool(), true);
    QVERIFY(byLine[7].value(QStringLiteral("x")).isNull());
    QCOMPARE(byLine[7].value(QStringLiteral("d")).toDouble(), 2.5);
    QCOMPARE(byLine[10].value(QStringLiteral("value")).toInt(), 7);
    for (int line : {3, 5, 6, 8}) {
        QCOMPARE(byLine[line].value(QStringLiteral("_status")).toString(),
                 QStringLiteral("bad_input"));
        QVERIFY(!byLine[line].value(QStringLiteral("_error")).toString().isEmpty());
    }
    QCOMPARE(byLine[9].value(QStringLiteral("_status")).toString(),
             QStringLiteral("handler_error"));
    QVERIFY(byLine[9].value(QStringLiteral("_error")).toString().contains(QStringLiteral("value")));
    QCOMPARE(byLine[9].value(QStringLiteral("value")).toString(), QStringLiteral("text"));

    const QJsonObject summary = summaryOf(run.err);
    QCOMPARE(summary, QJsonDocument::fromJson(readFile(summaryFile)).object());
    QCOMPARE(summary.value(QStringLiteral("submitted")).toInteger(), 9);
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(), 4);
    QCOMPARE(failedCount(summary, QStringLiteral("bad_input")), 4);
    QCOMPARE(failedCount(summary, QStringLiteral("handler_error")), 1);
    QCOMPARE(failedTotal(summary), 5);
    for (const char* key : {"tasks_per_s", "wall_s"})
        QVERIFY2(summary.value(QLatin1String(key)).isDouble(), key);
    const QJsonObject latency = summary.value(QStringLiteral("latency_ms")).toObject();
    for (const char* key : {"p50", "p95", "p99"})
        QVERIFY2(latency.value(QLatin1String(key)).isDouble(), key);
    QVERIFY(latency.value(QStringLiteral("p50")).toDouble() <=
            latency.value(QStringLiteral("p99")).toDouble());
}

void TestRunCommand::stdinToStdoutAllOk() {
    QByteArray input;
    for (int i = 0; i < 500; ++i)
        input += "{\"value\": " + QByteArray::number(i) + "}\n";
    const Run run = runApp(
        {m_increment, QStringLiteral("--input"), QStringLiteral("-"), QStringLiteral("--quiet")},
        input);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    const QList<QJsonObject> records = jsonLines(run.out);
    QCOMPARE(records.size(), 500);
    QSet<int> values;
    for (const QJsonObject& record : records) {
        QCOMPARE(record.value(QStringLiteral("_status")).toString(), QStringLiteral("ok"));
        QCOMPARE(record.value(QStringLiteral("value")).toInt(),
                 record.value(QStringLiteral("_line")).toInt());
        values.insert(record.value(QStringLiteral("value")).toInt());
    }
    QCOMPARE(values.size(), 500);
    // --quiet: stderr carries the summary and nothing else.
    QCOMPARE(run.err.trimmed().count('\n'), 0);
    QCOMPARE(summaryOf(run.err).value(QStringLiteral("completed")).toInteger(), 500);
}

void TestRunCommand::orderedOutput() {
    // Tasks flagged slow wait in a sleep step the others skip, so they finish late;
    // --ordered must still write every record in input order.
    const QString path = writePipeline(
        QStringLiteral("uneven.json"),
        pipelineJson(
            {QJsonObject{{QStringLiteral("id"), QStringLiteral("slow")},
                         {QStringLiteral("handler"), QStringLiteral("sleep")},
                         {QStringLiteral("params"), QJsonObject{{QStringLiteral("ms"), 30}}},
                         {QStringLiteral("nprocs"), 2},
                         {QStringLiteral("condition"), QStringLiteral("slow == true")}},
             step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    QByteArray input;
    for (int i = 0; i < 200; ++i) {
        input += "{\"value\": " + QByteArray::number(i) +
                 ", \"slow\": " + (i % 25 == 0 ? "true" : "false") + "}\n";
        if (i == 100)
            input += "broken line\n";
    }
    for (const QStringList& extra :
         {QStringList{}, QStringList{QStringLiteral("--reorder-window"), QStringLiteral("3")}}) {
        const Run run = runApp(QStringList{path, QStringLiteral("--input"), QStringLiteral("-"),
                                           QStringLiteral("--ordered"),
                                           QStringLiteral("--concurrency"), QStringLiteral("16")} +
                                   extra,
                               input);
        QVERIFY2(run.finished && run.exitCode == 1, qPrintable(run.describe())); // the broken line
        const QList<QJsonObject> records = jsonLines(run.out);
        QCOMPARE(records.size(), 201);
        for (int i = 0; i < records.size(); ++i)
            QCOMPARE(records[i].value(QStringLiteral("_line")).toInt(), i + 1);
        QCOMPARE(records[101].value(QStringLiteral("_status")).toString(),
                 QStringLiteral("bad_input"));
        QCOMPARE(records[0].value(QStringLiteral("value")).toInt(), 1);
        QCOMPARE(records[200].value(QStringLiteral("value")).toInt(), 200);
    }
}

void TestRunCommand::generatedLoad() {
    const QString output = m_dir.filePath(QStringLiteral("generated.jsonl"));
    const Run run = runApp({m_increment, QStringLiteral("--generate"), QStringLiteral("3000"),
                            QStringLiteral("--payload-bytes"), QStringLiteral("16"),
                            QStringLiteral("--concurrency"), QStringLiteral("64"),
                            QStringLiteral("--output"), output});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    const QList<QJsonObject> records = jsonLines(readFile(output));
    QCOMPARE(records.size(), 3000);
    QSet<int> values;
    for (const QJsonObject& record : records) {
        QCOMPARE(record.value(QStringLiteral("_status")).toString(), QStringLiteral("ok"));
        const QByteArray payload = QByteArray::fromBase64(record.value(QStringLiteral("payload"))
                                                              .toObject()
                                                              .value(QStringLiteral("$bytes"))
                                                              .toString()
                                                              .toLatin1());
        QCOMPARE(payload.size(), 16);
        QVERIFY(!record.contains(QStringLiteral("_line")));
        values.insert(record.value(QStringLiteral("value")).toInt());
    }
    QCOMPARE(values.size(), 3000);
    QCOMPARE(*std::min_element(values.begin(), values.end()), 1); // generated 0..2999, incremented
    QCOMPARE(*std::max_element(values.begin(), values.end()), 3000);
    const QJsonObject summary = summaryOf(run.err);
    QCOMPARE(summary.value(QStringLiteral("submitted")).toInteger(), 3000);
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(), 3000);
    QCOMPARE(summary.value(QStringLiteral("failed")).toObject(), QJsonObject());
    QCOMPARE(summary.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("count"));
    QVERIFY(summary.value(QStringLiteral("tasks_per_s")).toDouble() > 0);
}

void TestRunCommand::rateAndDuration() {
    // --generate 0 runs until --duration; the rate keeps it small.
    const Run run =
        runApp({m_increment, QStringLiteral("--generate"), QStringLiteral("0"),
                QStringLiteral("--rate"), QStringLiteral("200"), QStringLiteral("--duration"),
                QStringLiteral("1"), QStringLiteral("--output"), QStringLiteral("/dev/null")});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    const QJsonObject summary = summaryOf(run.err);
    QCOMPARE(summary.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("duration"));
    const qint64 submitted = summary.value(QStringLiteral("submitted")).toInteger();
    QVERIFY2(submitted > 0, qPrintable(run.describe()));
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(), submitted);
    // The rate bounds the count: at most 200 per second of the run (which lasts at least as
    // long as tasks were taken), plus the one due at t=0.
    const double wallS = summary.value(QStringLiteral("wall_s")).toDouble();
    QVERIFY2(double(submitted) <= 200 * wallS + 1, qPrintable(run.describe()));
}

void TestRunCommand::sigintFinishesInFlight() {
    const QString path =
        writePipeline(QStringLiteral("slow.json"),
                      pipelineJson({step(QStringLiteral("nap"), QStringLiteral("sleep"),
                                         {{QStringLiteral("ms"), 20}}),
                                    step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    BackgroundRun run({path, QStringLiteral("--generate"), QStringLiteral("0"),
                       QStringLiteral("--concurrency"), QStringLiteral("4"),
                       QStringLiteral("--output"), QStringLiteral("-")});
    QVERIFY(run.waitForLines(10));
    const qint64 pid = run.pid();
    const QList<pid_t> children = Aqueduct::Test::ProcessLeakGuard::descendants(pid_t(pid));
    QVERIFY2(children.size() >= 3, "fork server and two workers expected"); // zygote + 2 workers
    QVERIFY(!segmentsOf(pid).isEmpty());
    run.signal(SIGINT);
    const Run done = run.finish();
    QVERIFY2(done.finished && done.status == QProcess::NormalExit, qPrintable(done.describe()));
    QVERIFY2(done.exitCode == 0,
             qPrintable(done.describe())); // in-flight tasks finished, none failed
    const QJsonObject summary = summaryOf(done.err);
    QCOMPARE(summary.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("signal"));
    const qint64 submitted = summary.value(QStringLiteral("submitted")).toInteger();
    QVERIFY(submitted >= 10);
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(), submitted);
    QCOMPARE(jsonLines(done.out).size(), submitted); // every result was written
    QVERIFY(done.err.contains("SIGINT"));

    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 3000 && !std::all_of(children.begin(), children.end(),
                                                  [](pid_t child) { return processGone(child); }))
        QThread::msleep(20);
    for (const pid_t child : children)
        QVERIFY2(processGone(child),
                 qPrintable(QStringLiteral("process %1 left behind").arg(child)));
    QVERIFY2(segmentsOf(pid).isEmpty(), qPrintable(segmentsOf(pid).join(QLatin1Char(' '))));
}

void TestRunCommand::secondSignalStopsAtOnce() {
    // Tasks that take 3 s: the first SIGINT would wait for them, the second fails them.
    const QString path =
        writePipeline(QStringLiteral("very-slow.json"),
                      pipelineJson({step(QStringLiteral("nap"), QStringLiteral("sleep"),
                                         {{QStringLiteral("ms"), 3000}})}));
    BackgroundRun run({path, QStringLiteral("--generate"), QStringLiteral("0"),
                       QStringLiteral("--concurrency"), QStringLiteral("3"),
                       QStringLiteral("--timeout-ms"), QStringLiteral("20000"),
                       QStringLiteral("--metrics-port"), QStringLiteral("0"),
                       QStringLiteral("--output"), QStringLiteral("-")});
    QVERIFY(run.waitForStderr("flow started"));
    // Signal only once all three tasks are in flight (the metrics say so).
    const QRegularExpressionMatch url =
        QRegularExpression(QStringLiteral("127\\.0\\.0\\.1:(\\d+)/metrics"))
            .match(QString::fromUtf8(run.err()));
    QVERIFY2(url.hasMatch(), run.err().constData());
    QElapsedTimer waited;
    waited.start();
    while (!httpGet(quint16(url.captured(1).toUInt()), "/metrics")
                .contains("\naqueduct_tasks_in_flight 3\n") &&
           waited.elapsed() < 15'000)
        QThread::msleep(20);
    const qint64 pid = run.pid();
    const QList<pid_t> children = Aqueduct::Test::ProcessLeakGuard::descendants(pid_t(pid));
    run.signal(SIGINT);
    QVERIFY(run.waitForStderr("finishing 3 tasks in flight"));
    run.signal(SIGINT);
    QElapsedTimer timer;
    timer.start();
    const Run done = run.finish();
    QVERIFY2(done.finished && done.status == QProcess::NormalExit, qPrintable(done.describe()));
    QVERIFY2(done.exitCode == 1, qPrintable(done.describe()));
    const QJsonObject summary = summaryOf(done.err);
    QCOMPARE(summary.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("hard_stop"));
    const qint64 submitted = summary.value(QStringLiteral("submitted")).toInteger();
    QCOMPARE(submitted, 3);
    QCOMPARE(failedCount(summary, QStringLiteral("not_running")), 3);
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(), 0);
    const QList<QJsonObject> records = jsonLines(done.out);
    QCOMPARE(records.size(), 3);
    for (const QJsonObject& record : records)
        QCOMPARE(record.value(QStringLiteral("_status")).toString(), QStringLiteral("not_running"));
    while (timer.elapsed() < 3000 && !std::all_of(children.begin(), children.end(),
                                                  [](pid_t child) { return processGone(child); }))
        QThread::msleep(20);
    for (const pid_t child : children)
        QVERIFY2(processGone(child),
                 qPrintable(QStringLiteral("process %1 left behind").arg(child)));
    QVERIFY(segmentsOf(pid).isEmpty());
}

void TestRunCommand::sigtermFinishesInFlight() {
    const QString input = m_dir.filePath(QStringLiteral("endless.jsonl"));
    // stdin never ends (the test keeps it open): only the signal stops the run.
    const QString path =
        writePipeline(QStringLiteral("slow-term.json"),
                      pipelineJson({step(QStringLiteral("nap"), QStringLiteral("sleep"),
                                         {{QStringLiteral("ms"), 50}})}));
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  {QStringLiteral("run"), path, QStringLiteral("--input"), QStringLiteral("-"),
                   QStringLiteral("--quiet")});
    QVERIFY(process.waitForStarted());
    for (int i = 0; i < 20; ++i)
        process.write("{\"value\": " + QByteArray::number(i) + "}\n");
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (out.count('\n') < 5 && timer.elapsed() < 20'000) {
        process.waitForReadyRead(100);
        out += process.readAllStandardOutput();
    }
    QVERIFY(out.count('\n') >= 5);
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(kRunTimeoutMs));
    out += process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QJsonObject summary = summaryOf(err);
    QCOMPARE(summary.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("signal"));
    QCOMPARE(summary.value(QStringLiteral("completed")).toInteger(),
             summary.value(QStringLiteral("submitted")).toInteger());
    QCOMPARE(jsonLines(out).size(), summary.value(QStringLiteral("submitted")).toInteger());
}

void TestRunCommand::metricsPortServesPrometheus() {
    BackgroundRun run({m_increment, QStringLiteral("--generate"), QStringLiteral("0"),
                       QStringLiteral("--rate"), QStringLiteral("500"),
                       QStringLiteral("--duration"), QStringLiteral("30"),
                       QStringLiteral("--metrics-port"), QStringLiteral("0"),
                       QStringLiteral("--output"), QStringLiteral("/dev/null")});
    // "aqueduct run: metrics: prometheus: http://127.0.0.1:PORT/metrics"
    QVERIFY2(run.waitForStderr("/metrics"), run.err().constData());
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)/metrics"))
            .match(QString::fromUtf8(run.err()));
    QVERIFY2(match.hasMatch(), run.err().constData());
    const auto port = quint16(match.captured(1).toUInt());
    QVERIFY(run.waitForStderr("flow started"));
    QByteArray response;
    QElapsedTimer timer;
    timer.start();
    while (!response.contains("aqueduct_flow_up 1") && timer.elapsed() < 15'000) {
        response = httpGet(port, "/metrics");
        QThread::msleep(50);
    }
    QVERIFY2(response.startsWith("HTTP/1.1 200"), response.left(500).constData());
    QVERIFY2(response.contains("aqueduct_flow_up 1"), response.left(2000).constData());
    QVERIFY(response.contains("# TYPE "));
    run.signal(SIGINT);
    const Run done = run.finish();
    QVERIFY2(done.finished && done.exitCode == 0, qPrintable(done.describe()));
}

void TestRunCommand::directoryIsNamedAsSuch() {
    // Issue 16: `run` said "no such file" for a directory (validate says "is a directory").
    const Run run = runApp({m_dir.path(), QStringLiteral("--generate"), QStringLiteral("5")});
    QVERIFY2(run.finished && run.status == QProcess::NormalExit && run.exitCode == 2,
             qPrintable(run.describe()));
    QVERIFY2(run.err.contains((m_dir.path() + QStringLiteral(": is a directory")).toUtf8()),
             qPrintable(run.describe()));
}

void TestRunCommand::smallDevShmFailsCleanlyOrRuns_data() {
    QTest::addColumn<QByteArray>("arenaBytes"); // empty = the default arena
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    // The default arena (32 MiB) plus the control segment fits a small container's /dev/shm.
    QTest::newRow("default arena runs") << QByteArray() << 0 << QString();
    // The old default (64 MiB) does not: a clear error before anything is created.
    QTest::newRow("64 MiB arena fails cleanly")
        << QByteArray("67108864") << 3
        << QStringLiteral("/dev/shm has 40 MiB free, this flow needs 66.6 MiB: lower "
                          "flow.shared_memory.arena_bytes (now 64 MiB) or give the container a "
                          "larger /dev/shm");
}

void TestRunCommand::smallDevShmFailsCleanlyOrRuns() {
    // Issue 16: in a 40 MiB /dev/shm (a container's) `aqueduct run one-step.json` died of
    // SIGBUS (exit 135) after "flow started". A private mount namespace with its own tmpfs
    // (CI runs as root) reproduces it without touching the machine's /dev/shm.
    QFETCH(QByteArray, arenaBytes);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QFile source(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines/one-step.json"));
    QVERIFY(source.open(QIODevice::ReadOnly));
    QByteArray json = source.readAll();
    if (!arenaBytes.isEmpty()) {
        json.replace("\"start_method\": \"forkserver\"",
                     "\"start_method\": \"forkserver\", \"shared_memory\": {\"arena_bytes\": " +
                         arenaBytes + "}");
        QVERIFY(json.contains("arena_bytes"));
    }
    const QString pipeline = writePipeline(QStringLiteral("one-step-small-shm.json"), json);
    QVERIFY(!pipeline.isEmpty());

    QProcess process;
    // exec: the exit status seen is aqueduct's own (a SIGBUS shows as a crash).
    // --propagation unchanged + make-rprivate ourselves: inside a chroot "/" is not a
    // mount point and unshare's own make-private of "/" fails; /dev/shm (or /dev) is.
    process.start(QStringLiteral("unshare"),
                  {QStringLiteral("-m"), QStringLiteral("--propagation"),
                   QStringLiteral("unchanged"), QStringLiteral("sh"), QStringLiteral("-c"),
                   QStringLiteral("{ mount --make-rprivate / || mount --make-rprivate /dev/shm || "
                                  "mount --make-rprivate /dev; } 2>/dev/null || exit 99; "
                                  "mount -t tmpfs -o size=40m tmpfs /dev/shm || exit 99; "
                                  "exec \"$0\" run \"$1\" --generate 2000 --quiet"),
                   QStringLiteral(AQUEDUCT_APP_PATH), pipeline});
    QVERIFY2(process.waitForStarted(kRunTimeoutMs), qPrintable(process.errorString()));
    Run run;
    run.finished = process.waitForFinished(kRunTimeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished();
    }
    run.status = process.exitStatus();
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    QVERIFY2(run.exitCode != 99, qPrintable(QStringLiteral("cannot mount a private /dev/shm "
                                                           "(needs root): ") +
                                            run.describe()));
    QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.describe()));
    if (exitCode == 0)
        QVERIFY2(run.out.count('\n') == 2000, qPrintable(run.describe()));
    else
        QVERIFY2(run.err.contains(message.toUtf8()), qPrintable(run.describe()));
}

QTEST_GUILESS_MAIN(TestRunCommand)
#include "tst_runcommand.moc"
