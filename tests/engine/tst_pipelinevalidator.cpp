// Every validation rule of the pipeline document, one bad file each
// (tests/engine/data/invalid/*.json), plus the graph rules on documents built in code.
#include "BuiltinHandlers.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>
#include <aqueduct/PluginLoader.h>

#include <QDir>
#include <QSet>
#include <QTest>

using namespace Aqueduct;

namespace {

QString invalidDir() {
    return QStringLiteral(AQUEDUCT_SOURCE_DIR "/tests/engine/data/invalid");
}

QString describe(const QList<Problem>& problems) {
    QStringList lines;
    for (const Problem& problem : problems)
        lines << problem.toString();
    return lines.join(QLatin1Char('\n'));
}

QList<Problem> errorsOnly(const QList<Problem>& problems) {
    QList<Problem> errors;
    for (const Problem& problem : problems) {
        if (problem.severity == Problem::Severity::Error)
            errors.append(problem);
    }
    return errors;
}

StepSpec makeStep(const QString& id, const QString& handler = QStringLiteral("passthrough")) {
    StepSpec step;
    step.id = id;
    step.handler = handler;
    return step;
}

struct InvalidCase {
    const char* file;    // tests/engine/data/invalid/<file>.json
    const char* path;    // exact JSON path of the expected problem ("" = JSON syntax)
    const char* message; // substring of its message
    const char* stepId = "";
    int edgeIndex = -1;
};

// One bad file per validation rule.
const QList<InvalidCase>& invalidCases() {
    static const QList<InvalidCase> cases = {
        {"malformed-json", "", "invalid JSON: expected ',' or '}'"},
        {"newer-version", "$.version",
         "version 7 is newer than this Aqueduct understands (1); upgrade Aqueduct"},
        {"not-a-pipeline", "$.format", "not an Aqueduct pipeline file"},
        {"wrong-type", "$.steps[0].nprocs", "must be an integer, got string", "a"},
        {"missing-id", "$.steps[0].id", "missing required key"},
        {"missing-handler", "$.steps[0].handler", "missing required key", "a"},
        {"unknown-handler-suggestion", "$.steps[0].handler",
         "unknown handler 'incremnt'; did you mean 'increment'?", "a"},
        {"unknown-handler", "$.steps[0].handler",
         "unknown handler 'frobnicate' (see `aqueduct handlers`)", "a"},
        {"param-type", "$.steps[0].params.ms", "must be an integer, got string", "a"},
        {"param-range", "$.steps[0].params.us", "must be between 0 and 10000000, got -5", "a"},
        {"param-choice", "$.steps[0].params.mode", "must be one of", "a"},
        {"param-required", "$.steps[0].params.field", "required parameter 'field' is missing", "a"},
        {"param-unknown", "$.steps[0].params.bye", "unknown parameter 'bye'", "a"},
        {"duplicate-id", "$.steps[1].id", "duplicate step id 'a' (also used by $.steps[0])", "a"},
        {"invalid-id", "$.steps[0].id", "'my step' is not a valid id", "my step"},
        {"reserved-id", "$.steps[0].id", "'input' is reserved", "input"},
        {"edge-unknown-step", "$.edges[1].to", "unknown step 'nowhere'", "", 1},
        {"edge-into-input", "$.edges[1].to", "an edge cannot enter 'input'", "", 1},
        {"edge-out-of-output", "$.edges[2].from", "an edge cannot leave 'output'", "", 2},
        {"duplicate-edge", "$.edges[2]", "duplicate edge a -> output (same as $.edges[1])", "", 2},
        {"self-loop", "$.edges[1]", "self-loop: 'a' -> 'a'", "a", 1},
        {"cycle", "$.edges[3]", "cycle: a -> b -> c -> a", "a", 3},
        {"unreachable", "$.steps[2]", "step 'orphan' is unreachable", "orphan"},
        {"not-reaching-output", "$.steps[1]", "step 'sink' does not reach 'output'", "sink"},
        {"no-steps", "$.steps", "a pipeline needs at least one step"},
        {"nprocs-range", "$.steps[0].nprocs", "must be between 1 and 256, got 0", "a"},
        {"batch-size-range", "$.steps[0].batch_size", "must be between 1 and 65536, got 70000",
         "a"},
        {"batch-timeout-range", "$.steps[0].batch_timeout_ms",
         "must be between 0 and 600000, got 700000", "a"},
        {"queue-size-range", "$.steps[0].queue_size",
         "must be 0 (automatic) or between 1 and 1048576", "a"},
        {"queue-size-below-batch", "$.steps[0].queue_size",
         "must be at least batch_size (8), got 4", "a"},
        {"handle-timeout-range", "$.steps[0].handle_timeout_ms", "must be at least 0, got -1", "a"},
        {"step-restart-range", "$.steps[0].restart.max_restarts", "must be at least 0, got -1",
         "a"},
        {"queue-priorities-range", "$.flow.queue_priorities", "must be between 1 and 16, got 17"},
        {"default-timeout-range", "$.flow.default_timeout_ms", "must be at least 1, got 0"},
        {"start-timeout-range", "$.flow.start_timeout_ms", "must be at least 1, got -1"},
        {"metrics-interval-range", "$.flow.metrics.interval_ms",
         "must be between 10 and 600000, got 5"},
        {"prometheus-port-range", "$.flow.metrics.prometheus.port",
         "must be between 1 and 65535, got 70000"},
        {"statsd-port-range", "$.flow.metrics.statsd.port", "must be between 1 and 65535, got 0"},
        {"arena-range", "$.flow.shared_memory.arena_bytes", "or between 1 MiB"},
        {"start-method", "$.flow.start_method",
         "must be one of forkserver, spawn, fork; got 'thread'"},
        {"restart-policy", "$.flow.restart.policy", "must be one of on-crash, never; got 'always'"},
        {"condition-parse", "$.steps[0].condition",
         "column 15: expected a value, a field name or '('", "a"},
        {"when-parse", "$.edges[1].when", "column 6: expected '=='", "", 1},
    };
    return cases;
}

} // namespace

