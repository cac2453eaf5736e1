#pragma once

#include "aqueduct/PipelineDocument.h"
#include "aqueduct/Problem.h"

#include <QList>
#include <QString>

#include <cstdint>

namespace Aqueduct::Internal {

/// Upper bounds of single fields (docs/pipeline-format.md, "Resource limits"); the totals
/// are bounded by flow.limits.
inline constexpr int kMaxQueueSize = 65536;
inline constexpr int kMaxBatchSize = 4096;
inline constexpr int kMaxTaskBytesLimit = 64 << 20;  ///< larger payloads travel as arena blobs
inline constexpr int kMaxNprocs = kMaxStepProcesses; // one limit, shared with the inspector
inline constexpr std::uint64_t kMaxTaskSlots =
    1u << 20; ///< slot indices are 32-bit, the layout caps here
inline constexpr qint64 kMinSharedMemoryLimit = 1ll << 20;
inline constexpr qint64 kMaxSharedMemoryLimit = 1ll << 40;
inline constexpr int kMaxWorkersLimit = 65536;

/// What a flow will take from the machine, computed from the document alone, before
/// anything is created.
struct ResourceBudget {
    std::uint64_t controlBytes = 0; ///< control segment (queues, task slots)
    std::uint64_t arenaBytes = 0;   ///< blob arena segment; 0 = none
    std::uint64_t workers = 0;      ///< worker processes of all steps
    std::uint64_t taskSlots = 0;    ///< task slots asked for (before the layout's cap)
    std::uint64_t slotBytes = 0;    ///< bytes of one task slot
    /// True when controlBytes is the layout's exact size; false when fields are out of
    /// their ranges and it is a lower bound (slots x slotBytes) computed without the layout.
    bool exact = false;

    std::uint64_t sharedMemoryBytes() const { return controlBytes + arenaBytes; }

    static ResourceBudget compute(const PipelineDocument& document);
};

/// Problems (with JSON paths and computed sizes) for a document past its limits.
QList<Problem> checkResourceBudget(const PipelineDocument& document);

/// Empty when `directory` (the tmpfs behind shm_open) has room for the flow's segments;
/// otherwise an error naming both sizes and the fix.
QString checkSharedMemorySpace(const PipelineDocument& document,
                               const char* directory = "/dev/shm");

enum class Rounding { Nearest, Up };
/// "67 MiB", "1.5 GiB", "512 KiB", "100 bytes": one decimal at most. Rounding::Up for
/// amounts needed, so a need never reads smaller than it is.
QString formatBytes(std::uint64_t bytes, Rounding rounding = Rounding::Nearest);

} // namespace Aqueduct::Internal
