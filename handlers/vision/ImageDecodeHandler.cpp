#include "ImageDecodeHandler.h"

#include "VisionSupport.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace AqueductVision {

using namespace Aqueduct;

namespace {

// libjpeg decodes a cut-off JPEG "successfully", filling the missing rows with gray; its
// end-of-image marker (FF D9) must close the data (up to a little trailing padding).
bool isTruncatedJpeg(std::string_view bytes) {
    if (bytes.size() < 3 || bytes.substr(0, 3) != std::string_view("\xFF\xD8\xFF", 3))
        return false;
    constexpr std::size_t kTrailingPaddingBytes = 4096;
    const std::size_t end = bytes.rfind(std::string_view("\xFF\xD9", 2));
    return end == std::string_view::npos || bytes.size() - (end + 2) > kTrailingPaddingBytes;
}

} // namespace

HandlerInfo ImageDecodeHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("image_decode");
    info.category = QStringLiteral("Vision");
    info.description =
        QStringLiteral("Decodes a JPEG, PNG, WebP or BMP image (bytes or blob) into a uint8 "
                       "[height, width, 3] tensor.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("image"),
                  .description =
                      QStringLiteral("Field holding the encoded image as bytes or a shared blob.")},
        ParamSpec{.name = QStringLiteral("output_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("pixels"),
                  .description =
                      QStringLiteral("Field that receives the uint8 [height, width, 3] tensor.")},
        ParamSpec{.name = QStringLiteral("channel_order"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("rgb"),
                  .choices = {QStringLiteral("rgb"), QStringLiteral("bgr")},
                  .description =
                      QStringLiteral("Channel order of the output (most models want rgb).")},
        ParamSpec{.name = QStringLiteral("keep_input"),
                  .type = ParamType::Bool,
                  .defaultValue = false,
                  .description =
                      QStringLiteral("Keep the encoded image in the task (dropped by default: "
                                     "smaller tasks downstream).")},
    };
    return info;
}

void ImageDecodeHandler::onStart(const HandlerParams& params) {
    cv::setNumThreads(1); // nprocs gives the parallelism
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_outputField = params.stringValue(QStringLiteral("output_field")).toStdString();
    m_rgb = params.stringValue(QStringLiteral("channel_order")) != QLatin1String("bgr");
    m_keepInput = params.boolValue(QStringLiteral("keep_input"));
    m_prefix = messagePrefix(params, "image_decode");
}

void ImageDecodeHandler::handle(std::span<Task> batch) {
    cv::Mat decoded;
    for (Task& task : batch) {
        const Value* input = task.find(m_field);
        if (input == nullptr || !input->isBinary()) {
            task.fail(
                m_prefix + "field '" + m_field + "' is " +
                (input ? valueTypeName(input->type()).toStdString() : std::string("missing")) +
                ", not the bytes of an encoded image");
            continue;
        }
        const std::string_view bytes = input->view();
        if (isTruncatedJpeg(bytes)) {
            task.fail(m_prefix + "field '" + m_field + "' is a truncated JPEG (" +
                      std::to_string(bytes.size()) + " bytes, no end-of-image marker)");
            continue;
        }
        try {
            if (!bytes.empty()) {
                const cv::Mat encoded(1, int(std::min<std::size_t>(bytes.size(), INT32_MAX)),
                                      CV_8UC1, const_cast<char*>(bytes.data()));
                decoded = cv::imdecode(encoded, cv::IMREAD_COLOR);
            } else {
                decoded.release();
            }
        } catch (const cv::Exception& error) {
            task.fail(m_prefix + "field '" + m_field +
                      "' is not a decodable image: " + error.what());
            continue;
        }
        if (decoded.empty()) {
            task.fail(
                m_prefix + "field '" + m_field + "' (" + std::to_string(bytes.size()) +
                " bytes) is not a decodable JPEG, PNG, WebP or BMP image, or it is truncated");
            continue;
        }
        if (m_rgb) {
            // Straight into the output tensor (no copy of the decoded pixels after it).
            const TensorInfo info(TensorDType::UInt8,
                                  {decoded.rows, decoded.cols, decoded.channels()});
            cv::Mat target(decoded.rows, decoded.cols, decoded.type(),
                           outputTensor(task, m_outputField, info).data());
            cv::cvtColor(decoded, target, cv::COLOR_BGR2RGB);
        } else {
            storeImage(task, m_outputField, decoded);
        }
        if (!m_keepInput && m_field != m_outputField)
            task.remove(m_field);
    }
}

} // namespace AqueductVision
