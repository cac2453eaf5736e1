// Task: fields, failure, conversions (QVariantMap, JSON) and storage reuse.
#include <aqueduct/Task.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>

// Counts heap allocations so the test can check that refilling a reset task allocates
// nothing (the engine decodes every task into a reused Task on its hot path).
namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* memory = std::malloc(size == 0 ? 1 : size))
        return memory;
    throw std::bad_alloc();
}

void operator delete(void* memory) noexcept {
    std::free(memory);
}

void operator delete(void* memory, std::size_t) noexcept {
    std::free(memory);
}

using Aqueduct::Task;
using Aqueduct::Value;
using Aqueduct::ValueType;

class TestTask : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void setFindAndOverwrite();
    void subscriptInsertsNull();
    void removeKeepsOrder();
    void typedAccessorsFallBack();
    void failAndClearFailure();
    void resetDropsFieldsAndMeta();
    void appendFieldReusesDroppedEntries();
    void refillAfterResetDoesNotAllocate();
    void variantMapRoundTrip();
    void jsonExportsEveryType();
    void jsonRoundTrip();
    void jsonIntegersAndDoubles();
    void jsonBytesForm();
    void jsonRejectsNestedValues_data();
    void jsonRejectsNestedValues();
    void sameFieldsIgnoresOrder();
};

void TestTask::setFindAndOverwrite() {
    Task task;
    QCOMPARE(task.fieldCount(), std::size_t{0});
    QVERIFY(task.find("a") == nullptr);
    task.set("a", Value(1));
    task.set("b", Value("two"));
    QCOMPARE(task.fieldCount(), std::size_t{2});
    QVERIFY(task.has("a"));
    QCOMPARE(task.find("a")->toInt(), std::int64_t{1});
    task.set("a", Value(2.5));
    QCOMPARE(task.fieldCount(), std::size_t{2});
    QCOMPARE(task.find("a")->type(), ValueType::Double);
    QCOMPARE(task.fieldAt(0).name, std::string("a"));
    QCOMPARE(task.fieldAt(1).name, std::string("b"));

    const Task& constTask = task;
    QCOMPARE(constTask.find("b")->view(), std::string_view("two"));
    QVERIFY(constTask.find("c") == nullptr);
}

void TestTask::subscriptInsertsNull() {
    Task task;
    Value& value = task["fresh"];
    QVERIFY(value.isNull());
    QCOMPARE(task.fieldCount(), std::size_t{1});
    value.setInt(9);
    QCOMPARE(task["fresh"].toInt(), std::int64_t{9});
    QCOMPARE(task.fieldCount(), std::size_t{1});
}

void TestTask::removeKeepsOrder() {
    Task task;
    task.set("a", Value(1));
    task.set("b", Value(2));
    task.set("c", Value(3));
    QVERIFY(task.remove("b"));
    QVERIFY(!task.remove("b"));
    QVERIFY(!task.has("b"));
    QCOMPARE(task.fieldCount(), std::size_t{2});
    QCOMPARE(task.fieldAt(0).name, std::string("a"));
    QCOMPARE(task.fieldAt(1).name, std::string("c"));
    QCOMPARE(task.intField("c"), std::int64_t{3});
    task.set("d", Value(4));
    QCOMPARE(task.fieldAt(2).name, std::string("d"));
    QCOMPARE(task.intField("d"), std::int64_t{4});
}

void TestTask::typedAccessorsFallBack() {
    Task task;
    task.set("i", Value(7));
    task.set("d", Value(1.5));
    task.set("s", Value("text"));
    task.set("b", Value::fromBytes(QByteArray("raw")));
    QCOMPARE(task.intField("i"), std::int64_t{7});
    QCOMPARE(task.intField("d", -1), std::int64_t{-1});
    QCOMPARE(task.intField("s", -1), std::int64_t{-1});
    QCOMPARE(task.intField("missing", 42), std::int64_t{42});
    QCOMPARE(task.doubleField("d"), 1.5);
    QCOMPARE(task.doubleField("i"), 7.0);
    QCOMPARE(task.doubleField("s", -2.0), -2.0);
    QCOMPARE(task.viewField("s"), std::string_view("text"));
    QCOMPARE(task.viewField("b"), std::string_view("raw"));
    QVERIFY(task.viewField("i").empty());
    QVERIFY(task.viewField("missing").empty());
}

void TestTask::failAndClearFailure() {
    Task task;
    QVERIFY(!task.isFailed());
    task.fail("bad input");
    QVERIFY(task.isFailed());
    QCOMPARE(task.failureMessage(), std::string("bad input"));
    task.clearFailure();
    QVERIFY(!task.isFailed());
    QVERIFY(task.failureMessage().empty());
}

