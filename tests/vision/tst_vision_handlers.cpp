// The vision plugin's handlers, loaded from the built plugin as the app loads it.
#include <aqueduct/Handler.h>
#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PluginLoader.h>

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

using namespace Aqueduct;

namespace {

const QString kModel = QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/models/classifier.onnx");

// A handler from the registry, started the way a worker starts it.
std::unique_ptr<Handler> start(const QString& name, const QJsonObject& params = {}) {
    const HandlerInfo* info = HandlerRegistry::global().find(name);
    if (!info)
        throw std::runtime_error("no handler " + name.toStdString());
    const QList<Problem> problems =
        HandlerRegistry::global().checkParams(*info, params, QStringLiteral("params"));
    if (!problems.isEmpty())
        throw std::runtime_error(problems.first().message.toStdString());
    std::unique_ptr<Handler> handler = HandlerRegistry::global().create(name);
    handler->onStart(
        HandlerParams(HandlerRegistry::withDefaults(*info, params), QStringLiteral("step"), 0));
    return handler;
}

QByteArray encode(const QImage& image, const char* format) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

Value imageTensor(int height, int width, int channels, std::uint8_t fill) {
    Value value;
    const std::span<char> data =
        value.resetTensor(TensorInfo(TensorDType::UInt8, {height, width, channels}));
    std::memset(data.data(), fill, data.size());
    return value;
}

std::vector<float> floats(const Value& value) {
    const std::string_view data = value.tensorData();
    std::vector<float> out(data.size() / sizeof(float));
    std::memcpy(out.data(), data.data(), out.size() * sizeof(float));
    return out;
}

Value randomInput(quint32 seed) {
    QRandomGenerator random(seed);
    Value value;
    const std::span<char> data = value.resetTensor(TensorInfo(TensorDType::Float32, {3, 224, 224}));
    auto* out = reinterpret_cast<float*>(data.data());
    for (std::size_t i = 0; i < data.size() / sizeof(float); ++i)
        out[i] = float(random.generateDouble() * 4.0 - 2.0);
    return value;
}

} // namespace

class TestVisionHandlers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pluginRegistersTheHandlers();
    void decodeGivesAnRgbTensor();
    void decodeFailsOnlyTheBadTasks();
    void resizeModes();
    void normalizeScalesPerChannel();
    void normalizeRejectsAChannelMismatch();
    void onnxBatchIsOneForwardPassEqualToSingles();
    void onnxFailsOnlyTheBadTasks();
    void onnxStartErrors();
    void topKWithAndWithoutLabels();
};

void TestVisionHandlers::initTestCase() {
    qputenv("AQUEDUCT_PLUGIN_PATH", AQUEDUCT_BINARY_DIR "/lib/aqueduct/plugins");
    PluginLoader::loadSearchPath(HandlerRegistry::global());
    QVERIFY2(HandlerRegistry::global().contains(QStringLiteral("onnx_infer")),
             "vision_handlers.so was not found in the build tree");
}

void TestVisionHandlers::pluginRegistersTheHandlers() {
    for (const char* name :
         {"image_decode", "image_resize", "image_normalize", "onnx_infer", "top_k"}) {
        const HandlerInfo* info = HandlerRegistry::global().find(QString::fromLatin1(name));
        QVERIFY2(info, name);
        QCOMPARE(info->category, QStringLiteral("Vision"));
    }
    QVERIFY(HandlerRegistry::global()
                .find(QStringLiteral("onnx_infer"))
                ->param(QStringLiteral("model"))
                ->filePath);
    QVERIFY(HandlerRegistry::global()
                .find(QStringLiteral("top_k"))
                ->param(QStringLiteral("labels"))
                ->filePath);
}

