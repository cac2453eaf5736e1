// HandlerRegistry and HandlerSchema: lookup, ordering, parameter checks and defaults, and
// the built-in handler set.
#include "BuiltinHandlers.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QJsonArray>
#include <QTest>

using Aqueduct::Handler;
using Aqueduct::HandlerInfo;
using Aqueduct::HandlerRegistry;
using Aqueduct::ParamSpec;
using Aqueduct::ParamType;
using Aqueduct::PipelineDocument;
using Aqueduct::Problem;
using Aqueduct::StepSpec;

namespace {

class NamedHandler final : public Handler {
public:
    explicit NamedHandler(int tag)
        : m_tag(tag) {}
    void handle(std::span<Aqueduct::Task> batch) override {
        for (Aqueduct::Task& task : batch)
            task["tag"].setInt(m_tag);
    }

private:
    int m_tag;
};

HandlerInfo sleepLikeInfo() {
    HandlerInfo info;
    info.name = QStringLiteral("sleep");
    info.category = QStringLiteral("Testing");
    info.description = QStringLiteral("Sleeps.");
    info.params = {
        ParamSpec{.name = QStringLiteral("ms"),
                  .type = ParamType::Int,
                  .defaultValue = 10,
                  .minimum = 0,
                  .maximum = 600000,
                  .description = QStringLiteral("Milliseconds.")},
    };
    return info;
}

// One parameter of every kind, for the type checks.
HandlerInfo everyKindInfo() {
    HandlerInfo info;
    info.name = QStringLiteral("kinds");
    info.category = QStringLiteral("Basic");
    info.params = {
        ParamSpec{.name = QStringLiteral("flag"), .type = ParamType::Bool, .defaultValue = false},
        ParamSpec{.name = QStringLiteral("count"), .type = ParamType::Int, .defaultValue = 1},
        ParamSpec{.name = QStringLiteral("ratio"),
                  .type = ParamType::Double,
                  .defaultValue = 0.5,
                  .minimum = 0.0,
                  .maximum = 1.0},
        ParamSpec{.name = QStringLiteral("low"), .type = ParamType::Int, .minimum = 10},
        ParamSpec{.name = QStringLiteral("high"), .type = ParamType::Double, .maximum = 2.5},
        ParamSpec{.name = QStringLiteral("label"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("x")},
        ParamSpec{.name = QStringLiteral("mode"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("a"),
                  .choices = {QStringLiteral("a"), QStringLiteral("b")}},
        ParamSpec{.name = QStringLiteral("field"), .type = ParamType::String, .required = true},
    };
    return info;
}

QStringList messages(const QList<Problem>& problems) {
    QStringList result;
    for (const Problem& problem : problems)
        result.append(problem.path + QStringLiteral(": ") + problem.message);
    return result;
}

} // namespace

class TestHandlerRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void paramTypeNames();
    void infoParamLookup();
    void infoToJson();
    void addFindCreate();
    void addReplaces();
    void handlersSortedByCategoryThenName();
    void globalIsOneInstance();
    void validParamsHaveNoProblems();
    void unknownParameter();
    void unknownParameterOfHandlerWithoutParams();
    void wrongTypes_data();
    void wrongTypes();
    void intAcceptsWholeNumbersOnly();
    void doubleAcceptsIntegers();
    void ranges_data();
    void ranges();
    void choices();
    void requiredMissing();
    void everyProblemIsReported();
    void emptyPrefix();
    void withDefaultsFillsOnlyMissing();
    void loadProblemsAccumulate();
    void builtinsAreRegistered();
    void builtinsRegistrationIsIdempotent();
    void builtinSchemasAreComplete();
    void builtinDefaultsValidate();
    void filePathParamsResolveAgainstFolder();
};

void TestHandlerRegistry::paramTypeNames() {
    QCOMPARE(Aqueduct::paramTypeName(ParamType::Bool), QStringLiteral("bool"));
    QCOMPARE(Aqueduct::paramTypeName(ParamType::Int), QStringLiteral("int"));
    QCOMPARE(Aqueduct::paramTypeName(ParamType::Double), QStringLiteral("double"));
    QCOMPARE(Aqueduct::paramTypeName(ParamType::String), QStringLiteral("string"));
    QCOMPARE(Aqueduct::paramTypeName(ParamType::Choice), QStringLiteral("choice"));
}

void TestHandlerRegistry::infoParamLookup() {
    const HandlerInfo info = everyKindInfo();
    QVERIFY(info.param(QStringLiteral("ratio")) != nullptr);
    QCOMPARE(info.param(QStringLiteral("ratio"))->type, ParamType::Double);
    QVERIFY(info.param(QStringLiteral("nope")) == nullptr);
}

void TestHandlerRegistry::infoToJson() {
    HandlerInfo info = sleepLikeInfo();
    info.origin = QStringLiteral("builtin");
    info.params.append(ParamSpec{.name = QStringLiteral("mode"),
                                 .type = ParamType::Choice,
                                 .choices = {QStringLiteral("a"), QStringLiteral("b")},
                                 .description = QStringLiteral("Pick one."),
                                 .required = true});
    info.params.append(ParamSpec{.name = QStringLiteral("model"),
                                 .type = ParamType::String,
                                 .defaultValue = QStringLiteral("model.onnx"),
                                 .filePath = true});
    const QJsonObject json = info.toJson();
    QCOMPARE(json.value(QStringLiteral("name")).toString(), QStringLiteral("sleep"));
    QCOMPARE(json.value(QStringLiteral("category")).toString(), QStringLiteral("Testing"));
    QCOMPARE(json.value(QStringLiteral("description")).toString(), QStringLiteral("Sleeps."));
    QCOMPARE(json.value(QStringLiteral("origin")).toString(), QStringLiteral("builtin"));
    const QJsonArray params = json.value(QStringLiteral("params")).toArray();
    QCOMPARE(params.size(), 3);

    const QJsonObject ms = params.at(0).toObject();
    const QStringList expectedKeys = {"choices", "default", "description", "file_path", "maximum",
                                      "minimum", "name",    "required",    "type"};
    QCOMPARE(ms.keys(), expectedKeys);
    QCOMPARE(ms.value(QStringLiteral("name")).toString(), QStringLiteral("ms"));
    QCOMPARE(ms.value(QStringLiteral("type")).toString(), QStringLiteral("int"));
    QCOMPARE(ms.value(QStringLiteral("default")).toInteger(), qint64(10));
    QCOMPARE(ms.value(QStringLiteral("minimum")).toInteger(), qint64(0));
    QCOMPARE(ms.value(QStringLiteral("maximum")).toInteger(), qint64(600000));
    QCOMPARE(ms.value(QStringLiteral("choices")).toArray(), QJsonArray());
    QCOMPARE(ms.value(QStringLiteral("description")).toString(), QStringLiteral("Milliseconds."));
    QCOMPARE(ms.value(QStringLiteral("required")).toBool(), false);
    QCOMPARE(ms.value(QStringLiteral("file_path")).toBool(), false);

    const QJsonObject mode = params.at(1).toObject();
    QCOMPARE(mode.value(QStringLiteral("type")).toString(), QStringLiteral("choice"));
    QVERIFY(mode.value(QStringLiteral("default")).isNull());
    QVERIFY(mode.value(QStringLiteral("minimum")).isNull());
    QVERIFY(mode.value(QStringLiteral("maximum")).isNull());
    QCOMPARE(mode.value(QStringLiteral("choices")).toArray(), QJsonArray({"a", "b"}));
    QCOMPARE(mode.value(QStringLiteral("required")).toBool(), true);
    QCOMPARE(mode.value(QStringLiteral("file_path")).toBool(), false);

    const QJsonObject model = params.at(2).toObject();
    QCOMPARE(model.value(QStringLiteral("type")).toString(), QStringLiteral("string"));
    QCOMPARE(model.value(QStringLiteral("file_path")).toBool(), true);
}

void TestHandlerRegistry::addFindCreate() {
    HandlerRegistry registry;
    QVERIFY(!registry.contains(QStringLiteral("sleep")));
    QVERIFY(registry.find(QStringLiteral("sleep")) == nullptr);
    QVERIFY(registry.create(QStringLiteral("sleep")) == nullptr);

    registry.add(sleepLikeInfo(), [] { return std::make_unique<NamedHandler>(1); });
    QVERIFY(registry.contains(QStringLiteral("sleep")));
    const HandlerInfo* info = registry.find(QStringLiteral("sleep"));
    QVERIFY(info != nullptr);
    QCOMPARE(info->category, QStringLiteral("Testing"));
    std::unique_ptr<Handler> handler = registry.create(QStringLiteral("sleep"));
    QVERIFY(handler != nullptr);
    std::vector<Aqueduct::Task> batch(1);
    handler->handle(batch);
    QCOMPARE(batch[0].intField("tag"), std::int64_t{1});
    // Each call makes a new instance (one per worker).
    QVERIFY(registry.create(QStringLiteral("sleep")) != handler);
}

void TestHandlerRegistry::addReplaces() {
    HandlerRegistry registry;
    registry.add(sleepLikeInfo(), [] { return std::make_unique<NamedHandler>(1); });
    HandlerInfo replacement = sleepLikeInfo();
    replacement.category = QStringLiteral("CPU");
    registry.add(replacement, [] { return std::make_unique<NamedHandler>(2); });
    QCOMPARE(registry.handlers().size(), 1);
    QCOMPARE(registry.find(QStringLiteral("sleep"))->category, QStringLiteral("CPU"));
    std::vector<Aqueduct::Task> batch(1);
    registry.create(QStringLiteral("sleep"))->handle(batch);
    QCOMPARE(batch[0].intField("tag"), std::int64_t{2});
}

void TestHandlerRegistry::handlersSortedByCategoryThenName() {
    HandlerRegistry registry;
    const auto add = [&registry](const char* name, const char* category) {
        HandlerInfo info;
        info.name = QString::fromLatin1(name);
        info.category = QString::fromLatin1(category);
        registry.add(info, [] { return std::make_unique<NamedHandler>(0); });
    };
    add("zeta", "Basic");
    add("crash", "Testing");
    add("alpha", "Testing");
    add("beta", "Basic");
    add("burn", "CPU");
    QStringList order;
    for (const HandlerInfo& info : registry.handlers())
        order.append(info.category + QLatin1Char('/') + info.name);
    QCOMPARE(order, QStringList({"Basic/beta", "Basic/zeta", "CPU/burn", "Testing/alpha",
                                 "Testing/crash"}));
}

void TestHandlerRegistry::globalIsOneInstance() {
    QCOMPARE(&HandlerRegistry::global(), &HandlerRegistry::global());
}

void TestHandlerRegistry::validParamsHaveNoProblems() {
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(everyKindInfo(),
                                                         QJsonObject{{"flag", true},
                                                                     {"count", -7},
                                                                     {"ratio", 1},
                                                                     {"low", 10},
                                                                     {"high", 2.5},
                                                                     {"label", ""},
                                                                     {"mode", "b"},
                                                                     {"field", "f"}},
                                                         QStringLiteral("$.steps[0].params"));
    QVERIFY2(problems.isEmpty(), qPrintable(messages(problems).join(QLatin1Char('\n'))));
}

void TestHandlerRegistry::unknownParameter() {
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(
        sleepLikeInfo(), QJsonObject{{"x", 1}, {"ms", 5}}, QStringLiteral("$.steps[2].params"));
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].path, QStringLiteral("$.steps[2].params.x"));
    QCOMPARE(problems[0].message,
             QStringLiteral("unknown parameter 'x' for handler 'sleep' (known: ms)"));
    QCOMPARE(problems[0].severity, Problem::Severity::Error);
}

