#pragma once

#include "shm/RobustMutex.h"
#include "shm/SlotRing.h"

#include "aqueduct/Task.h"
#include "aqueduct/TaskResult.h"

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace Aqueduct::Internal {

// Layout of a flow's control segment ("aqueduct-<pid>-<serial>-ctl"): one header, then
// per-step queues, per-worker control blocks, the completion ring and the task slots.
// Every offset is from the segment base, so each process can map it anywhere.

inline constexpr std::uint32_t kLayoutMagic = 0x41514431; // "AQD1"
inline constexpr int kMaxLanes = 16;
inline constexpr int kMaxStepTimings = 16;
inline constexpr int kHistogramBuckets = 32; ///< log2 buckets of microseconds
inline constexpr int kBatchFillBuckets = 10; ///< tenths of batch_size (1..10)
inline constexpr std::uint32_t kNoSlot = 0xffffffffu;
/// Shared blobs one task may carry (each slot records its own references, see SlotHeader).
inline constexpr int kMaxSlotBlobs = 8;

/// Per-worker counters: one writer (the worker), read by the parent's sampler.
/// Written with relaxed load+store (no locked instruction on the hot path).
struct alignas(64) WorkerCounters {
    std::atomic<std::uint64_t> tasksIn;
    std::atomic<std::uint64_t> tasksOut;
    std::atomic<std::uint64_t> skipped;
    std::atomic<std::uint64_t> batches;
    std::atomic<std::uint64_t> batchedTasks; ///< tasks handed to the handler, over all batches
    std::atomic<std::uint64_t> errors[kErrorKindCount];
    std::atomic<std::uint64_t> handleUsBuckets[kHistogramBuckets];
    std::atomic<std::uint64_t> handleUsSum;
    std::atomic<std::uint64_t> queueWaitUsBuckets[kHistogramBuckets];
    std::atomic<std::uint64_t> queueWaitUsSum;
    std::atomic<std::uint64_t> batchFillBuckets[kBatchFillBuckets];
    std::atomic<std::uint64_t> busyNs;
};

inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

inline int histogramBucket(std::uint64_t micros) {
    if (micros == 0)
        return 0;
    const int bucket = 64 - __builtin_clzll(micros); // 1 -> 1, 2..3 -> 2, 4..7 -> 3 ...
    return bucket < kHistogramBuckets ? bucket : kHistogramBuckets - 1;
}

enum class SharedWorkerState : std::uint32_t {
    Starting = 0,
    Ready = 1,
    Busy = 2,
    Idle = 3,
    StartFailed = 4,
    Stopped = 5,
};

struct alignas(64) WorkerControl {
    std::atomic<std::uint32_t> state;
    std::atomic<std::int32_t> pid;
    std::uint32_t stepIndex;
    std::uint32_t workerIndex;
    /// The slot this worker is handing on (to a queue or to the parent), kNoSlot when
    /// none: a worker killed mid-hand-off leaves it here for the parent (SlotProtocol).
    std::atomic<std::uint32_t> handoffSlot;
    std::atomic<std::uint32_t> heldCount;   ///< slots in the batch being handled (metrics)
    std::atomic<std::int64_t> batchStartNs; ///< 0 when not handling (handle_timeout watch)
    char message[1024];                     ///< start failure reason (NUL-terminated)
    WorkerCounters counters;
};

struct alignas(64) StepControl {
    std::uint32_t stepIndex;
    std::uint32_t firstWorker; ///< index into the worker control array
    std::uint32_t nprocs;
    std::uint32_t batchSize;
    std::int64_t batchTimeoutNs;
    std::uint32_t queueSize;
    std::uint32_t laneCount;
    std::uint64_t laneRingOffsets[kMaxLanes];
    /// Held by the one worker that fills a batch (nprocs > 1): a batch is collected by
    /// one worker at a time, as in the Python original.
    alignas(64) RobustMutex batchLock;
    // Consumers (this step's workers) sleep on consumerSeq when every lane is empty.
    alignas(64) std::atomic<std::uint32_t> consumerSeq;
    std::atomic<std::uint32_t> sleepingConsumers;
    // Producers (upstream workers) sleep on producerSeq when a lane is full.
    alignas(64) std::atomic<std::uint32_t> producerSeq;
    std::atomic<std::uint32_t> sleepingProducers;
    std::atomic<std::uint32_t> parentWaitingForRoom;
    /// Tasks routed past this step by workers (condition false); the parent counts its own.
    alignas(64) std::atomic<std::uint64_t> skipped;
};

struct alignas(64) ControlHeader {
    std::uint32_t magic;
    std::uint32_t stepCount;
    std::uint32_t workerCount;
    std::uint32_t laneCount;
    std::uint32_t slotCount;
    std::uint32_t slotBytes;
    std::uint64_t totalBytes;
    std::uint64_t stepsOffset;
    std::uint64_t workersOffset;
    std::uint64_t completionOffset; ///< SlotRingHeader of the completion ring (workers -> parent)
    std::uint64_t slotsOffset;
    std::int32_t parentPid;
    std::int64_t priorityAgingNs;
    /// Poll (sched_yield) for kSpinNs before sleeping (AQUEDUCT_SPIN=never: sleep at once).
    std::uint32_t spinAllowed;
    alignas(64) std::atomic<std::uint32_t> stopRequested;
    /// 1 while the parent is (about to be) asleep in its event loop: a worker that
    /// completes a task then writes the parent's eventfd.
    alignas(64) std::atomic<std::uint32_t> parentSleeping;
};

/// The references to shared blobs a slot owns, listed outside the payload so that the
/// parent can release them even when a worker died half-way through rewriting the
/// payload. Two halves: a worker writes the new list into the inactive half and commits
/// it with one store of `active` (SlotProtocol::replaceSlotBlobs).
struct SlotBlobList {
    std::uint64_t offsets[2][kMaxSlotBlobs];
    std::uint8_t counts[2];
    std::atomic<std::uint8_t> active;
};

/// Header of each task slot; the encoded task follows (TaskCodec).
struct alignas(64) SlotHeader {
    /// Who holds the slot (SlotProtocol's owner word): the one source of truth for
    /// where a task is, changed only by its holder (or by a CAS when taking it).
    std::atomic<std::uint32_t> owner;
    std::uint32_t reserved0;
    std::uint64_t taskId;
    std::int64_t deadlineNs; ///< CLOCK_MONOTONIC; 0 = none
    std::int64_t enqueueNs;  ///< when it entered its current queue
    std::uint32_t payloadBytes;
    std::uint16_t priority;
    std::uint8_t status; ///< ErrorKind; payload then holds the message
    std::uint8_t lane;
    std::uint16_t timingCount;
    std::uint16_t lastStep;
    std::uint8_t reserved[4];
    SlotBlobList blobs;
    StepTiming timings[kMaxStepTimings];
};

} // namespace Aqueduct::Internal
