// Value: the typed field of a Task (null, bool, int, double, string, bytes, blob).
#include <aqueduct/Value.h>

#include <QTest>

#include <cmath>
#include <limits>

using Aqueduct::BlobRef;
using Aqueduct::Value;
using Aqueduct::ValueType;

class TestValue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void typeNames();
    void constructorsSetTypes();
    void viewOfStringsBytesAndBlobs();
    void bytesKeepEmbeddedNuls();
    void toBoolConversions_data();
    void toBoolConversions();
    void toIntConversions_data();
    void toIntConversions();
    void toIntClampsOutOfRangeDoubles();
    void toDoubleConversions_data();
    void toDoubleConversions();
    void toQStringForms();
    void variantRoundTrip_data();
    void variantRoundTrip();
    void fromVariantOtherNumericTypes();
    void equalityComparesTypeAndValue();
    void blobsCompareByBytes();
    void storageIsKeptAcrossReassignment();
};

void TestValue::typeNames() {
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Null), QStringLiteral("null"));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Bool), QStringLiteral("bool"));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Int), QStringLiteral("int"));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Double), QStringLiteral("double"));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::String), QStringLiteral("string"));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Bytes), QStringLiteral("bytes"));
    QCOMPARE(Aqueduct::valueTypeName(ValueType::Blob), QStringLiteral("blob"));
}

void TestValue::constructorsSetTypes() {
    QCOMPARE(Value().type(), ValueType::Null);
    QVERIFY(Value(nullptr).isNull());
    QCOMPARE(Value(true).type(), ValueType::Bool);
    QCOMPARE(Value(7).type(), ValueType::Int);
    QCOMPARE(Value(std::int64_t{1} << 40).toInt(), std::int64_t{1} << 40);
    QCOMPARE(Value(7LL).type(), ValueType::Int);
    QCOMPARE(Value(2.5).type(), ValueType::Double);
    QCOMPARE(Value("text").type(), ValueType::String);
    QCOMPARE(Value(QStringLiteral("grüße")).view(), std::string_view("gr\xc3\xbc\xc3\x9f"
                                                                     "e"));
    QCOMPARE(Value::fromString("abc").type(), ValueType::String);
    QCOMPARE(Value::fromBytes(std::string_view("abc")).type(), ValueType::Bytes);
    QCOMPARE(Value::fromBytes(QByteArray("abc")).type(), ValueType::Bytes);
    QVERIFY(Value(1).isNumber());
    QVERIFY(Value(1.5).isNumber());
    QVERIFY(!Value("1").isNumber());
    QVERIFY(Value::fromBytes(QByteArray("x")).isBinary());
    QVERIFY(!Value("x").isBinary());
}

void TestValue::viewOfStringsBytesAndBlobs() {
    QCOMPARE(Value("hello").view(), std::string_view("hello"));
    QCOMPARE(Value::fromBytes(QByteArray("\x01\x02", 2)).view().size(), std::size_t{2});

    static const char arena[] = "0123456789";
    const BlobRef blob{.offset = 3, .size = 4, .data = arena + 3};
    const Value value = Value::fromBlob(blob);
    QCOMPARE(value.type(), ValueType::Blob);
    QVERIFY(value.isBinary());
    QCOMPARE(value.view(), std::string_view("3456"));
    // The view points into the blob's mapping: no copy is made.
    QCOMPARE(static_cast<const void*>(value.view().data()), static_cast<const void*>(arena + 3));
    QCOMPARE(value.blob().offset, std::uint64_t{3});
    QCOMPARE(value.toByteArray(), QByteArray("3456"));

    QVERIFY(Value(5).view().empty());
    QVERIFY(Value().view().empty());
    QVERIFY(Value::fromBlob(BlobRef{}).view().empty());
}

void TestValue::bytesKeepEmbeddedNuls() {
    const QByteArray raw("a\0b\0c", 5);
    const Value value = Value::fromBytes(raw);
    QCOMPARE(value.view().size(), std::size_t{5});
    QCOMPARE(value.toByteArray(), raw);
    QCOMPARE(value.toVariant().toByteArray(), raw);
}

