// What the designer refuses, and how visibly (issue 18): one step-id rule for the inspector
// and the Problems panel, Processes beyond the engine's limit, parameter checks of the
// handlers' schemas shown live, chart ticks and hover values.
#include "UiTestMain.h"

#include <document/PipelineModel.h>
#include <inspector/InspectorWidget.h>
#include <inspector/StepEditor.h>
#include <monitor/MonitorChart.h>

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QSpinBox>
#include <QValueAxis>

#include <memory>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

namespace {

PipelineDocument oneStep(const QString& id, const QString& handler, const QJsonObject& params) {
    PipelineDocument document;
    StepSpec step;
    step.id = id;
    step.handler = handler;
    step.params = params;
    document.steps << step;
    return document;
}

QList<Problem> problemsAt(const QList<Problem>& problems, const QString& path) {
    QList<Problem> found;
    for (const Problem& problem : problems) {
        if (problem.path == path)
            found << problem;
    }
    return found;
}

} // namespace

class TestInputChecks : public QObject {
    Q_OBJECT

    struct Fixture {
        PipelineModel model;
        std::unique_ptr<InspectorWidget> inspector;

        explicit Fixture(const PipelineDocument& document) {
            model.resetDocument(document);
            inspector = std::make_unique<InspectorWidget>(&model);
            inspector->resize(360, 900);
            inspector->show();
            QVERIFY(QTest::qWaitForWindowExposed(inspector.get()));
            inspector->setSelection({document.steps.first().id}, {});
        }
        StepEditor* editor() const { return inspector->stepEditor(); }
    };

