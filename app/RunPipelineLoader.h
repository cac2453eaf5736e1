#pragma once

#include <aqueduct/PipelineDocument.h>

#include <QString>

#include <optional>

namespace Aqueduct::App {

/// Loads a pipeline file for `run` and `serve`: plugins from its folder first, then the
/// document, then PipelineValidator. Problems go to stderr as `FILE:PATH: reason` (as
/// `aqueduct validate` prints them); warnings are printed and do not stop the load.
/// Returns nothing when the file is unreadable or invalid (the caller exits with 2).
std::optional<PipelineDocument> loadValidatedPipeline(const QString& path, const char* commandName);

} // namespace Aqueduct::App
