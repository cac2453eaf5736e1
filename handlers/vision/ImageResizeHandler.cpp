#include "ImageResizeHandler.h"

#include "VisionSupport.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace AqueductVision {

using namespace Aqueduct;

HandlerInfo ImageResizeHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("image_resize");
    info.category = QStringLiteral("Vision");
    info.description =
        QStringLiteral("Resizes a uint8 image tensor: stretch, letterbox or center crop.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("pixels"),
                  .description =
                      QStringLiteral("Field holding the uint8 [height, width, channels] tensor.")},
        ParamSpec{.name = QStringLiteral("output_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("pixels"),
                  .description =
                      QStringLiteral("Field that receives the resized tensor (may be the input).")},
        ParamSpec{.name = QStringLiteral("width"),
                  .type = ParamType::Int,
                  .defaultValue = 224,
                  .minimum = 1,
                  .maximum = 16384,
                  .description = QStringLiteral("Target width in pixels.")},
        ParamSpec{.name = QStringLiteral("height"),
                  .type = ParamType::Int,
                  .defaultValue = 224,
                  .minimum = 1,
                  .maximum = 16384,
                  .description = QStringLiteral("Target height in pixels.")},
        ParamSpec{.name = QStringLiteral("mode"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("stretch"),
                  .choices = {QStringLiteral("stretch"), QStringLiteral("letterbox"),
                              QStringLiteral("center_crop")},
                  .description = QStringLiteral(
                      "stretch ignores the aspect ratio; letterbox keeps it and pads; "
                      "center_crop keeps it and cuts the overhang.")},
        ParamSpec{.name = QStringLiteral("interpolation"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("linear"),
                  .choices = {QStringLiteral("nearest"), QStringLiteral("linear"),
                              QStringLiteral("cubic"), QStringLiteral("area")},
                  .description = QStringLiteral("Interpolation (OpenCV's INTER_*).")},
        ParamSpec{.name = QStringLiteral("pad_value"),
                  .type = ParamType::Int,
                  .defaultValue = 0,
                  .minimum = 0,
                  .maximum = 255,
                  .description = QStringLiteral("Letterbox padding value for every channel.")},
    };
    return info;
}

void ImageResizeHandler::onStart(const HandlerParams& params) {
    cv::setNumThreads(1);
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_outputField = params.stringValue(QStringLiteral("output_field")).toStdString();
    m_width = int(params.intValue(QStringLiteral("width")));
    m_height = int(params.intValue(QStringLiteral("height")));
    const QString mode = params.stringValue(QStringLiteral("mode"));
    m_mode = mode == QLatin1String("letterbox")     ? Mode::Letterbox
             : mode == QLatin1String("center_crop") ? Mode::CenterCrop
                                                    : Mode::Stretch;
    const QString interpolation = params.stringValue(QStringLiteral("interpolation"));
    m_interpolation = interpolation == QLatin1String("nearest") ? cv::INTER_NEAREST
                      : interpolation == QLatin1String("cubic") ? cv::INTER_CUBIC
                      : interpolation == QLatin1String("area")  ? cv::INTER_AREA
                                                                : cv::INTER_LINEAR;
    m_padValue = int(params.intValue(QStringLiteral("pad_value")));
    m_prefix = messagePrefix(params, "image_resize");
}

void ImageResizeHandler::handle(std::span<Task> batch) {
    cv::Mat scaled;
    cv::Mat result;
    for (Task& task : batch) {
        std::string error;
        const cv::Mat image = imageView(task.find(m_field), m_field, &error);
        if (image.empty()) {
            task.fail(m_prefix + error);
            continue;
        }
        const cv::Size target(m_width, m_height);
        if (m_mode == Mode::Stretch) {
            cv::resize(image, result, target, 0, 0, m_interpolation);
        } else {
            const double sx = double(m_width) / image.cols;
            const double sy = double(m_height) / image.rows;
            const double scale = m_mode == Mode::Letterbox ? std::min(sx, sy) : std::max(sx, sy);
            const int width = std::max(1, int(std::lround(image.cols * scale)));
            const int height = std::max(1, int(std::lround(image.rows * scale)));
            if (m_mode == Mode::Letterbox) {
                cv::resize(image, scaled,
                           cv::Size(std::min(width, m_width), std::min(height, m_height)), 0, 0,
                           m_interpolation);
                result.create(target, image.type());
                result.setTo(cv::Scalar::all(m_padValue));
                scaled.copyTo(
                    result(cv::Rect((m_width - scaled.cols) / 2, (m_height - scaled.rows) / 2,
                                    scaled.cols, scaled.rows)));
            } else {
                cv::resize(image, scaled,
                           cv::Size(std::max(width, m_width), std::max(height, m_height)), 0, 0,
                           m_interpolation);
                result = scaled(cv::Rect((scaled.cols - m_width) / 2, (scaled.rows - m_height) / 2,
                                         m_width, m_height));
            }
        }
        storeImage(task, m_outputField, result);
    }
}

} // namespace AqueductVision
