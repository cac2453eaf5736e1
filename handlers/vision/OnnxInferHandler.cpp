#include "OnnxInferHandler.h"

#include "VisionSupport.h"

#include <opencv2/core.hpp>

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace AqueductVision {

using namespace Aqueduct;

HandlerInfo OnnxInferHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("onnx_infer");
    info.category = QStringLiteral("Vision");
    info.description = QStringLiteral(
        "Runs an ONNX model on float32 [C, H, W] tensors, one forward pass per batch.");
    info.params = {
        ParamSpec{.name = QStringLiteral("model"),
                  .type = ParamType::String,
                  .description = QStringLiteral(
                      "Path of the .onnx file, relative to the pipeline file's folder. "
                      "Loaded once per worker when the flow starts."),
                  .required = true,
                  .filePath = true},
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("tensor"),
                  .description =
                      QStringLiteral("Field holding the float32 [C, H, W] input tensor.")},
        ParamSpec{.name = QStringLiteral("output_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("output"),
                  .description =
                      QStringLiteral("Field that receives the task's slice of the model output.")},
        ParamSpec{.name = QStringLiteral("input_name"),
                  .type = ParamType::String,
                  .defaultValue = QString(),
                  .description =
                      QStringLiteral("Model input to feed; empty = the model's only input.")},
        ParamSpec{.name = QStringLiteral("output_name"),
                  .type = ParamType::String,
                  .defaultValue = QString(),
                  .description =
                      QStringLiteral("Model output to read; empty = the model's last output.")},
        ParamSpec{.name = QStringLiteral("threads"),
                  .type = ParamType::Int,
                  .defaultValue = 1,
                  .minimum = 1,
                  .maximum = 256,
                  .description = QStringLiteral(
                      "Threads per forward pass (1: nprocs gives the parallelism).")},
        ParamSpec{.name = QStringLiteral("batch_size_field"),
                  .type = ParamType::String,
                  .defaultValue = QString(),
                  .description = QStringLiteral(
                      "If set, this field receives the number of tasks in the forward "
                      "pass that computed the task (how full batches are).")},
        ParamSpec{.name = QStringLiteral("keep_input"),
                  .type = ParamType::Bool,
                  .defaultValue = false,
                  .description =
                      QStringLiteral("Keep the input tensor in the task (dropped by default).")},
    };
    return info;
}

void OnnxInferHandler::onStart(const HandlerParams& params) {
    m_prefix = messagePrefix(params, "onnx_infer");
    cv::setNumThreads(int(params.intValue(QStringLiteral("threads"))));
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_outputField = params.stringValue(QStringLiteral("output_field")).toStdString();
    m_inputName = params.stringValue(QStringLiteral("input_name")).toStdString();
    m_outputName = params.stringValue(QStringLiteral("output_name")).toStdString();
    m_keepInput = params.boolValue(QStringLiteral("keep_input"));
    m_batchSizeField = params.stringValue(QStringLiteral("batch_size_field")).toStdString();

    const QString given = params.stringValue(QStringLiteral("model"));
    const QString path = resolvePipelinePath(given);
    const QFileInfo file(path);
    if (given.isEmpty())
        throw std::runtime_error(m_prefix + "the model parameter is empty");
    if (!file.isFile())
        throw std::runtime_error(m_prefix + "model file '" + path.toStdString() +
                                 "' does not exist");
    QFile model(path);
    if (!model.open(QIODevice::ReadOnly))
        throw std::runtime_error(m_prefix + "cannot read model file '" + path.toStdString() +
                                 "': " + model.errorString().toStdString());
    const QByteArray bytes = model.readAll();
    m_modelBytes.assign(bytes.begin(), bytes.end());
    m_nets.clear();
    cv::dnn::Net net;
    try {
        net = loadNet();
    } catch (const cv::Exception& error) {
        throw std::runtime_error(m_prefix + "model file '" + path.toStdString() +
                                 "' is not a model OpenCV can load: " + error.what());
    }
    if (net.empty())
        throw std::runtime_error(m_prefix + "model file '" + path.toStdString() +
                                 "' holds no network");
    if (!m_outputName.empty()) {
        if (net.getLayerId(m_outputName) < 0)
            throw std::runtime_error(m_prefix + "the model has no output named '" + m_outputName +
                                     "'");
    }
}

cv::dnn::Net OnnxInferHandler::loadNet() const {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(m_modelBytes.data()),
                                                m_modelBytes.size());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
}

