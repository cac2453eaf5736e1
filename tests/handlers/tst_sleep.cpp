// sleep: waits once per batch and leaves tasks unchanged.
#include "HandlerTestHelpers.h"
#include "SleepHandler.h"

#include <QTest>

#include <chrono>

using namespace Aqueduct;

class TestSleep : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void rangeIsChecked();
    void sleepsAtLeastTheGivenTime();
    void zeroDoesNotSleep();
};

void TestSleep::schema() {
    const HandlerInfo info = SleepHandler::info();
    QCOMPARE(info.name, QStringLiteral("sleep"));
    QCOMPARE(info.category, QStringLiteral("Testing"));
    const ParamSpec* ms = info.param("ms");
    QVERIFY(ms != nullptr);
    QCOMPARE(ms->type, ParamType::Int);
    QCOMPARE(ms->defaultValue.toInteger(), qint64(10));
    QCOMPARE(*ms->minimum, 0.0);
    QCOMPARE(*ms->maximum, 600000.0);
}

void TestSleep::rangeIsChecked() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<SleepHandler>(QJsonObject{{"ms", -5}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<SleepHandler>(QJsonObject{{"ms", 600001}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<SleepHandler>(QJsonObject{{"ms", "10"}}));
}

void TestSleep::sleepsAtLeastTheGivenTime() {
    // Only a lower bound: sleeping is guaranteed to last at least that long, while an upper
    // bound would depend on machine load.
    auto handler = Testing::startHandler<SleepHandler>(QJsonObject{{"ms", 30}});
    std::vector<Task> batch = Testing::tasksWithIds(4);
    batch[0].set("value", Value(1));
    const auto start = std::chrono::steady_clock::now();
    handler->handle(batch);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    QVERIFY(elapsed >= std::chrono::milliseconds(30));
    QCOMPARE(batch[0].intField("value"), std::int64_t{1});
    for (const Task& task : batch)
        QVERIFY(!task.isFailed());
}

void TestSleep::zeroDoesNotSleep() {
    auto handler = Testing::startHandler<SleepHandler>(QJsonObject{{"ms", 0}});
    std::vector<Task> batch = Testing::tasksWithIds(2);
    handler->handle(batch);
    QVERIFY(!batch[0].isFailed());
}

QTEST_GUILESS_MAIN(TestSleep)
#include "tst_sleep.moc"
