#pragma once

#include <QString>

namespace Aqueduct::Ui {

/// How a chosen file is written into a file-path parameter: relative to `folder` (the
/// pipeline file's) when the file is inside it, so the pipeline and its files move
/// together; absolute otherwise, and always when `folder` is empty (a document never
/// saved has no folder of its own).
QString documentPathFor(const QString& file, const QString& folder);

} // namespace Aqueduct::Ui
