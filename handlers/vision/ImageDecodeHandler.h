#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <string>

namespace AqueductVision {

/// `image_decode`: JPEG/PNG/WebP/BMP bytes (or blob) -> uint8 [height, width, 3] tensor.
/// A corrupt or truncated image fails its own task, never the worker.
class ImageDecodeHandler final : public Aqueduct::Handler {
public:
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    std::string m_field;
    std::string m_outputField;
    bool m_rgb = true;
    bool m_keepInput = false;
    std::string m_prefix;
};

} // namespace AqueductVision
