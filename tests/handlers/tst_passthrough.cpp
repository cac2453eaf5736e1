// passthrough: tasks leave exactly as they came.
#include "HandlerTestHelpers.h"
#include "PassthroughHandler.h"

#include <QTest>

using namespace Aqueduct;

class TestPassthrough : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void leavesTasksUnchanged();
    void emptyBatch();
};

void TestPassthrough::schema() {
    const HandlerInfo info = PassthroughHandler::info();
    QCOMPARE(info.name, QStringLiteral("passthrough"));
    QCOMPARE(info.category, QStringLiteral("Basic"));
    QVERIFY(info.params.isEmpty());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             Testing::startHandler<PassthroughHandler>(QJsonObject{{"x", 1}}));
}

void TestPassthrough::leavesTasksUnchanged() {
    auto handler = Testing::startHandler<PassthroughHandler>();
    std::vector<Task> batch = Testing::tasksWithIds(3);
    batch[0].set("value", Value(1));
    batch[1].set("payload", Value::fromBytes(QByteArray("abc")));
    batch[2].set("text", Value("hello"));
    const std::vector<Task> before = batch;
    handler->handle(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        QVERIFY(batch[i].sameFields(before[i]));
        QVERIFY(!batch[i].isFailed());
        QCOMPARE(batch[i].id(), before[i].id());
    }
}

void TestPassthrough::emptyBatch() {
    auto handler = Testing::startHandler<PassthroughHandler>();
    std::vector<Task> batch;
    handler->handle(batch);
    QVERIFY(batch.empty());
}

QTEST_GUILESS_MAIN(TestPassthrough)
#include "tst_passthrough.moc"