void TestValue::toBoolConversions_data() {
    QTest::addColumn<Value>("value");
    QTest::addColumn<bool>("expected");
    QTest::newRow("null") << Value() << false;
    QTest::newRow("true") << Value(true) << true;
    QTest::newRow("false") << Value(false) << false;
    QTest::newRow("int 0") << Value(0) << false;
    QTest::newRow("int -3") << Value(-3) << true;
    QTest::newRow("double 0") << Value(0.0) << false;
    QTest::newRow("double 0.5") << Value(0.5) << true;
    QTest::newRow("double nan") << Value(std::nan("")) << false;
    QTest::newRow("string true") << Value("true") << true;
    QTest::newRow("string TRUE") << Value(" TRUE ") << true;
    QTest::newRow("string yes") << Value("yes") << true;
    QTest::newRow("string false") << Value("false") << false;
    QTest::newRow("string 1") << Value("1") << true;
    QTest::newRow("string 0") << Value("0") << false;
    QTest::newRow("string empty") << Value("") << false;
    QTest::newRow("string other") << Value("banana") << false;
    QTest::newRow("bytes") << Value::fromBytes(QByteArray("x")) << true;
    QTest::newRow("bytes empty") << Value::fromBytes(QByteArray()) << false;
}

void TestValue::toBoolConversions() {
    QFETCH(Value, value);
    QFETCH(bool, expected);
    QCOMPARE(value.toBool(), expected);
}

void TestValue::toIntConversions_data() {
    QTest::addColumn<Value>("value");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("null") << Value() << qint64(0);
    QTest::newRow("bool") << Value(true) << qint64(1);
    QTest::newRow("int") << Value(std::int64_t{-42}) << qint64(-42);
    QTest::newRow("double truncates") << Value(2.9) << qint64(2);
    QTest::newRow("negative double truncates") << Value(-2.9) << qint64(-2);
    QTest::newRow("string int") << Value(" 123 ") << qint64(123);
    QTest::newRow("string plus") << Value("+7") << qint64(7);
    QTest::newRow("string negative") << Value("-9000000000") << qint64(-9000000000LL);
    QTest::newRow("string double") << Value("2.5") << qint64(2);
    QTest::newRow("string exponent") << Value("1e3") << qint64(1000);
    QTest::newRow("string junk") << Value("12abc") << qint64(0);
    QTest::newRow("string empty") << Value("") << qint64(0);
    QTest::newRow("bytes") << Value::fromBytes(QByteArray("12")) << qint64(0);
}

void TestValue::toIntConversions() {
    QFETCH(Value, value);
    QFETCH(qint64, expected);
    QCOMPARE(value.toInt(), expected);
}

void TestValue::toIntClampsOutOfRangeDoubles() {
    QCOMPARE(Value(1e300).toInt(), std::numeric_limits<std::int64_t>::max());
    QCOMPARE(Value(-1e300).toInt(), std::numeric_limits<std::int64_t>::min());
    QCOMPARE(Value(std::nan("")).toInt(), std::int64_t{0});
    QCOMPARE(Value(std::numeric_limits<double>::infinity()).toInt(),
             std::numeric_limits<std::int64_t>::max());
    QCOMPARE(Value("99999999999999999999").toInt(), std::numeric_limits<std::int64_t>::max());
}

void TestValue::toDoubleConversions_data() {
    QTest::addColumn<Value>("value");
    QTest::addColumn<double>("expected");
    QTest::newRow("null") << Value() << 0.0;
    QTest::newRow("bool") << Value(true) << 1.0;
    QTest::newRow("int") << Value(-4) << -4.0;
    QTest::newRow("double") << Value(0.25) << 0.25;
    QTest::newRow("string") << Value(" 2.5 ") << 2.5;
    QTest::newRow("string exponent") << Value("-1.5e2") << -150.0;
    QTest::newRow("string junk") << Value("x1") << 0.0;
    QTest::newRow("bytes") << Value::fromBytes(QByteArray("1.5")) << 0.0;
}

void TestValue::toDoubleConversions() {
    QFETCH(Value, value);
    QFETCH(double, expected);
    QCOMPARE(value.toDouble(), expected);
}

void TestValue::toQStringForms() {
    QVERIFY(Value().toQString().isNull());
    QCOMPARE(Value(true).toQString(), QStringLiteral("true"));
    QCOMPARE(Value(false).toQString(), QStringLiteral("false"));
    QCOMPARE(Value(std::int64_t{-9000000000LL}).toQString(), QStringLiteral("-9000000000"));
    QCOMPARE(Value(0.1).toQString(), QStringLiteral("0.1"));
    QCOMPARE(Value(2.0).toQString(), QStringLiteral("2"));
    QCOMPARE(Value("\xc3\xa9t\xc3\xa9").toQString(), QString::fromUtf8("\xc3\xa9t\xc3\xa9"));
    QCOMPARE(Value(42).toByteArray(), QByteArray("42"));
    QCOMPARE(Value("text").toByteArray(), QByteArray("text"));
}