void TestHandlerRegistry::unknownParameterOfHandlerWithoutParams() {
    HandlerRegistry registry;
    HandlerInfo info;
    info.name = QStringLiteral("passthrough");
    const QList<Problem> problems =
        registry.checkParams(info, QJsonObject{{"speed", 1}}, QStringLiteral("$.p"));
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].message,
             QStringLiteral(
                 "unknown parameter 'speed' for handler 'passthrough' (it takes no parameters)"));
}

void TestHandlerRegistry::wrongTypes_data() {
    QTest::addColumn<QString>("param");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("int given string") << QStringLiteral("count") << QJsonValue("3")
                                      << QStringLiteral("must be an integer, got string");
    QTest::newRow("int given bool") << QStringLiteral("count") << QJsonValue(true)
                                    << QStringLiteral("must be an integer, got boolean");
    QTest::newRow("int given null") << QStringLiteral("count") << QJsonValue(QJsonValue::Null)
                                    << QStringLiteral("must be an integer, got null");
    QTest::newRow("double given string") << QStringLiteral("ratio") << QJsonValue("0.5")
                                         << QStringLiteral("must be a number, got string");
    QTest::newRow("bool given int") << QStringLiteral("flag") << QJsonValue(1)
                                    << QStringLiteral("must be a boolean, got number");
    QTest::newRow("string given int") << QStringLiteral("label") << QJsonValue(5)
                                      << QStringLiteral("must be a string, got number");
    QTest::newRow("string given array") << QStringLiteral("label") << QJsonValue(QJsonArray{1})
                                        << QStringLiteral("must be a string, got array");
    QTest::newRow("string given object") << QStringLiteral("label") << QJsonValue(QJsonObject{})
                                         << QStringLiteral("must be a string, got object");
    QTest::newRow("choice given int") << QStringLiteral("mode") << QJsonValue(1)
                                      << QStringLiteral("must be one of: a, b (got number)");
}

