#pragma once

#include "shm/FlowLayout.h"

#include <cstdint>

namespace Aqueduct::Internal {

class SharedArena;

/// The rules by which the parent and the workers pass task slots to each other, written
/// once and used by both sides. A task lives in a slot; the slot's `owner` word says who
/// holds it:
///
///   Parent --send--> Queued(step, lane) --take--> Worker(w) --send--> Queued(...) ...
///                                                    \--complete--> Done --collect--> Parent
///
/// Rings (SlotRing) only carry slot numbers; an entry counts only if the slot's owner
/// still says Queued(that step, that lane), and a taker claims it with one CAS. So a
/// process SIGKILLed at any instruction leaves every slot recoverable by the parent:
/// - owner Worker(w) of a dead w: the task was in w's hands -> WorkerCrashed;
/// - w's `handoffSlot` (written before w changes the owner on a send or complete):
///   Queued(...) -> the parent re-queues it (an entry may already exist: duplicates are
///   harmless, only one CAS wins); Done -> the parent collects it;
/// - a dead taker that claimed a slot but did not pop its entry leaves a stale entry,
///   which the next taker skips.
/// Blob references a slot owns are listed in its header (SlotBlobList), replaced with a
/// single committing store, so a death can leak a reference but never free one twice.
class SlotProtocol {
public:
    static constexpr std::uint32_t kParent = 0;
    static constexpr std::uint32_t kDone = 3u << 28;
    static std::uint32_t queued(int step, int lane) {
        return (1u << 28) | (std::uint32_t(step) << 4) | std::uint32_t(lane);
    }
    static std::uint32_t worker(int globalIndex) { return (2u << 28) | std::uint32_t(globalIndex); }
    static bool isQueued(std::uint32_t owner) { return owner >> 28 == 1; }
    static bool isWorker(std::uint32_t owner) { return owner >> 28 == 2; }
    static int queuedStep(std::uint32_t owner) { return int((owner & 0x0fffffffu) >> 4); }
    static int queuedLane(std::uint32_t owner) { return int(owner & 0xfu); }

    SlotProtocol() = default;
    /// `wakeFd`: the parent's eventfd (a worker writes it when the parent sleeps).
    void bind(FlowLayout* layout, SharedArena* arena, int wakeFd);

    enum class Send : std::uint8_t { Queued, Full };
    /// Hands `slot`, held by `holder` (kParent or worker(w)), to a step's lane. Full: the
    /// lane is at queue_size and the holder still holds the slot. `self` is the sending
    /// worker's control block (null for the parent).
    Send send(std::uint32_t slot, std::uint32_t holder, int step, int lane, WorkerControl* self);
    /// The batch-lock holder of `step` takes the next slot of `lane` for `taker`.
    bool take(int step, int lane, std::uint32_t taker, std::uint32_t& slot);
    /// Worker: gives `slot` (result or error written in it) back to the parent. Never
    /// drops it: if the completion ring were ever full it waits for the parent.
    void complete(std::uint32_t slot, std::uint32_t holder, WorkerControl& self);
    /// Parent: the next slot a worker gave back; the parent holds it afterwards.
    bool collect(std::uint32_t& slot);
    /// Parent, for a dead worker's `handoffSlot`: takes back a slot left Queued (to
    /// re-queue it) or Done (to collect it). Returns the owner it found, or kParent if
    /// someone else already moved it on.
    std::uint32_t reclaim(std::uint32_t slot, std::uint32_t expectedOwner);

    /// Wake-up rules (Dekker-style flags: sleepers announce themselves, wakers look after
    /// publishing; a wake-up costs a syscall only when somebody sleeps).
    void wakeConsumers(StepControl& step);
    void wakeProducers(StepControl& step);
    void wakeParent();
    /// Wakes every sleeper of `step` unconditionally (stop and worker exit: a sleeper must
    /// re-check the flow's state even though nothing was published).
    static void wakeEverySleeper(StepControl& step);

    /// Makes the blobs referenced by the slot's encoded payload the slot's own: retains
    /// the new ones, commits the new list, releases the dropped ones. False when the
    /// payload references more than kMaxSlotBlobs blobs (nothing changed then).
    bool replaceSlotBlobs(std::uint32_t slot);
    /// Releases every blob reference the slot owns (its list becomes empty first).
    void releaseSlotBlobs(std::uint32_t slot);
    /// Blob references the slot owns now (for the parent's accounting and tests).
    int slotBlobCount(std::uint32_t slot) const;

private:
    FlowLayout* m_layout = nullptr;
    SharedArena* m_arena = nullptr;
    int m_wakeFd = -1;
};

} // namespace Aqueduct::Internal