cv::dnn::Net& OnnxInferHandler::netFor(const std::vector<int>& dims) {
    // OpenCV re-plans (and re-allocates) a network whenever its input shape changes, which
    // costs more than the forward pass: dynamic batches of 1..N would pay it on most calls.
    // One network per input shape keeps every plan.
    const auto found = m_nets.find(dims);
    if (found != m_nets.end())
        return found->second;
    if (m_nets.size() >= kMaxCachedNets)
        m_nets.erase(m_nets.begin());
    return m_nets.emplace(dims, loadNet()).first->second;
}

void OnnxInferHandler::handle(std::span<Task> batch) {
    // Tasks with the same input shape share one forward pass (normally the whole batch).
    std::vector<std::pair<TensorInfo, std::vector<std::size_t>>> groups;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        Task& task = batch[i];
        const Value* input = task.find(m_field);
        if (input == nullptr || !input->isTensor()) {
            task.fail(
                m_prefix + "field '" + m_field + "' is " +
                (input ? valueTypeName(input->type()).toStdString() : std::string("missing")) +
                ", not a float32 [C, H, W] tensor");
            continue;
        }
        const TensorInfo info = input->tensorInfo();
        if (info.dtype != TensorDType::Float32 || info.rank < 1 || info.rank > 7 ||
            info.elementCount() == 0) {
            task.fail(m_prefix + "field '" + m_field + "' is a " + info.toString().toStdString() +
                      " tensor; the model takes a non-empty float32 tensor (one sample, without "
                      "the batch axis)");
            continue;
        }
        auto group = std::find_if(groups.begin(), groups.end(),
                                  [&info](const auto& g) { return g.first == info; });
        if (group == groups.end())
            groups.emplace_back(info, std::vector<std::size_t>{i});
        else
            group->second.push_back(i);
    }
    for (const auto& [shape, members] : groups)
        runGroup(batch, members, shape);
}

void OnnxInferHandler::runGroup(std::span<Task> batch, const std::vector<std::size_t>& members,
                                const TensorInfo& shape) {
    std::vector<int> dims{int(members.size())};
    for (const std::int64_t dim : shape.shape())
        dims.push_back(int(dim));
    m_blob.create(int(dims.size()), dims.data(), CV_32F);
    const std::size_t sampleBytes = std::size_t(shape.byteSize());
    for (std::size_t n = 0; n < members.size(); ++n) {
        const std::string_view data = batch[members[n]].find(m_field)->tensorData();
        std::memcpy(m_blob.ptr<char>() + n * sampleBytes, data.data(), sampleBytes);
    }
    cv::Mat output;
    try {
        cv::dnn::Net& net = netFor(dims);
        net.setInput(m_blob, m_inputName);
        output = m_outputName.empty() ? net.forward() : net.forward(m_outputName);
    } catch (const cv::Exception& error) {
        const std::string message = m_prefix + "the model rejected input " +
                                    shape.toString().toStdString() + " (batch of " +
                                    std::to_string(members.size()) + "): " + error.err;
        for (const std::size_t index : members)
            batch[index].fail(message);
        return;
    }
    if (output.dims < 1 || output.size[0] != int(members.size()) || output.depth() != CV_32F ||
        !output.isContinuous()) {
        const std::string message = m_prefix + "the model's output does not have the batch of " +
                                    std::to_string(members.size()) + " as its first axis";
        for (const std::size_t index : members)
            batch[index].fail(message);
        return;
    }
    TensorInfo outInfo;
    outInfo.dtype = TensorDType::Float32;
    outInfo.rank = std::max(1, output.dims - 1);
    outInfo.dims[0] = 1;
    for (int axis = 1; axis < output.dims; ++axis)
        outInfo.dims[std::size_t(axis - 1)] = output.size[axis];
    const std::size_t outBytes = std::size_t(outInfo.byteSize());
    for (std::size_t n = 0; n < members.size(); ++n) {
        Task& task = batch[members[n]];
        std::memcpy(outputTensor(task, m_outputField, outInfo).data(),
                    output.ptr<char>() + n * outBytes, outBytes);
        if (!m_batchSizeField.empty())
            task[m_batchSizeField].setInt(std::int64_t(members.size()));
        if (!m_keepInput && m_field != m_outputField)
            task.remove(m_field);
    }
}

} // namespace AqueductVision
