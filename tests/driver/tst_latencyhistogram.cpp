// The one latency histogram (run, monitor, bench) and the run summary's JSON.
#include "TestMain.h"

#include <aqueduct/driver/LatencyHistogram.h>
#include <aqueduct/driver/RunSummary.h>

#include <QJsonDocument>

#include <cmath>

using namespace Aqueduct;
using namespace Aqueduct::Driver;

namespace {

/// Within the histogram's stated precision (~3 %, one bucket of 32 per power of two).
bool near(double got, double expected) {
    return std::abs(got - expected) <= expected * 0.032;
}

} // namespace

class TestLatencyHistogram : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyIsZero() {
        LatencyHistogram histogram;
        QCOMPARE(histogram.count(), std::uint64_t(0));
        QCOMPARE(histogram.quantileNs(0.5), 0.0);
        QCOMPARE(histogram.quantileMs(0.99), 0.0);
    }

    void percentilesOfKnownSamples() {
        LatencyHistogram histogram;
        // 1..10000 us, each once: the q-quantile is q * 10000 us.
        for (std::int64_t us = 1; us <= 10000; ++us)
            histogram.record(us * 1000);
        QCOMPARE(histogram.count(), std::uint64_t(10000));
        for (const double q : {0.01, 0.10, 0.50, 0.90, 0.95, 0.99, 1.0}) {
            const double expectedNs = q * 10000 * 1000;
            QVERIFY2(near(histogram.quantileNs(q), expectedNs),
                     qPrintable(QStringLiteral("q=%1: %2 ns, expected %3")
                                    .arg(q)
                                    .arg(histogram.quantileNs(q))
                                    .arg(expectedNs)));
        }
        QVERIFY(near(histogram.quantileMs(0.5), 5.0));
    }

    void skewedSamples() {
        LatencyHistogram histogram;
        // 98 fast tasks (100 us) and 2 slow ones (50 ms): p50 fast, p99 slow.
        for (int i = 0; i < 98; ++i)
            histogram.record(100'000);
        histogram.record(50'000'000);
        histogram.record(50'000'000);
        QVERIFY(near(histogram.quantileNs(0.50), 100'000));
        QVERIFY(near(histogram.quantileNs(0.98), 100'000));
        QVERIFY(near(histogram.quantileNs(0.99), 50'000'000));
    }

    void smallAndOutOfRangeValues() {
        LatencyHistogram histogram;
        histogram.record(-5); // a clock step back counts as 0
        histogram.record(7);  // below 32 ns every value has its own bucket
        QCOMPARE(histogram.quantileNs(0.5), 0.0);
        QCOMPARE(histogram.quantileNs(1.0), 7.0);
        histogram.record(std::numeric_limits<std::int64_t>::max());
        QVERIFY(histogram.quantileNs(1.0) > 1e18);
        histogram.reset();
        QCOMPARE(histogram.count(), std::uint64_t(0));
    }

    void runSummaryJsonKeepsRunsKeys() {
        RunSummary summary;
        summary.submitted = 9;
        summary.completed = 7;
        summary.failedByKind[std::size_t(ErrorKind::HandlerError)] = 2;
        summary.badInputLines = 3;
        summary.wallS = 0.5;
        summary.latencyP50Ms = 1.23456;
        summary.latencyP95Ms = 2;
        summary.latencyP99Ms = 3;
        summary.stoppedBy = QStringLiteral("end_of_input");
        summary.exitCode = 1;
        QCOMPARE(summary.taken(), std::uint64_t(12));
        QCOMPARE(summary.failed(), std::uint64_t(2));
        QCOMPARE(summary.takenPerS(), 24.0);
        QCOMPARE(summary.completedPerS(), 14.0);
        // `aqueduct run`'s line: keys in the documented order; submitted counts bad lines.
        QCOMPARE(summary.toJson(),
                 QByteArray("{\"submitted\":12,\"completed\":7,\"failed\":{\"bad_input\":3,"
                            "\"handler_error\":2},\"tasks_per_s\":24,\"latency_ms\":{\"p50\":"
                            "1.235,\"p95\":2,\"p99\":3},\"wall_s\":0.5,\"exit_code\":1,"
                            "\"stopped_by\":\"end_of_input\"}"));
        summary.flowError = QStringLiteral("boom");
        summary.outputError = QStringLiteral("disk full");
        const QJsonObject parsed = QJsonDocument::fromJson(summary.toJson()).object();
        QCOMPARE(parsed.value(QStringLiteral("flow_error")).toString(), QStringLiteral("boom"));
        QCOMPARE(parsed.value(QStringLiteral("output_error")).toString(),
                 QStringLiteral("disk full"));
        // The object form (the monitor's export) has the same shared keys and values.
        const QJsonObject object = summary.toJsonObject();
        for (const char* key : {"submitted", "completed", "failed", "tasks_per_s", "latency_ms",
                                "wall_s", "stopped_by"})
            QCOMPARE(object.value(QLatin1String(key)), parsed.value(QLatin1String(key)));
    }
};

AQUEDUCT_TEST_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"
