#pragma once

#include "aqueduct/PipelineDocument.h"

#include <QString>

namespace Aqueduct {

class HandlerRegistry;

/// The file a file-path parameter's `value` names: a relative value is taken against
/// `folder` (the current directory when `folder` is empty); an absolute or empty value is
/// returned as it is.
QString resolveFilePath(const QString& value, const QString& folder);

/// Makes every relative file-path parameter (ParamSpec::filePath) of `document` absolute
/// against `folder`, the folder of the pipeline file, so workers started in another
/// directory find the file. `aqueduct run`, `aqueduct serve` and the GUI's Run all call
/// this one function, so a pipeline means the same files everywhere. Steps whose handler
/// `registry` does not know, and values that are not strings or are empty, are left alone.
void resolveFilePathParams(PipelineDocument& document, const HandlerRegistry& registry,
                           const QString& folder);

/// True when some step has a relative file-path parameter: its meaning depends on the
/// folder it is resolved against.
bool hasRelativeFilePathParams(const PipelineDocument& document, const HandlerRegistry& registry);

} // namespace Aqueduct
