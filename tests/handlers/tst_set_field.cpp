// set_field: writes a constant of the chosen type, converted once at start.
#include "CountingAllocator.h"
#include "HandlerTestHelpers.h"
#include "SetFieldHandler.h"

#include <QTest>

using namespace Aqueduct;

class TestSetField : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void fieldIsRequired();
    void setsEachType_data();
    void setsEachType();
    void overwritesAndCreates();
    void unparsableValueRefusesToStart_data();
    void unparsableValueRefusesToStart();
    void emptyFieldNameRefusesToStart();
    void steadyStateDoesNotAllocate();
};

void TestSetField::schema() {
    const HandlerInfo info = SetFieldHandler::info();
    QCOMPARE(info.name, QStringLiteral("set_field"));
    QCOMPARE(info.category, QStringLiteral("Basic"));
    QVERIFY(info.param("field")->required);
    QCOMPARE(info.param("value")->defaultValue.toString(), QString());
    QCOMPARE(info.param("type")->choices, QStringList({"string", "int", "double", "bool", "null"}));
    QCOMPARE(info.param("type")->defaultValue.toString(), QStringLiteral("string"));
}

void TestSetField::fieldIsRequired() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Testing::startHandler<SetFieldHandler>());
}

void TestSetField::setsEachType_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<Value>("expected");
    QTest::newRow("string") << QStringLiteral("string") << QStringLiteral(" hi ") << Value(" hi ");
    QTest::newRow("empty string") << QStringLiteral("string") << QString() << Value("");
    QTest::newRow("int") << QStringLiteral("int") << QStringLiteral(" -42 ") << Value(-42);
    QTest::newRow("big int") << QStringLiteral("int") << QStringLiteral("9000000000")
                             << Value(std::int64_t{9000000000LL});
    QTest::newRow("double") << QStringLiteral("double") << QStringLiteral("2.5") << Value(2.5);
    QTest::newRow("double from int text")
        << QStringLiteral("double") << QStringLiteral("3") << Value(3.0);
    QTest::newRow("bool true") << QStringLiteral("bool") << QStringLiteral("True") << Value(true);
    QTest::newRow("bool 0") << QStringLiteral("bool") << QStringLiteral("0") << Value(false);
    QTest::newRow("null") << QStringLiteral("null") << QStringLiteral("ignored") << Value();
}

void TestSetField::setsEachType() {
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(Value, expected);
    auto handler = Testing::startHandler<SetFieldHandler>(
        QJsonObject{{"field", "out"}, {"value", text}, {"type", type}});
    std::vector<Task> batch(2);
    batch[1].set("out", Value::fromBytes(QByteArray("previous contents")));
    handler->handle(batch);
    for (const Task& task : batch) {
        QVERIFY(!task.isFailed());
        QVERIFY(task.find("out") != nullptr);
        QVERIFY2(*task.find("out") == expected, qPrintable(task.find("out")->toQString()));
    }
}

void TestSetField::overwritesAndCreates() {
    auto handler =
        Testing::startHandler<SetFieldHandler>(QJsonObject{{"field", "status"}, {"value", "done"}});
    std::vector<Task> batch(2);
    batch[0].set("status", Value(1));
    batch[0].set("keep", Value(2));
    handler->handle(batch);
    QCOMPARE(batch[0].viewField("status"), std::string_view("done"));
    QCOMPARE(batch[0].intField("keep"), std::int64_t{2});
    QCOMPARE(batch[0].fieldCount(), std::size_t{2});
    QCOMPARE(batch[1].viewField("status"), std::string_view("done"));
    QCOMPARE(batch[1].fieldCount(), std::size_t{1});
}

void TestSetField::unparsableValueRefusesToStart_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("int") << QStringLiteral("int") << QStringLiteral("12x")
                         << QStringLiteral("params.value: value '12x' is not an integer");
    QTest::newRow("int from fraction")
        << QStringLiteral("int") << QStringLiteral("1.5")
        << QStringLiteral("params.value: value '1.5' is not an integer");
    QTest::newRow("double") << QStringLiteral("double") << QStringLiteral("abc")
                            << QStringLiteral("params.value: value 'abc' is not a number");
    QTest::newRow("bool") << QStringLiteral("bool") << QStringLiteral("maybe")
                          << QStringLiteral(
                                 "params.value: value 'maybe' is not a boolean (true or false)");
}

// The schema check refuses these before onStart runs (so validate and the designer see
// them too), with the parameter's path.
void TestSetField::unparsableValueRefusesToStart() {
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(QString, message);
    try {
        Testing::startHandler<SetFieldHandler>(
            QJsonObject{{"field", "f"}, {"value", text}, {"type", type}});
        QFAIL("onStart accepted a value that does not parse");
    } catch (const std::invalid_argument& error) {
        QCOMPARE(QString::fromUtf8(error.what()), message);
    }
}

void TestSetField::emptyFieldNameRefusesToStart() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<SetFieldHandler>(QJsonObject{{"field", ""}}));
}

void TestSetField::steadyStateDoesNotAllocate() {
    auto handler = Testing::startHandler<SetFieldHandler>(
        QJsonObject{{"field", "label"}, {"value", "a value longer than the small-string buffer"}});
    std::vector<Task> batch(8);
    handler->handle(batch); // creates the fields
    const long before = Testing::allocationCount();
    handler->handle(batch); // copies into the existing storage
    QCOMPARE(Testing::allocationCount() - before, 0L);
    QCOMPARE(batch[7].viewField("label"),
             std::string_view("a value longer than the small-string buffer"));
}

QTEST_GUILESS_MAIN(TestSetField)
#include "tst_set_field.moc"
