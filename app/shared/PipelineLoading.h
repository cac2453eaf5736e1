#pragma once

#include "Commands.h"

#include <aqueduct/PipelineDocument.h>

#include <QString>

#include <optional>

namespace Aqueduct::App {

/// Loads a pipeline file for `run` and `serve`: plugins (those of its folder only with
/// PipelineDirPlugins::Load), then the document, then PipelineValidator. Problems go to stderr as
/// `FILE:PATH: reason` (as `aqueduct validate` prints them); warnings are printed and do not stop
/// the load. Returns nothing when the file is unreadable or invalid (the caller exits with 2).
std::optional<PipelineDocument> loadValidatedPipeline(const QString& path, const char* commandName,
                                                      PipelineDirPlugins pipelineDir);

} // namespace Aqueduct::App
