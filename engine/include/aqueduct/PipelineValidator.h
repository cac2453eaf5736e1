#pragma once

#include "aqueduct/PipelineDocument.h"
#include "aqueduct/Problem.h"

#include <QString>

namespace Aqueduct {

class HandlerRegistry;

/// Checks a loaded document against the handler registry and the graph rules: unknown
/// handler, params vs schema, duplicate ids, edges to unknown steps, cycles,
/// unreachable steps, steps not reaching output, numeric ranges, expressions that do
/// not parse (with column). Reports every problem, never just the first.
class PipelineValidator {
public:
    explicit PipelineValidator(const HandlerRegistry& registry);
    QList<Problem> validate(const PipelineDocument& document) const;

    /// Loads and validates a file: structural and semantic problems together.
    QList<Problem> validateFile(const QString& path) const;
    QList<Problem> validateJson(const QByteArray& json) const;
    /// Problems from PipelineDocument::fromJson / fromFile plus validate(document), each
    /// reported once (a field that failed to load is not reported again by validate()).
    QList<Problem> validateLoaded(const QList<Problem>& loadProblems,
                                  const PipelineDocument& document) const;

private:
    const HandlerRegistry& m_registry;
};

// Preparing a valid document to run where it was not written (src/document/FilePathParams.cpp).

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
