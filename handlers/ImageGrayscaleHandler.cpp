#include "ImageGrayscaleHandler.h"

#include <QBuffer>
#include <QByteArrayView>
#include <QImage>

namespace Aqueduct {

HandlerInfo ImageGrayscaleHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("image_grayscale");
    info.category = QStringLiteral("Image");
    info.description = QStringLiteral(
        "Decodes an image from a bytes field, converts it to grayscale and re-encodes it.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("image"),
                  .description = QStringLiteral(
                      "Task field holding the encoded image (PNG, JPEG, GIF, BMP, ...) as "
                      "bytes or a shared blob. A task whose field is not an image fails.")},
        ParamSpec{.name = QStringLiteral("output_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("image"),
                  .description = QStringLiteral(
                      "Task field that receives the grayscale image as bytes (may be the "
                      "input field, which is then replaced).")},
        ParamSpec{.name = QStringLiteral("format"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("png"),
                  .choices = {QStringLiteral("png"), QStringLiteral("jpg")},
                  .description = QStringLiteral(
                      "Encoding of the output: png (lossless) or jpg (smaller, lossy).")},
    };
    return info;
}

void ImageGrayscaleHandler::onStart(const HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_outputField = params.stringValue(QStringLiteral("output_field")).toStdString();
    m_format = params.stringValue(QStringLiteral("format")) == QLatin1String("jpg")
                   ? QByteArray("jpg")
                   : QByteArray("png");
    m_missingMessage = "field '" + m_field + "' is missing or not bytes";
    m_undecodableMessage = "field '" + m_field + "' does not hold a decodable image";
    m_encodeMessage = "image_grayscale: could not encode the image as " + m_format.toStdString();
}

void ImageGrayscaleHandler::handle(std::span<Task> batch) {
    for (Task& task : batch) {
        const Value* input = task.find(m_field);
        if (input == nullptr || !input->isBinary()) {
            task.fail(m_missingMessage);
            continue;
        }
        const std::string_view bytes = input->view();
        QImage image;
        // QByteArrayView: the decoder reads the field (or shared blob) in place.
        if (bytes.empty() || !image.loadFromData(QByteArrayView(
                                 bytes.data(), static_cast<qsizetype>(bytes.size())))) {
            task.fail(m_undecodableMessage);
            continue;
        }
        const QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
        m_encoded.clear();
        QBuffer buffer(&m_encoded);
        buffer.open(QIODevice::WriteOnly);
        if (!gray.save(&buffer, m_format.constData())) {
            task.fail(m_encodeMessage);
            continue;
        }
        buffer.close();
        task[m_outputField].setBytes(
            std::string_view(m_encoded.constData(), static_cast<std::size_t>(m_encoded.size())));
    }
}

} // namespace Aqueduct