void TestValue::variantRoundTrip_data() {
    QTest::addColumn<Value>("value");
    QTest::newRow("null") << Value();
    QTest::newRow("bool") << Value(true);
    QTest::newRow("int") << Value(std::int64_t{1} << 50);
    QTest::newRow("double") << Value(-0.125);
    QTest::newRow("string") << Value("ünïcode");
    QTest::newRow("bytes") << Value::fromBytes(QByteArray("\x00\xff\x10", 3));
}

void TestValue::variantRoundTrip() {
    QFETCH(Value, value);
    const QVariant variant = value.toVariant();
    QVERIFY(Value::fromVariant(variant) == value);
}

void TestValue::fromVariantOtherNumericTypes() {
    QCOMPARE(Value::fromVariant(QVariant(5u)).type(), ValueType::Int);
    QCOMPARE(Value::fromVariant(QVariant(5u)).toInt(), std::int64_t{5});
    QCOMPARE(Value::fromVariant(QVariant(1.5f)).type(), ValueType::Double);
    QCOMPARE(Value::fromVariant(QVariant(qulonglong(7))).type(), ValueType::Int);
    // Beyond int64: kept as a number rather than wrapped to a negative int.
    const Value huge = Value::fromVariant(QVariant(std::numeric_limits<qulonglong>::max()));
    QCOMPARE(huge.type(), ValueType::Double);
    QVERIFY(huge.toDouble() > 1e19);
    QVERIFY(Value::fromVariant(QVariant()).isNull());
    QVERIFY(Value::fromVariant(QVariant::fromValue(nullptr)).isNull());
    QCOMPARE(Value::fromVariant(QVariant(QStringLiteral("s"))).type(), ValueType::String);
    QCOMPARE(Value::fromVariant(QVariant(QByteArray("b"))).type(), ValueType::Bytes);
    QCOMPARE(Value::fromVariant(QVariant(true)).type(), ValueType::Bool);
}

void TestValue::equalityComparesTypeAndValue() {
    QVERIFY(Value() == Value());
    QVERIFY(Value(1) == Value(1));
    QVERIFY(!(Value(1) == Value(2)));
    QVERIFY(!(Value(1) == Value(1.0)));
    QVERIFY(!(Value(1) == Value(true)));
    QVERIFY(Value(1.5) == Value(1.5));
    QVERIFY(Value("a") == Value::fromString("a"));
    QVERIFY(!(Value("a") == Value::fromBytes(QByteArray("a"))));
    QVERIFY(!(Value("a") == Value("b")));
    QVERIFY(!(Value() == Value(0)));

    // A value that was a long string before keeps its storage, but compares by its current
    // type and value only.
    Value reused("a long string that was here before");
    reused.setInt(3);
    QVERIFY(reused == Value(3));
}

void TestValue::blobsCompareByBytes() {
    static const char first[] = "payload-payload";
    static const char second[] = "xxpayloadyy";
    const Value a = Value::fromBlob(BlobRef{.offset = 0, .size = 7, .data = first});
    const Value b = Value::fromBlob(BlobRef{.offset = 100, .size = 7, .data = second + 2});
    QVERIFY(a == b);
    const Value c = Value::fromBlob(BlobRef{.offset = 0, .size = 6, .data = first});
    QVERIFY(!(a == c));
    QVERIFY(!(a == Value::fromBytes(QByteArray("payload"))));
}

void TestValue::storageIsKeptAcrossReassignment() {
    Value value;
    const std::string longText(1000, 'x');
    value.setString(longText);
    const std::size_t capacity = value.storage().capacity();
    QVERIFY(capacity >= 1000);
    value.setInt(1);
    value.setBytes("short");
    QCOMPARE(value.storage().capacity(), capacity);
    QCOMPARE(value.view(), std::string_view("short"));
    QCOMPARE(value.type(), ValueType::Bytes);
}

QTEST_GUILESS_MAIN(TestValue)
#include "tst_value.moc"
