// Tensor values: dtype and shape, inline and shared data, the slot encoding and JSON form.
#include <aqueduct/Task.h>
#include <aqueduct/Value.h>

#include "payload/SharedArena.h"
#include "payload/TaskCodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cstring>
#include <vector>

using Aqueduct::Task;
using Aqueduct::TensorDType;
using Aqueduct::TensorInfo;
using Aqueduct::Value;
using Aqueduct::ValueType;
using Aqueduct::Internal::BlobHold;
using Aqueduct::Internal::SharedArena;
using Aqueduct::Internal::TaskCodec;

namespace {

std::string floatBytes(const std::vector<float>& values) {
    std::string bytes(values.size() * sizeof(float), '\0');
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

std::vector<char> encode(const Task& task) {
    std::vector<char> buffer(TaskCodec::encodedSize(task));
    const std::size_t written = TaskCodec::encode(task, buffer.data(), buffer.size());
    buffer.resize(written);
    return buffer;
}

// Owns an arena for one test and deletes it (mapping and name) even when the test fails.
struct ArenaScope {
    SharedArena* arena = SharedArena::create(4 << 20);
    ArenaScope() { SharedArena::setCurrent(arena); }
    ~ArenaScope() {
        SharedArena::setCurrent(nullptr);
        arena->finishPrefault();
        arena->unlinkName();
        arena->deref();
    }
};

} // namespace

class TestTensor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dtypeNamesAndSizes();
    void infoValidity();
    void inlineTensorHoldsShapeAndData();
    void setTensorRejectsWrongDataSize();
    void copiesAndMovesKeepTheTensor();
    void equalityComparesShapeAndData();
    void reassignmentReplacesOtherTypes();
    void codecRoundTripsInlineTensors();
    void codecKeepsOtherEncodingsUnchanged();
    void codecRejectsMalformedTensors();
    void sharedTensorTravelsByHandle();
    void allocateTensorFillsInPlace();
    void jsonRoundTrip();
    void jsonRejectsBadTensors_data();
    void jsonRejectsBadTensors();
};

void TestTensor::dtypeNamesAndSizes() {
    const std::pair<TensorDType, const char*> names[] = {{TensorDType::UInt8, "uint8"},
                                                         {TensorDType::Int32, "int32"},
                                                         {TensorDType::Int64, "int64"},
                                                         {TensorDType::Float32, "float32"},
                                                         {TensorDType::Float64, "float64"}};
    for (const auto& [dtype, name] : names) {
        QCOMPARE(Aqueduct::tensorDTypeName(dtype), QString::fromLatin1(name));
        TensorDType parsed = TensorDType::UInt8;
        QVERIFY(Aqueduct::tensorDTypeFromName(name, &parsed));
        QCOMPARE(parsed, dtype);
    }
    TensorDType unused = TensorDType::UInt8;
    QVERIFY(!Aqueduct::tensorDTypeFromName("float16", &unused));
    QCOMPARE(Aqueduct::tensorDTypeBytes(TensorDType::UInt8), std::size_t(1));
    QCOMPARE(Aqueduct::tensorDTypeBytes(TensorDType::Float32), std::size_t(4));
    QCOMPARE(Aqueduct::tensorDTypeBytes(TensorDType::Float64), std::size_t(8));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Tensor), QStringLiteral("tensor"));
}

