// Pipeline JSON v1: load/save round trips of every example, defaults, type errors with
// paths, malformed JSON with line/column, migration of v0 and refusal of newer versions.
#include <aqueduct/PipelineDocument.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Aqueduct;

namespace {

QString examplesDir() {
    return QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines");
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString describe(const QList<Problem>& problems) {
    QStringList lines;
    for (const Problem& problem : problems)
        lines << problem.toString();
    return lines.join(QLatin1Char('\n'));
}

const Problem* findProblem(const QList<Problem>& problems, const QString& path) {
    for (const Problem& problem : problems) {
        if (problem.path == path)
            return &problem;
    }
    return nullptr;
}

PipelineDocument richDocument() {
    PipelineDocument document;
    document.name = QStringLiteral("Everything \"set\"");
    document.description = QStringLiteral("Uses every field, with unicode: \u00e9\u4e2d");
    document.appLoad = QJsonObject{{QStringLiteral("source"), QStringLiteral("file")},
                                   {QStringLiteral("file"), QStringLiteral("tasks/in.jsonl")},
                                   {QStringLiteral("repeat"), true},
                                   {QStringLiteral("concurrency"), 16}};
    FlowSettings& flow = document.flow;
    flow.queuePriorities = 3;
    flow.defaultTimeoutMs = 1234;
    flow.startTimeoutMs = 999;
    flow.startMethod = StartMethod::Spawn;
    flow.priorityAgingMs = 250;
    flow.arenaBytes = 3ll << 30;
    flow.autoShareBytes = 4096;
    flow.maxTaskBytes = 1 << 20;
    flow.limits = LimitSettings{5ll << 30, 2048};
    flow.restart = RestartSettings{RestartPolicy::Never, 3, 30, 10, 1000};
    flow.metrics.enabled = false;
    flow.metrics.intervalMs = 250;
    flow.metrics.prometheusEnabled = true;
    flow.metrics.prometheusHost = QStringLiteral("0.0.0.0");
    flow.metrics.prometheusPort = 9100;
    flow.metrics.statsdEnabled = true;
    flow.metrics.statsdHost = QStringLiteral("stats.local");
    flow.metrics.statsdPort = 9125;
    flow.metrics.statsdPrefix = QStringLiteral("pipe");
    flow.metrics.jsonlPath = QStringLiteral("/tmp/metrics.jsonl");

    StepSpec a;
    a.id = QStringLiteral("a");
    a.label = QStringLiteral("First");
    a.handler = QStringLiteral("increment");
    a.params = QJsonObject{{QStringLiteral("by"), 3},
                           {QStringLiteral("field"), QStringLiteral("n")},
                           {QStringLiteral("nested"),
                            QJsonObject{{QStringLiteral("z"), 1.5},
                                        {QStringLiteral("list"), QJsonArray{1, "x", true}}}}};
    a.nprocs = 4;
    a.batchSize = 8;
    a.batchTimeoutMs = 5;
    a.queueSize = 64;
    a.condition = QStringLiteral("kind == \"x\" && len(name) > 0");
    a.onStartWaitMs = 100;
    a.handleTimeoutMs = 2000;
    a.restart = RestartSettings{RestartPolicy::OnCrash, 1, 5, 7, 70};
    a.position = QPointF(-12.5, 300.25);
    StepSpec b;
    b.id = QStringLiteral("b");
    b.handler = QStringLiteral("passthrough");
    b.restart = RestartSettings{}; // present but all defaults: must survive as "present"
    b.position = QPointF(200, 0);
    document.steps = {a, b};
    document.edges = {
        EdgeSpec{QStringLiteral("input"), QStringLiteral("a"), {}},
        EdgeSpec{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("x in [1, 'two']")},
        EdgeSpec{QStringLiteral("b"), QStringLiteral("output"), {}}};
    return document;
}

} // namespace

class TestPipelineDocument : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void examplesRoundTrip_data() {
        QTest::addColumn<QString>("path");
        const QStringList files =
            QDir(examplesDir()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 4);
        for (const QString& file : files)
            QTest::newRow(qPrintable(file)) << QDir(examplesDir()).filePath(file);
    }

