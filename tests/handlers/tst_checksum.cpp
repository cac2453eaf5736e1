// checksum: a position-sensitive 64-bit sum over every byte, equal for bytes and blobs.
#include "ChecksumHandler.h"
#include "CountingAllocator.h"
#include "HandlerTestHelpers.h"

#include <QRandomGenerator>
#include <QTest>

#include <cstring>

using namespace Aqueduct;

namespace {

std::uint64_t mixIn(std::uint64_t hash, std::uint64_t value) {
    hash ^= value;
    hash *= 0x100000001b3ULL;
    return hash ^ (hash >> 32);
}

// The documented algorithm written the plain way, one 64-bit word at a time: word k goes
// to lane k % 4; each lane keeps a running sum and a sum of running sums; the tail bytes
// and the length are mixed in last.
std::uint64_t referenceChecksum(const QByteArray& bytes) {
    std::uint64_t sum1[4] = {};
    std::uint64_t sum2[4] = {};
    const std::size_t size = static_cast<std::size_t>(bytes.size());
    const std::size_t wordCount = size / 32 * 4;
    for (std::size_t k = 0; k < wordCount; ++k) {
        std::uint64_t word = 0;
        for (int b = 0; b < 8; ++b)
            word |= std::uint64_t{static_cast<unsigned char>(bytes[qsizetype(k * 8 + b)])}
                    << (8 * b);
        sum1[k % 4] += word;
        sum2[k % 4] += sum1[k % 4];
    }
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (int lane = 0; lane < 4; ++lane) {
        hash = mixIn(hash, sum1[lane]);
        hash = mixIn(hash, sum2[lane]);
    }
    for (std::size_t i = wordCount * 8; i < size; ++i)
        hash =
            mixIn(hash, static_cast<unsigned char>(bytes[qsizetype(i)]) + (std::uint64_t{i} << 8));
    return mixIn(hash, size);
}

QByteArray randomBytes(qsizetype size, quint32 seed) {
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(generator.bounded(256));
    return bytes;
}

std::string_view viewOf(const QByteArray& bytes) {
    return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

} // namespace

class TestChecksum : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void matchesReferenceForManySizes();
    void pinnedValues();
    void everyByteMatters();
    void handlerWritesIntAndReadsBlobs();
    void missingFieldFailsThatTaskOnly();
    void steadyStateDoesNotAllocate();
};

void TestChecksum::schema() {
    const HandlerInfo info = ChecksumHandler::info();
    QCOMPARE(info.name, QStringLiteral("checksum"));
    QCOMPARE(info.category, QStringLiteral("Bytes"));
    QCOMPARE(info.param("field")->defaultValue.toString(), QStringLiteral("payload"));
    QCOMPARE(info.param("output_field")->defaultValue.toString(), QStringLiteral("checksum"));
}

void TestChecksum::matchesReferenceForManySizes() {
    for (qsizetype size : {0, 1, 7, 8, 31, 32, 33, 63, 64, 65, 100, 257, 4096, 1 << 20}) {
        const QByteArray bytes = randomBytes(size, quint32(size) + 1);
        QCOMPARE(ChecksumHandler::checksum(viewOf(bytes)), referenceChecksum(bytes));
    }
    // Unaligned start.
    const QByteArray bytes = randomBytes(1001, 5);
    QCOMPARE(ChecksumHandler::checksum(viewOf(bytes).substr(3)), referenceChecksum(bytes.mid(3)));
}

void TestChecksum::pinnedValues() {
    // Checksums may be stored or compared across builds: the algorithm must not drift.
    QCOMPARE(ChecksumHandler::checksum(""), referenceChecksum(QByteArray()));
    const QByteArray text("The quick brown fox jumps over the lazy dog");
    const std::uint64_t expected = referenceChecksum(text);
    QCOMPARE(ChecksumHandler::checksum(viewOf(text)), expected);
    QCOMPARE(QString::number(expected, 16), QStringLiteral("2302e7d783dec0a6"));
    QCOMPARE(QString::number(ChecksumHandler::checksum(""), 16),
             QStringLiteral("7da694102effb4a4"));
}

void TestChecksum::everyByteMatters() {
    const QByteArray original = randomBytes(200, 42);
    const std::uint64_t base = ChecksumHandler::checksum(viewOf(original));
    for (qsizetype i = 0; i < original.size(); ++i) {
        QByteArray changed = original;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        QVERIFY2(ChecksumHandler::checksum(viewOf(changed)) != base,
                 qPrintable(QString::number(i)));
    }
    // Swapping two 8-byte words of a block changes it too (not just a sum of bytes).
    QByteArray swapped = original;
    std::memcpy(swapped.data(), original.constData() + 32, 8);
    std::memcpy(swapped.data() + 32, original.constData(), 8);
    QVERIFY(ChecksumHandler::checksum(viewOf(swapped)) != base);
    // Appending a zero byte changes it (the length counts).
    QVERIFY(ChecksumHandler::checksum(viewOf(original + QByteArray(1, '\0'))) != base);
}

void TestChecksum::handlerWritesIntAndReadsBlobs() {
    const QByteArray bytes = randomBytes(5000, 9);
    auto handler = Testing::startHandler<ChecksumHandler>(
        QJsonObject{{"field", "data"}, {"output_field", "sum"}});
    std::vector<Task> batch(3);
    batch[0].set("data", Value::fromBytes(bytes));
    batch[1].set(
        "data", Value::fromBlob(
                    {.offset = 0, .size = std::uint64_t(bytes.size()), .data = bytes.constData()}));
    batch[2].set("data", Value("text"));
    handler->handle(batch);
    const auto expected = static_cast<std::int64_t>(ChecksumHandler::checksum(viewOf(bytes)));
    QCOMPARE(batch[0].find("sum")->type(), ValueType::Int);
    QCOMPARE(batch[0].intField("sum"), expected);
    QCOMPARE(batch[1].intField("sum"), expected);
    QCOMPARE(batch[2].intField("sum"),
             static_cast<std::int64_t>(ChecksumHandler::checksum("text")));
    QVERIFY(!batch[1].isFailed());
}

void TestChecksum::missingFieldFailsThatTaskOnly() {
    auto handler = Testing::startHandler<ChecksumHandler>();
    std::vector<Task> batch(2);
    batch[0].set("payload", Value(1.5));
    batch[1].set("payload", Value::fromBytes(QByteArray("ok")));
    handler->handle(batch);
    QVERIFY(batch[0].isFailed());
    QCOMPARE(batch[0].failureMessage(), std::string("field 'payload' is missing or not bytes"));
    QVERIFY(!batch[1].isFailed());
    QVERIFY(batch[1].has("checksum"));
}

void TestChecksum::steadyStateDoesNotAllocate() {
    auto handler = Testing::startHandler<ChecksumHandler>();
    std::vector<Task> batch(8);
    for (Task& task : batch)
        task.set("payload", Value::fromBytes(randomBytes(10000, 3)));
    handler->handle(batch);
    const long before = Testing::allocationCount();
    handler->handle(batch);
    QCOMPARE(Testing::allocationCount() - before, 0L);
}

QTEST_GUILESS_MAIN(TestChecksum)
#include "tst_checksum.moc"
