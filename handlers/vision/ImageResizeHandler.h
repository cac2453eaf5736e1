#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <string>

namespace AqueductVision {

/// `image_resize`: a uint8 image tensor to width x height: stretched, letterboxed (aspect
/// kept, padded) or center-cropped (aspect kept, cut), with the chosen interpolation.
class ImageResizeHandler final : public Aqueduct::Handler {
public:
    enum class Mode { Stretch, Letterbox, CenterCrop };
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    std::string m_field;
    std::string m_outputField;
    int m_width = 224;
    int m_height = 224;
    Mode m_mode = Mode::Stretch;
    int m_interpolation = 1;
    int m_padValue = 0;
    std::string m_prefix;
};

} // namespace AqueductVision