void TestVisionHandlers::decodeGivesAnRgbTensor() {
    QImage image(5, 3, QImage::Format_RGB888);
    image.fill(QColor(10, 20, 30));
    image.setPixelColor(0, 0, QColor(255, 0, 0));
    const QByteArray png = encode(image, "PNG");
    for (const bool rgb : {true, false}) {
        auto decode = start(
            QStringLiteral("image_decode"),
            {{QStringLiteral("channel_order"), rgb ? QStringLiteral("rgb") : QStringLiteral("bgr")},
             {QStringLiteral("keep_input"), !rgb}});
        std::vector<Task> batch(1);
        batch[0].set("image", Value::fromBytes(png));
        decode->handle(batch);
        QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
        const Value* pixels = batch[0].find("pixels");
        QVERIFY(pixels && pixels->isTensor());
        QCOMPARE(pixels->tensorInfo(), TensorInfo(TensorDType::UInt8, {3, 5, 3}));
        const auto* data = reinterpret_cast<const std::uint8_t*>(pixels->tensorData().data());
        QCOMPARE(int(data[0]), rgb ? 255 : 0);
        QCOMPARE(int(data[2]), rgb ? 0 : 255);
        QCOMPARE(int(data[3]), rgb ? 10 : 30); // second pixel
        QCOMPARE(batch[0].has("image"), !rgb); // dropped unless keep_input
    }
}

void TestVisionHandlers::decodeFailsOnlyTheBadTasks() {
    QImage image(64, 48, QImage::Format_RGB888);
    image.fill(QColor(200, 100, 50));
    const QByteArray jpeg = encode(image, "JPG");
    auto decode = start(QStringLiteral("image_decode"));
    std::vector<Task> batch(5);
    batch[0].set("image", Value::fromBytes(jpeg));
    batch[1].set("image", Value::fromBytes(QByteArray("GIF89a but not really")));
    batch[2].set("image", Value::fromBytes(jpeg.left(jpeg.size() / 2)));
    batch[3].set("other", Value(1));
    batch[4].set("image", Value::fromBytes(jpeg));
    decode->handle(batch);
    QVERIFY(!batch[0].isFailed());
    QVERIFY(!batch[4].isFailed());
    QVERIFY(batch[1].isFailed());
    QVERIFY2(QString::fromStdString(batch[1].failureMessage())
                 .contains(QStringLiteral("image_decode: field 'image'")),
             batch[1].failureMessage().c_str());
    QVERIFY(batch[2].isFailed());
    QVERIFY2(
        QString::fromStdString(batch[2].failureMessage()).contains(QStringLiteral("truncated")),
        batch[2].failureMessage().c_str());
    QVERIFY(batch[3].isFailed());
    QVERIFY2(QString::fromStdString(batch[3].failureMessage()).contains(QStringLiteral("missing")),
             batch[3].failureMessage().c_str());
}

void TestVisionHandlers::resizeModes() {
    const QJsonObject size{{QStringLiteral("width"), 50}, {QStringLiteral("height"), 50}};
    QJsonObject letterbox = size;
    letterbox.insert(QStringLiteral("mode"), QStringLiteral("letterbox"));
    letterbox.insert(QStringLiteral("pad_value"), 7);
    QJsonObject crop = size;
    crop.insert(QStringLiteral("mode"), QStringLiteral("center_crop"));
    for (const QJsonObject& params : {size, letterbox, crop}) {
        auto resize = start(QStringLiteral("image_resize"), params);
        std::vector<Task> batch(2);
        batch[0].set("pixels", imageTensor(100, 200, 3, 100)); // wide
        batch[1].set("pixels", Value::fromTensor(TensorInfo(TensorDType::Float32, {2, 2, 3}),
                                                 std::string(48, '\0')));
        resize->handle(batch);
        QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
        const Value* out = batch[0].find("pixels");
        QCOMPARE(out->tensorInfo(), TensorInfo(TensorDType::UInt8, {50, 50, 3}));
        const auto* data = reinterpret_cast<const std::uint8_t*>(out->tensorData().data());
        const int topLeft = data[0];
        const int centre = data[(25 * 50 + 25) * 3];
        QCOMPARE(centre, 100);
        // A 2:1 image letterboxed into a square: 12.5 rows of padding above and below.
        QCOMPARE(topLeft,
                 params.value(QStringLiteral("mode")).toString() == QLatin1String("letterbox")
                     ? 7
                     : 100);
        QVERIFY(batch[1].isFailed()); // float32 is not an image
        QVERIFY2(QString::fromStdString(batch[1].failureMessage())
                     .contains(QStringLiteral("float32[2,2,3]")),
                 batch[1].failureMessage().c_str());
    }
}

