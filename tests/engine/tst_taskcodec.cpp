// TaskCodec: the slot encoding round-trips every inline type, and corrupt or truncated
// input is refused, never read past its end.
#include "payload/TaskCodec.h"

#include <QRandomGenerator>
#include <QTest>

#include <vector>

using namespace Aqueduct;
using namespace Aqueduct::Internal;

namespace {

Task everyInlineType() {
    Task task;
    task.set("null", Value(nullptr));
    task.set("flag", Value(true));
    task.set("count", Value(std::int64_t(-1234567890123)));
    task.set("ratio", Value(0.125));
    task.set("name", Value::fromString("héllo, wörld"));
    task.set("raw", Value::fromBytes(std::string_view("\0\1\2\xff binary", 12)));
    task.set("empty", Value::fromBytes(std::string_view()));
    return task;
}

} // namespace

class TestTaskCodec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsEveryInlineType();
    void tooSmallABufferIsRefused();
    void truncatedInputIsRefusedAtEveryLength();
    void randomBytesNeverCrash();
};

void TestTaskCodec::roundTripsEveryInlineType() {
    const Task task = everyInlineType();
    std::vector<char> buffer(TaskCodec::encodedSize(task));
    QCOMPARE(TaskCodec::encode(task, buffer.data(), buffer.size()), buffer.size());
    Task decoded;
    decoded.set("stale", Value(1)); // decoding replaces the fields
    QVERIFY(TaskCodec::decode(buffer.data(), buffer.size(), decoded, nullptr, BlobHold::Owned));
    QCOMPARE(decoded.fieldCount(), task.fieldCount());
    QVERIFY(decoded.find("stale") == nullptr);
    QCOMPARE(decoded.find("null")->type(), ValueType::Null);
    QCOMPARE(decoded.find("flag")->type(), ValueType::Bool);
    QCOMPARE(decoded.intField("count"), std::int64_t(-1234567890123));
    QCOMPARE(decoded.find("ratio")->type(), ValueType::Double);
    QCOMPARE(decoded.find("name")->view(), task.find("name")->view());
    QCOMPARE(decoded.find("raw")->view(), task.find("raw")->view());
    QCOMPARE(decoded.find("empty")->view().size(), std::size_t(0));
    // And again through the re-encoded result: byte-identical.
    std::vector<char> again(TaskCodec::encodedSize(decoded));
    QCOMPARE(TaskCodec::encode(decoded, again.data(), again.size()), again.size());
    QCOMPARE(again, buffer);
}

void TestTaskCodec::tooSmallABufferIsRefused() {
    const Task task = everyInlineType();
    std::vector<char> buffer(TaskCodec::encodedSize(task) - 1);
    QCOMPARE(TaskCodec::encode(task, buffer.data(), buffer.size()), std::size_t(0));
}

void TestTaskCodec::truncatedInputIsRefusedAtEveryLength() {
    const Task task = everyInlineType();
    std::vector<char> buffer(TaskCodec::encodedSize(task));
    TaskCodec::encode(task, buffer.data(), buffer.size());
    for (std::size_t length = 0; length < buffer.size(); ++length) {
        // Exactly `length` bytes on the heap: reading past them is caught by ASan.
        std::vector<char> prefix(buffer.begin(), buffer.begin() + std::ptrdiff_t(length));
        Task decoded;
        QVERIFY2(
            !TaskCodec::decode(prefix.data(), prefix.size(), decoded, nullptr, BlobHold::Owned),
            qPrintable(QString::number(length)));
    }
}

void TestTaskCodec::randomBytesNeverCrash() {
    QRandomGenerator random(14);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<char> bytes(random.bounded(1u, 200u));
        for (char& byte : bytes)
            byte = char(random.bounded(256u));
        Task decoded;
        if (TaskCodec::decode(bytes.data(), bytes.size(), decoded, nullptr, BlobHold::Owned))
            ++accepted; // whatever decodes must re-encode within its own size
        std::vector<char> again(TaskCodec::encodedSize(decoded) + 1);
        QVERIFY(TaskCodec::encode(decoded, again.data(), again.size()) != 0 ||
                decoded.fieldCount() == 0);
    }
    qInfo("%d of 20000 random buffers decoded", accepted);
}

QTEST_APPLESS_MAIN(TestTaskCodec)
#include "tst_taskcodec.moc"
