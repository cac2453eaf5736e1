// Every validation rule of the pipeline document, one bad file each
// (tests/engine/data/invalid/*.json), plus the graph rules on documents built in code.
#include "BuiltinHandlers.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>
#include <aqueduct/PluginLoader.h>

#include <QDir>
#include <QTest>

#include <QSet>
#include <QTest>
#include <algorithm>

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
        {"batch-size-range", "$.steps[0].batch_size",
         "must be between 1 and 4096, got 70000; this flow needs at least 17.2 GiB of shared "
         "memory",
         "a"},
        {"batch-timeout-range", "$.steps[0].batch_timeout_ms",
         "must be between 0 and 600000, got 700000", "a"},
        {"queue-size-range", "$.steps[0].queue_size",
         "must be 0 (automatic) or between 1 and 65536, got 2000000; this flow needs at least "
         "122.2 GiB",
         "a"},
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
        // So many steps need more than the default resource limits: raise them, this
        // test is about the graph walks.
        document.flow.limits.maxSharedMemoryBytes = 1ll << 40;
        document.flow.limits.maxWorkers = 20000;
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validate(document);
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));
    }

    // Issue 16: files that validated but asked for absurd shared memory or workers.
    void budgetRejections_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        const auto file = [](const QByteArray& flow, const QByteArray& steps) {
            // Plain literals: moc miscounts braces inside raw strings.
            return QByteArray(
                       "{\"format\": \"aqueduct-pipeline\", \"version\": 1, \"flow\": \x7b") +
                   flow + "\x7d, \"steps\": [" + steps + "]\x7d";
        };
        QTest::newRow("queue_size 1048576")
            << file("", R"({"id": "a", "handler": "passthrough", "queue_size": 1048576})")
            << "$.steps[0].queue_size"
            << "this flow needs at least 64.1 GiB of shared memory (control segment 64 GiB for "
               "1048641 task slots of 64 KiB, arena 32 MiB); the limit is 1 GiB";
        QTest::newRow("batch_size 65536")
            << file("", R"({"id": "a", "handler": "passthrough", "batch_size": 65536})")
            << "$.steps[0].batch_size"
            << "this flow needs at least 16.1 GiB of shared memory (control segment 16 GiB for "
               "262208 task slots of 64 KiB";
        QTest::newRow("max_task_bytes 2147483647")
            << file(R"("max_task_bytes": 2147483647)", R"({"id": "a", "handler": "passthrough"})")
            << "$.flow.max_task_bytes"
            << "must be between 0 and 67108864, got 2147483647; this flow needs at least 82.1 GiB "
               "of "
               "shared memory (control segment 82 GiB for 41 task slots of 2 GiB";
        QByteArray chain;
        for (int i = 0; i < 20000; ++i)
            chain += (i ? ", " : "") + QByteArray("\x7b\"id\": \"s") + QByteArray::number(i) +
                     "\", \"handler\": \"passthrough\"\x7d";
        QTest::newRow("20k-step chain, memory")
            << file("", chain) << "$.steps"
            << "this flow needs 25.8 GiB of shared memory (control segment 25.7 GiB for 420064 "
               "task "
               "slots of 64 KiB, arena 32 MiB); the limit is 1 GiB";
        QTest::newRow("20k-step chain, workers")
            << file("", chain) << "$.steps"
            << "this flow starts 20000 worker processes (20000 steps); the limit is 1024";
        QByteArray wide;
        for (int i = 0; i < 400; ++i)
            wide += (i ? ", " : "") + QByteArray("\x7b\"id\": \"s") + QByteArray::number(i) +
                    "\", \"handler\": \"passthrough\", \"nprocs\": 256\x7d";
        QTest::newRow("400 steps x nprocs 256")
            << file("", wide) << "$.steps"
            << "this flow starts 102400 worker processes (400 steps); the limit is 1024: lower "
               "nprocs, or raise flow.limits.max_workers";
        QTest::newRow("arena over the limit")
            << file(R"("shared_memory": {"arena_bytes": 2147483648})",
                    R"({"id": "a", "handler": "passthrough"})")
            << "$.flow.shared_memory.arena_bytes"
            << "raise flow.limits.max_shared_memory_bytes";
    }

    void budgetRejections() {
        QFETCH(QByteArray, json);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validateJson(json);
        const bool found =
            std::any_of(problems.cbegin(), problems.cend(), [&](const Problem& problem) {
                return problem.severity == Problem::Severity::Error && problem.path == path &&
                       problem.message.contains(message);
            });
        QVERIFY2(found, qPrintable(describe(problems)));
    }

    void fieldUpperBounds() {
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validateJson(
            R"({"format": "aqueduct-pipeline", "version": 1, "flow": {"max_task_bytes": 67108865,
            "limits": {"max_shared_memory_bytes": 0, "max_workers": 65537}},
            "steps": [{"id": "a", "handler": "passthrough"}]})");
        const QString text = describe(problems);
        QVERIFY2(text.contains(QStringLiteral(
                     "$.flow.max_task_bytes: must be between 0 and 67108864, got 67108865")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(
                     "$.flow.limits.max_shared_memory_bytes: must be between 1048576")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(
                     "$.flow.limits.max_workers: must be between 1 and 65536, got 65537")),
                 qPrintable(text));
    }

    void limitsAreConfigurableAndRoundTrip() {
        // queue_size 32768 takes 2 GiB of slots: refused by default, fine when raised.
        const QByteArray base = R"({"format": "aqueduct-pipeline", "version": 1, "flow": {%1},
            "steps": [{"id": "a", "handler": "passthrough", "queue_size": 32768}]})";
        const PipelineValidator validator(HandlerRegistry::global());
        QVERIFY(hasErrors(validator.validateJson(QByteArray(base).replace("%1", ""))));
        const QByteArray raised = QByteArray(base).replace(
            "%1", R"("limits": {"max_shared_memory_bytes": 4294967296, "max_workers": 2048})");
        const QList<Problem> problems = validator.validateJson(raised);
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));

        const PipelineDocument::LoadResult loaded = PipelineDocument::fromJson(raised);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.document.flow.limits.maxSharedMemoryBytes, 4294967296ll);
        QCOMPARE(loaded.document.flow.limits.maxWorkers, 2048);
        const QByteArray saved = loaded.document.toJson();
        QVERIFY2(saved.contains("\"max_shared_memory_bytes\": 4294967296"), saved.constData());
        const PipelineDocument::LoadResult again = PipelineDocument::fromJson(saved);
        QVERIFY(again.ok());
        QCOMPARE(again.document, loaded.document);
        // Defaults are not written.
        PipelineDocument plain;
        plain.steps.append(makeStep(QStringLiteral("a")));
        QVERIFY(!plain.toJson().contains("limits"));
    }

    void controlCharactersAreEscaped() {
        // Ids and names reach terminals: an escape sequence must arrive as text.
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validateJson(
            "{\"format\": \"aqueduct-pipeline\", \"version\": 1, \"steps\": [{\"id\": "
            "\"a\\u001b[2J\\u202e\", \"handler\": \"x\\u0007\\n\"}]}");
        QVERIFY(!problems.isEmpty());
        for (const Problem& problem : problems) {
            for (const QChar c : problem.message + problem.path)
                QVERIFY2(c.category() != QChar::Other_Control &&
                             c.category() != QChar::Other_Format,
                         qPrintable(problem.toString()));
        }
        const QString text = describe(problems);
        QVERIFY2(text.contains(QStringLiteral("'a\\x1b[2J\\u202e'")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("unknown handler 'x\\x07\\n'")), qPrintable(text));
    }

    void longUnknownHandlerNamesGetNoSuggestion() {
        // 72 s for 5,000 such names before (edit distance on 10 KB strings): now the name is
        // shortened and no suggestion is computed.
        PipelineDocument document;
        for (int i = 0; i < 500; ++i)
            document.steps.append(
                makeStep(QStringLiteral("s%1").arg(i), QString(10000, QLatin1Char('a' + i % 26))));
        const PipelineValidator validator(HandlerRegistry::global());
        const QList<Problem> problems = validator.validate(document);
        QCOMPARE(problems.size(), 500);
        for (const Problem& problem : problems) {
            QVERIFY2(problem.message.size() < 200, qPrintable(problem.message.left(300)));
            QVERIFY(problem.message.contains(QStringLiteral("(10000 characters)")));
        }
        // Short names still get their suggestion.
        PipelineDocument typo;
        typo.steps.append(makeStep(QStringLiteral("a"), QStringLiteral("incremnt")));
        QVERIFY2(
            describe(validator.validate(typo)).contains(QStringLiteral("did you mean 'increment'")),
            qPrintable(describe(validator.validate(typo))));
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