void TestVisionHandlers::normalizeScalesPerChannel() {
    auto normalize = start(QStringLiteral("image_normalize"),
                           {{QStringLiteral("mean"), QStringLiteral("0.5, 0.25, 0")},
                            {QStringLiteral("std"), QStringLiteral("0.5, 0.25, 2")}});
    Value pixels;
    const std::span<char> data = pixels.resetTensor(TensorInfo(TensorDType::UInt8, {1, 2, 3}));
    const std::uint8_t values[] = {0, 51, 255, 255, 102, 0}; // two RGB pixels
    std::memcpy(data.data(), values, sizeof values);
    std::vector<Task> batch(1);
    batch[0].set("pixels", pixels);
    normalize->handle(batch);
    QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
    QVERIFY(!batch[0].has("pixels"));
    const Value* tensor = batch[0].find("tensor");
    QCOMPARE(tensor->tensorInfo(), TensorInfo(TensorDType::Float32, {3, 1, 2}));
    const std::vector<float> got = floats(*tensor);
    const double mean[] = {0.5, 0.25, 0};
    const double deviation[] = {0.5, 0.25, 2};
    for (int c = 0; c < 3; ++c) {
        for (int x = 0; x < 2; ++x) {
            const double expected = (values[x * 3 + c] / 255.0 - mean[c]) / deviation[c];
            QVERIFY2(std::abs(got[std::size_t(c * 2 + x)] - expected) < 1e-6,
                     qPrintable(QStringLiteral("c %1 x %2: %3 vs %4")
                                    .arg(c)
                                    .arg(x)
                                    .arg(got[std::size_t(c * 2 + x)])
                                    .arg(expected)));
        }
    }
}

void TestVisionHandlers::normalizeRejectsAChannelMismatch() {
    auto normalize = start(QStringLiteral("image_normalize"));
    std::vector<Task> batch(1);
    batch[0].set("pixels", imageTensor(4, 4, 1, 9)); // gray, but three means
    normalize->handle(batch);
    QVERIFY(batch[0].isFailed());
    QVERIFY2(
        QString::fromStdString(batch[0].failureMessage()).contains(QStringLiteral("1 channels")),
        batch[0].failureMessage().c_str());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             start(QStringLiteral("image_normalize"),
                                   {{QStringLiteral("std"), QStringLiteral("1, 0, 1")}}));
}

void TestVisionHandlers::onnxBatchIsOneForwardPassEqualToSingles() {
    auto infer = start(QStringLiteral("onnx_infer"),
                       {{QStringLiteral("model"), kModel},
                        {QStringLiteral("batch_size_field"), QStringLiteral("forward_batch")}});
    std::vector<Task> batch(5);
    for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i].set("tensor", randomInput(quint32(i + 1)));
    infer->handle(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        QVERIFY2(!batch[i].isFailed(), batch[i].failureMessage().c_str());
        QCOMPARE(batch[i].intField("forward_batch"), std::int64_t(5));
        QVERIFY(!batch[i].has("tensor"));
        std::vector<Task> single(1);
        single[0].set("tensor", randomInput(quint32(i + 1)));
        infer->handle(single);
        QCOMPARE(single[0].intField("forward_batch"), std::int64_t(1));
        const std::vector<float> together = floats(*batch[i].find("output"));
        const std::vector<float> alone = floats(*single[0].find("output"));
        QCOMPARE(batch[i].find("output")->tensorInfo(), TensorInfo(TensorDType::Float32, {10}));
        QCOMPARE(together.size(), alone.size());
        for (std::size_t k = 0; k < alone.size(); ++k)
            QVERIFY2(std::abs(together[k] - alone[k]) < 1e-5,
                     qPrintable(QStringLiteral("task %1 class %2").arg(i).arg(k)));
    }
}

