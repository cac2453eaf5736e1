// Keeps docs/metrics.md true (issue 6): the Prometheus families a real running flow exports
// must be exactly those listed in the doc's table, each with the type the doc gives.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include <aqueduct/exporters/PrometheusFormatter.h>

#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QSignalSpy>

using namespace Aqueduct;
using namespace Aqueduct::Test;

namespace {

/// name -> type from the doc's table rows: | `name` | type | unit | labels | meaning |
QMap<QString, QString> documentedFamilies(QString* error) {
    QFile doc(QStringLiteral(AQUEDUCT_SOURCE_DIR "/docs/metrics.md"));
    if (!doc.open(QIODevice::ReadOnly)) {
        *error = doc.errorString();
        return {};
    }
    static const QRegularExpression row(
        QStringLiteral("^\\|\\s*`(aqueduct_[a-z0-9_]+)`\\s*\\|\\s*([a-z]+)\\s*\\|"));
    QMap<QString, QString> families;
    for (const QByteArray& line : doc.readAll().split('\n')) {
        const QRegularExpressionMatch match = row.match(QString::fromUtf8(line));
        if (!match.hasMatch())
            continue;
        if (families.contains(match.captured(1)))
            *error += QStringLiteral("listed twice: %1\n").arg(match.captured(1));
        families.insert(match.captured(1), match.captured(2));
    }
    return families;
}

/// name -> type from the exposition's TYPE lines.
QMap<QString, QString> exportedFamilies(const QByteArray& text) {
    QMap<QString, QString> families;
    for (const QByteArray& line : text.split('\n')) {
        if (!line.startsWith("# TYPE "))
            continue;
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() == 4)
            families.insert(QString::fromUtf8(parts[2]), QString::fromUtf8(parts[3]));
    }
    return families;
}

} // namespace

class TestMetricsReference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void docListsEveryExportedMetric();
};

void TestMetricsReference::docListsEveryExportedMetric() {
    QString error;
    const QMap<QString, QString> documented = documentedFamilies(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(documented.size() > 20);

    ProcessLeakGuard guard;
    QByteArray text;
    {
        // Two steps, a condition (skips), failures, several lanes and workers: every
        // kind of series has something to show.
        PipelineDocument doc;
        doc.steps = {step(QStringLiteral("inc"), QStringLiteral("increment"), {}, 2, 4),
                     step(QStringLiteral("flaky"), QStringLiteral("fail"), {}, 1)};
        doc.steps[1].condition = QStringLiteral("value > 3");
        doc.flow.metrics.intervalMs = 20;
        doc.flow.queuePriorities = 2;
        Flow flow(doc);
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));
        std::vector<Task> tasks;
        for (int i = 0; i < 50; ++i)
            tasks.push_back(intTask(i, i % 2));
        QVERIFY(runFor(flow.processMany(std::move(tasks))));
        QSignalSpy snapshots(&flow, &Flow::metricsSnapshot);
        QVERIFY(snapshots.wait(5000));
        text = PrometheusFormatter::format(flow.lastSnapshot());
        QVERIFY(runFor(flow.stop()));
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));

    const QMap<QString, QString> exported = exportedFamilies(text);
    QStringList problems;
    for (auto it = exported.cbegin(); it != exported.cend(); ++it) {
        if (!documented.contains(it.key()))
            problems << QStringLiteral("exported but not in docs/metrics.md: %1").arg(it.key());
        else if (documented.value(it.key()) != it.value())
            problems << QStringLiteral("%1 is a %2, the doc says %3")
                            .arg(it.key(), it.value(), documented.value(it.key()));
    }
    for (auto it = documented.cbegin(); it != documented.cend(); ++it) {
        if (!exported.contains(it.key()))
            problems << QStringLiteral("in docs/metrics.md but not exported: %1").arg(it.key());
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));

    // Every sample belongs to a declared family (histograms via _bucket/_sum/_count).
    static const QRegularExpression sample(QStringLiteral("^([a-z_0-9]+)[{ ]"));
    for (const QByteArray& line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QRegularExpressionMatch match = sample.match(QString::fromUtf8(line));
        QVERIFY2(match.hasMatch(), line.constData());
        QString name = match.captured(1);
        if (!exported.contains(name)) {
            static const QRegularExpression suffix(QStringLiteral("_(bucket|sum|count)$"));
            name.remove(suffix);
            QVERIFY2(exported.value(name) == QLatin1String("histogram"), line.constData());
        }
    }
}

AQUEDUCT_TEST_MAIN(TestMetricsReference)
#include "tst_metricsreference.moc"
