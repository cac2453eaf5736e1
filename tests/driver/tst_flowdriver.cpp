// The flow driver against a real Flow (worker processes): limits, the in-flight bound,
// pacing, priorities and the summary it reports.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include <aqueduct/driver/FlowDriver.h>
#include <aqueduct/driver/JsonLinesTaskSource.h>
#include <aqueduct/driver/SyntheticTaskSource.h>

#include <QTemporaryDir>

#include <map>

using namespace Aqueduct;
using namespace Aqueduct::Driver;
using namespace Aqueduct::Test;

namespace {

/// Counts what the driver reports and checks the in-flight bound at every take.
class CheckingSink final : public DriveSink {
public:
    explicit CheckingSink(FlowDriver& driver)
        : m_driver(driver) {
        driver.setSink(this);
    }

    void taskFinished(const DriveItem& item, TaskResult& result, std::int64_t startNs,
                      std::int64_t endNs) override {
        ++finished;
        if (endNs < startNs)
            ++badTimes;
        if (result.ok())
            priorities[item.index] = result.task().priority();
        values.push_back(result.task().intField("value", -1));
    }
    void badInput(const DriveItem& item) override { badLines.push_back(item.line); }
    bool mayTake(std::uint64_t sequence) override {
        // Called before every take: what is in flight now is below the bound.
        const FlowDriver::Counters& counters = m_driver.counters();
        maxInFlight = std::max(maxInFlight, counters.inFlight());
        if (sequence != counters.taken)
            ++badSequences;
        return true;
    }

    std::uint64_t finished = 0;
    std::uint64_t maxInFlight = 0;
    int badTimes = 0;
    int badSequences = 0;
    std::map<std::uint64_t, int> priorities;
    std::vector<std::int64_t> values;
    std::vector<std::uint64_t> badLines;

private:
    const FlowDriver& m_driver;
};

DriveSettings limits(int concurrency, std::uint64_t maxItems, double durationS = 0,
                     double ratePerS = 0) {
    DriveSettings settings;
    settings.concurrency = concurrency;
    settings.maxItems = maxItems;
    settings.durationS = durationS;
    settings.ratePerS = ratePerS;
    return settings;
}

PipelineDocument oneStepDocument(const QString& handler, QJsonObject params = {}, int nprocs = 1) {
    PipelineDocument document;
    document.name = QStringLiteral("driver-test");
    document.steps.append(step(QStringLiteral("s"), handler, std::move(params), nprocs));
    return document;
}

} // namespace

