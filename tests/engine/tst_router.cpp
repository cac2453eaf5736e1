// Router (DESIGN "Routing"): first matching edge, skipped steps routed on by the sender,
// no matching edge finishes the task, the implicit chain when there are no edges.
#include "FlowTestSupport.h"
#include "document/Router.h"

#include <QTest>

using namespace Aqueduct;
using namespace Aqueduct::Internal;
using namespace Aqueduct::Test;

namespace {

StepSpec conditional(const QString& id, const QString& condition) {
    StepSpec spec = step(id, QStringLiteral("increment"));
    spec.condition = condition;
    return spec;
}

} // namespace

class TestRouter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void implicitChain();
    void firstMatchingEdgeWins();
    void noMatchingEdgeFinishes();
    void falseConditionSkipsAndCounts();
    void badExpressionIsRefused();
};

void TestRouter::implicitChain() {
    PipelineDocument doc;
    doc.steps = {step(QStringLiteral("a"), QStringLiteral("increment")),
                 step(QStringLiteral("b"), QStringLiteral("increment"))};
    Router router;
    QString error;
    QVERIFY2(router.build(doc, &error), qPrintable(error));
    const Task task = intTask(1);
    QCOMPARE(router.next(Router::kInputNode, task, nullptr), 0);
    QCOMPARE(router.next(0, task, nullptr), 1);
    QCOMPARE(router.next(1, task, nullptr), Router::kOutputNode);
}

void TestRouter::firstMatchingEdgeWins() {
    PipelineDocument doc;
    doc.steps = {step(QStringLiteral("small"), QStringLiteral("increment")),
                 step(QStringLiteral("big"), QStringLiteral("increment"))};
    doc.edges = {{QStringLiteral("input"), QStringLiteral("big"), QStringLiteral("value > 10")},
                 {QStringLiteral("input"), QStringLiteral("small"), QString()},
                 {QStringLiteral("small"), QStringLiteral("output"), QString()},
                 {QStringLiteral("big"), QStringLiteral("output"), QString()}};
    Router router;
    QString error;
    QVERIFY2(router.build(doc, &error), qPrintable(error));
    QCOMPARE(router.next(Router::kInputNode, intTask(50), nullptr), 1);
    QCOMPARE(router.next(Router::kInputNode, intTask(5), nullptr), 0); // the unconditional one
}

void TestRouter::noMatchingEdgeFinishes() {
    PipelineDocument doc;
    doc.steps = {step(QStringLiteral("only"), QStringLiteral("increment"))};
    doc.edges = {{QStringLiteral("input"), QStringLiteral("only"), QStringLiteral("value > 0")},
                 {QStringLiteral("only"), QStringLiteral("output"), QString()}};
    Router router;
    QString error;
    QVERIFY2(router.build(doc, &error), qPrintable(error));
    QCOMPARE(router.next(Router::kInputNode, intTask(-1), nullptr), Router::kOutputNode);
    QCOMPARE(router.next(Router::kInputNode, intTask(1), nullptr), 0);
}

void TestRouter::falseConditionSkipsAndCounts() {
    PipelineDocument doc;
    doc.steps = {conditional(QStringLiteral("a"), QStringLiteral("value > 100")),
                 conditional(QStringLiteral("b"), QStringLiteral("value > 100")),
                 step(QStringLiteral("c"), QStringLiteral("increment"))};
    Router router;
    QString error;
    QVERIFY2(router.build(doc, &error), qPrintable(error));
    std::uint64_t skips[3] = {0, 0, 0};
    // a and b are skipped by the sender: the task goes straight to c.
    QCOMPARE(router.next(Router::kInputNode, intTask(1), skips), 2);
    QCOMPARE(skips[0], 1ull);
    QCOMPARE(skips[1], 1ull);
    QCOMPARE(skips[2], 0ull);
    QCOMPARE(router.next(Router::kInputNode, intTask(500), skips), 0);
}

void TestRouter::badExpressionIsRefused() {
    PipelineDocument doc;
    doc.steps = {conditional(QStringLiteral("a"), QStringLiteral("value >"))};
    Router router;
    QString error;
    QVERIFY(!router.build(doc, &error));
    QVERIFY(!error.isEmpty());
}

QTEST_APPLESS_MAIN(TestRouter)
#include "tst_router.moc"
