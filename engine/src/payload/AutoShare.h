#pragma once

#include "aqueduct/Task.h"

#include <QString>

#include <cstddef>

namespace Aqueduct::Internal {

/// The one auto-share rule, used by the parent before a task enters its slot and by a
/// worker before a result re-enters it: bytes fields of at least `autoShareBytes`
/// (0 = off) move to the arena; then, while the task does not fit `slotCapacity`, its
/// largest bytes field (over 1 KiB) moves too. False with `error` when sharing fails.
bool shareToFit(Task& task, std::size_t slotCapacity, qint64 autoShareBytes, QString* error);

} // namespace Aqueduct::Internal