void TestTask::resetDropsFieldsAndMeta() {
    Task task;
    task.setId(17);
    task.setPriority(2);
    task.set("x", Value(1));
    task.fail("oops");
    task.timings().push_back({.stepIndex = 1, .batchSize = 4});
    task.reset();
    QCOMPARE(task.fieldCount(), std::size_t{0});
    QVERIFY(!task.has("x"));
    QVERIFY(!task.isFailed());
    QVERIFY(task.failureMessage().empty());
    QVERIFY(task.timings().empty());
    QCOMPARE(task.id(), std::uint64_t{0});
    QCOMPARE(task.priority(), 0);

    task.set("y", Value(2));
    task.clearFields();
    QCOMPARE(task.fieldCount(), std::size_t{0});
}

void TestTask::appendFieldReusesDroppedEntries() {
    Task task;
    const std::string longName(100, 'n');
    const std::string longValue(4096, 'v');
    task.appendField(longName).setString(longValue);
    const char* nameStorage = task.fieldAt(0).name.data();
    const char* valueStorage = task.fieldAt(0).value.view().data();
    task.reset();
    Value& value = task.appendField("short");
    QVERIFY(value.isNull());
    value.setBytes("abc");
    // Same entry, same buffers: the capacity survived the reset.
    QCOMPARE(static_cast<const void*>(task.fieldAt(0).name.data()),
             static_cast<const void*>(nameStorage));
    QCOMPARE(static_cast<const void*>(task.fieldAt(0).value.view().data()),
             static_cast<const void*>(valueStorage));
    QCOMPARE(task.fieldAt(0).name, std::string("short"));
    QCOMPARE(task.viewField("short"), std::string_view("abc"));
}

void TestTask::refillAfterResetDoesNotAllocate() {
    Task task;
    const auto fill = [&task] {
        task.appendField("id").setInt(1);
        task.appendField("name").setString("a string longer than the small-string buffer");
        task.appendField("payload").setBytes(std::string_view("0123456789abcdef0123456789abcdef"));
        task["score"].setDouble(0.5);
        task.set("flag", Value(true));
        task.timings().push_back({.stepIndex = 0, .batchSize = 1});
    };
    fill();
    task.fail("first round failed with a long enough message to allocate");
    for (int round = 0; round < 3; ++round) {
        task.reset();
        const long before = g_allocations.load();
        fill();
        task.fail("first round failed with a long enough message to allocate");
        task.intField("id");
        task.viewField("payload");
        const long after = g_allocations.load();
        QCOMPARE(after - before, 0L);
    }
}

void TestTask::variantMapRoundTrip() {
    Task task;
    task.set("n", Value());
    task.set("b", Value(true));
    task.set("i", Value(std::int64_t{1} << 40));
    task.set("d", Value(0.75));
    task.set("s", Value("text"));
    task.set("raw", Value::fromBytes(QByteArray("\x00\x01", 2)));
    const QVariantMap map = task.toVariantMap();
    QCOMPARE(map.size(), 6);
    QCOMPARE(map.value(QStringLiteral("i")).toLongLong(), qint64(1) << 40);
    QCOMPARE(map.value(QStringLiteral("raw")).toByteArray(), QByteArray("\x00\x01", 2));
    const Task back = Task::fromVariantMap(map);
    QVERIFY(back.sameFields(task));
}

void TestTask::jsonExportsEveryType() {
    static const char arena[] = "blobdata";
    Task task;
    task.set("n", Value());
    task.set("b", Value(false));
    task.set("i", Value(-3));
    task.set("d", Value(2.5));
    task.set("s", Value("hi"));
    task.set("raw", Value::fromBytes(QByteArray("hello")));
    task.set("blob", Value::fromBlob({.offset = 0, .size = 4, .data = arena}));
    const QJsonObject json = task.toJson();
    QVERIFY(json.value(QStringLiteral("n")).isNull());
    QCOMPARE(json.value(QStringLiteral("b")), QJsonValue(false));
    QCOMPARE(json.value(QStringLiteral("i")).toInteger(), qint64(-3));
    QCOMPARE(json.value(QStringLiteral("d")).toDouble(), 2.5);
    QCOMPARE(json.value(QStringLiteral("s")).toString(), QStringLiteral("hi"));
    QCOMPARE(json.value(QStringLiteral("raw")).toObject(),
             QJsonObject({{QStringLiteral("$bytes"), QStringLiteral("aGVsbG8=")}}));
    // Blobs leave the process as their bytes, in the same form.
    QCOMPARE(json.value(QStringLiteral("blob")).toObject().value(QStringLiteral("$bytes")),
             QJsonValue(QString::fromLatin1(QByteArray("blob").toBase64())));
}

