#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <opencv2/dnn.hpp>

#include <map>
#include <string>
#include <vector>

namespace AqueductVision {

/// `onnx_infer`: runs an ONNX model (OpenCV dnn) on float32 [C, H, W] tensors. The model
/// is loaded once per worker in onStart; a batch of N tasks is ONE forward pass on an
/// [N, C, H, W] blob, its output split back into one tensor per task.
class OnnxInferHandler final : public Aqueduct::Handler {
public:
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    void runGroup(std::span<Aqueduct::Task> batch, const std::vector<std::size_t>& members,
                  const Aqueduct::TensorInfo& shape);

    cv::dnn::Net loadNet() const;
    cv::dnn::Net& netFor(const std::vector<int>& dims);

    static constexpr std::size_t kMaxCachedNets = 16;
    std::vector<unsigned char> m_modelBytes;         ///< the .onnx file, read once in onStart
    std::map<std::vector<int>, cv::dnn::Net> m_nets; ///< by input shape [N, C, H, W]
    std::string m_field;
    std::string m_outputField;
    std::string m_inputName;
    std::string m_outputName;
    std::string m_batchSizeField;
    bool m_keepInput = false;
    std::string m_prefix;
    cv::Mat m_blob; // reused across batches
};

} // namespace AqueductVision