class TestPipelineValidator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        registerBuiltinHandlers(HandlerRegistry::global());
        // classify.json uses the vision plugin, built into the build tree's plugin folder.
        qputenv("AQUEDUCT_PLUGIN_PATH", AQUEDUCT_BINARY_DIR "/lib/aqueduct/plugins");
        PluginLoader::loadSearchPath(HandlerRegistry::global());
    }

    void examplesAreValid_data() {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines"));
        for (const QString& file : dir.entryList({QStringLiteral("*.json")}, QDir::Files))
            QTest::newRow(qPrintable(file)) << dir.filePath(file);
    }

    void examplesAreValid() {
        QFETCH(QString, path);
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validateFile(path);
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));
    }

    void invalidFiles_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("path");    // exact JSON path of the expected problem
        QTest::addColumn<QString>("message"); // substring of its message
        QTest::addColumn<QString>("stepId");
        QTest::addColumn<int>("edgeIndex");

        for (const InvalidCase& c : invalidCases())
            QTest::newRow(c.file) << QString::fromLatin1(c.file) << QString::fromLatin1(c.path)
                                  << QString::fromUtf8(c.message) << QString::fromLatin1(c.stepId)
                                  << c.edgeIndex;
    }

    void invalidFiles() {
        QFETCH(QString, file);
        QFETCH(QString, path);
        QFETCH(QString, message);
        QFETCH(QString, stepId);
        QFETCH(int, edgeIndex);
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validateFile(invalidDir() + QLatin1Char('/') +
                                                               file + QStringLiteral(".json"));
        QVERIFY2(hasErrors(problems), "expected the file to be invalid");
        const Problem* found = nullptr;
        for (const Problem& problem : problems) {
            if (problem.path == path && problem.message.contains(message))
                found = &problem;
        }
        QVERIFY2(found, qPrintable(QStringLiteral("no problem at '%1' containing '%2'; got:\n%3")
                                       .arg(path, message, describe(problems))));
        QCOMPARE(found->severity, Problem::Severity::Error);
        QCOMPARE(found->stepId, stepId);
        QCOMPARE(found->edgeIndex, edgeIndex);
        if (path.isEmpty())
            QVERIFY(found->line > 0 && found->column > 0); // JSON syntax: located by line/column
        if (path.endsWith(QLatin1String(".condition")) || path.endsWith(QLatin1String(".when")))
            QVERIFY(found->column > 0); // column inside the expression
        // Each bad file breaks exactly one rule: no noise from follow-on reports.
        QVERIFY2(errorsOnly(problems).size() == 1, qPrintable(describe(problems)));
    }

    void everyInvalidFileHasARow() {
        QSet<QString> rows;
        for (const InvalidCase& c : invalidCases())
            rows.insert(QString::fromLatin1(c.file) + QStringLiteral(".json"));
        const QStringList files =
            QDir(invalidDir()).entryList({QStringLiteral("*.json")}, QDir::Files);
        QVERIFY(files.size() >= 40);
        QCOMPARE(QSet<QString>(files.begin(), files.end()), rows);
    }

    void expressionColumnsAreKept() {
        PipelineDocument document;
        StepSpec step = makeStep(QStringLiteral("a"));
        step.condition = QStringLiteral("has(x");
        document.steps = {step};
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validate(document);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().column, 6);
        QCOMPARE(
            problems.first().message,
            QStringLiteral("column 6: expected ')' after argument, got the end of the expression"));
    }

    void reportsEveryProblemNotJustTheFirst() {
        PipelineDocument document;
        StepSpec a = makeStep(QStringLiteral("a"), QStringLiteral("nope"));
        a.nprocs = 0;
        a.condition = QStringLiteral("x ==");
        StepSpec b = makeStep(QStringLiteral("a"));
        b.batchSize = 0;
        document.steps = {a, b};
        document.flow.queuePriorities = 0;
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validate(document);
        QSet<QString> paths;
        for (const Problem& problem : problems)
            paths.insert(problem.path);
        const QSet<QString> expected{
            QStringLiteral("$.steps[0].handler"),    QStringLiteral("$.steps[0].nprocs"),
            QStringLiteral("$.steps[0].condition"),  QStringLiteral("$.steps[1].id"),
            QStringLiteral("$.steps[1].batch_size"), QStringLiteral("$.flow.queue_priorities")};
        QVERIFY2(paths.contains(expected), qPrintable(describe(problems)));
    }

    void implicitChainNeedsNoEdges() {
        PipelineDocument document;
        document.steps = {makeStep(QStringLiteral("a")), makeStep(QStringLiteral("b")),
                          makeStep(QStringLiteral("c"))};
        const PipelineValidator validator(HandlerRegistry::global());
        QVERIFY2(validator.validate(document).isEmpty(),
                 qPrintable(describe(validator.validate(document))));
    }

    void branchingGraphIsValid() {
        PipelineDocument document;
        document.steps = {makeStep(QStringLiteral("a")), makeStep(QStringLiteral("b")),
                          makeStep(QStringLiteral("c"))};
        document.edges = {
            EdgeSpec{QStringLiteral("input"), QStringLiteral("a"), {}},
            EdgeSpec{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("x > 1")},
            EdgeSpec{QStringLiteral("a"), QStringLiteral("c"), {}},
            EdgeSpec{QStringLiteral("b"), QStringLiteral("output"), {}},
            EdgeSpec{QStringLiteral("c"), QStringLiteral("output"), {}},
            EdgeSpec{QStringLiteral("input"), QStringLiteral("output"),
                     QStringLiteral("skip == true")}};
        const PipelineValidator validator(HandlerRegistry::global());
        QVERIFY2(validator.validate(document).isEmpty(),
                 qPrintable(describe(validator.validate(document))));
    }

    void twoCyclesAreBothNamed() {
        PipelineDocument document;
        for (const char* id : {"a", "b", "c", "d"})
            document.steps.append(makeStep(QLatin1String(id)));
        document.edges = {EdgeSpec{QStringLiteral("input"), QStringLiteral("a"), {}},
                          EdgeSpec{QStringLiteral("a"), QStringLiteral("b"), {}},
                          EdgeSpec{QStringLiteral("b"), QStringLiteral("a"), {}},
                          EdgeSpec{QStringLiteral("b"), QStringLiteral("c"), {}},
                          EdgeSpec{QStringLiteral("c"), QStringLiteral("d"), {}},
                          EdgeSpec{QStringLiteral("d"), QStringLiteral("c"), {}},
                          EdgeSpec{QStringLiteral("d"), QStringLiteral("output"), {}}};
        const PipelineValidator validator(HandlerRegistry::global());
        QStringList cycles;
        for (const Problem& problem : validator.validate(document)) {
            if (problem.message.startsWith(QLatin1String("cycle: ")))
                cycles << problem.message;
        }
        cycles.sort();
        QCOMPARE(cycles, (QStringList{QStringLiteral("cycle: a -> b -> a"),
                                      QStringLiteral("cycle: c -> d -> c")}));
    }

    void largeGraphDoesNotOverflow() {
        // A 20000-step explicit chain: the graph walks must not recurse per step.
        PipelineDocument document;
        QString previous = QStringLiteral("input");
        for (int i = 0; i < 20000; ++i) {
            const QString id = QStringLiteral("s%1").arg(i);
            document.steps.append(makeStep(id));
            document.edges.append(EdgeSpec{previous, id, {}});
            previous = id;
        }
        document.edges.append(EdgeSpec{previous, QStringLiteral("output"), {}});
        const PipelineValidator validator(HandlerRegistry::global());
        QVERIFY(validator.validate(document).isEmpty());
    }

    void validateJsonCombinesLoadAndRules() {
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems =
            validator.validateJson(R"({"format": "aqueduct-pipeline", "version": 1,
            "steps": [{"id": "a", "handler": 3}, {"id": "b", "handler": "nope", "nproc": 1}]})");
        QStringList lines;
        for (const Problem& problem : problems)
            lines << problem.toString();
        QCOMPARE(lines,
                 (QStringList{
                     QStringLiteral("$.steps[0].handler: must be a string, got number"),
                     QStringLiteral("$.steps[1].nproc: warning: unknown key (ignored)"),
                     QStringLiteral(
                         "$.steps[1].handler: unknown handler 'nope' (see `aqueduct handlers`)")}));
    }

    void testRegistryWorks() {
        HandlerRegistry registry;
        HandlerInfo info;
        info.name = QStringLiteral("resize");
        info.category = QStringLiteral("Image");
        ParamSpec width;
        width.name = QStringLiteral("width");
        width.type = ParamType::Int;
        width.minimum = 1;
        width.defaultValue = 64;
        info.params = {width};
        registry.add(info, {});
        PipelineDocument document;
        StepSpec step = makeStep(QStringLiteral("r"), QStringLiteral("resise"));
        document.steps = {step};
        const PipelineValidator validator(registry);
        QList<Problem> problems = validator.validate(document);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().message,
                 QStringLiteral("unknown handler 'resise'; did you mean 'resize'?"));
        document.steps[0].handler = QStringLiteral("resize");
        document.steps[0].params = QJsonObject{{QStringLiteral("width"), 0}};
        problems = validator.validate(document);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().path, QStringLiteral("$.steps[0].params.width"));
        QCOMPARE(problems.first().stepId, QStringLiteral("r"));
    }
};

QTEST_GUILESS_MAIN(TestPipelineValidator)
#include "tst_pipelinevalidator.moc"
