#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace AqueductVision {

/// `image_normalize`: uint8 [height, width, channels] -> float32 [channels, height, width],
/// each value (pixel * scale - mean[c]) / std[c].
class ImageNormalizeHandler final : public Aqueduct::Handler {
public:
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    std::string m_field;
    std::string m_outputField;
    double m_scale = 1.0 / 255.0;
    std::vector<double> m_mean;
    std::vector<double> m_std;
    bool m_keepInput = false;
    std::string m_prefix;
    std::vector<cv::Mat> m_planes; ///< one uint8 plane per channel, reused across tasks
};

} // namespace AqueductVision