void TestTensor::infoValidity() {
    const TensorInfo image(TensorDType::Float32, {3, 224, 224});
    QVERIFY(image.isValid());
    QCOMPARE(image.elementCount(), std::uint64_t(3 * 224 * 224));
    QCOMPARE(image.byteSize(), std::uint64_t(3 * 224 * 224 * 4));
    QCOMPARE(image.toString(), QStringLiteral("float32[3,224,224]"));
    QVERIFY(TensorInfo(TensorDType::UInt8, {}).isValid()); // a scalar
    QCOMPARE(TensorInfo(TensorDType::UInt8, {}).elementCount(), std::uint64_t(1));

    QString error;
    QVERIFY(!TensorInfo(TensorDType::Float32, {1, 2, 3, 4, 5, 6, 7, 8, 9}).isValid(&error));
    QVERIFY2(error.contains(QStringLiteral("rank")), qPrintable(error));
    QVERIFY(!TensorInfo(TensorDType::Float32, {2, -1}).isValid(&error));
    QVERIFY2(error.contains(QStringLiteral("negative")), qPrintable(error));
    QVERIFY(!TensorInfo(TensorDType::Float64, {1 << 30, 1 << 30, 1 << 30}).isValid(&error));
    QVERIFY2(error.contains(QStringLiteral("too large")), qPrintable(error));
    TensorInfo badType;
    badType.dtype = TensorDType(42);
    QVERIFY(!badType.isValid(&error));
}

void TestTensor::inlineTensorHoldsShapeAndData() {
    const std::string data = floatBytes({1, 2, 3, 4, 5, 6});
    const Value value = Value::fromTensor(TensorInfo(TensorDType::Float32, {2, 3}), data);
    QCOMPARE(value.type(), ValueType::Tensor);
    QVERIFY(value.isTensor());
    QVERIFY(!value.isSharedTensor());
    QVERIFY(!value.holdsBlob());
    QCOMPARE(value.tensorInfo(), TensorInfo(TensorDType::Float32, {2, 3}));
    QCOMPARE(value.tensorData(), std::string_view(data));
    // The data is 8-byte aligned so handlers can read it as float or double in place.
    QCOMPARE(reinterpret_cast<std::uintptr_t>(value.tensorData().data()) % 8, std::uintptr_t(0));
    QCOMPARE(value.toQString(), QStringLiteral("float32[2,3]"));
    QVERIFY(value.view().empty());
    const QVariantMap variant = value.toVariant().toMap();
    QCOMPARE(variant.value(QStringLiteral("dtype")).toString(), QStringLiteral("float32"));
    QCOMPARE(variant.value(QStringLiteral("shape")).toList().size(), 2);
    QCOMPARE(variant.value(QStringLiteral("data")).toByteArray().size(), qsizetype(24));
}

void TestTensor::setTensorRejectsWrongDataSize() {
    Value value(7);
    QString error;
    QVERIFY(!value.setTensor(TensorInfo(TensorDType::Float32, {2, 3}), floatBytes({1, 2}), &error));
    QVERIFY2(error.contains(QStringLiteral("24 bytes")), qPrintable(error));
    QCOMPARE(value.type(), ValueType::Int); // unchanged
    QCOMPARE(value.toInt(), 7);
    QVERIFY(Value::fromTensor(TensorInfo(TensorDType::Int32, {3}), "ab").isNull());
}

void TestTensor::copiesAndMovesKeepTheTensor() {
    const Value original = Value::fromTensor(TensorInfo(TensorDType::UInt8, {2, 2, 1}), "abcd");
    Value copy(original);
    QCOMPARE(copy, original);
    Value assigned;
    assigned = original;
    QCOMPARE(assigned, original);
    Value moved(std::move(copy));
    QCOMPARE(moved, original);
    QVERIFY(copy.isNull());
    Value moveAssigned(1.5);
    moveAssigned = std::move(moved);
    QCOMPARE(moveAssigned.tensorData(), std::string_view("abcd"));
    QCOMPARE(moveAssigned.tensorInfo().rank, 3);
}

void TestTensor::equalityComparesShapeAndData() {
    const Value a = Value::fromTensor(TensorInfo(TensorDType::UInt8, {2, 2}), "abcd");
    QVERIFY(a == Value::fromTensor(TensorInfo(TensorDType::UInt8, {2, 2}), "abcd"));
    QVERIFY(!(a == Value::fromTensor(TensorInfo(TensorDType::UInt8, {4}), "abcd")));
    QVERIFY(!(a == Value::fromTensor(TensorInfo(TensorDType::UInt8, {2, 2}), "abce")));
    QVERIFY(!(a == Value::fromBytes(std::string_view("abcd"))));
}