    void examplesRoundTrip() {
        QFETCH(QString, path);
        const QByteArray original = readFile(path);
        QVERIFY(!original.isEmpty());
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(original);
        QVERIFY2(loaded.problems.isEmpty(), qPrintable(describe(loaded.problems)));
        QVERIFY(!loaded.document.steps.isEmpty());

        const QByteArray saved = loaded.document.toJson();
        const PipelineDocument::LoadResult reloaded = PipelineDocument::fromJson(saved);
        QVERIFY2(reloaded.problems.isEmpty(), qPrintable(describe(reloaded.problems)));
        QVERIFY(reloaded.document == loaded.document);
        QCOMPARE(reloaded.document.toJson(), saved);
        // The examples are kept in the saved form, so the GUI saving them changes nothing.
        QCOMPARE(QString::fromUtf8(saved), QString::fromUtf8(original));
    }

    void richDocumentRoundTrips() {
        const PipelineDocument document = richDocument();
        const QByteArray saved = document.toJson();
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(saved);
        QVERIFY2(loaded.problems.isEmpty(), qPrintable(describe(loaded.problems)));
        QVERIFY(loaded.document == document);
        QVERIFY(loaded.document.steps.at(1).restart.has_value());
        QCOMPARE(loaded.document.toJson(), saved);
        QCOMPARE(loaded.document.flow.arenaBytes, 3ll << 30);
        QCOMPARE(loaded.document.flow.limits, (LimitSettings{5ll << 30, 2048}));
        QCOMPARE(loaded.document.steps.at(0).position, QPointF(-12.5, 300.25));
    }

