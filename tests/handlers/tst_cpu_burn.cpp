// cpu_burn: spins for the given time per task, on real arithmetic, leaving tasks unchanged.
#include "CpuBurnHandler.h"
#include "HandlerTestHelpers.h"

#include <QTest>

#include <chrono>
#include <ctime>

using namespace Aqueduct;

namespace {

std::chrono::nanoseconds threadCpuTime() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

} // namespace

class TestCpuBurn : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void burnsAtLeastTheGivenTimePerTask();
    void burnUsesTheCpu();
    void burnComputesSomething();
    void zeroReturnsAtOnce();
};

void TestCpuBurn::schema() {
    const HandlerInfo info = CpuBurnHandler::info();
    QCOMPARE(info.name, QStringLiteral("cpu_burn"));
    QCOMPARE(info.category, QStringLiteral("CPU"));
    const ParamSpec* us = info.param("us");
    QCOMPARE(us->defaultValue.toInteger(), qint64(100));
    QCOMPARE(*us->minimum, 0.0);
    QCOMPARE(*us->maximum, 10000000.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<CpuBurnHandler>(QJsonObject{{"us", 1e8}}));
}

void TestCpuBurn::burnsAtLeastTheGivenTimePerTask() {
    auto handler = Testing::startHandler<CpuBurnHandler>(QJsonObject{{"us", 3000}});
    std::vector<Task> batch = Testing::tasksWithIds(3);
    batch[1].set("value", Value(5));
    const auto start = std::chrono::steady_clock::now();
    handler->handle(batch);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    // Per task, so three tasks take at least three times as long (lower bound only).
    QVERIFY(elapsed >= std::chrono::microseconds(9000));
    QCOMPARE(batch[1].intField("value"), std::int64_t{5});
    QCOMPARE(batch[1].fieldCount(), std::size_t{1});
    QVERIFY(!batch[0].isFailed());
}

void TestCpuBurn::burnUsesTheCpu() {
    // Busy, not sleeping: the thread consumes CPU time while it burns. Preemption can only
    // make CPU time smaller than wall time, so require a small share of it.
    const auto cpuBefore = threadCpuTime();
    CpuBurnHandler::burn(20000, 7);
    const auto cpuUsed = threadCpuTime() - cpuBefore;
    QVERIFY2(cpuUsed >= std::chrono::microseconds(200),
             qPrintable(QString::number(cpuUsed.count()) + QStringLiteral(" ns of CPU")));
}

void TestCpuBurn::burnComputesSomething() {
    // Different seeds give different results: the loop does real, seed-dependent work.
    QVERIFY(CpuBurnHandler::burn(0, 1) != CpuBurnHandler::burn(0, 2));
}

void TestCpuBurn::zeroReturnsAtOnce() {
    auto handler = Testing::startHandler<CpuBurnHandler>(QJsonObject{{"us", 0}});
    std::vector<Task> batch = Testing::tasksWithIds(1000);
    handler->handle(batch);
    QVERIFY(!batch[999].isFailed());
}

QTEST_GUILESS_MAIN(TestCpuBurn)
#include "tst_cpu_burn.moc"