void TestTensor::reassignmentReplacesOtherTypes() {
    Value value = Value::fromString("some text that is long enough to live on the heap");
    const std::span<char> data = value.resetTensor(TensorInfo(TensorDType::Int64, {2}));
    QCOMPARE(data.size(), std::size_t(16));
    const std::int64_t numbers[] = {-1, 1LL << 40};
    std::memcpy(data.data(), numbers, sizeof numbers);
    QCOMPARE(value.type(), ValueType::Tensor);
    std::int64_t back[2] = {};
    std::memcpy(back, value.tensorData().data(), sizeof back);
    QCOMPARE(back[1], 1LL << 40);
    value.setString("again");
    QCOMPARE(value.type(), ValueType::String);
    QCOMPARE(value.view(), std::string_view("again"));
    QCOMPARE(value.tensorData(), std::string_view());
}

void TestTensor::codecRoundTripsInlineTensors() {
    Task task;
    task.set("image", Value::fromTensor(TensorInfo(TensorDType::Float32, {1, 2, 3}),
                                        floatBytes({1, 2, 3, 4, 5, 6})));
    task.set("scalar",
             Value::fromTensor(TensorInfo(TensorDType::Float64, {}), std::string(8, '\x01')));
    task.set("empty", Value::fromTensor(TensorInfo(TensorDType::Int32, {0, 5}), {}));
    task.set("n", Value(3));
    const std::vector<char> buffer = encode(task);
    QVERIFY(!buffer.empty());
    QCOMPARE(buffer.size(), TaskCodec::encodedSize(task));
    Task decoded;
    decoded.set("stale", Value::fromTensor(TensorInfo(TensorDType::UInt8, {3}), "xyz"));
    QVERIFY(TaskCodec::decode(buffer.data(), buffer.size(), decoded, nullptr, BlobHold::Owned));
    QVERIFY(decoded.sameFields(task));
    int blobs = 0;
    QVERIFY(
        TaskCodec::forEachBlob(buffer.data(), buffer.size(), [&blobs](std::uint64_t) { ++blobs; }));
    QCOMPARE(blobs, 0);
}

void TestTensor::codecKeepsOtherEncodingsUnchanged() {
    // The bytes layout of the existing types is a contract between parent and workers.
    Task task;
    task.set("b", Value::fromBytes(std::string_view("xy")));
    const std::vector<char> buffer = encode(task);
    const char expected[] = {1, 0, char(ValueType::Bytes), 1, 'b', 2, 0, 0, 0, 'x', 'y'};
    QCOMPARE(buffer.size(), sizeof expected);
    QVERIFY(std::memcmp(buffer.data(), expected, sizeof expected) == 0);
    QCOMPARE(int(ValueType::Blob), 6);
    QCOMPARE(int(ValueType::Tensor), 7);
}