    void fileRoundTrip() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("p.json"));
        const PipelineDocument document = richDocument();
        QString error;
        QVERIFY2(document.saveToFile(path, &error), qPrintable(error));
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromFile(path);
        QVERIFY(loaded.ok());
        QVERIFY(loaded.document == document);
        QCOMPARE(readFile(path), document.toJson());
        QVERIFY(!document.saveToFile(dir.filePath(QStringLiteral("missing/dir/p.json")), &error));
        QVERIFY(!error.isEmpty());
    }

    void savedKeyOrderIsStable() {
        const QByteArray saved = richDocument().toJson();
        const QList<QByteArray> keys = {"\"format\"", "\"version\"", "\"name\"", "\"description\"",
                                        "\"flow\"",   "\"steps\"",   "\"edges\""};
        qsizetype last = -1;
        for (const QByteArray& key : keys) {
            const qsizetype at = saved.indexOf(key);
            QVERIFY2(at > last, key.constData());
            last = at;
        }
        QVERIFY(saved.indexOf("\"id\": \"a\"") < saved.indexOf("\"handler\": \"increment\""));
        QVERIFY(saved.contains("{\"from\": \"a\", \"to\": \"b\", \"when\": \"x in [1, 'two']\"}"));
        QVERIFY(saved.contains("\"position\": {\"x\": -12.5, \"y\": 300.25}"));
        QVERIFY(saved.endsWith("}\n"));
    }

    void defaults() {
        const QByteArray json = R"({"format": "aqueduct-pipeline", "version": 1,
                                    "steps": [{"id": "s1", "handler": "passthrough"}]})";
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
        QVERIFY2(loaded.problems.isEmpty(), qPrintable(describe(loaded.problems)));
        const PipelineDocument& document = loaded.document;
        QCOMPARE(document.flow, FlowSettings{});
        QCOMPARE(document.flow.queuePriorities, 1);
        QCOMPARE(document.flow.defaultTimeoutMs, 5000);
        QCOMPARE(document.flow.startTimeoutMs, 30000);
        QCOMPARE(document.flow.startMethod, StartMethod::ForkServer);
        QCOMPARE(document.flow.restart.policy, RestartPolicy::OnCrash);
        QCOMPARE(document.flow.metrics.enabled, true);
        QCOMPARE(document.flow.metrics.intervalMs, 100);
        QCOMPARE(document.flow.metrics.prometheusPort, 9464);
        QCOMPARE(document.flow.metrics.statsdPort, 8125);
        QCOMPARE(document.steps.size(), 1);
        const StepSpec& step = document.steps.first();
        QCOMPARE(step.nprocs, 1);
        QCOMPARE(step.batchSize, 1);
        QCOMPARE(step.batchTimeoutMs, 0);
        QCOMPARE(step.queueSize, 0);
        QCOMPARE(step.effectiveQueueSize(), 20);
        QVERIFY(!step.restart.has_value());
        QVERIFY(step.condition.isEmpty());
        QVERIFY(document.edges.isEmpty());

        // Defaults are not written, except the main knobs.
        const QByteArray saved = document.toJson();
        QVERIFY(!saved.contains("batch_timeout_ms"));
        QVERIFY(!saved.contains("metrics"));
        QVERIFY(!saved.contains("edges"));
        QVERIFY(saved.contains("\"nprocs\": 1"));
        QVERIFY(saved.contains("\"start_method\": \"forkserver\""));
    }

    void effectiveEdges() {
        PipelineDocument document;
        QVERIFY(document.effectiveEdges().isEmpty());
        for (const char* id : {"a", "b", "c"})
            document.steps.append(
                StepSpec{.id = QLatin1String(id), .handler = QStringLiteral("passthrough")});
        const QList<EdgeSpec> chain = document.effectiveEdges();
        QCOMPARE(chain.size(), 4);
        QCOMPARE(chain.at(0).from, QStringLiteral("input"));
        QCOMPARE(chain.at(0).to, QStringLiteral("a"));
        QCOMPARE(chain.at(2).from, QStringLiteral("b"));
        QCOMPARE(chain.at(3).to, QStringLiteral("output"));
        QCOMPARE(document.stepIndex(QStringLiteral("c")), 2);
        QCOMPARE(document.stepIndex(QStringLiteral("zz")), -1);
        QCOMPARE(document.step(QStringLiteral("b"))->id, QStringLiteral("b"));
        QVERIFY(document.step(QStringLiteral("zz")) == nullptr);
        document.edges = {EdgeSpec{QStringLiteral("input"), QStringLiteral("c"), {}}};
        QCOMPARE(document.effectiveEdges(), document.edges);
    }

    void enumNames() {
        for (StartMethod method : {StartMethod::ForkServer, StartMethod::Spawn, StartMethod::Fork})
            QCOMPARE(startMethodFromName(startMethodName(method)), method);
        QCOMPARE(startMethodName(StartMethod::ForkServer), QStringLiteral("forkserver"));
        QVERIFY(!startMethodFromName(QStringLiteral("thread")));
        for (RestartPolicy policy : {RestartPolicy::OnCrash, RestartPolicy::Never})
            QCOMPARE(restartPolicyFromName(restartPolicyName(policy)), policy);
        QCOMPARE(restartPolicyName(RestartPolicy::OnCrash), QStringLiteral("on-crash"));
        QVERIFY(!restartPolicyFromName(QStringLiteral("always")));
    }

    void malformedJsonHasLineAndColumn_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::newRow("missing comma")
            << QByteArray("{\n  \"format\": \"aqueduct-pipeline\"\n  \"version\": 1\n}") << 3 << 3;
        QTest::newRow("trailing garbage on line 1") << QByteArray("{} x") << 1 << 4;
        QTest::newRow("unterminated") << QByteArray("{\n\"a\": [1, 2") << 2 << 11;
        QTest::newRow("empty") << QByteArray("") << 1 << 1;
        QTest::newRow("whitespace") << QByteArray("  \n ") << 1 << 1;
    }

    void malformedJsonHasLineAndColumn() {
        QFETCH(QByteArray, json);
        QFETCH(int, line);
        QFETCH(int, column);
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.problems.size(), 1);
        const Problem& problem = loaded.problems.first();
        QVERIFY(problem.path.isEmpty());
        QCOMPARE(problem.line, line);
        QCOMPARE(problem.column, column);
        QVERIFY(!problem.message.isEmpty());
        QVERIFY(problem.toString().startsWith(QStringLiteral("%1:%2: ").arg(line).arg(column)));
    }

    void wrongTypesGivePathAndReason_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        const QByteArray head = R"({"format": "aqueduct-pipeline", "version": 1, )";
        QTest::newRow("nprocs string")
            << head +
                   R"("steps": [{"id": "a", "handler": "x"}, {"id": "b", "handler": "x", "nprocs": "2"}]})"
            << "$.steps[1].nprocs"
            << "must be an integer, got string";
        QTest::newRow("batch_size fraction")
            << head + R"("steps": [{"id": "a", "handler": "x", "batch_size": 1.5}]})"
            << "$.steps[0].batch_size"
            << "must be an integer, got 1.5";
        QTest::newRow("huge number")
            << head + R"("steps": [{"id": "a", "handler": "x", "nprocs": 1e300}]})"
            << "$.steps[0].nprocs"
            << "out of range";
        QTest::newRow("id number") << head + R"("steps": [{"id": 5, "handler": "x"}]})"
                                   << "$.steps[0].id"
                                   << "must be a string, got number";
        QTest::newRow("id missing") << head + R"("steps": [{"handler": "x"}]})"
                                    << "$.steps[0].id"
                                    << "missing required key";
        QTest::newRow("handler missing") << head + R"("steps": [{"id": "a"}]})"
                                         << "$.steps[0].handler"
                                         << "missing required key";
        QTest::newRow("steps object") << head + R"("steps": {}})"
                                      << "$.steps"
                                      << "must be an array, got object";
        QTest::newRow("step not object") << head + R"("steps": [3]})"
                                         << "$.steps[0]"
                                         << "must be an object, got number";
        QTest::newRow("params array")
            << head + R"("steps": [{"id": "a", "handler": "x", "params": []}]})"
            << "$.steps[0].params"
            << "must be an object, got array";
        QTest::newRow("flow string") << head + R"("flow": "fast", "steps": []})"
                                     << "$.flow"
                                     << "must be an object";
        QTest::newRow("metrics enabled")
            << head + R"("flow": {"metrics": {"enabled": "yes"}}, "steps": []})"
            << "$.flow.metrics.enabled"
            << "must be true or false, got string";
        QTest::newRow("start method")
            << head + R"("flow": {"start_method": "thread"}, "steps": []})"
            << "$.flow.start_method"
            << "must be one of forkserver, spawn, fork";
        QTest::newRow("restart policy")
            << head + R"("flow": {"restart": {"policy": "always"}}, "steps": []})"
            << "$.flow.restart.policy"
            << "must be one of on-crash, never";
        QTest::newRow("prometheus port")
            << head + R"("flow": {"metrics": {"prometheus": {"port": "80"}}}, "steps": []})"
            << "$.flow.metrics.prometheus.port"
            << "must be an integer, got string";
        QTest::newRow("edge from")
            << head + R"("steps": [], "edges": [{"from": 1, "to": "output"}]})"
            << "$.edges[0].from"
            << "must be a string, got number";
        QTest::newRow("edge missing to") << head + R"("steps": [], "edges": [{"from": "input"}]})"
                                         << "$.edges[0].to"
                                         << "missing required key";
        QTest::newRow("edges null") << head + R"("steps": [], "edges": null})"
                                    << "$.edges"
                                    << "must be an array, got null";
        QTest::newRow("position string")
            << head + R"("steps": [{"id": "a", "handler": "x", "position": {"x": "1"}}]})"
            << "$.steps[0].position.x"
            << "must be a number, got string";
        QTest::newRow("arena string")
            << head + R"("flow": {"shared_memory": {"arena_bytes": "1G"}}, "steps": []})"
            << "$.flow.shared_memory.arena_bytes"
            << "must be an integer, got string";
        QTest::newRow("name number") << head + R"("name": 1, "steps": []})"
                                     << "$.name"
                                     << "must be a string";
        QTest::newRow("app_load not an object")
            << head + R"("app_load": "tasks.jsonl", "steps": [{"id": "a", "handler": "x"}]})"
            << "$.app_load"
            << "must be an object, got string";
        QTest::newRow("format missing")
            << QByteArray(R"({"version": 1, "steps": []})") << "$.format"
            << "missing required key";
    }

    void wrongTypesGivePathAndReason() {
        QFETCH(QByteArray, json);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
        QVERIFY(!loaded.ok());
        const Problem* problem = findProblem(loaded.problems, path);
        QVERIFY2(problem, qPrintable(describe(loaded.problems)));
        QVERIFY2(problem->message.contains(message), qPrintable(problem->message));
        QCOMPARE(problem->severity, Problem::Severity::Error);
    }

    void problemsCarryStepAndEdge() {
        const QByteArray json = R"({"format": "aqueduct-pipeline", "version": 1,
            "steps": [{"id": "a", "handler": "x"}, {"id": "b", "handler": "x", "nprocs": "2"}],
            "edges": [{"from": "input", "to": "a"}, {"from": 7, "to": "b"}]})";
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
        const Problem* step = findProblem(loaded.problems, QStringLiteral("$.steps[1].nprocs"));
        QVERIFY(step);
        QCOMPARE(step->stepId, QStringLiteral("b"));
        const Problem* edge = findProblem(loaded.problems, QStringLiteral("$.edges[1].from"));
        QVERIFY(edge);
        QCOMPARE(edge->edgeIndex, 1);
        QCOMPARE(loaded.problems.first().toString(),
                 QStringLiteral("$.steps[1].nprocs: must be an integer, got string"));
        // Indices stay aligned with the file even when an element is bad.
        QCOMPARE(loaded.document.steps.size(), 2);
        QCOMPARE(loaded.document.edges.size(), 2);
    }

    void unknownKeysAreWarnings() {
        const QByteArray json = R"({"format": "aqueduct-pipeline", "version": 1, "colour": "red",
            "steps": [{"id": "a", "handler": "x", "nproc": 2}]})";
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
        QVERIFY(loaded.ok());
        const Problem* root = findProblem(loaded.problems, QStringLiteral("$.colour"));
        QVERIFY(root);
        QCOMPARE(root->severity, Problem::Severity::Warning);
        const Problem* step = findProblem(loaded.problems, QStringLiteral("$.steps[0].nproc"));
        QVERIFY(step);
        QCOMPARE(step->stepId, QStringLiteral("a"));
        QVERIFY(step->toString().contains(QStringLiteral("warning: unknown key")));
    }

    void newerVersionRefused() {
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(
            R"({"format": "aqueduct-pipeline", "version": 7, "steps": [{"id": "a", "handler": "x"}]})");
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.problems.size(), 1);
        QCOMPARE(loaded.problems.first().path, QStringLiteral("$.version"));
        QCOMPARE(loaded.problems.first().message,
                 QStringLiteral(
                     "version 7 is newer than this Aqueduct understands (1); upgrade Aqueduct"));
        QVERIFY(loaded.document.steps.isEmpty());
    }

    void badVersionsAndFormats_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("version string")
            << QByteArray(R"({"format": "aqueduct-pipeline", "version": "1"})") << "$.version"
            << "must be an integer, got string";
        QTest::newRow("version fraction")
            << QByteArray(R"({"format": "aqueduct-pipeline", "version": 1.5})") << "$.version"
            << "must be an integer, got 1.5";
        QTest::newRow("version negative")
            << QByteArray(R"({"format": "aqueduct-pipeline", "version": -1})") << "$.version"
            << "must be between 0 and 1";
        QTest::newRow("version missing")
            << QByteArray(R"({"format": "aqueduct-pipeline", "steps": []})") << "$.version"
            << "missing required key";
        QTest::newRow("other format")
            << QByteArray(R"({"format": "something-else", "version": 1})") << "$.format"
            << "not an Aqueduct pipeline file";
        QTest::newRow("format number") << QByteArray(R"({"format": 1, "version": 1})") << "$.format"
                                       << "got number";
        QTest::newRow("not a pipeline") << QByteArray(R"({"hello": "world"})") << "$.format"
                                        << "not an Aqueduct pipeline file";
        QTest::newRow("array root") << QByteArray("[1, 2]") << "$"
                                    << "must be a JSON object, got array";
    }

    void badVersionsAndFormats() {
        QFETCH(QByteArray, json);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(json);
        QVERIFY(!loaded.ok());
        const Problem* problem = findProblem(loaded.problems, path);
        QVERIFY2(problem, qPrintable(describe(loaded.problems)));
        QVERIFY2(problem->message.contains(message), qPrintable(problem->message));
    }

    void migratesVersion0() {
        // v0: no "format"/"version", flow settings at the top level, Python-style names.
        const QByteArray v0 = R"({
            "name": "legacy",
            "queue_priorities": 2,
            "default_timeout_ms": 700,
            "start_method": "fork",
            "metrics_enabled": false,
            "steps": [
                {"id": "a", "handler": "increment", "params": {"by": 2}, "handle_condition": "value > 1"},
                {"id": "b", "handler": "passthrough", "nprocs": 3}
            ]
        })";
        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(v0);
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.problems)));
        const PipelineDocument& document = loaded.document;
        QCOMPARE(document.name, QStringLiteral("legacy"));
        QCOMPARE(document.flow.queuePriorities, 2);
        QCOMPARE(document.flow.defaultTimeoutMs, 700);
        QCOMPARE(document.flow.startMethod, StartMethod::Fork);
        QCOMPARE(document.flow.metrics.enabled, false);
        QCOMPARE(document.steps.size(), 2);
        QCOMPARE(document.steps.at(0).condition, QStringLiteral("value > 1"));
        QCOMPARE(document.steps.at(0).params.value(QLatin1String("by")).toInt(), 2);
        QCOMPARE(document.steps.at(1).nprocs, 3);
        // A note (warning) says the file was migrated; nothing else is reported.
        QCOMPARE(loaded.problems.size(), 1);
        QCOMPARE(loaded.problems.first().severity, Problem::Severity::Warning);
        QCOMPARE(loaded.problems.first().path, QStringLiteral("$.version"));

        // Saving writes the current version; that loads without any note.
        const QByteArray saved = document.toJson();
        QVERIFY(saved.contains("\"version\": 1"));
        const PipelineDocument::LoadResult reloaded = PipelineDocument::fromJson(saved);
        QVERIFY(reloaded.problems.isEmpty());
        QVERIFY(reloaded.document == document);

        // An explicit "version": 0 migrates the same way.
        const PipelineDocument::LoadResult explicitZero = PipelineDocument::fromJson(
            R"({"version": 0, "queue_priorities": 4, "steps": [{"id": "a", "handler": "x"}]})");
        QVERIFY(explicitZero.ok());
        QCOMPARE(explicitZero.document.flow.queuePriorities, 4);
    }

    void fromFileErrors() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        PipelineDocument::LoadResult missing =
            PipelineDocument::fromFile(dir.filePath(QStringLiteral("nope.json")));
        QVERIFY(!missing.ok());
        QVERIFY(missing.problems.first().message.contains(QStringLiteral("no such file")));
        PipelineDocument::LoadResult directory = PipelineDocument::fromFile(dir.path());
        QVERIFY(!directory.ok());
        QVERIFY(directory.problems.first().message.contains(QStringLiteral("directory")));
    }

    void deepNestingAndGarbageDoNotCrash() {
        QByteArray deep =
            R"({"format": "aqueduct-pipeline", "version": 1, "steps": [{"id": "a", "handler": "x", "params": {"p": )";
        deep += QByteArray(100000, '[');
        QVERIFY(!PipelineDocument::fromJson(deep).ok());
        QByteArray garbage;
        for (int i = 0; i < 4096; ++i)
            garbage += char((i * 7919) % 256);
        QVERIFY(!PipelineDocument::fromJson(garbage).ok());
    }
};

QTEST_GUILESS_MAIN(TestPipelineDocument)
#include "tst_pipelinedocument.moc"
