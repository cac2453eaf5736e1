// fail: a deterministic share of tasks fails (or their batch throws).
#include "FailHandler.h"
#include "HandlerTestHelpers.h"
#include "TaskSampling.h"

#include <QTest>

#include <set>
#include <stdexcept>

using namespace Aqueduct;

namespace {

std::set<std::uint64_t> failedIds(const std::vector<Task>& tasks) {
    std::set<std::uint64_t> ids;
    for (const Task& task : tasks) {
        if (task.isFailed())
            ids.insert(task.id());
    }
    return ids;
}

std::set<std::uint64_t> runOnce(const QJsonObject& params, std::size_t count) {
    auto handler = Testing::startHandler<FailHandler>(params);
    std::vector<Task> batch = Testing::tasksWithIds(count);
    handler->handle(batch);
    return failedIds(batch);
}

} // namespace

class TestFail : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void zeroAndOneProbabilities();
    void failedTasksCarryTheMessage();
    void sameTasksFailEveryTime();
    void pinnedFailingIds();
    void shareIsCloseToProbability_data();
    void shareIsCloseToProbability();
    void seedFieldDecides();
    void batchModeThrows();
};

void TestFail::schema() {
    const HandlerInfo info = FailHandler::info();
    QCOMPARE(info.name, QStringLiteral("fail"));
    QCOMPARE(info.category, QStringLiteral("Testing"));
    QCOMPARE(info.param("probability")->defaultValue.toDouble(), 0.1);
    QCOMPARE(*info.param("probability")->maximum, 1.0);
    QCOMPARE(info.param("message")->defaultValue.toString(), QStringLiteral("injected failure"));
    QCOMPARE(info.param("mode")->choices, QStringList({"task", "batch"}));
    QCOMPARE(info.param("seed_field")->defaultValue.toString(), QString());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<FailHandler>(QJsonObject{{"probability", 1.5}}));
}

void TestFail::zeroAndOneProbabilities() {
    QVERIFY(runOnce(QJsonObject{{"probability", 0}}, 1000).empty());
    QCOMPARE(runOnce(QJsonObject{{"probability", 1}}, 1000).size(), std::size_t{1000});
}

void TestFail::failedTasksCarryTheMessage() {
    auto handler =
        Testing::startHandler<FailHandler>(QJsonObject{{"probability", 0.5}, {"message", "boom"}});
    std::vector<Task> batch = Testing::tasksWithIds(100);
    for (Task& task : batch)
        task.set("value", Value(static_cast<std::int64_t>(task.id())));
    handler->handle(batch);
    for (const Task& task : batch) {
        if (task.isFailed())
            QCOMPARE(task.failureMessage(), std::string("boom"));
        else
            QVERIFY(task.failureMessage().empty());
        QCOMPARE(task.intField("value"), static_cast<std::int64_t>(task.id())); // untouched
    }
    const std::size_t failures = failedIds(batch).size();
    QVERIFY(failures > 0 && failures < 100);
}

void TestFail::sameTasksFailEveryTime() {
    const QJsonObject params{{"probability", 0.2}};
    const std::set<std::uint64_t> first = runOnce(params, 2000);
    QCOMPARE(runOnce(params, 2000), first);
    // Independent of batching: one task per batch gives the same set.
    auto handler = Testing::startHandler<FailHandler>(params);
    std::set<std::uint64_t> oneByOne;
    for (std::uint64_t id = 1; id <= 2000; ++id) {
        std::vector<Task> batch = Testing::tasksWithIds(1, id);
        handler->handle(batch);
        if (batch[0].isFailed())
            oneByOne.insert(id);
    }
    QCOMPARE(oneByOne, first);
    // And exactly what TaskSampling predicts.
    for (std::uint64_t id = 1; id <= 2000; ++id) {
        Task task;
        task.setId(id);
        QCOMPARE(first.count(id) == 1, TaskSampling::selects(task, {}, FailHandler::kSalt, 0.2));
    }
}

