// Shared-memory payloads (issue 4): blobs cross processes by handle, live exactly as
// long as someone holds them, and never leak on failure, expiry or a crash.
#include "ChecksumHandler.h"
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QBuffer>
#include <QCryptographicHash>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <cstring>

using namespace Aqueduct;
using namespace Aqueduct::Test;
using namespace std::chrono_literals;

namespace {

/// Writes a new blob field `made` of `bytes` bytes (pattern i % 251) as its output,
/// then crashes if the task asks to.
class MakeBlobHandler final : public Handler {
public:
    void handle(std::span<Task> batch) override {
        for (Task& task : batch) {
            const auto size = std::size_t(task.intField("bytes", 1 << 20));
            std::span<char> out = task.allocateBlob("made", size);
            if (out.empty()) {
                task.fail("no blob");
                continue;
            }
            for (std::size_t i = 0; i < size; ++i)
                out[i] = char(i % 251);
            if (task.intField("crash_after", 0) != 0)
                std::raise(SIGKILL);
        }
    }
};

void registerTestHandlers() {
    HandlerInfo info;
    info.name = QStringLiteral("test_make_blob");
    info.category = QStringLiteral("Testing");
    HandlerRegistry::global().add(info, [] { return std::make_unique<MakeBlobHandler>(); });
}

PipelineDocument document(QList<StepSpec> steps, qint64 arenaBytes = 64ll << 20) {
    PipelineDocument doc;
    doc.name = QStringLiteral("blobs");
    doc.steps = std::move(steps);
    doc.flow.arenaBytes = arenaBytes;
    doc.flow.metrics.intervalMs = 20;
    return doc;
}

QByteArray randomBytes(qsizetype size, quint32 seed) {
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    random.fillRange(reinterpret_cast<quint32*>(bytes.data()), size / 4);
    return bytes;
}

Task blobTask(const QByteArray& bytes, qint64 value = 0) {
    Task task;
    task.set("value", Value(std::int64_t(value)));
    task.set("payload", Value::fromBytes(bytes));
    QString error;
    if (!task.share("payload", &error))
        qWarning("share failed: %s", qPrintable(error));
    return task;
}

/// Arena bytes in use as the flow's metrics report them (waits for a fresh snapshot).
qint64 arenaInUse(Flow& flow) {
    QTest::qWait(80);
    const MetricsSnapshotPtr snapshot = flow.lastSnapshot();
    return snapshot ? snapshot->totals.arenaBytesUsed : -1;
}

} // namespace

class TestBlobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void roundTripIsByteExact();
    void shareWithoutFlowFailsClearly();
    void refcountReturnsToBaseline();
    void crashFreesHeldAndProvisionalBlobs();
    void handlerOutputBlob();
    void oversizePayloadRejectedFlowKeepsRunning();
    void autoShareAboveThreshold();
    void largeInlineTensorTravelsShared();
    void shareFromBuffer();
    void shareFromSocket();
    void concurrentTasks();
    void blobOutlivesFlow();

private:
    std::unique_ptr<ProcessLeakGuard> m_guard;
};

void TestBlobs::init() {
    m_guard = std::make_unique<ProcessLeakGuard>();
}

void TestBlobs::cleanup() {
    const bool clean = m_guard->waitClean(3000);
    const QString leaks = m_guard->describe();
    m_guard->cleanUp();
    QVERIFY2(clean, qPrintable(leaks));
}

