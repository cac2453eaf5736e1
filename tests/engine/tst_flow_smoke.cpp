// Quick end-to-end check used while building the engine; the full rules live in
// tst_flow.cpp.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

using namespace Aqueduct;
using namespace Aqueduct::Test;

class TestFlowSmoke : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void incrementOneStep();
};

void TestFlowSmoke::incrementOneStep() {
    ProcessLeakGuard guard;
    {
        Flow flow;
        flow.addStep(step(QStringLiteral("inc"), QStringLiteral("increment")));
        auto started = runFor(flow.start());
        QVERIFY(started);
        QVERIFY2(started->ok, qPrintable(started->error));
        for (int i = 0; i < 100; ++i) {
            auto result = runFor(flow.process(intTask(i)));
            QVERIFY(result);
            QVERIFY2(result->ok(), qPrintable(result->message()));
            QCOMPARE(result->task().intField("value"), i + 1);
        }
        QVERIFY(runFor(flow.stop()));
        QCOMPARE(flow.state(), FlowState::Stopped);
    }
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

AQUEDUCT_TEST_MAIN(TestFlowSmoke)
#include "tst_flow_smoke.moc"