void TestHandlerRegistry::wrongTypes() {
    QFETCH(QString, param);
    QFETCH(QJsonValue, value);
    QFETCH(QString, message);
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(
        everyKindInfo(), QJsonObject{{param, value}, {"field", "f"}}, QStringLiteral("$.params"));
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].path, QStringLiteral("$.params.") + param);
    QCOMPARE(problems[0].message, message);
}

void TestHandlerRegistry::intAcceptsWholeNumbersOnly() {
    HandlerRegistry registry;
    const HandlerInfo info = sleepLikeInfo();
    QVERIFY(registry.checkParams(info, QJsonObject{{"ms", 3}}, "$").isEmpty());
    QVERIFY(registry.checkParams(info, QJsonObject{{"ms", 3.0}}, "$").isEmpty());
    const QList<Problem> problems = registry.checkParams(info, QJsonObject{{"ms", 3.5}}, "$");
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].message, QStringLiteral("must be an integer, got 3.5"));
    // A number beyond int64 is not an integer parameter either.
    QCOMPARE(
        registry.checkParams(everyKindInfo(), QJsonObject{{"count", 1e300}, {"field", "f"}}, "$")
            .size(),
        1);
}

void TestHandlerRegistry::doubleAcceptsIntegers() {
    HandlerRegistry registry;
    QVERIFY(registry.checkParams(everyKindInfo(), QJsonObject{{"ratio", 0}, {"field", "f"}}, "$")
                .isEmpty());
    QVERIFY(registry.checkParams(everyKindInfo(), QJsonObject{{"ratio", 0.3}, {"field", "f"}}, "$")
                .isEmpty());
}

