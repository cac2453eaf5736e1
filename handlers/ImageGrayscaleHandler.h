#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <QByteArray>

#include <string>

namespace Aqueduct {

/// `image_grayscale`: decodes an encoded image (PNG, JPEG, ...) from a bytes field,
/// converts it to 8-bit grayscale and stores it re-encoded. The only QtGui user among the
/// built-ins (QImage works without a QGuiApplication).
class ImageGrayscaleHandler final : public Handler {
public:
    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

private:
    std::string m_field = "image";
    std::string m_outputField = "image";
    QByteArray m_format = "png";
    std::string m_missingMessage;
    std::string m_undecodableMessage;
    std::string m_encodeMessage;
    QByteArray m_encoded; // reused across tasks
};

} // namespace Aqueduct
