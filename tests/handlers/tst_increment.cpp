// increment: adds `by` to an int (or double) field; other tasks of the batch fail alone.
#include "CountingAllocator.h"
#include "HandlerTestHelpers.h"
#include "IncrementHandler.h"

#include <QTest>

#include <limits>

using namespace Aqueduct;

class TestIncrement : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void incrementsByOneByDefault();
    void customFieldAndAmount();
    void doubleStaysDouble();
    void missingOrNonNumericFailsThatTaskOnly();
    void overflowWraps();
    void steadyStateDoesNotAllocate();
};

void TestIncrement::schema() {
    const HandlerInfo info = IncrementHandler::info();
    QCOMPARE(info.name, QStringLiteral("increment"));
    QCOMPARE(info.category, QStringLiteral("Basic"));
    QCOMPARE(info.param("field")->defaultValue.toString(), QStringLiteral("value"));
    QCOMPARE(info.param("by")->type, ParamType::Int);
    QCOMPARE(info.param("by")->defaultValue.toInteger(), qint64(1));
}

void TestIncrement::incrementsByOneByDefault() {
    auto handler = Testing::startHandler<IncrementHandler>();
    std::vector<Task> batch = Testing::tasksWithIds(3);
    for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i].set("value", Value(static_cast<std::int64_t>(i * 10)));
    handler->handle(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        QVERIFY(!batch[i].isFailed());
        QCOMPARE(batch[i].find("value")->type(), ValueType::Int);
        QCOMPARE(batch[i].intField("value"), static_cast<std::int64_t>(i * 10 + 1));
    }
    handler->handle(batch); // and again: state does not leak between batches
    QCOMPARE(batch[2].intField("value"), std::int64_t{22});
}

void TestIncrement::customFieldAndAmount() {
    auto handler = Testing::startHandler<IncrementHandler>(QJsonObject{{"field", "n"}, {"by", -5}});
    std::vector<Task> batch(1);
    batch[0].set("n", Value(3));
    batch[0].set("value", Value(100));
    handler->handle(batch);
    QCOMPARE(batch[0].intField("n"), std::int64_t{-2});
    QCOMPARE(batch[0].intField("value"), std::int64_t{100});
}

void TestIncrement::doubleStaysDouble() {
    auto handler = Testing::startHandler<IncrementHandler>(QJsonObject{{"by", 2}});
    std::vector<Task> batch(1);
    batch[0].set("value", Value(0.5));
    handler->handle(batch);
    QVERIFY(!batch[0].isFailed());
    QCOMPARE(batch[0].find("value")->type(), ValueType::Double);
    QCOMPARE(batch[0].doubleField("value"), 2.5);
}

void TestIncrement::missingOrNonNumericFailsThatTaskOnly() {
    auto handler = Testing::startHandler<IncrementHandler>();
    std::vector<Task> batch(4);
    batch[0].set("value", Value(1));
    batch[1].set("other", Value(1));
    batch[2].set("value", Value("7"));
    batch[3].set("value", Value(7));
    handler->handle(batch);
    QVERIFY(!batch[0].isFailed());
    QCOMPARE(batch[0].intField("value"), std::int64_t{2});
    QVERIFY(batch[1].isFailed());
    QCOMPARE(batch[1].failureMessage(), std::string("field 'value' is missing or not an integer"));
    QVERIFY(!batch[1].has("value")); // not invented
    QVERIFY(batch[2].isFailed());
    QCOMPARE(batch[2].viewField("value"), std::string_view("7"));
    QVERIFY(!batch[3].isFailed());
    QCOMPARE(batch[3].intField("value"), std::int64_t{8});
}

void TestIncrement::overflowWraps() {
    auto handler = Testing::startHandler<IncrementHandler>();
    std::vector<Task> batch(1);
    batch[0].set("value", Value(std::numeric_limits<std::int64_t>::max()));
    handler->handle(batch);
    QCOMPARE(batch[0].intField("value"), std::numeric_limits<std::int64_t>::min());
}

void TestIncrement::steadyStateDoesNotAllocate() {
    auto handler = Testing::startHandler<IncrementHandler>();
    std::vector<Task> batch(16);
    for (Task& task : batch)
        task.set("value", Value(1));
    batch[3].set("value", Value(0.5));
    const long before = Testing::allocationCount();
    handler->handle(batch);
    QCOMPARE(Testing::allocationCount() - before, 0L);
    QCOMPARE(batch[15].intField("value"), std::int64_t{2});
}

QTEST_GUILESS_MAIN(TestIncrement)
#include "tst_increment.moc"