void TestTensor::codecRejectsMalformedTensors() {
    Task task;
    task.set("t", Value::fromTensor(TensorInfo(TensorDType::Float32, {2}), floatBytes({1, 2})));
    const std::vector<char> good = encode(task);
    // Layout: u16 count, u8 type, u8 name length, "t", u8 dtype, u8 rank, u8 storage, i64 dim, u32
    // length, data.
    const std::size_t dtypeAt = 5;
    Task sink;
    QVERIFY(TaskCodec::decode(good.data(), good.size(), sink, nullptr, BlobHold::Owned));

    std::vector<char> badType = good;
    badType[dtypeAt] = 9;
    QVERIFY(!TaskCodec::decode(badType.data(), badType.size(), sink, nullptr, BlobHold::Owned));
    std::vector<char> badRank = good;
    badRank[dtypeAt + 1] = 9;
    QVERIFY(!TaskCodec::decode(badRank.data(), badRank.size(), sink, nullptr, BlobHold::Owned));
    std::vector<char> badStorage = good;
    badStorage[dtypeAt + 2] = 5;
    QVERIFY(
        !TaskCodec::decode(badStorage.data(), badStorage.size(), sink, nullptr, BlobHold::Owned));
    std::vector<char> wrongDim = good;
    wrongDim[dtypeAt + 3] = 3; // shape [3] but 8 bytes of data
    QVERIFY(!TaskCodec::decode(wrongDim.data(), wrongDim.size(), sink, nullptr, BlobHold::Owned));
    std::vector<char> negativeDim = good;
    std::memset(negativeDim.data() + dtypeAt + 3, 0xff, 8);
    QVERIFY(
        !TaskCodec::decode(negativeDim.data(), negativeDim.size(), sink, nullptr, BlobHold::Owned));
    for (std::size_t cut = 0; cut < good.size(); ++cut) {
        QVERIFY2(!TaskCodec::decode(good.data(), cut, sink, nullptr, BlobHold::Owned),
                 qPrintable(QString::number(cut)));
        QVERIFY(!TaskCodec::forEachBlob(good.data(), cut, [](std::uint64_t) {}));
    }
    // A shared tensor needs an arena to resolve its handle.
    ArenaScope scope;
    QVERIFY(task.share("t"));
    const std::vector<char> shared = encode(task);
    QVERIFY(!TaskCodec::decode(shared.data(), shared.size(), sink, nullptr, BlobHold::Owned));
}

void TestTensor::sharedTensorTravelsByHandle() {
    ArenaScope scope;
    const std::string data = floatBytes(std::vector<float>(3 * 64 * 64, 0.25f));
    {
        Task task;
        task.set("image", Value::fromTensor(TensorInfo(TensorDType::Float32, {3, 64, 64}), data));
        QString error;
        QVERIFY2(task.share("image", &error), qPrintable(error));
        const Value& shared = *task.find("image");
        QVERIFY(shared.isSharedTensor());
        QVERIFY(shared.holdsBlob());
        QCOMPARE(shared.tensorData(), std::string_view(data));
        QCOMPARE(scope.arena->blobCount(), std::uint64_t(1));

        // Only the handle is encoded: far smaller than the data.
        const std::vector<char> buffer = encode(task);
        QVERIFY(buffer.size() < 100);
        std::vector<std::uint64_t> offsets;
        QVERIFY(
            TaskCodec::forEachBlob(buffer.data(), buffer.size(), [&offsets](std::uint64_t offset) {
                offsets.push_back(offset);
            }));
        QCOMPARE(offsets.size(), std::size_t(1));
        QCOMPARE(offsets.front(), shared.blob().offset);

        Task decoded;
        QVERIFY(
            TaskCodec::decode(buffer.data(), buffer.size(), decoded, scope.arena, BlobHold::Owned));
        const Value* received = decoded.find("image");
        QVERIFY(received && received->isSharedTensor());
        QCOMPARE(received->tensorInfo(), TensorInfo(TensorDType::Float32, {3, 64, 64}));
        QCOMPARE(received->tensorData().data(), shared.tensorData().data()); // same bytes, no copy
        QVERIFY(decoded.sameFields(task));

        // Copies count references; the blob lives until the last holder lets go.
        Value copy = *received;
        task.clearFields();
        decoded.clearFields();
        QCOMPARE(scope.arena->blobCount(), std::uint64_t(1));
        QCOMPARE(copy.tensorData(), std::string_view(data));
    }
    QCOMPARE(scope.arena->blobCount(), std::uint64_t(0));
    QCOMPARE(scope.arena->bytesUsed(), std::uint64_t(0));
}

void TestTensor::allocateTensorFillsInPlace() {
    ArenaScope scope;
    {
        Task task;
        QString error;
        const std::span<char> data =
            task.allocateTensor("out", TensorInfo(TensorDType::UInt8, {4, 4, 3}), &error);
        QVERIFY2(data.size() == 48, qPrintable(error));
        std::memset(data.data(), 7, data.size());
        const Value* out = task.find("out");
        QVERIFY(out && out->isSharedTensor());
        QCOMPARE(out->tensorData(), std::string_view(std::string(48, '\7')));
        QVERIFY(task.allocateTensor("bad", TensorInfo(TensorDType::UInt8, {-2}), &error).empty());
        QVERIFY2(error.contains(QStringLiteral("negative")), qPrintable(error));
    }
    QCOMPARE(scope.arena->blobCount(), std::uint64_t(0));
}