void TestTask::jsonRoundTrip() {
    Task task;
    task.set("n", Value());
    task.set("b", Value(true));
    task.set("i", Value(std::int64_t{9007199254740993LL})); // not exact as a double
    task.set("d", Value(0.1));
    task.set("s", Value("ünïcode"));
    task.set("raw", Value::fromBytes(QByteArray("\x00\xff\x7f", 3)));

    QString error;
    const Task direct = Task::fromJson(task.toJson(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(direct.sameFields(task));

    // Through JSON text as well, as `aqueduct run` reads and writes it.
    const QByteArray text = QJsonDocument(task.toJson()).toJson(QJsonDocument::Compact);
    const Task parsed = Task::fromJson(QJsonDocument::fromJson(text).object(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(parsed.sameFields(task));
    QCOMPARE(parsed.intField("i"), std::int64_t{9007199254740993LL});
}

void TestTask::jsonIntegersAndDoubles() {
    const QByteArray text = R"({"small": 3, "negative": -12, "fraction": 3.5,
        "max": 9223372036854775807, "tooBig": 92233720368547758080, "float": 0.25})";
    QJsonParseError parseError;
    const QJsonObject object = QJsonDocument::fromJson(text, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QString error;
    const Task task = Task::fromJson(object, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(task.find("small")->type(), ValueType::Int);
    QCOMPARE(task.intField("small"), std::int64_t{3});
    QCOMPARE(task.find("negative")->type(), ValueType::Int);
    QCOMPARE(task.intField("negative"), std::int64_t{-12});
    QCOMPARE(task.find("fraction")->type(), ValueType::Double);
    QCOMPARE(task.doubleField("fraction"), 3.5);
    QCOMPARE(task.find("max")->type(), ValueType::Int);
    QCOMPARE(task.intField("max"), std::numeric_limits<std::int64_t>::max());
    QCOMPARE(task.find("tooBig")->type(), ValueType::Double);
    QVERIFY(task.doubleField("tooBig") > 9.2e19);
    QCOMPARE(task.find("float")->type(), ValueType::Double);

    // Values built in memory keep their kind too.
    const Task built = Task::fromJson(
        QJsonObject{{QStringLiteral("i"), qint64(5)}, {QStringLiteral("d"), 5.5}}, &error);
    QCOMPARE(built.find("i")->type(), ValueType::Int);
    QCOMPARE(built.find("d")->type(), ValueType::Double);
}

void TestTask::jsonBytesForm() {
    QString error;
    const Task task = Task::fromJson(
        QJsonObject{{QStringLiteral("p"),
                     QJsonObject{{QStringLiteral("$bytes"), QStringLiteral("AAEC/w==")}}}},
        &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(task.find("p")->type(), ValueType::Bytes);
    QCOMPARE(task.find("p")->toByteArray(), QByteArray("\x00\x01\x02\xff", 4));

    const Task bad = Task::fromJson(
        QJsonObject{{QStringLiteral("p"),
                     QJsonObject{{QStringLiteral("$bytes"), QStringLiteral("!!not base64")}}}},
        &error);
    QCOMPARE(error, QStringLiteral("field 'p': \"$bytes\" is not valid base64"));
    QCOMPARE(bad.fieldCount(), std::size_t{0});

    Task::fromJson(QJsonObject{{QStringLiteral("p"), QJsonObject{{QStringLiteral("$bytes"), 12}}}},
                   &error);
    QCOMPARE(error, QStringLiteral("field 'p': \"$bytes\" must be a base64 string"));
}

void TestTask::jsonRejectsNestedValues_data() {
    QTest::addColumn<QJsonObject>("object");
    QTest::addColumn<QString>("message");
    QTest::newRow("object") << QJsonObject{{QStringLiteral("x"),
                                            QJsonObject{{QStringLiteral("y"), 1}}}}
                            << QStringLiteral("field 'x': nested objects are not supported");
    QTest::newRow("bytes plus extra key")
        << QJsonObject{{QStringLiteral("x"), QJsonObject{{QStringLiteral("$bytes"), QString()},
                                                         {QStringLiteral("extra"), 1}}}}
        << QStringLiteral("field 'x': nested objects are not supported");
    QTest::newRow("array") << QJsonObject{{QStringLiteral("list"), QJsonArray{1, 2}}}
                           << QStringLiteral("field 'list': nested arrays are not supported");
}

void TestTask::jsonRejectsNestedValues() {
    QFETCH(QJsonObject, object);
    QFETCH(QString, message);
    QString error;
    const Task task = Task::fromJson(object, &error);
    QCOMPARE(error, message);
    QCOMPARE(task.fieldCount(), std::size_t{0});
    // Without an error sink it still fails cleanly.
    QCOMPARE(Task::fromJson(object).fieldCount(), std::size_t{0});
}

void TestTask::sameFieldsIgnoresOrder() {
    Task a;
    a.set("x", Value(1));
    a.set("y", Value("two"));
    Task b;
    b.set("y", Value("two"));
    b.set("x", Value(1));
    QVERIFY(a.sameFields(b));
    b.setId(99); // meta is not a field
    QVERIFY(a.sameFields(b));
    b.set("x", Value(1.0));
    QVERIFY(!a.sameFields(b));
    b.set("x", Value(1));
    b.set("z", Value());
    QVERIFY(!a.sameFields(b));
    QVERIFY(!b.sameFields(a));
}

QTEST_GUILESS_MAIN(TestTask)
#include "tst_task.moc"
