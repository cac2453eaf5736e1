// model/Base64: decodeBase64 must accept exactly what Qt's strict decoder accepts and give
// the same bytes (it replaced QByteArray::fromBase64Encoding for "$bytes" and "$tensor"),
// checked against Qt on clean, unpadded, corrupted and non-ASCII input.
#include "model/Base64.h"

#include <QRandomGenerator>
#include <QTest>

using Aqueduct::Internal::decodeBase64;

namespace {

/// What Qt says: nullopt when it refuses the input.
std::optional<QByteArray> qtDecode(const QString& text) {
    QByteArray::FromBase64Result result =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return result.decoded;
}

QByteArray randomBytes(QRandomGenerator& random, int size) {
    QByteArray bytes(size, Qt::Uninitialized);
    for (char& byte : bytes)
        byte = char(random.bounded(256));
    return bytes;
}

} // namespace

class TestBase64 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void knownValues_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("empty") << "" << true << QByteArray();
        QTest::newRow("one byte") << "QQ==" << true << QByteArray("A");
        QTest::newRow("two bytes") << "QUI=" << true << QByteArray("AB");
        QTest::newRow("three bytes") << "QUJD" << true << QByteArray("ABC");
        QTest::newRow("stray low bits dropped") << "QR==" << true << QByteArray("A");
        QTest::newRow("all values") << "+/+/" << true << QByteArray("\xfb\xff\xbf", 3);
        QTest::newRow("bad character") << "QU!D" << false << QByteArray();
        QTest::newRow("padding inside") << "QQ==QUJD" << false << QByteArray();
        QTest::newRow("url alphabet") << "-_-_" << false << QByteArray();
        QTest::newRow("space") << "QUJD QUJD" << false << QByteArray();
        QTest::newRow("non-latin1") << QStringLiteral("QUJ\u4e2d") << false << QByteArray();
        QTest::newRow("latin1 high") << QStringLiteral("QUJ\u00e9") << false << QByteArray();
    }
    void knownValues() {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(QByteArray, bytes);
        const std::optional<QByteArray> decoded = decodeBase64(text);
        QCOMPARE(decoded.has_value(), ok);
        if (ok)
            QCOMPARE(*decoded, bytes);
        // And Qt agrees on every one of these.
        const std::optional<QByteArray> qt = qtDecode(text);
        QCOMPARE(qt.has_value(), ok);
        if (ok)
            QCOMPARE(*qt, bytes);
    }

    void sameAsQtOnRandomInput() {
        QRandomGenerator random(20261202);
        const QString noise = QStringLiteral("=+/-_ \n\tA0z\u00e9\u4e2d\x01");
        int refused = 0;
        for (int round = 0; round < 20000; ++round) {
            const QByteArray bytes = randomBytes(random, int(random.bounded(40)));
            QString text = QString::fromLatin1(bytes.toBase64(random.bounded(4) == 0
                                                                  ? QByteArray::OmitTrailingEquals
                                                                  : QByteArray::Base64Encoding));
            // Most rounds get damaged: replaced, inserted or removed characters.
            const int edits = int(random.bounded(4));
            for (int e = 0; e < edits && !text.isEmpty(); ++e) {
                const qsizetype at = random.bounded(int(text.size()));
                const QChar c = noise[random.bounded(int(noise.size()))];
                switch (random.bounded(3)) {
                case 0:
                    text[at] = c;
                    break;
                case 1:
                    text.insert(at, c);
                    break;
                default:
                    text.remove(at, 1);
                    break;
                }
            }
            const std::optional<QByteArray> ours = decodeBase64(text);
            const std::optional<QByteArray> qt = qtDecode(text);
            QVERIFY2(ours.has_value() == qt.has_value(), qPrintable(text));
            if (ours)
                QVERIFY2(*ours == *qt, qPrintable(text));
            else
                ++refused;
            if (edits == 0) // padded or not, an undamaged encoding decodes to its bytes
                QVERIFY2(ours && *ours == bytes, qPrintable(text));
        }
        QVERIFY(refused > 1000); // the damaged inputs did test the refusals
    }

    void largePayloadRoundTrips() {
        QRandomGenerator random(7);
        const QByteArray bytes = randomBytes(random, 1 << 20);
        const std::optional<QByteArray> decoded =
            decodeBase64(QString::fromLatin1(bytes.toBase64()));
        QVERIFY(decoded);
        QCOMPARE(*decoded, bytes);
    }
};

QTEST_APPLESS_MAIN(TestBase64)
#include "tst_base64.moc"