void TestVisionHandlers::onnxFailsOnlyTheBadTasks() {
    auto infer = start(QStringLiteral("onnx_infer"), {{QStringLiteral("model"), kModel}});
    std::vector<Task> batch(4);
    batch[0].set("tensor", randomInput(1));
    batch[1].set("tensor", imageTensor(224, 224, 3, 0)); // uint8, not float32
    batch[2].set("tensor", Value::fromTensor(TensorInfo(TensorDType::Float32, {2, 8, 8}),
                                             std::string(2 * 64 * 4, '\0')));
    batch[3].set("tensor", randomInput(2));
    infer->handle(batch);
    QVERIFY(!batch[0].isFailed());
    QVERIFY(!batch[3].isFailed());
    QVERIFY(batch[1].isFailed());
    QVERIFY2(QString::fromStdString(batch[1].failureMessage())
                 .contains(QStringLiteral("uint8[224,224,3]")),
             batch[1].failureMessage().c_str());
    QVERIFY(batch[2].isFailed()); // 2 channels: the model's first convolution refuses it
    QVERIFY2(QString::fromStdString(batch[2].failureMessage())
                 .contains(QStringLiteral("rejected input float32[2,8,8]")),
             batch[2].failureMessage().c_str());
}

void TestVisionHandlers::onnxStartErrors() {
    QTemporaryDir dir;
    try {
        start(QStringLiteral("onnx_infer"),
              {{QStringLiteral("model"), dir.filePath(QStringLiteral("missing.onnx"))}});
        QFAIL("a missing model started");
    } catch (const std::runtime_error& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("does not exist")),
                 error.what());
    }
    QFile garbage(dir.filePath(QStringLiteral("garbage.onnx")));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("definitely not protobuf");
    garbage.close();
    try {
        start(QStringLiteral("onnx_infer"), {{QStringLiteral("model"), garbage.fileName()}});
        QFAIL("a garbage model started");
    } catch (const std::runtime_error& error) {
        QVERIFY2(
            QString::fromUtf8(error.what()).contains(QStringLiteral("not a model OpenCV can load")),
            error.what());
    }
}

void TestVisionHandlers::topKWithAndWithoutLabels() {
    QTemporaryDir dir;
    QFile labels(dir.filePath(QStringLiteral("labels.txt")));
    QVERIFY(labels.open(QIODevice::WriteOnly));
    labels.write("a\nb\nc\nd\ne\n");
    labels.close();
    const std::vector<float> scores = {0.1f, 0.5f, 0.2f, 0.05f, 0.15f};
    const std::string bytes(reinterpret_cast<const char*>(scores.data()),
                            scores.size() * sizeof(float));
    for (const bool withLabels : {true, false}) {
        QJsonObject params{{QStringLiteral("k"), 2}};
        if (withLabels)
            params.insert(QStringLiteral("labels"), labels.fileName());
        auto topK = start(QStringLiteral("top_k"), params);
        std::vector<Task> batch(2);
        batch[0].set("output", Value::fromTensor(TensorInfo(TensorDType::Float32, {1, 5}), bytes));
        batch[1].set("output", Value("not scores"));
        topK->handle(batch);
        QVERIFY2(!batch[0].isFailed(), batch[0].failureMessage().c_str());
        QCOMPARE(batch[0].find("label")->toQString(),
                 withLabels ? QStringLiteral("b") : QStringLiteral("1"));
        QCOMPARE(batch[0].doubleField("score"), double(0.5f));
        const QJsonArray top =
            QJsonDocument::fromJson(batch[0].find("top_k")->toByteArray()).array();
        QCOMPARE(top.size(), 2);
        QCOMPARE(top.at(1).toObject().value(QStringLiteral("label")).toString(),
                 withLabels ? QStringLiteral("c") : QStringLiteral("2"));
        QVERIFY(batch[1].isFailed());
    }
    QVERIFY_THROWS_EXCEPTION(
        std::runtime_error,
        start(QStringLiteral("top_k"),
              {{QStringLiteral("labels"), dir.filePath(QStringLiteral("none.txt"))}}));
}

QTEST_GUILESS_MAIN(TestVisionHandlers)
#include "tst_vision_handlers.moc"