void TestHandlerRegistry::ranges_data() {
    QTest::addColumn<QString>("param");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("int below") << QStringLiteral("ms") << QJsonValue(-5)
                               << QStringLiteral("must be between 0 and 600000, got -5");
    QTest::newRow("int above") << QStringLiteral("ms") << QJsonValue(600001)
                               << QStringLiteral("must be between 0 and 600000, got 600001");
    QTest::newRow("double above") << QStringLiteral("ratio") << QJsonValue(1.5)
                                  << QStringLiteral("must be between 0 and 1, got 1.5");
    QTest::newRow("double below") << QStringLiteral("ratio") << QJsonValue(-0.25)
                                  << QStringLiteral("must be between 0 and 1, got -0.25");
    QTest::newRow("minimum only") << QStringLiteral("low") << QJsonValue(9)
                                  << QStringLiteral("must be at least 10, got 9");
    QTest::newRow("maximum only") << QStringLiteral("high") << QJsonValue(3)
                                  << QStringLiteral("must be at most 2.5, got 3");
}

void TestHandlerRegistry::ranges() {
    QFETCH(QString, param);
    QFETCH(QJsonValue, value);
    QFETCH(QString, message);
    HandlerInfo info = everyKindInfo();
    info.params.append(sleepLikeInfo().params);
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(
        info, QJsonObject{{param, value}, {"field", "f"}}, QStringLiteral("$.steps[1].params"));
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].path, QStringLiteral("$.steps[1].params.") + param);
    QCOMPARE(problems[0].message, message);
    // Bounds are inclusive.
    QVERIFY(registry.checkParams(info, QJsonObject{{"ms", 0}, {"field", "f"}}, "$").isEmpty());
    QVERIFY(registry.checkParams(info, QJsonObject{{"ms", 600000}, {"field", "f"}}, "$").isEmpty());
}

void TestHandlerRegistry::choices() {
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(
        everyKindInfo(), QJsonObject{{"mode", "c"}, {"field", "f"}}, QStringLiteral("$.params"));
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].path, QStringLiteral("$.params.mode"));
    QCOMPARE(problems[0].message, QStringLiteral("must be one of: a, b (got 'c')"));
    QVERIFY(problems[0].message.startsWith(QStringLiteral("must be one of: a, b")));
}