    static void typeInto(QWidget* field, const QString& text) {
        field->setFocus();
        if (auto* edit = qobject_cast<QLineEdit*>(field))
            edit->selectAll();
        else if (auto* spin = qobject_cast<QAbstractSpinBox*>(field))
            spin->selectAll();
        QTest::keyClick(field, Qt::Key_Backspace);
        QTest::keyClicks(field, text);
        QTest::keyClick(field, Qt::Key_Return);
    }

private Q_SLOTS:
    void inspectorAndValidatorAgreeOnStepIds_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::newRow("dot and digit first") << QStringLiteral("2count.a") << false;
        QTest::newRow("digit first") << QStringLiteral("2count") << false;
        QTest::newRow("dot") << QStringLiteral("count.a") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("reserved") << QStringLiteral("output") << false;
        QTest::newRow("dash") << QStringLiteral("count-a") << true;
        QTest::newRow("underscore first") << QStringLiteral("_count2") << true;
    }

    void inspectorAndValidatorAgreeOnStepIds() {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        // The engine's one rule.
        QString reason;
        QCOMPARE(isValidStepId(id, &reason), valid);
        QCOMPARE(reason.isEmpty(), valid);
        // The validator (Problems panel, `aqueduct validate`).
        const QList<Problem> problems =
            PipelineValidator(HandlerRegistry::global())
                .validate(oneStep(id, QStringLiteral("passthrough"), {}));
        QCOMPARE(problemsAt(problems, QStringLiteral("$.steps[0].id")).isEmpty(), valid);
        // The inspector: typing the id renames the step only when it is valid.
        Fixture f(oneStep(QStringLiteral("start"), QStringLiteral("passthrough"), {}));
        QCOMPARE(f.model.idError(QStringLiteral("start"), id).isEmpty(), valid);
        typeInto(f.editor()->idEdit(), id);
        QCOMPARE(f.model.step(id) != nullptr, valid);
        QCOMPARE(f.model.step(QStringLiteral("start")) != nullptr, !valid);
    }

    void processesBeyondTheEngineLimitAreVisibleNotTruncated() {
        Fixture f(oneStep(QStringLiteral("a"), QStringLiteral("passthrough"), {}));
        QSpinBox* nprocs = f.editor()->nprocsSpin();
        QCOMPARE(nprocs->maximum(), kMaxStepProcesses);
        nprocs->setFocus();
        nprocs->selectAll();
        QTest::keyClicks(nprocs, QStringLiteral("999"));
        // While typing: the number stays as typed and the limit is explained.
        QCOMPARE(nprocs->findChild<QLineEdit*>()->text(), QStringLiteral("999"));
        QVERIFY2(f.editor()->nprocsMessage().contains(QStringLiteral("256")),
                 qPrintable(f.editor()->nprocsMessage()));
        QTest::keyClick(nprocs, Qt::Key_Return);
        // Clamped to the limit (not 99), and it says so.
        QCOMPARE(f.model.step(QStringLiteral("a"))->nprocs, kMaxStepProcesses);
        QVERIFY2(f.editor()->nprocsMessage().contains(QStringLiteral("set to 256")),
                 qPrintable(f.editor()->nprocsMessage()));
        // A valid value clears the message.
        typeInto(nprocs, QStringLiteral("8"));
        QCOMPARE(f.model.step(QStringLiteral("a"))->nprocs, 8);
        QVERIFY(f.editor()->nprocsMessage().isEmpty());
    }

    void emptyIncrementFieldIsAnErrorWithItsPath() {
        const PipelineDocument document =
            oneStep(QStringLiteral("a"), QStringLiteral("increment"), {{"field", ""}});
        const QList<Problem> problems =
            PipelineValidator(HandlerRegistry::global()).validate(document);
        const QList<Problem> field =
            problemsAt(problems, QStringLiteral("$.steps[0].params.field"));
        QCOMPARE(field.size(), 1);
        QCOMPARE(field.first().severity, Problem::Severity::Error);
        QCOMPARE(field.first().stepId, QStringLiteral("a"));
        QVERIFY(field.first().message.contains(QStringLiteral("must not be empty")));
        // The default ("value") is fine.
        QVERIFY(
            problemsAt(PipelineValidator(HandlerRegistry::global())
                           .validate(oneStep(QStringLiteral("a"), QStringLiteral("increment"), {})),
                       QStringLiteral("$.steps[0].params.field"))
                .isEmpty());
    }

    void setFieldValueMustParseAsItsTypeShownLiveInTheInspector() {
        Fixture f(oneStep(QStringLiteral("s"), QStringLiteral("set_field"),
                          {{"field", "n"}, {"value", "42"}, {"type", "int"}}));
        f.model.validateNow();
        QVERIFY(f.editor()->paramProblemsText().isEmpty());
        f.model.setParam(QStringLiteral("s"), QStringLiteral("value"), QStringLiteral("abc"));
        f.model.validateNow();
        const QList<Problem> value =
            problemsAt(f.model.problems(), QStringLiteral("$.steps[0].params.value"));
        QCOMPARE(value.size(), 1);
        QCOMPARE(value.first().message, QStringLiteral("value 'abc' is not an integer"));
        QVERIFY2(f.editor()->paramProblemsText().contains(QStringLiteral("not an integer")),
                 qPrintable(f.editor()->paramProblemsText()));
        // As a string it is fine.
        f.model.setParam(QStringLiteral("s"), QStringLiteral("type"), QStringLiteral("string"));
        f.model.validateNow();
        QVERIFY(
            problemsAt(f.model.problems(), QStringLiteral("$.steps[0].params.value")).isEmpty());
        QVERIFY(f.editor()->paramProblemsText().isEmpty());
    }

    void unknownHandlerPointsToThePalette() {
        PipelineModel model;
        model.resetDocument(oneStep(QStringLiteral("a"), QStringLiteral("zzzzzzzz"), {}));
        model.validateNow();
        const QList<Problem> handler =
            problemsAt(model.problems(), QStringLiteral("$.steps[0].handler"));
        QCOMPARE(handler.size(), 1);
        QVERIFY2(handler.first().message.contains(QStringLiteral("Handlers palette")),
                 qPrintable(handler.first().message));
        QVERIFY(!handler.first().message.contains(QStringLiteral("aqueduct handlers")));
    }

    void tickLabelsShowTheirStepExactly_data() {
        QTest::addColumn<double>("maxValue");
        QTest::addColumn<double>("step");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("2.5") << 11.0 << 2.5
                             << QStringList{"0.0", "2.5", "5.0", "7.5", "10.0", "12.5"};
        QTest::newRow("0.25") << 1.1 << 0.25
                              << QStringList{"0.00", "0.25", "0.50", "0.75", "1.00", "1.25"};
        QTest::newRow("20") << 90.0 << 20.0 << QStringList{"0", "20", "40", "60", "80", "100"};
        QTest::newRow("0.02") << 0.09 << 0.02
                              << QStringList{"0.00", "0.02", "0.04", "0.06", "0.08", "0.10"};
    }

    void tickLabelsShowTheirStepExactly() {
        QFETCH(double, maxValue);
        QFETCH(double, step);
        QFETCH(QStringList, labels);
        const NiceRange range = niceRange(maxValue, 5);
        QCOMPARE(range.step, step);
        QCOMPARE(tickLabels(range), labels);
        // The chart's axis uses the same number of decimals.
        MonitorChart chart(QStringLiteral("t"), QString());
        chart.resize(400, 300);
        chart.fitY(maxValue);
        auto* axis = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(axis);
        const NiceRange shown{axis->tickInterval(), axis->max()};
        QCOMPARE(axis->labelFormat(), QStringLiteral("%.%1f").arg(tickDecimals(shown.step)));
        for (const QString& label : tickLabels(shown))
            QCOMPARE(QString::asprintf(qPrintable(axis->labelFormat()), label.toDouble()), label);
    }

    void hoverFindsTheNearestPointWithinATolerance() {
        MonitorChart chart(QStringLiteral("t"), QStringLiteral("ms"));
        chart.addSeries(QStringLiteral("a"), QStringLiteral("alpha"), Qt::red);
        chart.setPoints(QStringLiteral("a"), {{0, 10}, {10, 20}, {20, 30}, {30, 40}});
        chart.setXRange(0, 30);
        chart.fitY(40);
        chart.resize(500, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        const QPointF onLine = chart.chart()->mapToPosition(QPointF(20, 30));
        const QPoint at = chart.mapFromScene(chart.chart()->mapToScene(onLine));
        QVERIFY(chart.hoverText(at).contains(QStringLiteral("30.0 ms")));
        // 6 px off the line still finds it, nearest point first.
        QVERIFY2(chart.hoverText(at + QPoint(4, 6)).contains(QStringLiteral("30.0 ms")),
                 qPrintable(chart.hoverText(at + QPoint(4, 6))));
        QVERIFY(chart.hoverText(at + QPoint(0, 60)).isEmpty());
    }
};

AQUEDUCT_UI_TEST_MAIN(TestInputChecks)
#include "tst_inputchecks.moc"
