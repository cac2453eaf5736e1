// sha256: digests of bytes, blobs and strings, hex or raw.
#include "CountingAllocator.h"
#include "HandlerTestHelpers.h"
#include "Sha256Handler.h"

#include <QTest>

using namespace Aqueduct;

namespace {
// FIPS 180-2 test vectors.
const char kAbcHex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const char kEmptyHex[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const char kMillionAHex[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
} // namespace

class TestSha256 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void knownDigests();
    void rawBytesEncoding();
    void readsBlobsInPlaceAndStrings();
    void outputCanReplaceInput();
    void missingFieldFailsThatTaskOnly();
    void badEncodingIsRefused();
    void steadyStateDoesNotAllocate();
};

void TestSha256::schema() {
    const HandlerInfo info = Sha256Handler::info();
    QCOMPARE(info.name, QStringLiteral("sha256"));
    QCOMPARE(info.category, QStringLiteral("Bytes"));
    QCOMPARE(info.param("field")->defaultValue.toString(), QStringLiteral("payload"));
    QCOMPARE(info.param("output_field")->defaultValue.toString(), QStringLiteral("sha256"));
    QCOMPARE(info.param("encoding")->choices, QStringList({"hex", "bytes"}));
    QCOMPARE(info.param("encoding")->defaultValue.toString(), QStringLiteral("hex"));
}

void TestSha256::knownDigests() {
    auto handler = Testing::startHandler<Sha256Handler>();
    std::vector<Task> batch(3);
    batch[0].set("payload", Value::fromBytes(QByteArray("abc")));
    batch[1].set("payload", Value::fromBytes(QByteArray()));
    batch[2].set("payload", Value::fromBytes(QByteArray(1000000, 'a')));
    handler->handle(batch);
    QCOMPARE(batch[0].find("sha256")->type(), ValueType::String);
    QCOMPARE(batch[0].viewField("sha256"), std::string_view(kAbcHex));
    QCOMPARE(batch[1].viewField("sha256"), std::string_view(kEmptyHex));
    QCOMPARE(batch[2].viewField("sha256"), std::string_view(kMillionAHex));
    // The input stays.
    QCOMPARE(batch[0].viewField("payload"), std::string_view("abc"));

    // The handler is reused across batches: no state carries over.
    handler->handle(batch);
    QCOMPARE(batch[0].viewField("sha256"), std::string_view(kAbcHex));
}

void TestSha256::rawBytesEncoding() {
    auto handler = Testing::startHandler<Sha256Handler>(
        QJsonObject{{"encoding", "bytes"}, {"output_field", "digest"}});
    std::vector<Task> batch(1);
    batch[0].set("payload", Value::fromBytes(QByteArray("abc")));
    handler->handle(batch);
    const Value* digest = batch[0].find("digest");
    QVERIFY(digest != nullptr);
    QCOMPARE(digest->type(), ValueType::Bytes);
    QCOMPARE(digest->toByteArray(), QByteArray::fromHex(kAbcHex));
    QVERIFY(!batch[0].has("sha256"));
}

void TestSha256::readsBlobsInPlaceAndStrings() {
    static const char arena[] = "xxabcxx";
    auto handler = Testing::startHandler<Sha256Handler>(QJsonObject{{"field", "data"}});
    std::vector<Task> batch(2);
    batch[0].set("data", Value::fromBlob({.offset = 2, .size = 3, .data = arena + 2}));
    batch[1].set("data", Value("abc"));
    handler->handle(batch);
    QVERIFY(!batch[0].isFailed());
    QCOMPARE(batch[0].viewField("sha256"), std::string_view(kAbcHex));
    QCOMPARE(batch[1].viewField("sha256"), std::string_view(kAbcHex));
}

void TestSha256::outputCanReplaceInput() {
    auto handler = Testing::startHandler<Sha256Handler>(
        QJsonObject{{"field", "payload"}, {"output_field", "payload"}});
    std::vector<Task> batch(1);
    batch[0].set("payload", Value::fromBytes(QByteArray("abc")));
    handler->handle(batch);
    QCOMPARE(batch[0].fieldCount(), std::size_t{1});
    QCOMPARE(batch[0].find("payload")->type(), ValueType::String);
    QCOMPARE(batch[0].viewField("payload"), std::string_view(kAbcHex));
}

void TestSha256::missingFieldFailsThatTaskOnly() {
    auto handler = Testing::startHandler<Sha256Handler>();
    std::vector<Task> batch(3);
    batch[0].set("other", Value::fromBytes(QByteArray("abc")));
    batch[1].set("payload", Value(12));
    batch[2].set("payload", Value::fromBytes(QByteArray("abc")));
    handler->handle(batch);
    QVERIFY(batch[0].isFailed());
    QCOMPARE(batch[0].failureMessage(), std::string("field 'payload' is missing or not bytes"));
    QVERIFY(!batch[0].has("sha256"));
    QVERIFY(batch[1].isFailed());
    QVERIFY(!batch[2].isFailed());
    QCOMPARE(batch[2].viewField("sha256"), std::string_view(kAbcHex));
}

void TestSha256::badEncodingIsRefused() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Testing::startHandler<Sha256Handler>(
                                                        QJsonObject{{"encoding", "base64"}}));
}

void TestSha256::steadyStateDoesNotAllocate() {
    auto handler = Testing::startHandler<Sha256Handler>();
    std::vector<Task> batch(8);
    for (Task& task : batch)
        task.set("payload", Value::fromBytes(QByteArray(4096, 'x')));
    handler->handle(batch); // creates the output fields
    const long before = Testing::allocationCount();
    handler->handle(batch); // overwrites them in place
    QCOMPARE(Testing::allocationCount() - before, 0L);
    QCOMPARE(batch[0].viewField("sha256").size(), std::size_t{64});
}

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