void TestHandlerRegistry::requiredMissing() {
    HandlerRegistry registry;
    const QList<Problem> problems =
        registry.checkParams(everyKindInfo(), QJsonObject{}, QStringLiteral("$.steps[0].params"));
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].path, QStringLiteral("$.steps[0].params.field"));
    QCOMPARE(problems[0].message, QStringLiteral("required parameter 'field' is missing"));
    QCOMPARE(problems[0].severity, Problem::Severity::Error);
}

void TestHandlerRegistry::everyProblemIsReported() {
    HandlerRegistry registry;
    const QList<Problem> problems = registry.checkParams(
        everyKindInfo(),
        QJsonObject{{"count", "x"}, {"ratio", 7}, {"mode", "z"}, {"bogus", 1}, {"other", 2}},
        QStringLiteral("$.params"));
    QStringList paths;
    for (const Problem& problem : problems) {
        paths.append(problem.path);
        QCOMPARE(problem.severity, Problem::Severity::Error);
    }
    paths.sort();
    QCOMPARE(paths, QStringList({"$.params.bogus", "$.params.count", "$.params.field",
                                 "$.params.mode", "$.params.other", "$.params.ratio"}));
}

void TestHandlerRegistry::emptyPrefix() {
    HandlerRegistry registry;
    const QList<Problem> problems =
        registry.checkParams(sleepLikeInfo(), QJsonObject{{"ms", "x"}}, QString());
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].path, QStringLiteral("ms"));
}

void TestHandlerRegistry::withDefaultsFillsOnlyMissing() {
    const QJsonObject filled = HandlerRegistry::withDefaults(
        everyKindInfo(), QJsonObject{{"count", 5}, {"extra", "kept"}});
    QCOMPARE(filled.value("count").toInteger(), qint64(5));
    QCOMPARE(filled.value("flag"), QJsonValue(false));
    QCOMPARE(filled.value("ratio").toDouble(), 0.5);
    QCOMPARE(filled.value("label").toString(), QStringLiteral("x"));
    QCOMPARE(filled.value("mode").toString(), QStringLiteral("a"));
    QCOMPARE(filled.value("extra").toString(), QStringLiteral("kept"));
    // No default: nothing is invented for required or default-less params.
    QVERIFY(!filled.contains("field"));
    QVERIFY(!filled.contains("low"));
}

void TestHandlerRegistry::loadProblemsAccumulate() {
    HandlerRegistry registry;
    QVERIFY(registry.loadProblems().isEmpty());
    Problem problem;
    problem.path = QStringLiteral("/plugins/libbroken.so");
    problem.message = QStringLiteral("not a handler plugin");
    registry.addLoadProblem(problem);
    QCOMPARE(registry.loadProblems().size(), 1);
    QCOMPARE(registry.loadProblems()[0].message, QStringLiteral("not a handler plugin"));
}

void TestHandlerRegistry::builtinsAreRegistered() {
    HandlerRegistry registry;
    Aqueduct::registerBuiltinHandlers(registry);
    const QStringList expected = {"passthrough", "increment",      "sleep",     "cpu_burn",
                                  "sha256",      "checksum",       "set_field", "fail",
                                  "crash",       "image_grayscale"};
    for (const QString& name : expected) {
        QVERIFY2(registry.contains(name), qPrintable(name));
        QCOMPARE(registry.find(name)->origin, QStringLiteral("builtin"));
        QVERIFY2(registry.create(name) != nullptr, qPrintable(name));
    }
    QCOMPARE(registry.handlers().size(), expected.size());
    QCOMPARE(registry.find("increment")->category, QStringLiteral("Basic"));
    QCOMPARE(registry.find("cpu_burn")->category, QStringLiteral("CPU"));
    QCOMPARE(registry.find("sha256")->category, QStringLiteral("Bytes"));
    QCOMPARE(registry.find("crash")->category, QStringLiteral("Testing"));
    QCOMPARE(registry.find("image_grayscale")->category, QStringLiteral("Image"));
}

void TestHandlerRegistry::builtinsRegistrationIsIdempotent() {
    HandlerRegistry registry;
    Aqueduct::registerBuiltinHandlers(registry);
    const int count = registry.handlers().size();
    Aqueduct::registerBuiltinHandlers(registry);
    QCOMPARE(registry.handlers().size(), count);
}