void TestFail::pinnedFailingIds() {
    // Users and tests predict failures from ids; the choice must not drift between builds.
    const std::set<std::uint64_t> failed = runOnce(QJsonObject{{"probability", 0.1}}, 100);
    QStringList ids;
    for (const std::uint64_t id : failed)
        ids.append(QString::number(id));
    QCOMPARE(ids.join(QLatin1Char(',')), QStringLiteral("10,31,33,43,81"));
}

void TestFail::shareIsCloseToProbability_data() {
    QTest::addColumn<double>("probability");
    QTest::newRow("0.01") << 0.01;
    QTest::newRow("0.1") << 0.1;
    QTest::newRow("0.5") << 0.5;
    QTest::newRow("0.9") << 0.9;
}

void TestFail::shareIsCloseToProbability() {
    QFETCH(double, probability);
    const std::size_t count = 10000;
    const double share =
        double(runOnce(QJsonObject{{"probability", probability}}, count).size()) / count;
    // Deterministic, so not flaky; the bound is about four standard deviations.
    QVERIFY2(std::abs(share - probability) <= 0.02, qPrintable(QString::number(share)));

    // Keyed by a string field instead of the id.
    auto handler = Testing::startHandler<FailHandler>(
        QJsonObject{{"probability", probability}, {"seed_field", "key"}});
    std::vector<Task> batch(count);
    for (std::size_t i = 0; i < count; ++i)
        batch[i].set("key", Value(QStringLiteral("user-%1").arg(i)));
    handler->handle(batch);
    std::size_t failures = 0;
    for (const Task& task : batch)
        failures += task.isFailed() ? 1 : 0;
    const double keyedShare = double(failures) / count;
    QVERIFY2(std::abs(keyedShare - probability) <= 0.02, qPrintable(QString::number(keyedShare)));
}

void TestFail::seedFieldDecides() {
    auto handler = Testing::startHandler<FailHandler>(
        QJsonObject{{"probability", 0.5}, {"seed_field", "user"}});
    // Tasks with the same seed value share their fate whatever their ids.
    std::vector<Task> batch = Testing::tasksWithIds(400);
    for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i].set("user", Value(static_cast<std::int64_t>(i % 20)));
    handler->handle(batch);
    std::size_t failingUsers = 0;
    for (std::size_t user = 0; user < 20; ++user) {
        const bool failed = batch[user].isFailed();
        failingUsers += failed ? 1 : 0;
        for (std::size_t i = user; i < batch.size(); i += 20)
            QCOMPARE(batch[i].isFailed(), failed);
    }
    QVERIFY(failingUsers > 0 && failingUsers < 20);
}

void TestFail::batchModeThrows() {
    auto handler = Testing::startHandler<FailHandler>(
        QJsonObject{{"probability", 0.3}, {"mode", "batch"}, {"message", "batch down"}});
    // Find one id that is chosen and one that is not.
    std::uint64_t chosen = 0;
    std::uint64_t spared = 0;
    for (std::uint64_t id = 1; (chosen == 0 || spared == 0) && id < 1000; ++id) {
        Task task;
        task.setId(id);
        (TaskSampling::selects(task, {}, FailHandler::kSalt, 0.3) ? chosen : spared) = id;
    }
    QVERIFY(chosen != 0 && spared != 0);

    std::vector<Task> clean = Testing::tasksWithIds(1, spared);
    handler->handle(clean);
    QVERIFY(!clean[0].isFailed());

    std::vector<Task> poisoned = Testing::tasksWithIds(1, spared);
    poisoned.push_back(Testing::tasksWithIds(1, chosen)[0]);
    try {
        handler->handle(poisoned);
        QFAIL("batch mode did not throw");
    } catch (const std::runtime_error& error) {
        QCOMPARE(std::string(error.what()), std::string("batch down"));
    }
}

QTEST_GUILESS_MAIN(TestFail)
#include "tst_fail.moc"
