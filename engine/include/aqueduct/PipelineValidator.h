#pragma once

#include "aqueduct/PipelineDocument.h"
#include "aqueduct/Problem.h"

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

} // namespace Aqueduct
