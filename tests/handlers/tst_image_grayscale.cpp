// image_grayscale: decode from bytes, convert to 8-bit gray, re-encode (PNG or JPEG).
#include "HandlerTestHelpers.h"
#include "ImageGrayscaleHandler.h"

#include <QBuffer>
#include <QImage>
#include <QTest>

using namespace Aqueduct;

namespace {

// A small colourful image: a red/green gradient with a blue square in it.
QImage makeColourImage() {
    QImage image(24, 16, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const bool inSquare = x >= 4 && x < 10 && y >= 4 && y < 10;
            image.setPixel(x, y, inSquare ? qRgb(10, 20, 250) : qRgb(x * 10, 255 - y * 15, 40));
        }
    }
    return image;
}

QByteArray encode(const QImage& image, const char* format) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

} // namespace

class TestImageGrayscale : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void pngInPngOut();
    void jpegOutput();
    void readsBlobsAndKeepsInputWhenOutputDiffers();
    void notAnImageFailsThatTaskOnly();
    void missingFieldFails();
};

void TestImageGrayscale::schema() {
    const HandlerInfo info = ImageGrayscaleHandler::info();
    QCOMPARE(info.name, QStringLiteral("image_grayscale"));
    QCOMPARE(info.category, QStringLiteral("Image"));
    QCOMPARE(info.param("field")->defaultValue.toString(), QStringLiteral("image"));
    QCOMPARE(info.param("output_field")->defaultValue.toString(), QStringLiteral("image"));
    QCOMPARE(info.param("format")->choices, QStringList({"png", "jpg"}));
    QCOMPARE(info.param("format")->defaultValue.toString(), QStringLiteral("png"));
}

void TestImageGrayscale::pngInPngOut() {
    const QImage original = makeColourImage();
    QVERIFY(!original.isGrayscale());
    const QByteArray png = encode(original, "PNG");
    QVERIFY(!png.isEmpty());

    auto handler = Testing::startHandler<ImageGrayscaleHandler>();
    std::vector<Task> batch(1);
    batch[0].set("image", Value::fromBytes(png));
    handler->handle(batch);
    QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
    const Value* output = batch[0].find("image");
    QCOMPARE(output->type(), ValueType::Bytes);
    QVERIFY(output->toByteArray().startsWith("\x89PNG"));

    const QImage result = QImage::fromData(output->toByteArray());
    QVERIFY(!result.isNull());
    QCOMPARE(result.size(), original.size());
    QVERIFY(result.isGrayscale());
    QCOMPARE(result.format(), QImage::Format_Grayscale8);
    // Lossless: each pixel is the original's gray value.
    const QImage expected = original.convertToFormat(QImage::Format_Grayscale8);
    for (int y = 0; y < result.height(); ++y) {
        for (int x = 0; x < result.width(); ++x)
            QCOMPARE(qGray(result.pixel(x, y)), qGray(expected.pixel(x, y)));
    }
    // The gradient survives as different grays (it is not a blank image).
    QVERIFY(qGray(result.pixel(0, 0)) != qGray(result.pixel(23, 15)));
}

void TestImageGrayscale::jpegOutput() {
    const QImage original = makeColourImage();
    auto handler = Testing::startHandler<ImageGrayscaleHandler>(QJsonObject{{"format", "jpg"}});
    std::vector<Task> batch(1);
    batch[0].set("image", Value::fromBytes(encode(original, "PNG")));
    handler->handle(batch);
    QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
    const QByteArray jpeg = batch[0].find("image")->toByteArray();
    QVERIFY(jpeg.startsWith("\xff\xd8\xff")); // JPEG SOI marker
    const QImage result = QImage::fromData(jpeg, "JPG");
    QVERIFY(!result.isNull());
    QCOMPARE(result.size(), original.size());
    QVERIFY(result.isGrayscale());
}

void TestImageGrayscale::readsBlobsAndKeepsInputWhenOutputDiffers() {
    const QByteArray png = encode(makeColourImage(), "PNG");
    auto handler = Testing::startHandler<ImageGrayscaleHandler>(
        QJsonObject{{"field", "photo"}, {"output_field", "gray"}});
    std::vector<Task> batch(1);
    batch[0].set(
        "photo",
        Value::fromBlob({.offset = 0, .size = std::uint64_t(png.size()), .data = png.constData()}));
    handler->handle(batch);
    QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
    QCOMPARE(batch[0].find("photo")->type(), ValueType::Blob);
    QCOMPARE(batch[0].find("gray")->type(), ValueType::Bytes);
    QVERIFY(QImage::fromData(batch[0].find("gray")->toByteArray()).isGrayscale());
}

void TestImageGrayscale::notAnImageFailsThatTaskOnly() {
    const QByteArray png = encode(makeColourImage(), "PNG");
    auto handler = Testing::startHandler<ImageGrayscaleHandler>();
    std::vector<Task> batch(4);
    batch[0].set("image", Value::fromBytes(QByteArray("definitely not an image")));
    batch[1].set("image", Value::fromBytes(png));
    batch[2].set("image", Value::fromBytes(png.left(png.size() / 3))); // truncated
    batch[3].set("image", Value::fromBytes(QByteArray()));
    handler->handle(batch);
    QVERIFY(batch[0].isFailed());
    QCOMPARE(batch[0].failureMessage(),
             std::string("field 'image' does not hold a decodable image"));
    // The failed task keeps its input.
    QCOMPARE(batch[0].find("image")->toByteArray(), QByteArray("definitely not an image"));
    QVERIFY(!batch[1].isFailed());
    QVERIFY(batch[2].isFailed());
    QVERIFY(batch[3].isFailed());
}

void TestImageGrayscale::missingFieldFails() {
    auto handler = Testing::startHandler<ImageGrayscaleHandler>();
    std::vector<Task> batch(2);
    batch[1].set("image", Value("a string, not bytes"));
    handler->handle(batch);
    QVERIFY(batch[0].isFailed());
    QCOMPARE(batch[0].failureMessage(), std::string("field 'image' is missing or not bytes"));
    QVERIFY(batch[1].isFailed());
}

QTEST_GUILESS_MAIN(TestImageGrayscale)
#include "tst_image_grayscale.moc"