void TestBlobs::roundTripIsByteExact() {
    Flow flow(document({step(QStringLiteral("hash"), QStringLiteral("sha256")),
                        step(QStringLiteral("sum"), QStringLiteral("checksum"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    const QByteArray bytes = randomBytes(3 << 20, 7);
    Task task = blobTask(bytes);
    QCOMPARE(task.find("payload")->type(), ValueType::Blob);
    auto result = runFor(flow.process(std::move(task)));
    QVERIFY(result);
    QVERIFY2(result->ok(), qPrintable(result->message()));
    const Value* payload = result->task().find("payload");
    QVERIFY(payload);
    QCOMPARE(payload->type(), ValueType::Blob);
    QCOMPARE(payload->toByteArray(), bytes);
    QCOMPARE(
        QString::fromUtf8(result->task().viewField("sha256").data(),
                          qsizetype(result->task().viewField("sha256").size())),
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(
        std::uint64_t(result->task().intField("checksum")),
        ChecksumHandler::checksum(std::string_view(bytes.constData(), std::size_t(bytes.size()))));
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::shareWithoutFlowFailsClearly() {
    Task task;
    task.set("payload", Value::fromBytes(QByteArray(10, 'x')));
    QString error;
    QVERIFY(!task.share("payload", &error));
    QVERIFY2(error.contains(QLatin1String("no running flow")), qPrintable(error));
    QCOMPARE(task.find("payload")->type(), ValueType::Bytes);
}

void TestBlobs::refcountReturnsToBaseline() {
    auto slow = step(QStringLiteral("slow"), QStringLiteral("sleep"), params({{"ms", 60}}));
    slow.condition = QStringLiteral("value == 3");
    auto failing = step(QStringLiteral("maybe_fail"), QStringLiteral("fail"),
                        params({{"probability", 1.0}, {"mode", QStringLiteral("task")}}));
    failing.condition = QStringLiteral("value == 2");
    Flow flow(document({slow, failing, step(QStringLiteral("sum"), QStringLiteral("checksum"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    QCOMPARE(arenaInUse(flow), 0);
    const QByteArray bytes = randomBytes(1 << 20, 1);
    {
        auto ok = runFor(flow.process(blobTask(bytes, 1)));
        QVERIFY(ok && ok->ok());
        QVERIFY(arenaInUse(flow) > 0); // the caller still holds the result's blob
    }
    QCOMPARE(arenaInUse(flow), 0);
    {
        auto failed = runFor(flow.process(blobTask(bytes, 2)));
        QVERIFY(failed);
        QCOMPARE(failed->error(), ErrorKind::HandlerError);
    }
    QCOMPARE(arenaInUse(flow), 0);
    {
        // Expires while queued behind a slow one: dropped by the worker, freed.
        auto first = flow.process(blobTask(bytes, 3), 5s);
        auto expired = runFor(flow.process(blobTask(bytes, 3), 30ms));
        QVERIFY(expired);
        QCOMPARE(expired->error(), ErrorKind::Timeout);
        QVERIFY(runFor(std::move(first)));
    }
    QTest::qWait(150);
    QCOMPARE(arenaInUse(flow), 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::crashFreesHeldAndProvisionalBlobs() {
    Flow flow(document({step(QStringLiteral("make"), QStringLiteral("test_make_blob"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    Task task = blobTask(randomBytes(1 << 20, 3));
    task.set("crash_after", Value(std::int64_t(1)));
    auto crashed = runFor(flow.process(std::move(task)));
    QVERIFY(crashed);
    QCOMPARE(crashed->error(), ErrorKind::WorkerCrashed);
    crashed.reset();
    // Both the input blob (held by the dead worker's slot) and the one it made are gone.
    QTRY_COMPARE_WITH_TIMEOUT(arenaInUse(flow), 0, 3000);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::handlerOutputBlob() {
    Flow flow(document({step(QStringLiteral("make"), QStringLiteral("test_make_blob")),
                        step(QStringLiteral("sum"), QStringLiteral("checksum"),
                             params({{"field", QStringLiteral("made")}}))}));
    AQUEDUCT_START_OR_FAIL(flow);
    Task task;
    task.set("bytes", Value(std::int64_t(2 << 20)));
    auto result = runFor(flow.process(std::move(task)));
    QVERIFY(result);
    QVERIFY2(result->ok(), qPrintable(result->message()));
    const Value* made = result->task().find("made");
    QVERIFY(made);
    QCOMPARE(made->type(), ValueType::Blob);
    QCOMPARE(qsizetype(made->view().size()), qsizetype(2 << 20));
    for (std::size_t i = 0; i < made->view().size(); i += 4099)
        QCOMPARE(made->view()[i], char(i % 251));
    QCOMPARE(std::uint64_t(result->task().intField("checksum")),
             ChecksumHandler::checksum(made->view()));
    result.reset();
    QCOMPARE(arenaInUse(flow), 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::oversizePayloadRejectedFlowKeepsRunning() {
    Flow flow(document({step(QStringLiteral("sum"), QStringLiteral("checksum"))}, 2ll << 20));
    AQUEDUCT_START_OR_FAIL(flow);
    Task big;
    big.set("payload", Value::fromBytes(QByteArray(5 << 20, 'x')));
    auto rejected = runFor(flow.process(std::move(big)));
    QVERIFY(rejected);
    QCOMPARE(rejected->error(), ErrorKind::Rejected);
    QVERIFY2(rejected->message().contains(QLatin1String("arena")), qPrintable(rejected->message()));
    auto fine = runFor(flow.process(blobTask(QByteArray(1000, 'y'))));
    QVERIFY(fine);
    QVERIFY2(fine->ok(), qPrintable(fine->message()));
    QCOMPARE(flow.state(), FlowState::Running);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::autoShareAboveThreshold() {
    auto doc = document({step(QStringLiteral("sum"), QStringLiteral("checksum"))});
    doc.flow.autoShareBytes = 4096;
    Flow flow(doc);
    AQUEDUCT_START_OR_FAIL(flow);
    Task small;
    small.set("payload", Value::fromBytes(QByteArray(100, 'a')));
    Task large;
    large.set("payload", Value::fromBytes(QByteArray(100000, 'b')));
    auto smallResult = runFor(flow.process(std::move(small)));
    auto largeResult = runFor(flow.process(std::move(large)));
    QVERIFY(smallResult && smallResult->ok() && largeResult && largeResult->ok());
    QCOMPARE(smallResult->task().find("payload")->type(), ValueType::Bytes);
    QCOMPARE(largeResult->task().find("payload")->type(), ValueType::Blob);
    QCOMPARE(largeResult->task().find("payload")->toByteArray(), QByteArray(100000, 'b'));
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::largeInlineTensorTravelsShared() {
    // A 600 KB float32 tensor does not fit a 64 KiB slot: the parent moves it to the arena
    // (the same rule as for bytes), instead of rejecting the task.
    Flow flow(document({step(QStringLiteral("inc"), QStringLiteral("increment"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    const TensorInfo info(TensorDType::Float32, {3, 224, 224});
    QByteArray data(qsizetype(info.byteSize()), Qt::Uninitialized);
    for (qsizetype i = 0; i < data.size(); ++i)
        data[i] = char(i * 7);
    Task task = intTask(1);
    task.set("image",
             Value::fromTensor(info, std::string_view(data.constData(), std::size_t(data.size()))));
    auto result = runFor(flow.process(std::move(task)));
    QVERIFY(result);
    QVERIFY2(result->ok(), qPrintable(result->message()));
    const Value* image = result->task().find("image");
    QVERIFY(image && image->isSharedTensor());
    QVERIFY(image->tensorInfo() == info);
    QCOMPARE(QByteArray(image->tensorData().data(), qsizetype(image->tensorData().size())), data);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::shareFromBuffer() {
    Flow flow(document({step(QStringLiteral("sum"), QStringLiteral("checksum"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    QByteArray bytes = randomBytes(3 << 20, 11);
    QBuffer buffer(&bytes);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    Task task;
    QString error;
    auto shared = runFor(task.shareFrom("payload", &buffer, bytes.size(), &error));
    QVERIFY(shared);
    QVERIFY2(*shared, qPrintable(error));
    QCOMPARE(task.find("payload")->type(), ValueType::Blob);
    QCOMPARE(task.find("payload")->toByteArray(), bytes);
    auto result = runFor(flow.process(std::move(task)));
    QVERIFY(result && result->ok());
    QCOMPARE(
        std::uint64_t(result->task().intField("checksum")),
        ChecksumHandler::checksum(std::string_view(bytes.constData(), std::size_t(bytes.size()))));
    // A short device fails cleanly and frees what it took.
    QByteArray shortBytes(100, 'z');
    QBuffer shortBuffer(&shortBytes);
    QVERIFY(shortBuffer.open(QIODevice::ReadOnly));
    Task shortTask;
    auto notShared = runFor(shortTask.shareFrom("payload", &shortBuffer, 1000, &error));
    QVERIFY(notShared && !*notShared);
    QVERIFY(!shortTask.has("payload"));
    result.reset();
    QCOMPARE(arenaInUse(flow), 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::shareFromSocket() {
    Flow flow(document({step(QStringLiteral("sum"), QStringLiteral("checksum"))}));
    AQUEDUCT_START_OR_FAIL(flow);
    QTemporaryDir dir;
    QLocalServer server;
    QVERIFY(server.listen(dir.filePath(QStringLiteral("s"))));
    const QByteArray bytes = randomBytes(2 << 20, 5);
    QLocalSocket client;
    client.connectToServer(server.serverName());
    QVERIFY(client.waitForConnected(3000));
    QVERIFY(server.waitForNewConnection(3000));
    QLocalSocket* incoming = server.nextPendingConnection();
    QVERIFY(incoming);
    // The sender trickles the body in chunks, as a slow HTTP client would.
    qsizetype sent = 0;
    QTimer sender;
    QObject::connect(&sender, &QTimer::timeout, [&] {
        const qsizetype chunk = std::min<qsizetype>(256 * 1024, bytes.size() - sent);
        if (chunk > 0) {
            client.write(bytes.constData() + sent, chunk);
            sent += chunk;
        }
    });
    sender.start(5);
    Task task;
    QString error;
    auto shared = runFor(task.shareFrom("payload", incoming, bytes.size(), &error));
    sender.stop();
    QVERIFY(shared);
    QVERIFY2(*shared, qPrintable(error));
    QCOMPARE(task.find("payload")->toByteArray(), bytes);
    auto result = runFor(flow.process(std::move(task)));
    QVERIFY(result && result->ok());
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::concurrentTasks() {
    Flow flow(document({step(QStringLiteral("hash"), QStringLiteral("sha256"), {}, 2),
                        step(QStringLiteral("sum"), QStringLiteral("checksum"), {}, 2)}));
    AQUEDUCT_START_OR_FAIL(flow);
    QList<QByteArray> payloads;
    std::vector<Task> tasks;
    for (int i = 0; i < 48; ++i) {
        payloads.append(randomBytes(256 * 1024 + i * 4096, quint32(100 + i)));
        tasks.push_back(blobTask(payloads.last(), i));
    }
    auto results = runFor(flow.processMany(std::move(tasks), 20s), 60000);
    QVERIFY(results);
    for (int i = 0; i < 48; ++i) {
        const TaskResult& result = (*results)[std::size_t(i)];
        QVERIFY2(result.ok(), qPrintable(result.message()));
        QCOMPARE(result.task().find("payload")->toByteArray(), payloads[i]);
        QCOMPARE(QByteArray(result.task().viewField("sha256").data(),
                            qsizetype(result.task().viewField("sha256").size())),
                 QCryptographicHash::hash(payloads[i], QCryptographicHash::Sha256).toHex());
    }
    results.reset();
    QCOMPARE(arenaInUse(flow), 0);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
}

void TestBlobs::blobOutlivesFlow() {
    std::optional<TaskResult> kept;
    {
        Flow flow(document({step(QStringLiteral("sum"), QStringLiteral("checksum"))}));
        AQUEDUCT_START_OR_FAIL(flow);
        kept = runFor(flow.process(blobTask(QByteArray(70000, 'k'))));
        QVERIFY(kept && kept->ok());
        AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
    }
    // The segment's name is gone, but the caller can still read the bytes it holds.
    QVERIFY(m_guard->leakedSegments().isEmpty());
    QCOMPARE(kept->task().find("payload")->toByteArray(), QByteArray(70000, 'k'));
}

AQUEDUCT_TEST_MAIN_WITH_SETUP(TestBlobs, registerTestHandlers)
#include "tst_blobs.moc"