void TestTensor::jsonRoundTrip() {
    const QByteArray line =
        R"({"t": {"$tensor": {"dtype": "float32", "shape": [2, 2], "data": "AACAPwAAAEAAAEBAAACAQA=="}}})";
    QString error;
    const Task task = Task::fromJson(QJsonDocument::fromJson(line).object(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const Value* value = task.find("t");
    QVERIFY(value && value->isTensor());
    QCOMPARE(value->tensorInfo(), TensorInfo(TensorDType::Float32, {2, 2}));
    float numbers[4] = {};
    std::memcpy(numbers, value->tensorData().data(), sizeof numbers);
    QCOMPARE(numbers[0], 1.0f);
    QCOMPARE(numbers[3], 4.0f);

    const QJsonObject exported = task.toJson()
                                     .value(QStringLiteral("t"))
                                     .toObject()
                                     .value(QStringLiteral("$tensor"))
                                     .toObject();
    QCOMPARE(exported.value(QStringLiteral("dtype")).toString(), QStringLiteral("float32"));
    QCOMPARE(exported.value(QStringLiteral("shape")).toArray(), (QJsonArray{2, 2}));
    QCOMPARE(exported.value(QStringLiteral("data")).toString(),
             QStringLiteral("AACAPwAAAEAAAEBAAACAQA=="));
    QVERIFY(Task::fromJson(task.toJson(), &error).sameFields(task));
}

void TestTensor::jsonRejectsBadTensors_data() {
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not an object")
        << QByteArray(R"({"t": {"$tensor": 3}})") << QStringLiteral("must be an object");
    QTest::newRow("unknown dtype")
        << QByteArray(R"({"t": {"$tensor": {"dtype": "half", "shape": [1], "data": "AAA="}}})")
        << QStringLiteral("dtype");
    QTest::newRow("shape not array")
        << QByteArray(R"({"t": {"$tensor": {"dtype": "uint8", "shape": 3, "data": "AAA="}}})")
        << QStringLiteral("shape");
    QTest::newRow("negative dim")
        << QByteArray(R"({"t": {"$tensor": {"dtype": "uint8", "shape": [-1], "data": ""}}})")
        << QStringLiteral("shape[0]");
    QTest::newRow("fractional dim")
        << QByteArray(R"({"t": {"$tensor": {"dtype": "uint8", "shape": [1.5], "data": ""}}})")
        << QStringLiteral("shape[0]");
    QTest::newRow("rank 9")
        << QByteArray(
               R"({"t": {"$tensor": {"dtype": "uint8", "shape": [1,1,1,1,1,1,1,1,1], "data": "AA=="}}})")
        << QStringLiteral("at most 8");
    QTest::newRow("bad base64")
        << QByteArray(R"({"t": {"$tensor": {"dtype": "uint8", "shape": [1], "data": "!!"}}})")
        << QStringLiteral("base64");
    QTest::newRow("size mismatch")
        << QByteArray(R"({"t": {"$tensor": {"dtype": "float32", "shape": [2], "data": "AAA="}}})")
        << QStringLiteral("needs 8 bytes");
    QTest::newRow("extra key")
        << QByteArray(
               R"({"t": {"$tensor": {"dtype": "uint8", "shape": [1], "data": "AA==", "x": 1}}})")
        << QStringLiteral("unknown key 'x'");
}

void TestTensor::jsonRejectsBadTensors() {
    QFETCH(QByteArray, line);
    QFETCH(QString, reason);
    QString error;
    const QJsonDocument document = QJsonDocument::fromJson(line);
    QVERIFY(document.isObject());
    Task::fromJson(document.object(), &error);
    QVERIFY2(error.contains(QStringLiteral("field 't'")), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestTensor)
#include "tst_tensor.moc"
