#include "VisionSupport.h"

#include <QDir>
#include <QFileInfo>

#include <cstring>

namespace AqueductVision {

using Aqueduct::TensorDType;
using Aqueduct::TensorInfo;

namespace {
// Below this a tensor rides inline in the task slot; above, by handle.
constexpr std::uint64_t kShareTensorBytes = 16 * 1024;
} // namespace

std::string messagePrefix(const Aqueduct::HandlerParams& params, const char* handler) {
    (void)params; // the engine names the step in front of every message
    return std::string(handler) + ": ";
}

QString resolvePipelinePath(const QString& path) {
    if (path.isEmpty() || QFileInfo(path).isAbsolute())
        return path;
    return QDir::current().absoluteFilePath(path);
}

std::span<char> outputTensor(Aqueduct::Task& task, const std::string& field,
                             const TensorInfo& info) {
    if (info.byteSize() >= kShareTensorBytes) {
        const std::span<char> shared = task.allocateTensor(field, info);
        if (shared.size() == info.byteSize())
            return shared;
        // No arena here (a unit test, arena_bytes 0) or it is full: inline still works
        // while the task fits its slot.
    }
    return task[field].resetTensor(info);
}

cv::Mat imageView(const Aqueduct::Value* value, const std::string& field, std::string* error) {
    if (value == nullptr || !value->isTensor()) {
        *error = "field '" + field + "' is " +
                 (value ? Aqueduct::valueTypeName(value->type()).toStdString() : "missing") +
                 ", not a uint8 [height, width, channels] tensor (use image_decode first)";
        return {};
    }
    const TensorInfo info = value->tensorInfo();
    if (info.dtype != TensorDType::UInt8 || info.rank != 3 || info.dims[2] < 1 ||
        info.dims[2] > 4 || info.dims[0] < 1 || info.dims[1] < 1 || info.dims[0] > (1 << 20) ||
        info.dims[1] > (1 << 20)) {
        *error = "field '" + field + "' is a " + info.toString().toStdString() +
                 " tensor, not a uint8 [height, width, channels] image with 1 to 4 channels";
        return {};
    }
    const std::string_view data = value->tensorData();
    return cv::Mat(int(info.dims[0]), int(info.dims[1]), CV_8UC(int(info.dims[2])),
                   const_cast<char*>(data.data()));
}

void storeImage(Aqueduct::Task& task, const std::string& field, const cv::Mat& image) {
    const TensorInfo info(TensorDType::UInt8, {image.rows, image.cols, image.channels()});
    const std::span<char> data = outputTensor(task, field, info);
    const std::size_t rowBytes = std::size_t(image.cols) * image.elemSize();
    for (int row = 0; row < image.rows; ++row)
        std::memcpy(data.data() + std::size_t(row) * rowBytes, image.ptr(row), rowBytes);
}

bool parseNumberList(const QString& text, std::vector<double>* numbers) {
    numbers->clear();
    for (const QString& part : text.split(QLatin1Char(','))) {
        bool ok = false;
        const double number = part.trimmed().toDouble(&ok);
        if (!ok)
            return false;
        numbers->push_back(number);
    }
    return !numbers->empty();
}

} // namespace AqueductVision