class TestFlowDriver : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countLimitIsHonouredExactly() {
        ProcessLeakGuard guard;
        {
            Flow flow(oneStepDocument(QStringLiteral("increment"), {}, 2));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source;
            FlowDriver driver(flow, source, limits(64, 1000));
            CheckingSink sink(driver);
            QVERIFY(runFor(driver.run()));
            QCOMPARE(source.generated(), std::uint64_t(1000)); // not one taken too many
            QCOMPARE(driver.counters().taken, std::uint64_t(1000));
            QCOMPARE(driver.counters().submitted, std::uint64_t(1000));
            QCOMPARE(driver.counters().completed, std::uint64_t(1000));
            QCOMPARE(driver.counters().inFlight(), std::uint64_t(0));
            QCOMPARE(driver.stopReason(), StopReason::Count);
            QCOMPARE(sink.finished, std::uint64_t(1000));
            QCOMPARE(sink.badTimes, 0);
            QCOMPARE(sink.badSequences, 0);
            // Every generated value 0..999 came back incremented, once.
            std::sort(sink.values.begin(), sink.values.end());
            for (std::int64_t i = 0; i < 1000; ++i)
                QCOMPARE(sink.values[std::size_t(i)], i + 1);
            QCOMPARE(driver.latency().count(), std::uint64_t(1000));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void inFlightBoundIsNeverExceeded() {
        ProcessLeakGuard guard;
        {
            // Slow tasks over several workers: the lanes, not the flow, are the limit.
            Flow flow(oneStepDocument(QStringLiteral("sleep"), params({{"ms", 2}}), 4));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source;
            FlowDriver driver(flow, source, limits(5, 200));
            CheckingSink sink(driver);
            QVERIFY(runFor(driver.run()));
            QCOMPARE(driver.counters().completed, std::uint64_t(200));
            QVERIFY2(sink.maxInFlight <= 4, qPrintable(QString::number(sink.maxInFlight)));
            QVERIFY(sink.maxInFlight >= 1);
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void durationLimitStops() {
        ProcessLeakGuard guard;
        {
            Flow flow(oneStepDocument(QStringLiteral("sleep"), params({{"ms", 1}}), 2));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source; // never runs dry
            FlowDriver driver(flow, source, limits(8, 0, 0.4));
            QVERIFY(runFor(driver.run(), 20000));
            QCOMPARE(driver.stopReason(), StopReason::Duration);
            QVERIFY(driver.counters().completed > 0);
            QCOMPARE(driver.counters().completed, driver.counters().submitted);
            QVERIFY2(driver.elapsedS() >= 0.4 && driver.elapsedS() < 10,
                     qPrintable(QString::number(driver.elapsedS())));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void ratePacesTheIntake() {
        ProcessLeakGuard guard;
        {
            Flow flow(oneStepDocument(QStringLiteral("passthrough")));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source;
            FlowDriver driver(flow, source, limits(256, 30, 0, 100));
            QVERIFY(runFor(driver.run()));
            QCOMPARE(driver.counters().completed, std::uint64_t(30));
            // Item i is due at i / rate: the 30th at 0.29 s.
            QVERIFY2(driver.elapsedS() >= 0.28, qPrintable(QString::number(driver.elapsedS())));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void prioritiesAndBadLinesPassThrough() {
        ProcessLeakGuard guard;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tasks.jsonl"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("{\"value\": 0, \"_priority\": 3}\n"
                       "{\"value\": 1, \"_priority\": 1.5}\n"
                       "{\"value\": 2}\n"
                       "\n"
                       "{broken\n"
                       "{\"value\": 5, \"_priority\": 7, \"_status\": \"ok\"}\n");
        }
        {
            Flow flow(oneStepDocument(QStringLiteral("passthrough")));
            AQUEDUCT_START_OR_FAIL(flow);
            JsonLinesTaskSource source;
            QString error;
            QVERIFY2(source.open(path, &error), qPrintable(error));
            FlowDriver driver(flow, source, DriveSettings{});
            CheckingSink sink(driver);
            QVERIFY(runFor(driver.run()));
            QCOMPARE(driver.stopReason(), StopReason::EndOfInput);
            QCOMPARE(driver.counters().taken, std::uint64_t(5));
            QCOMPARE(driver.counters().submitted, std::uint64_t(3));
            QCOMPARE(driver.counters().badInput, std::uint64_t(2));
            QCOMPARE(sink.badLines, (std::vector<std::uint64_t>{2, 5}));
            // Source indices: 0, 2 and 4 are the good lines (1 and 3 were bad).
            QCOMPARE(sink.priorities.at(0), 3);
            QCOMPARE(sink.priorities.at(2), 0);
            QCOMPARE(sink.priorities.at(4), 7);

            const RunSummary summary = driver.summary();
            QCOMPARE(summary.taken(), std::uint64_t(5));
            QCOMPARE(summary.badInputLines, std::uint64_t(2));
            QCOMPARE(summary.stoppedBy, QStringLiteral("end_of_input"));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void synthesizedPrioritiesAndPayload() {
        ProcessLeakGuard guard;
        {
            Flow flow(oneStepDocument(QStringLiteral("passthrough")));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source(64, [](std::uint64_t index) { return int(index % 3); });
            FlowDriver driver(flow, source, limits(4, 30));
            CheckingSink sink(driver);
            QVERIFY(runFor(driver.run()));
            QCOMPARE(sink.priorities.size(), std::size_t(30));
            for (const auto& [index, priority] : sink.priorities)
                QCOMPARE(priority, int(index % 3));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void closeIntakeReasons() {
        ProcessLeakGuard guard;
        {
            Flow flow(oneStepDocument(QStringLiteral("sleep"), params({{"ms", 1}})));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source;
            FlowDriver driver(flow, source, DriveSettings{});
            QList<StopReason> closed;
            connect(&driver, &FlowDriver::intakeClosedWith, this,
                    [&closed](StopReason reason) { closed.append(reason); });
            QTimer::singleShot(100, this, [&driver] {
                driver.closeIntake(StopReason::Signal);
                driver.closeIntake(StopReason::Duration); // a gentler one does not replace it
            });
            QVERIFY(runFor(driver.run()));
            QCOMPARE(closed, QList<StopReason>{StopReason::Signal});
            QCOMPARE(driver.stopReason(), StopReason::Signal);
            driver.closeIntake(StopReason::HardStop); // a hard stop does
            QCOMPARE(driver.stopReason(), StopReason::HardStop);
            QCOMPARE(driver.counters().inFlight(), std::uint64_t(0));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }

    void summaryTasksPerSecondIsConsistent() {
        ProcessLeakGuard guard;
        {
            Flow flow(oneStepDocument(QStringLiteral("increment")));
            AQUEDUCT_START_OR_FAIL(flow);
            SyntheticTaskSource source;
            FlowDriver driver(flow, source, limits(256, 500));
            QVERIFY(runFor(driver.run()));
            const RunSummary summary = driver.summary();
            QCOMPARE(summary.submitted, std::uint64_t(500));
            QCOMPARE(summary.completed, std::uint64_t(500));
            QCOMPARE(summary.failed(), std::uint64_t(0));
            QVERIFY(summary.wallS > 0);
            QCOMPARE(summary.wallS, driver.elapsedS()); // frozen once run() returned
            QCOMPARE(summary.takenPerS(), 500 / summary.wallS);
            QCOMPARE(summary.completedPerS(), 500 / summary.wallS);
            QVERIFY(summary.latencyP50Ms > 0);
            QVERIFY(summary.latencyP50Ms <= summary.latencyP95Ms);
            QVERIFY(summary.latencyP95Ms <= summary.latencyP99Ms);
            const QJsonObject json = summary.toJsonObject();
            QCOMPARE(json.value(QStringLiteral("submitted")).toInteger(), 500);
            QCOMPARE(json.value(QStringLiteral("tasks_per_s")).toDouble(),
                     std::round(500 / summary.wallS));
            QCOMPARE(json.value(QStringLiteral("stopped_by")).toString(), QStringLiteral("count"));
            AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
        }
        QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
    }
};

AQUEDUCT_TEST_MAIN(TestFlowDriver)
#include "tst_flowdriver.moc"
