#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/Task.h>

#include <opencv2/core/mat.hpp>

#include <QString>

#include <span>
#include <string>
#include <vector>

namespace AqueductVision {

/// "image_resize: " — the engine puts "step 'resize': " in front of task and start errors.
std::string messagePrefix(const Aqueduct::HandlerParams& params, const char* handler);

/// A path from a file-path step parameter. `aqueduct run`/`serve` already made relative
/// values absolute against the pipeline file's folder; a relative one left here (a flow
/// built in code) is taken against the current directory.
QString resolvePipelinePath(const QString& path);

/// Writable data of a new tensor in `field`: a shared blob when large and the flow has
/// an arena (only its handle then crosses queues), inline otherwise.
std::span<char> outputTensor(Aqueduct::Task& task, const std::string& field,
                             const Aqueduct::TensorInfo& info);

/// A uint8 [H, W, C] tensor (C 1..4) as a Mat over the value's data (no copy); empty with
/// `error` set otherwise.
cv::Mat imageView(const Aqueduct::Value* value, const std::string& field, std::string* error);

/// Stores a uint8 H x W x C Mat as a [H, W, C] tensor in `field`.
void storeImage(Aqueduct::Task& task, const std::string& field, const cv::Mat& image);

/// Parses "0.485, 0.456, 0.406" into numbers; false on anything else.
bool parseNumberList(const QString& text, std::vector<double>* numbers);

} // namespace AqueductVision