void TestHandlerRegistry::builtinSchemasAreComplete() {
    HandlerRegistry registry;
    Aqueduct::registerBuiltinHandlers(registry);
    for (const HandlerInfo& info : registry.handlers()) {
        QVERIFY2(!info.description.isEmpty(), qPrintable(info.name));
        QVERIFY2(info.description.endsWith(QLatin1Char('.')), qPrintable(info.name));
        QVERIFY2(!info.category.isEmpty(), qPrintable(info.name));
        for (const ParamSpec& spec : info.params) {
            const QString where = info.name + QLatin1Char('.') + spec.name;
            QVERIFY2(!spec.description.isEmpty(), qPrintable(where));
            // Either required or given a default, never both, never neither.
            const bool hasDefault = !spec.defaultValue.isUndefined() && !spec.defaultValue.isNull();
            QVERIFY2(spec.required != hasDefault, qPrintable(where));
            if (spec.type == ParamType::Choice) {
                QVERIFY2(spec.choices.size() >= 2, qPrintable(where));
                QVERIFY2(spec.choices.contains(spec.defaultValue.toString()), qPrintable(where));
            }
        }
    }
}

void TestHandlerRegistry::builtinDefaultsValidate() {
    HandlerRegistry registry;
    Aqueduct::registerBuiltinHandlers(registry);
    for (const HandlerInfo& info : registry.handlers()) {
        QJsonObject params;
        for (const ParamSpec& spec : info.params) {
            if (spec.required)
                params.insert(spec.name, QStringLiteral("value"));
        }
        // Defaults pass their own schema.
        const QList<Problem> problems = registry.checkParams(
            info, HandlerRegistry::withDefaults(info, params), QStringLiteral("$"));
        QVERIFY2(problems.isEmpty(),
                 qPrintable(info.name + QStringLiteral(": ") + messages(problems).join(", ")));
    }
    QCOMPARE(messages(registry.checkParams(*registry.find("sleep"), QJsonObject{{"ms", -5}},
                                           QStringLiteral("$.steps[0].params"))),
             QStringList({"$.steps[0].params.ms: must be between 0 and 600000, got -5"}));
    QCOMPARE(messages(registry.checkParams(*registry.find("set_field"), {}, QStringLiteral("$.p"))),
             QStringList({"$.p.field: required parameter 'field' is missing"}));
}

void TestHandlerRegistry::filePathParamsResolveAgainstFolder() {
    HandlerRegistry registry;
    HandlerInfo info;
    info.name = QStringLiteral("model_like");
    info.category = QStringLiteral("Testing");
    info.params = {
        ParamSpec{.name = QStringLiteral("model"), .type = ParamType::String, .filePath = true},
        ParamSpec{.name = QStringLiteral("labels"), .type = ParamType::String, .filePath = true},
        ParamSpec{.name = QStringLiteral("field"), .type = ParamType::String},
    };
    registry.add(info, [] { return std::make_unique<NamedHandler>(1); });

    PipelineDocument document;
    StepSpec step;
    step.id = QStringLiteral("model");
    step.handler = QStringLiteral("model_like");
    step.params = QJsonObject{{"model", "../models/m.onnx"},
                              {"labels", "/abs/labels.txt"},
                              {"field", "relative/not/a/path"}};
    document.steps.append(step);
    StepSpec unknown;
    unknown.id = QStringLiteral("other");
    unknown.handler = QStringLiteral("not_registered");
    unknown.params = QJsonObject{{"model", "m.onnx"}};
    document.steps.append(unknown);

    QVERIFY(hasRelativeFilePathParams(document, registry));
    resolveFilePathParams(document, registry, QStringLiteral("/data/pipelines"));
    QCOMPARE(document.steps[0].params.value("model").toString(),
             QStringLiteral("/data/pipelines/../models/m.onnx"));
    QCOMPARE(document.steps[0].params.value("labels").toString(),
             QStringLiteral("/abs/labels.txt"));
    QCOMPARE(document.steps[0].params.value("field").toString(),
             QStringLiteral("relative/not/a/path"));
    QCOMPARE(document.steps[1].params.value("model").toString(), QStringLiteral("m.onnx"));
    QVERIFY(!hasRelativeFilePathParams(document, registry));
}

QTEST_GUILESS_MAIN(TestHandlerRegistry)
#include "tst_handlerregistry.moc"
