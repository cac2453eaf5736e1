#pragma once

#include <aqueduct/PipelineDocument.h>

#include <QByteArray>
#include <QStringList>

#include <optional>

class QMimeData;

namespace Aqueduct::Ui {

/// Clipboard form of copied steps: a pipeline document holding just those steps and the
/// explicit edges between them.
inline constexpr const char* kStepsMimeType = "application/x-aqueduct-steps+json";

PipelineDocument extractFragment(const PipelineDocument& document, const QStringList& stepIds);
/// The fragment as clipboard data (our MIME type plus plain text JSON).
QMimeData* fragmentToMimeData(const PipelineDocument& fragment);
/// Null when the data holds no steps.
std::optional<PipelineDocument> fragmentFromMimeData(const QMimeData* mimeData);

} // namespace Aqueduct::Ui
